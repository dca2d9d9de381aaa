//! `/api/2/roles`: roles, their users and their apps.

use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{ApiResult, field_matches, params};
use crate::http::{Id, OlError, json_body, require};
use crate::model::ApiScope;
use crate::state::Shared;

pub(super) async fn list_roles(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let name = params(&q)
        .into_iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v);
    let store = app.store();
    let roles: Vec<Value> = store
        .roles()
        .filter(|r| name.as_deref().is_none_or(|n| field_matches(&r.name, n)))
        .map(|r| json!({"id": r.id, "name": r.name}))
        .collect();
    Ok(axum::Json(Value::Array(roles)).into_response())
}

pub(super) async fn create_role(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let body = json_body(&body)?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| OlError::field("name", "name is required"))?;
    let id = app.store_mut().create_role(name)?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
}

pub(super) async fn get_role(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let r = store.role(id).ok_or_else(OlError::not_found)?;
    Ok(axum::Json(
        json!({"id": r.id, "name": r.name, "apps": r.apps, "users": r.users, "admins": []}),
    )
    .into_response())
}

pub(super) async fn role_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let r = store.role(id).ok_or_else(OlError::not_found)?;
    let users: Vec<Value> = r
        .users
        .iter()
        .filter_map(|u| store.user(*u))
        .map(|u| json!({"id": u.id, "username": u.username, "email": u.email, "name": format!("{} {}", u.firstname, u.lastname).trim()}))
        .collect();
    Ok(axum::Json(Value::Array(users)).into_response())
}

/// A raw JSON array of ids, as OneLogin's role endpoints take.
fn id_list(bytes: &Bytes, field: &str) -> Result<Vec<u64>, OlError> {
    let body = json_body(bytes)?;
    let items = body
        .as_array()
        .ok_or_else(|| OlError::field(field, format!("{field} must be a JSON array of ids")))?;
    items
        .iter()
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| OlError::field(field, format!("{v} is not an id")))
        })
        .collect()
}

pub(super) async fn add_role_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let ids = id_list(&body, "user_ids")?;
    let now = app.clock.now();
    let added = app.store_mut().add_role_users(id, &ids, now)?;
    app.kick();
    Ok(axum::Json(Value::Array(
        added.into_iter().map(|u| json!({"id": u})).collect(),
    ))
    .into_response())
}

pub(super) async fn remove_role_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let ids = id_list(&body, "user_ids")?;
    let now = app.clock.now();
    app.store_mut().remove_role_users(id, &ids, now)?;
    app.kick();
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn role_apps(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let r = store.role(id).ok_or_else(OlError::not_found)?;
    let apps: Vec<Value> = r
        .apps
        .iter()
        .filter_map(|a| store.app(*a))
        .map(|a| json!({"id": a.id, "name": a.name, "icon_url": format!("https://cdn.onelogin.test/images/icons/{}.png", a.connector_id)}))
        .collect();
    Ok(axum::Json(Value::Array(apps)).into_response())
}

pub(super) async fn set_role_apps(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let ids = id_list(&body, "app_ids")?;
    let now = app.clock.now();
    app.store_mut().set_role_apps(id, &ids, now)?;
    app.kick();
    Ok(axum::Json(Value::Array(
        ids.into_iter().map(|a| json!({"id": a})).collect(),
    ))
    .into_response())
}
