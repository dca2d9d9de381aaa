//! `/Groups`, which are Asana teams: list, search, get, create, replace, patch (members) and
//! delete (refused in the `asana` profile).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use harness_scim::names::{GROUP_URN, PATCH_OP_URN};
use harness_scim::patch::PatchOptions;
use harness_scim::{Group, ListQuery, Member, PatchRequest, ScimError};
use serde_json::{Value, json};

use super::query::*;
use super::render::*;
use super::reply::{Id, ScimResult};
use super::request::*;
use crate::config::Switch;
use crate::http::Shared;
use crate::model::TeamRecord;
use crate::store::Principal;

pub(super) async fn search_groups(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let query = search_query(&app, &body)?;
    query_groups(&app, &p, &query)
}

pub(super) async fn list_groups(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    RawQuery(q): RawQuery,
) -> ScimResult {
    let query = ListQuery::parse(q.as_deref().unwrap_or(""))?;
    query_groups(&app, &p, &query)
}

pub(super) fn query_groups(app: &Shared, p: &Principal, query: &ListQuery) -> ScimResult {
    let cfg = app.config();
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let render = |t: &TeamRecord| render_group(t, &store, org, &cfg, &base);
    let indexed = query
        .filter
        .as_ref()
        .and_then(|f| f.as_equality())
        .filter(|(path, _)| path.is("displayName"));
    documented_filter_only(query, indexed.is_some(), "displayName", "Groups", &cfg)?;
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
    Ok(Json(page_of(matched, query, &cfg, |r| project(r, query))).into_response())
}

pub(super) async fn get_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    RawQuery(q): RawQuery,
) -> ScimResult {
    let query = ListQuery::parse(q.as_deref().unwrap_or(""))?;
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    let store = app.store();
    let team = store
        .team(p.org(), gid)
        .ok_or_else(|| ScimError::not_found(format!("Group {id} not found")))?;
    Ok(Json(project(
        render_group(team, &store, p.org(), &cfg, &app.scim_base()),
        &query,
    ))
    .into_response())
}

pub(super) async fn create_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, GROUP_URN, &cfg)?;
    let group = Group::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    let gid = store.create_team(p.org(), &group, &cfg, now)?;
    let base = app.scim_base();
    let team = store.team(p.org(), gid).expect("just created");
    let location = (!cfg.on(Switch::OmitMeta)).then(|| format!("{base}/Groups/{gid}"));
    Ok(created(
        StatusCode::CREATED,
        render_group(team, &store, p.org(), &cfg, &base),
        location,
    ))
}

pub(super) async fn replace_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    body: Bytes,
) -> ScimResult {
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, GROUP_URN, &cfg)?;
    let group = Group::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    store.replace_team(p.org(), gid, &group, &cfg, now)?;
    let team = store.team(p.org(), gid).expect("just written");
    Ok(Json(render_group(team, &store, p.org(), &cfg, &app.scim_base())).into_response())
}

pub(super) async fn patch_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    body: Bytes,
) -> ScimResult {
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, PATCH_OP_URN, &cfg)?;
    let patch = PatchRequest::from_json(json)?;
    let options = PatchOptions {
        create_on_unmatched_replace: cfg.on(Switch::CreateOnUnmatchedReplace),
    };
    let now = app.clock.now();
    let base = app.scim_base();
    let mut store = app.store_mut();
    let team = store
        .team(p.org(), gid)
        .ok_or_else(|| ScimError::not_found(format!("Group {id} not found")))?;
    let mut resource = json!({
        "displayName": team.name,
        "members": team.members.iter().map(|m| json!({"value": m.to_string()})).collect::<Vec<_>>(),
    });
    if let Some(external) = &team.external_id {
        resource["externalId"] = json!(external);
    }
    patch.apply(&mut resource, options)?;
    let mut group = Group::from_json(resource)?;
    group
        .members
        .dedup_by(|a: &mut Member, b: &mut Member| a.value == b.value);
    store.replace_team(p.org(), gid, &group, &cfg, now)?;
    if cfg.on(Switch::GroupPatchNoContent) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let team = store.team(p.org(), gid).expect("just written");
    Ok(Json(render_group(team, &store, p.org(), &cfg, &base)).into_response())
}

pub(super) async fn delete_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
) -> ScimResult {
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    if cfg.on(Switch::TeamDeleteRefused) {
        // Checked after the id so that an unknown team is still a 404.
        if app.store().team(p.org(), gid).is_none() {
            return Err(ScimError::not_found(format!("Group {id} not found")).into());
        }
        return Err(ScimError::new(
            405,
            None,
            "Deleting teams through SCIM is not supported by Asana",
        )
        .into());
    }
    app.store_mut().delete_team(p.org(), gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
