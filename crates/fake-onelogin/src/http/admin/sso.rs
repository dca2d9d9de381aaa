//! The SSO tab over the admin API: settings, certificates (rotate, remove), and the assertion
//! form for tests and scripts that do not drive a browser. Errors in OneLogin's shape.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{Id, IdPair, OlError, json_body};
use crate::model::{App, SsoConfig};
use crate::sso::{self, SsoError};
use crate::state::Shared;

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/apps/{id}/sso", get(get_sso).put(put_sso))
        .route("/apps/{id}/sso/certificates/rotate", post(rotate))
        .route(
            "/apps/{id}/sso/certificates/{cert}",
            delete(remove_certificate),
        )
        .route("/apps/{id}/sso/assertion", post(assertion))
}

type AdminResult = Result<Response, OlError>;

impl From<SsoError> for OlError {
    fn from(e: SsoError) -> Self {
        match e {
            SsoError::Refused(r) => OlError::new(StatusCode::FORBIDDEN, "Forbidden", r.to_string()),
            SsoError::Store(e) => e.into(),
            SsoError::Key(m) => OlError::conflict(m),
        }
    }
}

/// The SSO tab as the console shows it: endpoints, settings, certificates (never a key).
pub(crate) fn sso_json(origin: &str, app: &App) -> Value {
    let certificates: Vec<Value> = app
        .sso
        .certificates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let parsed = c.parsed();
            json!({
                "id": c.id,
                "in_use": i == 0,
                "created_at": c.created_at,
                "subject": parsed.as_ref().map(|p| p.subject().to_owned()),
                "sha1_fingerprint": parsed.as_ref().map(|p| p.sha1_fingerprint()),
                "sha256_fingerprint": parsed.as_ref().map(|p| p.sha256_fingerprint()),
                "not_before": parsed.as_ref().map(|p| p.not_before()),
                "not_after": parsed.as_ref().map(|p| p.not_after()),
                "pem": c.certificate,
            })
        })
        .collect();
    json!({
        "issuer": sso::issuer(app.sso.issuer_form, origin, app.id),
        "issuer_form": app.sso.issuer_form,
        "sso_endpoint": sso::sso_url(origin, app.id),
        "slo_endpoint": sso::slo_url(origin, app.id),
        "metadata_url": sso::metadata_url(origin, app.id),
        "acs_url": app.sso.acs_url,
        "audience": app.sso.audience,
        "signature_algorithm": app.sso.signature_algorithm,
        "signature_element": app.sso.signature_element,
        "name_id": app.provisioning.parameters.name_id,
        "certificates": certificates,
    })
}

fn current(app: &Shared, id: u64) -> Result<Value, OlError> {
    let store = app.store();
    let a = store.app(id).ok_or_else(OlError::not_found)?;
    Ok(sso_json(&app.origin, a))
}

/// An unknown app is a 404 before the identity provider is asked anything (which would
/// refuse it as a sign-in).
fn exists(app: &Shared, id: u64) -> Result<(), OlError> {
    app.store()
        .app(id)
        .map(|_| ())
        .ok_or_else(OlError::not_found)
}

async fn get_sso(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    exists(&app, id)?;
    crate::sso::keys::ensure_certificate(&app, id)?;
    Ok(Json(current(&app, id)?).into_response())
}

/// A partial `PUT`: `acs_url`, `audience`, `signature_algorithm`, `signature_element`,
/// `issuer_form`.
async fn put_sso(State(app): State<Shared>, Id(id): Id, body: Bytes) -> AdminResult {
    let body = json_body(&body)?;
    let obj = body
        .as_object()
        .ok_or_else(|| OlError::bad_request("the body must be a JSON object"))?;
    const KEYS: &[&str] = &[
        "acs_url",
        "audience",
        "signature_algorithm",
        "signature_element",
        "issuer_form",
    ];
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(OlError::field(
            k,
            format!("unknown SSO setting {k:?}; known: {}", KEYS.join(", ")),
        ));
    }
    let now = app.clock.now();
    {
        let mut store = app.store_mut();
        let before = store.app(id).ok_or_else(OlError::not_found)?.sso.clone();
        let mut merged = serde_json::to_value(&before).expect("serializes");
        for (k, v) in obj {
            merged[k] = v.clone();
        }
        let next: SsoConfig = serde_json::from_value(merged)
            .map_err(|e| OlError::bad_request(format!("invalid SSO settings: {e}")))?;
        store.set_sso(id, next, now)?;
    }
    Ok(Json(current(&app, id)?).into_response())
}

async fn rotate(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    exists(&app, id)?;
    crate::sso::keys::rotate(&app, id, None)?;
    Ok((StatusCode::CREATED, Json(current(&app, id)?)).into_response())
}

async fn remove_certificate(State(app): State<Shared>, IdPair(id, cert): IdPair) -> AdminResult {
    app.store_mut().remove_certificate(id, cert)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssertionRequest {
    user_id: u64,
    #[serde(default)]
    in_response_to: Option<String>,
    #[serde(default)]
    relay_state: Option<String>,
}

/// Exactly the form the SSO endpoint would post for this user.
async fn assertion(State(app): State<Shared>, Id(id): Id, body: Bytes) -> AdminResult {
    let request: AssertionRequest = serde_json::from_value(json_body(&body)?)
        .map_err(|e| OlError::bad_request(format!("invalid request: {e}")))?;
    exists(&app, id)?;
    let form = crate::sso::assertion::assertion(
        &app,
        id,
        request.user_id,
        request.in_response_to,
        request.relay_state,
        None,
    )?;
    Ok(Json(form).into_response())
}
