//! `/Groups`, which are Asana teams: list, search, get, create, replace, patch (members) and
//! delete (refused in the `asana` profile).

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use harness_scim::names::{GROUP_URN, PATCH_OP_URN};
use harness_scim::{Group, ListQuery, PatchRequest, ScimError};
use serde_json::Value;

use super::query::*;
use super::render::*;
use super::reply::ScimResult;
use super::request::*;
use crate::http::Shared;
use crate::model::TeamRecord;
use crate::store::{GroupPatchAnswer, Principal, ScimDialect};

pub(super) fn search_groups(c: &Call) -> ScimResult {
    let query = search_query(&c.app.dialect(), c.body)?;
    query_groups(c.app, c.principal, &query)
}

pub(super) fn list_groups(c: &Call) -> ScimResult {
    let query = ListQuery::parse(c.query.unwrap_or(""))?;
    query_groups(c.app, c.principal, &query)
}

pub(super) fn query_groups(app: &Shared, p: &Principal, query: &ListQuery) -> ScimResult {
    let dialect = app.dialect();
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let render = |t: &TeamRecord| render_group(t, &store, org, &dialect, base);
    let indexed = query
        .filter
        .as_ref()
        .and_then(|f| f.as_equality())
        .filter(|(path, _)| path.is("displayName"));
    dialect.documented_filter_only(query, indexed.is_some(), "displayName", "Groups")?;
    let matched: Vec<Value> = match (indexed, &query.filter) {
        (Some((_, name)), _) => store
            .team_by_name(org, name)
            .map(render)
            .into_iter()
            .collect(),
        (None, Some(filter)) => store
            .teams(org)
            .map(render)
            .filter(|g| filter.matches(g))
            .collect(),
        (None, None) => store.teams(org).map(render).collect(),
    };
    Ok(Json(page_of(matched, query, &dialect, |r| project(r, query))).into_response())
}

pub(super) fn get_group(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let query = ListQuery::parse(c.query.unwrap_or(""))?;
    let gid = parse_id(id, "Group")?;
    let store = app.store();
    let team = store
        .team(p.org(), gid)
        .ok_or_else(|| ScimError::not_found(format!("Group {id} not found")))?;
    Ok(Json(project(
        render_group(team, &store, p.org(), &app.dialect(), app.scim_base()),
        &query,
    ))
    .into_response())
}

pub(super) fn create_group(c: &Call) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let json = read_body(c.body, &dialect, GROUP_URN)?;
    let group = Group::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    let gid = store.create_team(p.org(), &group, &cfg, now)?;
    let base = app.scim_base();
    let team = store.team(p.org(), gid).expect("just created");
    let location = dialect.meta().then(|| format!("{base}/Groups/{gid}"));
    Ok(created(
        StatusCode::CREATED,
        render_group(team, &store, p.org(), &dialect, base),
        location,
    ))
}

pub(super) fn replace_group(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let gid = parse_id(id, "Group")?;
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let json = read_body(c.body, &dialect, GROUP_URN)?;
    let group = Group::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    store.replace_team(p.org(), gid, &group, &cfg, now)?;
    let team = store.team(p.org(), gid).expect("just written");
    Ok(Json(render_group(
        team,
        &store,
        p.org(),
        &dialect,
        app.scim_base(),
    ))
    .into_response())
}

pub(super) fn patch_group(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let gid = parse_id(id, "Group")?;
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let json = read_body(c.body, &dialect, PATCH_OP_URN)?;
    let patch = PatchRequest::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    store.patch_team(p.org(), gid, &patch, &cfg, now)?;
    if dialect.group_patch_answer() == GroupPatchAnswer::NoContent {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let team = store.team(p.org(), gid).expect("just written");
    Ok(Json(render_group(
        team,
        &store,
        p.org(),
        &dialect,
        app.scim_base(),
    ))
    .into_response())
}

pub(super) fn delete_group(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let gid = parse_id(id, "Group")?;
    let cfg = app.config();
    app.store().check_team_delete(p.org(), gid, &cfg)?;
    app.store_mut().delete_team(p.org(), gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
