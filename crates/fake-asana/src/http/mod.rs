//! The HTTP face of the fake: routing, the API middleware, and error bodies in each API's own
//! format (SCIM errors, Asana's `{"errors":[...]}`, the admin API's `{"error": ...}`).

mod admin;
mod api;
mod console;
mod home;
mod sso;

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use axum::{BoxError, Router};
use futures_util::future::Either;
use harness_scim::ScimError;
use serde_json::{Value, json};
use tower::Service;

pub(crate) use crate::state::{AppState, Shared};

/// Admin request bodies above this are refused with 413: a whole `PUT /__admin/state` fits
/// (the limit axum applied before it was stated here).
pub const ADMIN_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The fake's face: SCIM paths straight to SCIM's own dispatch behind the API middleware,
/// everything else (REST, admin, console, sign-in) through axum's router. SCIM is nearly all of
/// the traffic, and the router's matching, extension maps and boxed routes were a tenth of its
/// every request.
#[derive(Clone)]
pub(crate) struct Front {
    scim: api::ScimService,
    router: Router,
}

pub(crate) fn front(state: Shared) -> Front {
    Front {
        scim: api::scim_service(&state),
        router: router(state),
    }
}

impl<B> Service<Request<B>> for Front
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<api::ScimAnswering, RouteFuture<Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if api::is_scim(request.uri().path()) {
            Either::Left(self.scim.call(request.map(Body::new)))
        } else {
            Either::Right(self.router.call(request))
        }
    }
}

fn router(state: Shared) -> Router {
    harness_server::health::mark_start();
    api::rest_router(&state)
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
        .merge(home::router())
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
        if !harness_server::admin_authorized(header, token) {
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

/// An admin write must be declared JSON (`harness_server::admin_request_allowed`): the pages a
/// developer visits cannot send that header cross-site, so they cannot change the fake.
async fn require_json(request: Request, next: Next) -> Response {
    let content_type = request.headers().get(header::CONTENT_TYPE);
    if !harness_server::admin_request_allowed(request.method(), content_type) {
        return admin_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            harness_server::JSON_REQUIRED,
        );
    }
    next.run(request).await
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
    let h = harness_server::stable_hash(seed);
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

/// A request addressed to a name the fake does not answer (`harness_server::host`): 421, in the
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
