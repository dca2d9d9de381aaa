//! The middleware in front of both APIs: body limit, faults, authentication, access rules, rate
//! limits and the journal, in the order a real front end applies them, each cross-cutting
//! refusal in the API's own error format, each step a function. What answers an admitted
//! request is an [`Endpoint`].

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::response;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use harness_scim::ScimError;

use super::refusals::{
    Api, Refused, api_error, api_of, dropped_connection, fault_response, forbidden,
};
use super::scim;
use crate::faults::FaultSpec;
use crate::http::{AppState, Shared, scim_error};
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

/// Body limit, faults, authentication, access rules, rate limits and the journal, for both the
/// SCIM and the REST API, in the order a real front end would apply them.
pub(super) async fn api_middleware<E: Endpoint>(
    app: Shared,
    request: Request,
    mut inner: E,
) -> Response {
    let (parts, body) = request.into_parts();
    if !E::UNROUTED {
        return admitted(&app, parts, body, &mut inner).await;
    }
    let (method, allow) = (parts.method.clone(), scim::allow(&parts));
    let response = admitted(&app, parts, body, &mut inner).await;
    outermost(&method, allow, response)
}

/// Whether [`scim_at_once`] may answer a request: it has no body to read, and no fault is set
/// that it might have to inject (deciding on the set as it is now, as if the request had come
/// a moment earlier than a fault added meanwhile).
pub(super) fn answerable_at_once(app: &AppState, body: &Body) -> bool {
    body.is_end_stream() && app.faults.is_empty()
}

/// The middleware for a SCIM request that waits on nothing ([`answerable_at_once`]): the same
/// steps as [`api_middleware`], without a future. That is nearly all SCIM traffic (every
/// `userName eq` lookup), and its future was three kilobytes to allocate and move per request.
pub(super) fn scim_at_once(app: &Shared, parts: Parts) -> Response {
    let mut arrival = Arrival::of(app, &parts);
    let response = match arrival.admit(app, &parts) {
        Ok((principal, permit)) => {
            let response = scim::answer(app, &principal, &parts, &Bytes::new());
            drop(permit);
            arrival.shaped(response)
        }
        Err(refused) => arrival.refusal(&refused),
    };
    let response = match in_hand(response) {
        Some((head, body)) => record(app, arrival.exchange, Bytes::new(), head, body),
        None => {
            tracing::error!(
                uri = arrival.exchange.uri(),
                "a SCIM answer was not built in memory"
            );
            scim_error(&ScimError::new(
                500,
                None,
                "the fake's answer was not in memory when it was journaled",
            ))
        }
    };
    outermost(&parts.method, scim::allow(&parts), response)
}

/// The answer to an API request, journaled.
async fn admitted<E: Endpoint>(app: &Shared, parts: Parts, body: Body, inner: &mut E) -> Response {
    let mut arrival = Arrival::of(app, &parts);
    let Ok(bytes) = request_body(body).await else {
        let response = arrival.too_large();
        return finish(app, arrival.exchange, Bytes::new(), response).await;
    };
    if let Some(fault) = app.faults.take(&parts.method, parts.uri.path()) {
        let Arrival {
            api,
            ref dialect,
            ref mut exchange,
            ..
        } = arrival;
        if let Some(response) = inject(app, &fault, api, dialect, exchange, &bytes).await {
            return finish(app, arrival.exchange, bytes, response).await;
        }
        if exchange.dropped {
            return dropped_connection();
        }
    }
    let (principal, permit) = match arrival.admit(app, &parts) {
        Ok(admitted) => admitted,
        Err(refused) => {
            let response = arrival.refusal(&refused);
            return finish(app, arrival.exchange, bytes, response).await;
        }
    };
    let response = inner.answer(app, parts, bytes.clone(), principal).await;
    drop(permit);
    let response = arrival.shaped(response);
    finish(app, arrival.exchange, bytes, response).await
}

/// What the middleware knows of a request from its head: the API it calls, the configuration
/// it meets, and its journal entry, filled in as it goes.
struct Arrival {
    api: Api,
    limits: crate::config::RateLimits,
    dialect: ScimDialect,
    exchange: Exchange,
}

impl Arrival {
    fn of(app: &AppState, parts: &Parts) -> Self {
        let cfg = app.config();
        Arrival {
            // No `nest` rewrote it: this is the path the client sent.
            api: api_of(parts.uri.path()),
            limits: cfg.rate_limit,
            dialect: ScimDialect::of(&cfg),
            exchange: journal_entry(app, parts),
        }
    }

    fn too_large(&self) -> Response {
        let msg = format!("The request body is larger than the {BODY_LIMIT} byte limit");
        api_error(
            self.api,
            &self.dialect,
            StatusCode::PAYLOAD_TOO_LARGE,
            &msg,
            false,
        )
    }

    /// Who the request acts as, if its token resolves, it may call this API, and its rate
    /// limits admit it now (with its permit); otherwise why it is refused.
    fn admit(
        &mut self,
        app: &AppState,
        parts: &Parts,
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
        self.exchange.principal = Some(principal);
        if let Some(refusal) = forbidden(self.api, &principal, parts.uri.path()) {
            return Err(Refused::Forbidden(refusal));
        }
        let write = parts.method != Method::GET && parts.method != Method::HEAD;
        match app
            .limiter
            .admit(digest, write, self.limits, app.clock.now())
        {
            Ok(permit) => Ok((principal, permit)),
            Err(limited) => Err(Refused::RateLimited(limited.retry_after_secs)),
        }
    }

    /// A refusal in the API's format.
    fn refusal(&self, refused: &Refused) -> Response {
        refused.response(self.api, &self.dialect)
    }

    /// The answer as the API sends it: SCIM's JSON as `application/scim+json` where the
    /// dialect says so.
    fn shaped(&self, mut response: Response) -> Response {
        if self.api == Api::Scim && self.dialect.scim_media_type() && is_json(&response) {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/scim+json"),
            );
        }
        response
    }
}

/// What axum's outermost route does to every answer, for SCIM, which no route of axum's
/// answers: `Allow` on every answer to a method the resource lacks (a refusal too, not only the
/// 405), `Content-Length` from an exact body, and no body for HEAD (its length stays).
fn outermost(method: &Method, allow: Option<&'static str>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Some(allow) = allow
        && !headers.contains_key(header::ALLOW)
    {
        headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
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
fn journal_entry(app: &AppState, parts: &Parts) -> Exchange {
    Exchange::new(
        app.clock.now(),
        parts.method.clone(),
        &parts.uri,
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

/// Records the exchange in the journal and hands the response back.
async fn finish(
    app: &AppState,
    exchange: Exchange,
    request: Bytes,
    response: Response,
) -> Response {
    let (head, body) = response.into_parts();
    let body = whole_body(body).await;
    record(app, exchange, request, head, body)
}

/// Records the exchange, its answer in hand, and hands the response back.
fn record(
    app: &AppState,
    mut exchange: Exchange,
    request: Bytes,
    head: response::Parts,
    body: Bytes,
) -> Response {
    exchange.status = head.status.as_u16();
    exchange.response_type = head.headers.get(header::CONTENT_TYPE).cloned();
    tracing::debug!(method = %exchange.method, uri = exchange.uri(), status = exchange.status, "asana api");
    app.journal.record_raw(exchange, request, body.clone());
    Response::from_parts(head, Body::from(body))
}

/// An answer built in memory, its body read without waiting. Every SCIM answer and refusal is
/// built so; `None` (one that is not) is the fake's own fault, which the caller says as a SCIM
/// 500 rather than journal an answer in part.
fn in_hand(response: Response) -> Option<(response::Parts, Bytes)> {
    let (head, body) = response.into_parts();
    futures_util::FutureExt::now_or_never(whole_body(body)).map(|body| (head, body))
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
