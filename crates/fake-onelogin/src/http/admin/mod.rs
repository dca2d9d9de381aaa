//! The harness's control API for the fake OneLogin (README, "Admin API"): the Asana app's
//! provisioning settings, the Enable test, the task queue, state, and the outbound SCIM journal.
//! OneLogin has no public API for these; they are what an admin does in the console. The SSO
//! tab's part is `sso`.

mod sso;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::http::{Id, IdPair, OlError, json_body};
use crate::model::{ApiScope, ProvisioningConfig, State as Snapshot, Task, TaskStatus};
use crate::state::Shared;
use crate::store::Store;

pub(super) fn router() -> Router<Shared> {
    sso::router()
        .route(
            "/apps/{id}/provisioning",
            get(get_provisioning).put(put_provisioning),
        )
        .route("/apps/{id}/enable", post(enable))
        .route("/apps/{id}/users/reset", post(reset_app_users))
        .route("/apps/{id}/import", post(import))
        .route(
            "/users/{id}/apps/{app}",
            post(assign_app).delete(unassign_app),
        )
        .route("/provisioning/tasks", get(list_tasks))
        .route("/provisioning/tasks/{id}/approve", post(approve))
        .route("/provisioning/tasks/{id}/deny", post(deny))
        .route("/provisioning/tasks/{id}/retry", post(retry))
        .route("/provisioning/run", post(run))
        .route(
            "/api-credentials",
            get(list_credentials).post(create_credential),
        )
        .route("/state", get(get_state).put(put_state))
        .route("/reset", post(reset))
        .route("/requests", get(list_requests).delete(clear_requests))
        .route(
            "/api-requests",
            get(list_api_requests).delete(clear_api_requests),
        )
        .fallback(|| async { OlError::not_found() })
        .method_not_allowed_fallback(|| async { OlError::method_not_allowed() })
}

type AdminResult = Result<Response, OlError>;

/// The token is shown masked: enough to tell two apart, not enough to use.
pub(crate) fn mask(token: &str) -> String {
    let tail: String = token
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

pub(crate) fn provisioning_json(config: &ProvisioningConfig) -> Value {
    let mut v = serde_json::to_value(config).expect("serializes");
    v["token"] = config
        .token
        .as_deref()
        .map(mask)
        .map_or(Value::Null, Value::String);
    v
}

/// Parses a partial `PUT`: only the keys given change. What a change means (a new token or URL
/// needs Enable again) is the store's to decide.
pub(crate) fn update_provisioning(
    config: &ProvisioningConfig,
    body: &Value,
) -> Result<ProvisioningConfig, OlError> {
    let obj = body
        .as_object()
        .ok_or_else(|| OlError::bad_request("the body must be a JSON object"))?;
    const KEYS: &[&str] = &[
        "scim_base_url",
        "token",
        "enabled",
        "require_approval",
        "on_delete",
        "on_suspend",
        "parameters",
        "connector",
        "schema_urns",
        "api_status",
        "api_error",
    ];
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(OlError::field(
            k,
            format!("unknown setting {k:?}; known: {}", KEYS.join(", ")),
        ));
    }
    let mut merged = serde_json::to_value(config).expect("serializes");
    for (k, v) in obj {
        match k.as_str() {
            // Read-only: set by Enable and by provisioning.
            "api_status" | "api_error" => {}
            // Sending the masked value back (GET, edit, PUT) keeps the token.
            "token"
                if v.as_str()
                    .is_some_and(|t| config.token.as_deref().is_some_and(|old| mask(old) == t)) => {
            }
            _ => merged[k] = v.clone(),
        }
    }
    let mut next: ProvisioningConfig = serde_json::from_value(merged)
        .map_err(|e| OlError::bad_request(format!("invalid provisioning settings: {e}")))?;
    if next.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        next.token = None;
    }
    Ok(next)
}

async fn get_provisioning(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let store = app.store();
    let a = store.app(id).ok_or_else(OlError::not_found)?;
    Ok(axum::Json(provisioning_json(&a.provisioning)).into_response())
}

async fn put_provisioning(State(app): State<Shared>, Id(id): Id, body: Bytes) -> AdminResult {
    let body = json_body(&body)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    let current = store
        .app(id)
        .ok_or_else(OlError::not_found)?
        .provisioning
        .clone();
    let next = update_provisioning(&current, &body)?;
    store.set_provisioning(id, next.clone(), now)?;
    drop(store);
    app.kick();
    Ok(axum::Json(provisioning_json(&next)).into_response())
}

async fn enable(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let updated = crate::engine::enable(&app, &app.provisioner, id)
        .await
        .ok_or_else(OlError::not_found)?;
    app.kick();
    Ok(axum::Json(provisioning_json(&updated.provisioning)).into_response())
}

fn task_filter(query: &Option<String>) -> Result<impl Fn(&Task) -> bool, OlError> {
    let mut status: Option<TaskStatus> = None;
    let mut user: Option<u64> = None;
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "status" => {
                status = Some(
                    serde_json::from_value(json!(v))
                        .map_err(|_| OlError::bad_request(format!("unknown task status {v:?}")))?,
                )
            }
            "user_id" => {
                user = Some(
                    v.parse()
                        .map_err(|_| OlError::bad_request("user_id must be a number"))?,
                )
            }
            _ => {}
        }
    }
    Ok(move |t: &Task| status.is_none_or(|s| t.status == s) && user.is_none_or(|u| t.user_id == u))
}

async fn list_tasks(State(app): State<Shared>, RawQuery(q): RawQuery) -> AdminResult {
    let keep = task_filter(&q)?;
    app.sweep();
    let store = app.store();
    let tasks: Vec<&Task> = store.tasks().filter(|t| keep(t)).collect();
    Ok(axum::Json(serde_json::to_value(tasks).expect("serializes")).into_response())
}

fn task_reply(store: &Store, id: u64) -> Response {
    axum::Json(serde_json::to_value(store.task(id)).expect("serializes")).into_response()
}

async fn approve(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let now = app.clock.now();
    let reply = {
        let mut store = app.store_mut();
        store.approve(id, now)?;
        task_reply(&store, id)
    };
    app.kick();
    Ok(reply)
}

async fn deny(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let now = app.clock.now();
    let mut store = app.store_mut();
    store.deny(id, now)?;
    Ok(task_reply(&store, id))
}

async fn retry(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let now = app.clock.now();
    let reply = {
        let mut store = app.store_mut();
        store.retry(id, now)?;
        task_reply(&store, id)
    };
    app.kick();
    Ok(reply)
}

async fn run(State(app): State<Shared>) -> AdminResult {
    let ran = crate::engine::run_queue(&app, &app.provisioner).await;
    Ok(axum::Json(json!({"ran": ran})).into_response())
}

async fn create_credential(State(app): State<Shared>, body: Bytes) -> AdminResult {
    let body = json_body(&body)?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("harness")
        .to_owned();
    let scope: ApiScope = match body.get("scope") {
        None => ApiScope::ManageAll,
        Some(s) => serde_json::from_value(s.clone()).map_err(|_| {
            OlError::field("scope", "scope must be one of authentication_only, read_users, manage_users, read_all, manage_all")
        })?,
    };
    let (credential, secret) = {
        let mut rng = app.rng.lock().unwrap_or_else(|e| e.into_inner());
        crate::tokens::new_credential(&mut rng, &name, scope)
    };
    let reply = json!({"name": name, "client_id": credential.client_id, "client_secret": secret, "scope": scope});
    app.store_mut().add_credential(credential);
    Ok((StatusCode::CREATED, axum::Json(reply)).into_response())
}

async fn list_credentials(State(app): State<Shared>) -> AdminResult {
    let store = app.store();
    let list: Vec<Value> = store
        .credentials()
        .map(|c| json!({"name": c.name, "client_id": c.client_id, "scope": c.scope}))
        .collect();
    Ok(axum::Json(Value::Array(list)).into_response())
}

/// The whole fake, restorable with `PUT`. Unlike the provisioning settings, it carries the
/// Asana token in full: OneLogin must be able to send it after a restore, so it cannot be a
/// digest. API client secrets are digests.
async fn get_state(State(app): State<Shared>) -> AdminResult {
    Ok(
        axum::Json(serde_json::to_value(app.store().snapshot()).expect("serializes"))
            .into_response(),
    )
}

async fn put_state(State(app): State<Shared>, body: Bytes) -> AdminResult {
    let body = json_body(&body)?;
    let snapshot: Snapshot = serde_json::from_value(body)
        .map_err(|e| OlError::bad_request(format!("invalid state: {e}")))?;
    let mut store = Store::restore(snapshot)?;
    let mut current = app.store_mut();
    store.set_retention(current.retention(), app.clock.now());
    *current = store;
    drop(current);
    app.tokens.clear();
    app.idp.forget_keys();
    app.kick();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Back to the start: the directory, every app's settings, and every memory (tokens, the
/// outbound journal, sign-in sessions). Retention is a start-up setting, so it stays.
async fn reset(State(app): State<Shared>) -> AdminResult {
    let mut store = Store::restore(app.start()).expect("the start state was valid when captured");
    let mut current = app.store_mut();
    store.set_retention(current.retention(), app.clock.now());
    *current = store;
    drop(current);
    app.tokens.clear();
    app.outbound.clear();
    app.inbound.clear();
    app.idp.reset();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `?format=har`: the outbound SCIM calls as HAR 1.2, to open in a browser's developer tools.
async fn list_requests(State(app): State<Shared>, RawQuery(query): RawQuery) -> AdminResult {
    let format = query
        .as_deref()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("format=")));
    match format {
        None | Some("json") => Ok(axum::Json(
            serde_json::to_value(app.outbound.entries()).expect("serializes"),
        )
        .into_response()),
        Some("har") => Ok(axum::Json(harness_server::har::har(
            "fake-onelogin",
            &app.outbound.har(),
        ))
        .into_response()),
        Some(other) => Err(OlError::bad_request(format!(
            "unknown format {other:?}: json (default) or har"
        ))),
    }
}

async fn clear_requests(State(app): State<Shared>) -> StatusCode {
    app.outbound.clear();
    StatusCode::NO_CONTENT
}

/// The API calls the fake answered: method, path and query, status (no bodies: they carry
/// secrets).
async fn list_api_requests(State(app): State<Shared>) -> axum::Json<Vec<crate::inbound::ApiCall>> {
    axum::Json(app.inbound.entries())
}

async fn clear_api_requests(State(app): State<Shared>) -> StatusCode {
    app.inbound.clear();
    StatusCode::NO_CONTENT
}

/// The user's Applications tab: give them the app directly, besides any role.
async fn assign_app(State(app): State<Shared>, IdPair(user, app_id): IdPair) -> AdminResult {
    let now = app.clock.now();
    let added = app.store_mut().assign_app(user, app_id, now)?;
    app.kick();
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(json!({"user_id": user, "app_id": app_id, "assigned_directly": true})),
    )
        .into_response())
}

async fn unassign_app(State(app): State<Shared>, IdPair(user, app_id): IdPair) -> AdminResult {
    let now = app.clock.now();
    let removed = app.store_mut().unassign_app(user, app_id, now)?;
    app.kick();
    if !removed {
        return Err(OlError::new(
            StatusCode::NOT_FOUND,
            "NotFoundError",
            format!("app {app_id} was not given to user {user} directly"),
        ));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The app's Users tab: Apply to All > Reset.
async fn reset_app_users(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let now = app.clock.now();
    let tasks = app.store_mut().reset_app_users(id, now)?;
    app.kick();
    Ok(axum::Json(json!({"tasks": tasks})).into_response())
}

/// Import from the target: its users linked to OneLogin's by SCIM Username.
async fn import(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let report = crate::engine::import(&app, &app.provisioner, id).await?;
    app.kick();
    Ok(axum::Json(serde_json::to_value(report).expect("serializes")).into_response())
}
