//! `/api/2/apps`: the apps, one app with its parameters, and its users.

use axum::extract::{Extension, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{ApiResult, ts};
use crate::http::{Id, OlError, require};
use crate::model::{ApiScope, App, Mapping};
use crate::state::Shared;
use crate::store::Store;

fn app_json(a: &App, store: &Store) -> Value {
    let role_ids: Vec<u64> = store
        .roles()
        .filter(|r| r.apps.contains(&a.id))
        .map(|r| r.id)
        .collect();
    json!({
        "id": a.id,
        "connector_id": a.connector_id,
        "name": a.name,
        "description": "",
        "notes": null,
        "visible": true,
        "auth_method": 2,
        "auth_method_description": "SAML2.0",
        "role_ids": role_ids,
        "provisioning": {"enabled": a.provisioning.enabled, "status": "Available"},
        "created_at": ts(a.created_at),
        "updated_at": ts(a.updated_at),
    })
}

pub(super) async fn list_apps(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    Ok(axum::Json(Value::Array(
        store.apps().map(|a| app_json(a, &store)).collect(),
    ))
    .into_response())
}

pub(super) async fn get_app(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let a = store.app(id).ok_or_else(OlError::not_found)?;
    let mut v = app_json(a, &store);
    let mapping = |m: Mapping| match m {
        Mapping::Email => "email",
        Mapping::Username => "username",
        Mapping::ExternalId => "external_id",
    };
    // The token is configuration, not something the API hands out.
    v["parameters"] = json!({
        "scimusername": {"label": "SCIM Username", "user_attribute_mappings": mapping(a.provisioning.parameters.scim_username), "include_in_saml_assertion": false, "provisioned_entitlements": false},
        "saml_username": {"label": "NameID (Subject)", "user_attribute_mappings": mapping(a.provisioning.parameters.name_id), "include_in_saml_assertion": true, "provisioned_entitlements": false},
    });
    v["configuration"] = json!({});
    Ok(axum::Json(v).into_response())
}

pub(super) async fn app_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    store.app(id).ok_or_else(OlError::not_found)?;
    let users: Vec<Value> = store
        .app_users(id)
        .into_iter()
        .filter_map(|u| store.user(u))
        .map(|u| json!({"id": u.id, "firstname": u.firstname, "lastname": u.lastname, "email": u.email, "username": u.username}))
        .collect();
    Ok(axum::Json(Value::Array(users)).into_response())
}
