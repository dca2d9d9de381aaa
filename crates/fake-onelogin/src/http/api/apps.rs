//! `/api/2/apps`: the apps, one app with its parameters and SSO settings, and its users.

use axum::extract::{Extension, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{ApiResult, ts};
use crate::http::{Id, OlError, require};
use crate::model::{ApiScope, App, Mapping, SignatureAlgorithm};
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
    drop(store);
    crate::sso::keys::ensure_certificate(&app, id)?;
    let store = app.store();
    let a = store.app(id).ok_or_else(OlError::not_found)?;
    v["sso"] = sso_json(&app.origin, a);
    v["configuration"] = json!({
        "signature_algorithm": signature_algorithm(a.sso.signature_algorithm),
        "certificate_id": a.sso.certificates.first().map(|c| c.id),
    });
    Ok(axum::Json(v).into_response())
}

/// A SAML app's `sso` (fidelity/onelogin §3.4): OneLogin's own endpoints for the app, its
/// Issuer, and the certificate in use as PEM.
fn sso_json(origin: &str, a: &App) -> Value {
    let certificate = a.sso.certificates.first().map(|c| {
        // The name is the harness's choice: the API documents the field, not its values.
        json!({"id": c.id, "name": format!("Certificate {}", c.id), "value": c.certificate})
    });
    json!({
        "metadata_url": crate::sso::metadata_url(origin, a.id),
        "acs_url": crate::sso::sso_url(origin, a.id),
        "sls_url": crate::sso::slo_url(origin, a.id),
        "issuer": crate::sso::issuer(a.sso.issuer_form, origin, a.id),
        "certificate": certificate,
    })
}

/// `configuration.signature_algorithm` as the API names it (fidelity/onelogin §3.4).
fn signature_algorithm(s: SignatureAlgorithm) -> &'static str {
    match s {
        SignatureAlgorithm::RsaSha1 => "SHA-1",
        SignatureAlgorithm::RsaSha256 => "SHA-256",
        SignatureAlgorithm::RsaSha384 => "SHA-384",
        SignatureAlgorithm::RsaSha512 => "SHA-512",
    }
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
