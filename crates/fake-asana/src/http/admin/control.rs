//! The harness's own controls: the whole state, reset, configuration, faults and the request
//! journal.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::Value;

use super::reply::{AdminError, AdminQuery, AdminResult, bad_request, body};
use crate::faults::FaultSpec;
use crate::http::{Shared, parse_json};
use crate::model::State as Snapshot;
use crate::store::Store;

pub(super) async fn get_state(State(app): State<Shared>) -> Json<Snapshot> {
    Json(app.store().snapshot())
}

pub(super) async fn put_state(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let snapshot: Snapshot = body(&bytes)?;
    let store = Store::restore(snapshot, app.seed)
        .map_err(|e| AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    *app.store_mut() = store;
    app.limiter.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `?keep=config`: the narrower reset, which keeps the switches and rate limits set since start.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetQuery {
    keep: Option<Keep>,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Keep {
    Config,
}

/// Back to the start: the records, the configuration (unless `?keep=config`), and every memory.
pub(super) async fn reset(
    State(app): State<Shared>,
    AdminQuery(q): AdminQuery<ResetQuery>,
) -> AdminResult {
    let start = app.start();
    let store =
        Store::restore(start.state, app.seed).expect("the start state was valid when captured");
    *app.store_mut() = store;
    if q.keep != Some(Keep::Config) {
        *app.config.write().unwrap_or_else(|e| e.into_inner()) = start.config;
    }
    app.limiter.clear();
    app.faults.clear();
    app.journal.clear();
    app.sp.reset();
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn get_config(State(app): State<Shared>) -> Json<Value> {
    Json(app.config().to_json())
}

pub(super) async fn put_config(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let value = parse_json(&bytes).map_err(|e| bad_request(e.to_string()))?;
    let mut config = app.config.write().unwrap_or_else(|e| e.into_inner());
    config
        .update(&value)
        .map_err(|e| bad_request(e.to_string()))?;
    Ok(Json(config.to_json()).into_response())
}

pub(super) async fn add_fault(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let spec: FaultSpec = body(&bytes)?;
    spec.validate().map_err(|e| bad_request(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(app.faults.add(spec))).into_response())
}

pub(super) async fn list_faults(State(app): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(app.faults.list()).expect("serializes"))
}

pub(super) async fn clear_faults(State(app): State<Shared>) -> StatusCode {
    app.faults.clear();
    StatusCode::NO_CONTENT
}

/// `?format=har`: the journal as HAR 1.2, to open in a browser's developer tools.
#[derive(Deserialize)]
pub(super) struct JournalQuery {
    format: Option<String>,
}

pub(super) async fn list_requests(
    State(app): State<Shared>,
    AdminQuery(q): AdminQuery<JournalQuery>,
) -> AdminResult {
    let entries = app.journal.entries();
    match q.format.as_deref() {
        None | Some("json") => {
            Ok(Json(serde_json::to_value(entries).expect("serializes")).into_response())
        }
        Some("har") => {
            let har: Vec<harness_server::har::HarEntry> = entries
                .iter()
                .map(|e| harness_server::har::HarEntry {
                    started: harness_server::har::started(&e.at.to_string()),
                    method: e.method.to_string(),
                    url: format!("{}{}", app.origin, e.uri),
                    request_mime: e.content_type.clone(),
                    request_body: e.request_body.as_ref().map(Value::to_string),
                    status: (!e.dropped).then_some(e.status),
                    response_mime: e.response_content_type.clone(),
                    response_body: e.response_body.as_ref().map(Value::to_string),
                    comment: e.principal.clone(),
                })
                .collect();
            Ok(Json(harness_server::har::har("fake-asana", &har)).into_response())
        }
        Some(other) => Err(bad_request(format!(
            "unknown format {other:?}: json (default) or har"
        ))),
    }
}

pub(super) async fn clear_requests(State(app): State<Shared>) -> StatusCode {
    app.journal.clear();
    StatusCode::NO_CONTENT
}
