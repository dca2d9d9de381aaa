//! The middleware in front of both APIs: body limit, faults, authentication, access rules, rate
//! limits and the journal, in the order a real front end applies them, each cross-cutting
//! refusal in the API's own error format, each step a function. What answers an admitted
//! request is an [`Endpoint`].

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use harness_scim::ScimError;

use crate::faults::FaultSpec;
use crate::http::{AppState, Shared, rest_error, scim_error};
use crate::journal::Exchange;
use crate::ratelimit::Permit;
use crate::store::{Principal, ScimDialect};
use crate::token::TokenDigest;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What answers a request [`api_middleware`] admitted, given who it acts as.
pub(super) trait Endpoint: Clone + Send + 'static {
    /// Whether no router of axum's sits above: the middleware then shapes the answer as axum's
    /// outermost route would (`Content-Length`, no body for HEAD), after journaling it.
    const UNROUTED: bool;

    fn answer(
        &mut self,
        app: &Shared,
        parts: Parts,
        body: Bytes,
        principal: Principal,
    ) -> impl Future<Output = Response> + Send;
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
pub(super) async fn api_middleware<E: Endpoint>(
    app: Shared,
    request: Request,
    mut inner: E,
) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let response = admitted(&app, parts, body, &mut inner).await;
    if E::UNROUTED {
        outermost(&method, response)
    } else {
        response
    }
}

/// The answer to an API request, journaled.
async fn admitted<E: Endpoint>(app: &Shared, parts: Parts, body: Body, inner: &mut E) -> Response {
    // The routes are full paths, so this is the path the client sent.
    let uri = parts.uri.clone();
    let api = api_of(uri.path());
    let cfg = app.config();
    let dialect = ScimDialect::of(&cfg);
    let mut exchange = journal_entry(app, &parts, &uri);
    let Ok(bytes) = request_body(body).await else {
        let msg = format!("The request body is larger than the {BODY_LIMIT} byte limit");
        let response = api_error(api, &dialect, StatusCode::PAYLOAD_TOO_LARGE, &msg, false);
        return finish(app, exchange, Bytes::new(), response).await;
    };
    if let Some(fault) = app.faults.take(&parts.method, uri.path()) {
        if let Some(response) = inject(app, &fault, api, &dialect, &mut exchange, &bytes).await {
            return finish(app, exchange, bytes, response).await;
        }
        if exchange.dropped {
            return dropped_connection();
        }
    }
    let call = Call {
        api,
        dialect: &dialect,
        limits: cfg.rate_limit,
    };
    let (principal, permit) = match admit(app, &parts, uri.path(), &call, &mut exchange) {
        Ok(admitted) => admitted,
        Err(refused) => {
            let response = refused.response(&call);
            return finish(app, exchange, bytes, response).await;
        }
    };
    let mut response = inner.answer(app, parts, bytes.clone(), principal).await;
    drop(permit);
    if api == Api::Scim && dialect.scim_media_type() && is_json(&response) {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/scim+json"),
        );
    }
    finish(app, exchange, bytes, response).await
}

/// What axum's outermost route does to every answer, for SCIM, which no route of axum's
/// answers: `Content-Length` from an exact body, and no body for HEAD (its length stays).
fn outermost(method: &Method, mut response: Response) -> Response {
    if !response.headers().contains_key(header::CONTENT_LENGTH)
        && let Some(length) = response.body().size_hint().exact()
    {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    if *method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

/// The request's body, up to [`BODY_LIMIT`]. A body known to be empty (a GET, most of the
/// traffic) is not collected: collecting allocates even when there is nothing to collect.
async fn request_body(body: Body) -> Result<Bytes, axum::Error> {
    if axum::body::HttpBody::is_end_stream(&body) {
        return Ok(Bytes::new());
    }
    axum::body::to_bytes(body, BODY_LIMIT).await
}

/// The journal's record of a request, before it is answered.
fn journal_entry(app: &AppState, parts: &axum::http::request::Parts, uri: &Uri) -> Exchange {
    Exchange::new(
        app.clock.now(),
        parts.method.clone(),
        uri,
        parts.headers.get(header::CONTENT_TYPE),
        parts.headers.get(header::USER_AGENT),
    )
}

/// A fault that matched: waits its delay, then answers for the API, drops the connection
/// (journaled here, `exchange.dropped` set), or lets the request through (`None`).
async fn inject(
    app: &AppState,
    fault: &FaultSpec,
    api: Api,
    dialect: &ScimDialect,
    exchange: &mut Exchange,
    request: &Bytes,
) -> Option<Response> {
    if let Some(ms) = fault.delay_ms {
        app.clock.sleep(std::time::Duration::from_millis(ms)).await;
    }
    if fault.drop_connection {
        exchange.dropped = true;
        app.journal
            .record_raw(exchange.clone(), request.clone(), Bytes::new());
        return None;
    }
    fault
        .status
        .is_some()
        .then(|| fault_response(api, dialect, fault))
}

/// A body that fails before its first byte: hyper closes the connection, and the client sees
/// it drop mid-request.
fn dropped_connection() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("fault: connection dropped"))
    });
    Response::new(Body::from_stream(broken))
}

/// Why a call was not admitted.
enum Refused {
    Unauthorized,
    Forbidden(String),
    /// With the seconds to wait.
    RateLimited(u64),
}

impl Refused {
    fn response(&self, call: &Call) -> Response {
        let (api, dialect) = (call.api, call.dialect);
        match self {
            Refused::Unauthorized => unauthorized(api, dialect),
            Refused::Forbidden(message) => {
                api_error(api, dialect, StatusCode::FORBIDDEN, message, true)
            }
            Refused::RateLimited(secs) => rate_limited(api, dialect, *secs),
        }
    }
}

/// What the middleware knows of a call before it is admitted.
struct Call<'a> {
    api: Api,
    dialect: &'a ScimDialect,
    limits: crate::config::RateLimits,
}

/// Who the request acts as, if its token resolves, it may call this API, and its rate limits
/// admit it now; otherwise the refusal in the API's format.
fn admit(
    app: &AppState,
    parts: &axum::http::request::Parts,
    path: &str,
    call: &Call,
    exchange: &mut Exchange,
) -> Result<(Principal, Option<Permit>), Refused> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(harness_server::bearer);
    let digest = token.map(TokenDigest::of);
    let principal = digest.as_ref().and_then(|d| app.store().authenticate(d));
    let (Some(digest), Some(principal)) = (digest, principal) else {
        return Err(Refused::Unauthorized);
    };
    exchange.principal = Some(principal);
    if let Some(refusal) = forbidden(call.api, &principal, path) {
        return Err(Refused::Forbidden(refusal));
    }
    let write = parts.method != Method::GET && parts.method != Method::HEAD;
    match app
        .limiter
        .admit(digest, write, call.limits, app.clock.now())
    {
        Ok(permit) => Ok((principal, permit)),
        Err(limited) => Err(Refused::RateLimited(limited.retry_after_secs)),
    }
}

/// Records the exchange in the journal and hands the response back.
async fn finish(
    app: &AppState,
    mut exchange: Exchange,
    request: Bytes,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = whole_body(body).await;
    exchange.status = parts.status.as_u16();
    exchange.response_type = parts.headers.get(header::CONTENT_TYPE).cloned();

    tracing::debug!(method = %exchange.method, uri = exchange.uri(), status = exchange.status, "asana api");
    app.journal.record_raw(exchange, request, bytes.clone());
    Response::from_parts(parts, Body::from(bytes))
}

/// A handler's answer as one buffer. Handlers answer in one piece, which is taken as it is;
/// only a body in several pieces is copied together.
async fn whole_body(body: Body) -> Bytes {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let Some(Ok(first)) = stream.next().await else {
        return Bytes::new();
    };
    let mut whole = match stream.next().await {
        None => return first,
        Some(next) => {
            let mut whole = Vec::from(first);
            whole.extend_from_slice(&next.unwrap_or_default());
            whole
        }
    };
    while let Some(Ok(more)) = stream.next().await {
        whole.extend_from_slice(&more);
    }
    Bytes::from(whole)
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
