//! An organization's SAML settings (as the Security tab checks them) and the sign-in journal.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use super::reply::{AdminQuery, AdminResult, bad_request, body, organization_or_default};
use crate::http::Shared;
use crate::model::{Gid, SamlMode, SamlSettings};
use crate::store::Store;

/// `?organization=` on the SAML endpoints.
#[derive(Deserialize)]
pub(super) struct OrgQuery {
    organization: Option<Gid>,
}

/// The organization's SAML settings, with what an IdP needs to know about this SP.
fn saml_json(app: &Shared, store: &Store, org: Gid) -> Value {
    let settings = store.saml_settings(org).cloned().unwrap_or_default();
    let fingerprint = settings.parsed_certificate().map(|c| c.sha1_fingerprint());
    let domain = store
        .organization(org)
        .and_then(|o| o.domains.first().cloned())
        .unwrap_or_default();
    json!({
        "organization": org.to_string(),
        "mode": settings.mode,
        "sign_in_url": settings.sign_in_url,
        "certificate": settings.certificate,
        "certificate_sha1": fingerprint,
        "session_timeout_hours": settings.session_timeout_hours,
        "service_provider": {
            "entity_id": crate::sso::ENTITY_ID,
            "acs_url": format!("{}{}", app.origin, crate::sso::ACS_PATH),
            "sign_on_url": format!("{}/a/{}", app.origin, domain),
        },
    })
}

pub(super) async fn get_saml(
    State(app): State<Shared>,
    AdminQuery(q): AdminQuery<OrgQuery>,
) -> AdminResult {
    let store = app.store();
    let org = organization_or_default(&store, q.organization)?;
    Ok(Json(saml_json(&app, &store, org)).into_response())
}

/// A partial update: fields left out keep their value; `""` clears a URL or certificate.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SamlChange {
    #[serde(default)]
    organization: Option<Gid>,
    #[serde(default)]
    mode: Option<SamlMode>,
    #[serde(default)]
    sign_in_url: Option<String>,
    #[serde(default)]
    certificate: Option<String>,
    #[serde(default)]
    session_timeout_hours: Option<u32>,
}

/// `PUT /__admin/saml[?organization=]`: the organization by the query or the body's
/// `organization`, which must agree when both are given.
pub(super) async fn put_saml(
    State(app): State<Shared>,
    AdminQuery(q): AdminQuery<OrgQuery>,
    bytes: Bytes,
) -> AdminResult {
    let change: SamlChange = body(&bytes)?;
    let chosen = match (q.organization, change.organization) {
        (Some(a), Some(b)) if a != b => {
            return Err(bad_request(format!(
                "the query names organization {a} and the body {b}"
            )));
        }
        (a, b) => a.or(b),
    };
    let mut store = app.store_mut();
    let org = organization_or_default(&store, chosen)?;
    let current = store.saml_settings(org).cloned().unwrap_or_default();
    let clearable = |new: Option<String>, old: Option<String>| match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v),
        None => old,
    };
    let settings = SamlSettings {
        mode: change.mode.unwrap_or(current.mode),
        sign_in_url: clearable(change.sign_in_url, current.sign_in_url),
        certificate: clearable(change.certificate, current.certificate),
        session_timeout_hours: change
            .session_timeout_hours
            .unwrap_or(current.session_timeout_hours),
    };
    store.set_saml_settings(org, settings)?;
    Ok(Json(saml_json(&app, &store, org)).into_response())
}

pub(super) async fn list_sign_ins(State(app): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(app.sp.sign_ins()).expect("serializes"))
}

pub(super) async fn clear_sign_ins(State(app): State<Shared>) -> StatusCode {
    app.sp.clear_sign_ins();
    StatusCode::NO_CONTENT
}
