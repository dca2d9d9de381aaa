//! `/Users`: list (the indexed `userName eq` lookup straight to the wire), search, get,
//! create, replace, patch and delete; the store decides what each write does.

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use harness_scim::names::{PATCH_OP_URN, USER_URN};
use harness_scim::{ListQuery, PatchRequest, ScimError, User};
use serde_json::Value;

use super::query::*;
use super::render::*;
use super::reply::{ScimResult, json_reply};
use super::request::*;
use crate::http::Shared;
use crate::model::{DeprovisionVia, Gid, UserRecord};
use crate::store::{Created, Principal, ScimDialect, Store};

pub(super) fn list_users(c: &Call) -> ScimResult {
    let query = ListQuery::parse(c.query.unwrap_or(""))?;
    query_users(c.app, c.principal, &query)
}

/// `POST /Users/.search` (RFC 7644 §3.4.3), unless the Asana profile says there is none.
pub(super) fn search_users(c: &Call) -> ScimResult {
    let query = search_query(&c.app.dialect(), c.body)?;
    query_users(c.app, c.principal, &query)
}

/// `POST /.search` at the root: users and groups alike (RFC 7644 §3.4.3).
pub(super) fn search_all(c: &Call) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let query = search_query(&dialect, c.body)?;
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let info = store
        .organization(org)
        .ok_or_else(|| ScimError::not_found("organization not found"))?;
    let users = store
        .visible_users(org, &cfg)
        .map(|u| render_user(u, info, &dialect, base));
    let groups = store
        .teams(org)
        .map(|t| render_group(t, &store, org, &dialect, base));
    let matched = users
        .chain(groups)
        .filter(|r| query.filter.as_ref().is_none_or(|f| f.matches(r)))
        .collect();
    Ok(Json(page_of(matched, &query, &dialect, |r| project(r, &query))).into_response())
}

pub(super) fn query_users(app: &Shared, p: &Principal, query: &ListQuery) -> ScimResult {
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let info = store
        .organization(org)
        .ok_or_else(|| ScimError::not_found("organization not found"))?;
    let render = |u: &UserRecord| render_user(u, info, &dialect, base);
    // `userName eq "x"`, the lookup every IdP makes, is answered from the index.
    let indexed = query
        .filter
        .as_ref()
        .and_then(|f| f.as_equality())
        .filter(|(path, _)| path.is("userName"));
    dialect.documented_filter_only(query, indexed.is_some(), "userName", "Users")?;
    let matched: Vec<Value> = match (indexed, &query.filter) {
        (Some((_, name)), _) => {
            let found = store.user_by_name(org, name, &cfg);
            if !query.projects() {
                // Without `attributes` nothing needs a JSON tree: straight to the wire.
                let found: Vec<UserResource> = found
                    .map(|u| UserResource::new(u, info, &dialect, base))
                    .into_iter()
                    .collect();
                return Ok(json_reply(&page_of(found, query, &dialect, |r| r)));
            }
            found.map(render).into_iter().collect()
        }
        (None, Some(filter)) => store
            .visible_users(org, &cfg)
            .map(render)
            .filter(|u| filter.matches(u))
            .collect(),
        (None, None) => {
            // No filter: render only the page asked for.
            let all: Vec<&UserRecord> = store.visible_users(org, &cfg).collect();
            let resources = all[dialect.page(query, all.len())]
                .iter()
                .map(|u| project(render(u), query))
                .collect();
            let list = list_response(all.len(), resources, query, &dialect);
            return Ok(Json(list).into_response());
        }
    };
    Ok(Json(page_of(matched, query, &dialect, |r| project(r, query))).into_response())
}

pub(super) fn get_user(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let query = ListQuery::parse(c.query.unwrap_or(""))?;
    let gid = parse_id(id, "User")?;
    let cfg = app.config();
    let store = app.store();
    let user = store
        .visible_user(p.org(), gid, &cfg)
        .ok_or_else(|| ScimError::not_found(format!("User {id} not found")))?;
    let info = store
        .organization(p.org())
        .expect("the principal's organization exists");
    Ok(Json(project(
        render_user(user, info, &ScimDialect::of(&cfg), app.scim_base()),
        &query,
    ))
    .into_response())
}

pub(super) fn create_user(c: &Call) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let json = read_body(c.body, &dialect, USER_URN)?;
    let user = User::from_json(dialect.onelogin_extension_key(json))?;
    let mut store = app.store_mut();
    let (gid, how) = store.create_user(&app.write_context(p, &cfg), user)?;
    let record = store.user(p.org(), gid).expect("just created");
    let info = store.organization(p.org()).expect("exists");
    let base = app.scim_base();
    let body = render_user(record, info, &dialect, base);
    let status = if how == Created::Existing {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let location = dialect.meta().then(|| format!("{base}/Users/{gid}"));
    Ok(created(status, body, location))
}

pub(super) fn replace_user(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let gid = parse_id(id, "User")?;
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let json = read_body(c.body, &dialect, USER_URN)?;
    let user = User::from_json(dialect.onelogin_extension_key(json))?;
    let mut store = app.store_mut();
    store.replace_user(
        &app.write_context(p, &cfg),
        gid,
        user,
        DeprovisionVia::ScimPut,
    )?;
    respond_user(&store, p.org(), gid, &dialect, app.scim_base())
}

pub(super) fn patch_user(c: &Call, id: &str) -> ScimResult {
    let (app, p) = (c.app, c.principal);
    let gid = parse_id(id, "User")?;
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let json = read_body(c.body, &dialect, PATCH_OP_URN)?;
    let patch = PatchRequest::from_json(json)?;
    let mut store = app.store_mut();
    store.patch_user(&app.write_context(p, &cfg), gid, &patch)?;
    respond_user(&store, p.org(), gid, &dialect, app.scim_base())
}

pub(super) fn respond_user(
    store: &Store,
    org: Gid,
    gid: Gid,
    dialect: &ScimDialect,
    base: &str,
) -> ScimResult {
    let record = store.user(org, gid).expect("just written");
    let info = store.organization(org).expect("exists");
    Ok(Json(render_user(record, info, dialect, base)).into_response())
}

pub(super) fn delete_user(c: &Call, id: &str) -> ScimResult {
    let app = c.app;
    let gid = parse_id(id, "User")?;
    let cfg = app.config();
    app.store_mut()
        .delete_user(&app.write_context(c.principal, &cfg), gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
