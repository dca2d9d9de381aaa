//! The HTTP face of the fake: routing, the API middleware, and error bodies in each API's own
//! format (SCIM errors, Asana's `{"errors":[...]}`, the admin API's `{"error": ...}`).

mod admin;
mod console;
mod rest;
mod scim;
mod sso;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use harness_clock::Clock;
use harness_scim::ScimError;
use serde_json::{Value, json};

use crate::config::Config;
use crate::faults::{FaultSpec, Faults};
use crate::journal::{Journal, JournalEntry};
use crate::model::State as Snapshot;
use crate::ratelimit::RateLimiter;
use crate::store::{Principal, ScimDialect, Store};
use crate::token::TokenDigest;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Admin request bodies above this are refused with 413: a whole `PUT /__admin/state` fits
/// (the limit axum applied before it was stated here).
pub const ADMIN_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Everything a request handler can reach.
pub(crate) struct AppState {
    pub store: RwLock<Store>,
    pub config: RwLock<Config>,
    pub clock: Clock,
    pub limiter: Arc<RateLimiter>,
    pub faults: Faults,
    pub journal: Journal,
    /// The SAML service provider's requests, consumed assertions, sessions and sign-ins.
    pub sp: crate::sso::Sp,
    /// `http://host:port`, fixed once the listener is bound.
    pub origin: String,
    /// What `POST /__admin/reset` goes back to.
    pub initial: Snapshot,
    pub seed: Option<u64>,
    /// Bumped whenever the store is taken for writing, so a saver knows to save.
    pub changes: tokio::sync::watch::Sender<u64>,
    /// When set, `/__admin` and `/admin` require it (`serve` off loopback).
    pub admin_token: Option<String>,
    /// Where SAML's XML and RSA work runs: never on the async workers that serve SCIM.
    pub cpu: harness_html::CpuPool,
}

impl crate::sso::StoreAccess for AppState {
    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store()
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store_mut()
    }
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    pub fn config(&self) -> Config {
        *self.config.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The store for writing. Marks a change: a saver waiting on `changes` will snapshot once
    /// this guard is dropped (its read lock waits for it).
    pub fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        let guard = self.store.write().unwrap_or_else(|e| e.into_inner());
        self.changes.send_modify(|n| *n += 1);
        guard
    }

    /// The context of a write made by `principal` now.
    pub fn write_context<'a>(
        &self,
        principal: &Principal,
        cfg: &'a Config,
    ) -> crate::store::WriteContext<'a> {
        crate::store::WriteContext {
            org: principal.org(),
            cfg,
            now: self.clock.now(),
            actor: principal.actor(),
        }
    }

    /// Whether the fake serves HTTPS: its cookies are then `Secure`.
    pub fn tls(&self) -> bool {
        self.origin.starts_with("https://")
    }

    /// How SCIM answers are shaped under the current configuration.
    pub fn dialect(&self) -> ScimDialect {
        ScimDialect::of(&self.config())
    }

    pub fn scim_base(&self) -> String {
        format!("{}/api/1.0/scim", self.origin)
    }
}

pub(crate) fn router(state: Shared) -> Router {
    let api = rest::router()
        .nest("/scim", scim::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            api_middleware,
        ));
    harness_html::health::mark_start();
    Router::new()
        .nest("/api/1.0", api)
        .nest(
            "/__admin",
            admin::router()
                .layer(middleware::from_fn(require_json))
                .layer(middleware::from_fn(limit_admin_body))
                .layer(middleware::from_fn_with_state(state.clone(), guard_admin))
                // Outside the guard: a health probe and a client generator need no token,
                // and neither answer holds anything secret.
                .merge(admin::open_router()),
        )
        .merge(sso::router())
        .nest(
            "/admin",
            console::router(&state)
                .layer(middleware::from_fn_with_state(state.clone(), guard_admin)),
        )
        .fallback(|| async { rest_error(StatusCode::NOT_FOUND, "No matching route for request") })
        .with_state(state)
}

/// The admin side (API and console) when an admin token is set: Bearer for scripts, Basic for
/// browsers, which prompt for it.
async fn guard_admin(State(app): State<Shared>, request: Request, next: Next) -> Response {
    if let Some(token) = &app.admin_token {
        let header = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok());
        if !harness_html::admin_authorized(header, token) {
            let mut response = admin_error(
                StatusCode::UNAUTHORIZED,
                "the admin side needs the admin token",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"asana-harness admin\""),
            );
            return response;
        }
    }
    next.run(request).await
}

/// An admin request body over [`ADMIN_BODY_LIMIT`] is refused with 413 in the admin format
/// before any handler reads it (axum's own refusal would be plain text).
async fn limit_admin_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, ADMIN_BODY_LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => admin_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than the {ADMIN_BODY_LIMIT} byte limit"),
        ),
    }
}

/// An admin write must be declared JSON (`harness_html::admin_request_allowed`): the pages a
/// developer visits cannot send that header cross-site, so they cannot change the fake.
async fn require_json(request: Request, next: Next) -> Response {
    let content_type = request.headers().get(header::CONTENT_TYPE);
    if !harness_html::admin_request_allowed(request.method(), content_type) {
        return admin_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            harness_html::JSON_REQUIRED,
        );
    }
    next.run(request).await
}

/// Which API a path belongs to: decides the error format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Scim,
    Rest,
}

fn api_of(path: &str) -> Api {
    if path.starts_with("/api/1.0/scim") {
        Api::Scim
    } else {
        Api::Rest
    }
}

/// Body limit, faults, authentication, access rules, rate limits and the journal, for both the
/// SCIM and the REST API, in the order a real front end would apply them.
async fn api_middleware(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // Inside `nest` the path has lost its prefix; faults, the journal and error formats all
    // speak of the path the client sent.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
    let api = api_of(uri.path());
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let mut exchange = JournalEntry {
        seq: 0,
        at: app.clock.now(),
        method: parts.method.clone(),
        uri: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.to_string()),
        status: 0,
        principal: None,
        content_type: header_str(&parts.headers, header::CONTENT_TYPE),
        user_agent: header_str(&parts.headers, header::USER_AGENT),
        request_body: None,
        response_body: None,
        dropped: false,
    };
    let mut raw = Bytes::new();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let msg = format!(
                "The request body is larger than the {} byte limit",
                BODY_LIMIT
            );
            let response = api_error(api, &dialect, StatusCode::PAYLOAD_TOO_LARGE, &msg, false);
            return finish(&app, exchange, raw.clone(), response).await;
        }
    };
    raw.clone_from(&bytes);

    if let Some(fault) = app.faults.take(&parts.method, uri.path()) {
        if let Some(ms) = fault.delay_ms {
            app.clock.sleep(std::time::Duration::from_millis(ms)).await;
        }
        if fault.drop_connection {
            // A body that fails before its first byte: hyper closes the connection, and the
            // client sees it drop mid-request.
            exchange.dropped = true;
            app.journal.record_raw(exchange, raw, Bytes::new());
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("fault: connection dropped"))
            });
            return Response::new(Body::from_stream(broken));
        }
        if fault.status.is_some() {
            let response = fault_response(api, &dialect, &fault);
            return finish(&app, exchange, raw.clone(), response).await;
        }
    }

    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(harness_html::bearer);
    let digest = token.map(TokenDigest::of);
    let principal = digest.as_ref().and_then(|d| app.store().authenticate(d));
    let (Some(digest), Some(principal)) = (digest, principal) else {
        let response = unauthorized(api, &dialect);
        return finish(&app, exchange, raw.clone(), response).await;
    };
    exchange.principal = Some(principal.actor());
    if let Some(refusal) = forbidden(api, &principal, uri.path()) {
        let response = api_error(api, &dialect, StatusCode::FORBIDDEN, &refusal, true);
        return finish(&app, exchange, raw.clone(), response).await;
    }

    let write = parts.method != Method::GET && parts.method != Method::HEAD;
    let permit = match app
        .limiter
        .admit(digest, write, cfg.rate_limit, app.clock.now())
    {
        Ok(permit) => permit,
        Err(limited) => {
            let response = rate_limited(api, &dialect, limited.retry_after_secs);
            return finish(&app, exchange, raw.clone(), response).await;
        }
    };

    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(principal);
    let mut response = next.run(request).await;
    drop(permit);
    if api == Api::Scim && dialect.scim_media_type() && is_json(&response) {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/scim+json"),
        );
    }
    finish(&app, exchange, raw.clone(), response).await
}

/// Records the exchange in the journal and hands the response back.
async fn finish(
    app: &AppState,
    mut exchange: JournalEntry,
    request: Bytes,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    exchange.status = parts.status.as_u16();

    tracing::debug!(method = %exchange.method, uri = %exchange.uri, status = exchange.status, "asana api");
    app.journal.record_raw(exchange, request, bytes.clone());
    Response::from_parts(parts, Body::from(bytes))
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// Who may call what (fidelity/asana §2): only service accounts reach SCIM; a SCIM-scoped service
/// account cannot use the REST API.
fn forbidden(api: Api, principal: &Principal, path: &str) -> Option<String> {
    use crate::model::Scope;
    match (api, principal) {
        (Api::Scim, Principal::Personal { .. }) => Some(
            "Only service accounts in Enterprise organizations can use the SCIM API".to_owned(),
        ),
        (
            Api::Rest,
            Principal::ServiceAccount {
                scope: Scope::Scim, ..
            },
        ) => Some(format!(
            "The following scopes must be present to fulfill this request: {}",
            rest_scope(path)
        )),
        _ => None,
    }
}

fn rest_scope(path: &str) -> &'static str {
    if path.contains("/removeUser") {
        "workspaces:write"
    } else if path.starts_with("/api/1.0/workspaces") && !path.ends_with("/users") {
        "workspaces:read"
    } else {
        "users:read"
    }
}

const HELP: &str = "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors";

/// Asana's REST error body (fidelity/asana §2.1, [C] OAS `ErrorResponse`); 500s carry a `phrase`.
pub(crate) fn rest_error(status: StatusCode, message: &str) -> Response {
    let mut error = json!({"message": message, "help": HELP});
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        error["phrase"] = json!(phrase(message));
    }
    (status, axum::Json(json!({"errors": [error]}))).into_response()
}

/// An error phrase in the style of node-asana-phrase, derived from the message so that the same
/// failure reads the same way on every run.
fn phrase(seed: &str) -> String {
    const ADJ: &[&str] = &[
        "sad", "brave", "quiet", "tiny", "jolly", "sleepy", "eager", "calm",
    ];
    const NOUN: &[&str] = &[
        "squid", "otter", "heron", "badger", "walrus", "falcon", "gecko", "koala",
    ];
    const VERB: &[&str] = &[
        "snuggle", "wander", "giggle", "ponder", "shimmer", "dance", "whistle", "nap",
    ];
    const ADV: &[&str] = &[
        "softly", "boldly", "gently", "swiftly", "warmly", "quietly", "oddly", "calmly",
    ];
    let h = harness_clock::stable_hash(seed);
    let pick = |list: &[&'static str], shift: u32| list[((h >> shift) as usize) % list.len()];
    format!(
        "{} {} {} {} {}",
        2 + h % 8,
        pick(ADJ, 8),
        pick(NOUN, 16),
        pick(VERB, 24),
        pick(ADV, 32)
    )
}

pub(crate) fn scim_error(e: &ScimError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(e.to_json())).into_response()
}

/// A request addressed to a name the fake does not answer (`harness_html::host`): 421, in the
/// format of the API its path belongs to.
pub(crate) fn misdirected(path: &str, message: String) -> Response {
    let status = StatusCode::MISDIRECTED_REQUEST;
    if path.starts_with("/api/1.0/scim") {
        scim_error(&ScimError::new(status.as_u16(), None, &message))
    } else if path.starts_with("/api/") {
        rest_error(status, &message)
    } else {
        admin_error(status, message)
    }
}

pub(crate) fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

/// A cross-cutting error (413, 401, 403, 429) in the API's format. Auth and rate limiting are
/// Asana's shared middleware, so with `auth_errors_in_rest_format` they use the REST body on the
/// SCIM API too.
fn api_error(
    api: Api,
    dialect: &ScimDialect,
    status: StatusCode,
    message: &str,
    shared_middleware: bool,
) -> Response {
    let rest_form =
        api == Api::Rest || (shared_middleware && dialect.shared_errors_in_rest_format());
    if rest_form {
        rest_error(status, message)
    } else {
        scim_error(&ScimError::new(status.as_u16(), None, message))
    }
}

fn unauthorized(api: Api, dialect: &ScimDialect) -> Response {
    api_error(
        api,
        dialect,
        StatusCode::UNAUTHORIZED,
        "Not Authorized",
        true,
    )
}

const RATE_LIMIT_MESSAGE: &str = "You've made too many requests and hit a rate limit. Please retry after the given amount of time.";

/// A 429 always carries `Retry-After`: legacy python-asana crashes without it (fidelity/asana §4).
fn rate_limited(api: Api, dialect: &ScimDialect, retry_after: u64) -> Response {
    let mut response = api_error(
        api,
        dialect,
        StatusCode::TOO_MANY_REQUESTS,
        RATE_LIMIT_MESSAGE,
        true,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

fn fault_response(api: Api, dialect: &ScimDialect, fault: &FaultSpec) -> Response {
    let status = StatusCode::from_u16(fault.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match &fault.body {
        Some(body) => (status, axum::Json(body.clone())).into_response(),
        None if status == StatusCode::TOO_MANY_REQUESTS => {
            api_error(api, dialect, status, RATE_LIMIT_MESSAGE, true)
        }
        None => {
            let message = status.canonical_reason().unwrap_or("Injected fault");
            match api {
                Api::Rest => rest_error(status, message),
                Api::Scim if status.is_server_error() => rest_error(status, message),
                Api::Scim => scim_error(&ScimError::new(status.as_u16(), None, message)),
            }
        }
    };
    let retry_after = fault
        .retry_after
        .or((status == StatusCode::TOO_MANY_REQUESTS).then_some(30));
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// A request body that is not JSON; each API states it in its own format.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("the request body is empty; a JSON object is required")]
    Empty,
    #[error("the request body is not valid JSON: {0}")]
    NotJson(#[from] serde_json::Error),
}

/// Parses a JSON request body; malformed JSON is the caller's `invalidSyntax`.
pub(crate) fn parse_json(bytes: &Bytes) -> Result<Value, BodyError> {
    if bytes.is_empty() {
        return Err(BodyError::Empty);
    }
    Ok(serde_json::from_slice(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_five_words_and_stable() {
        let p = phrase("Internal Server Error");
        assert_eq!(p.split(' ').count(), 5);
        assert_eq!(p, phrase("Internal Server Error"));
    }
}
