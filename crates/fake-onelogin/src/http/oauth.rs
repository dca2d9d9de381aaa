//! `POST /auth/oauth2/v2/token` and `POST /auth/oauth2/revoke`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::{OlError, json_body};
use crate::state::Shared;
use crate::tokens::{TOKEN_LIFETIME_SECS, client_credentials, secret_matches};

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/v2/token", post(token))
        .route("/revoke", post(revoke))
}

/// The credential behind the request's client id and secret.
fn client(app: &Shared, headers: &HeaderMap) -> Result<String, OlError> {
    let (id, secret) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(client_credentials)
        .ok_or_else(OlError::unauthorized)?;
    let store = app.store();
    let credential = store.credential(&id).ok_or_else(OlError::unauthorized)?;
    if !secret_matches(credential, &secret) {
        return Err(OlError::unauthorized());
    }
    Ok(id)
}

async fn token(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OlError> {
    let client_id = client(&app, &headers)?;
    let body = json_body(&body)?;
    match body.get("grant_type").and_then(|g| g.as_str()) {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OlError::bad_request(format!(
                "grant_type {other} is not supported; use client_credentials"
            )));
        }
        None => return Err(OlError::field("grant_type", "grant_type is required")),
    }
    let now = app.clock.now();
    let (token, _) = {
        let mut rng = app.rng.lock().unwrap_or_else(|e| e.into_inner());
        app.tokens.issue(&mut rng, &client_id, now)
    };
    Ok((
        StatusCode::OK,
        axum::Json(json!({
            "access_token": token,
            "created_at": now.to_string(),
            "expires_in": TOKEN_LIFETIME_SECS,
            // Deprecated by OneLogin and no longer used; present because clients read it.
            "refresh_token": "",
            "token_type": "bearer",
            "account_id": crate::ACCOUNT_ID,
        })),
    )
        .into_response())
}

async fn revoke(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OlError> {
    client(&app, &headers)?;
    let body = json_body(&body)?;
    let token = body
        .get("access_token")
        .and_then(|t| t.as_str())
        .ok_or_else(|| OlError::field("access_token", "access_token is required"))?;
    app.tokens.revoke(token);
    Ok((StatusCode::OK, axum::Json(json!({"status": {"error": false, "code": 200, "type": "success", "message": "Success"}}))).into_response())
}
