//! The harness's control API under `/__admin` (README, "Admin API"): service accounts, state,
//! config, faults and the request journal. JSON in and out; errors are `{"error": "..."}`.
//!
//! - `reply`: the admin error, its extractors, reading bodies.
//! - `accounts`: service accounts, personal access tokens, organizations.
//! - `control`: state, reset, configuration, faults, the request journal.
//! - `saml`: SAML settings and the sign-in journal.

mod accounts;
mod control;
mod reply;
mod saml;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use accounts::*;
use control::*;
use reply::AdminError;
use saml::*;

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/service-accounts",
            get(list_service_accounts).post(create_service_account),
        )
        .route(
            "/service-accounts/{id}",
            axum::routing::delete(delete_service_account).patch(rename_service_account),
        )
        .route(
            "/service-accounts/{id}/rotate",
            post(rotate_service_account),
        )
        .route(
            "/personal-access-tokens",
            post(create_personal_access_token),
        )
        .route(
            "/organizations",
            get(list_organizations).post(create_organization),
        )
        .route("/state", get(get_state).put(put_state))
        .route("/reset", post(reset))
        .route("/config", get(get_config).put(put_config))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/saml", get(get_saml).put(put_saml))
        .route("/sign-ins", get(list_sign_ins).delete(clear_sign_ins))
        .fallback(|| async {
            AdminError::new(StatusCode::NOT_FOUND, "no admin endpoint at this path")
        })
        .method_not_allowed_fallback(|| async {
            AdminError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this method is not allowed on this admin endpoint",
            )
        })
}

/// The OpenAPI 3.1 document of this API, the file committed under `docs/openapi/`, served
/// as it is (a test checks that the document and the routes agree).
const OPENAPI: &str = include_str!("../../../../../docs/openapi/fake-asana.json");

/// `GET /__admin/health` and `GET /__admin/openapi.json`: what may be asked without the admin
/// token.
pub(super) fn open_router() -> Router<Shared> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .method_not_allowed_fallback(|| async {
            AdminError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this method is not allowed on this admin endpoint",
            )
        })
}

async fn health(State(app): State<Shared>) -> Json<Value> {
    let profile = serde_json::to_value(app.config().profile).unwrap_or_default();
    Json(harness_server::health::health(
        "fake-asana",
        profile.as_str(),
    ))
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}
