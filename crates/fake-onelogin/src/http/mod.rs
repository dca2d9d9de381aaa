//! The fake OneLogin's HTTP face: OAuth, the API v2 subset, the admin API, and OneLogin's v2
//! error bodies (`{"statusCode","name","message"}`; fidelity/onelogin §3.1).

mod admin;
pub(crate) mod api;
mod console;
mod oauth;
mod sso;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, OriginalUri, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::engine::ImportError;
use crate::state::Shared;
use crate::store::StoreError;

pub const BODY_LIMIT: usize = 1024 * 1024;

pub(crate) fn router(state: Shared) -> Router {
    let api = api::router().layer(middleware::from_fn_with_state(state.clone(), authenticate));
    let api_v1 = api::events::router(state.clone());
    let journaled = || middleware::from_fn_with_state(state.clone(), journal_api);
    harness_server::health::mark_start();
    Router::new()
        .nest("/api/2", api.layer(journaled()))
        .nest("/api/1", api_v1.layer(journaled()))
        .nest("/auth/oauth2", oauth::router().layer(journaled()))
        .nest(
            "/__admin",
            admin::router()
                .method_not_allowed_fallback(|| async { OlError::method_not_allowed() })
                .layer(middleware::from_fn(require_json))
                .layer(middleware::from_fn_with_state(state.clone(), guard_admin))
                // Outside the guard: a health probe and a client generator need no token,
                // and neither answer holds anything secret.
                .merge(open_admin_router()),
        )
        .nest(
            "/admin",
            console::router(&state)
                .layer(middleware::from_fn_with_state(state.clone(), guard_admin)),
        )
        .merge(sso::router())
        .fallback(|| async { OlError::not_found() })
        .layer(middleware::from_fn(limit_body))
        .with_state(state)
}

/// The OpenAPI 3.1 document of `/__admin`, the file committed under `docs/openapi/`, served as
/// it is (a test checks that the document and the routes agree).
const OPENAPI: &str = include_str!("../../../../docs/openapi/fake-onelogin.json");

/// `GET /__admin/health` and `GET /__admin/openapi.json`: what may be asked without the admin
/// token.
fn open_admin_router() -> Router<Shared> {
    Router::new()
        .route(
            "/health",
            axum::routing::get(|| async {
                axum::Json(harness_server::health::health("fake-onelogin", None))
            }),
        )
        .route(
            "/openapi.json",
            axum::routing::get(|| async {
                ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
            }),
        )
        .method_not_allowed_fallback(|| async { OlError::method_not_allowed() })
}

/// A request addressed to a name the fake does not answer (`harness_server::host`): 421 in
/// OneLogin's shape, whatever the path.
pub(crate) fn misdirected(_path: &str, message: String) -> Response {
    OlError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "MisdirectedRequestError",
        message,
    )
    .into_response()
}

/// An error in OneLogin's v2 shape.
#[derive(Debug)]
pub(crate) struct OlError {
    status: StatusCode,
    name: &'static str,
    message: String,
    field: Option<String>,
}

/// What a person reads: the message, and the field it is about.
impl std::fmt::Display for OlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl OlError {
    pub fn new(status: StatusCode, name: &'static str, message: impl Into<String>) -> Self {
        OlError {
            status,
            name,
            message: message.into(),
            field: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedError",
            "Unauthorized",
        )
    }

    pub fn forbidden(need: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ForbiddenError",
            format!("This API credential's scope does not allow this request; it needs {need}"),
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFoundError",
            "The resource with the given id could not be found",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowedError",
            "This method is not allowed on this resource",
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequestError", message)
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        OlError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            name: "UnprocessableEntityFieldError",
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ConflictError", message)
    }
}

impl IntoResponse for OlError {
    fn into_response(self) -> Response {
        let mut body =
            json!({"statusCode": self.status.as_u16(), "name": self.name, "message": self.message});
        if let Some(f) = self.field {
            body["field"] = json!(f);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for OlError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => OlError::not_found(),
            StoreError::Invalid { field, message } => {
                OlError::field(&field, format!("{field} {message}"))
            }
            StoreError::Conflict(m) => OlError::conflict(m),
            // A state to restore that does not fit together.
            e @ (StoreError::NewerState(_) | StoreError::Inconsistent(_)) => OlError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "UnprocessableEntityError",
                e.to_string(),
            ),
        }
    }
}

/// An import the store refused renders as the store's refusal (no app: 404); one the target
/// refused is a 409 with the target's reason.
impl From<ImportError> for OlError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(e @ StoreError::NotFound(_)) => e.into(),
            e => OlError::conflict(e.to_string()),
        }
    }
}

/// A numeric id from the path; anything else names no resource.
pub(crate) struct Id(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = OlError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| OlError::not_found())?;
        raw.parse().map(Id).map_err(|_| OlError::not_found())
    }
}

/// The two numeric ids of a path such as `/users/{id}/apps/{app}`; anything else names no
/// resource.
pub(crate) struct IdPair(pub u64, pub u64);

impl<S: Send + Sync> FromRequestParts<S> for IdPair {
    type Rejection = OlError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| OlError::not_found())?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(IdPair(a, b)),
            _ => Err(OlError::not_found()),
        }
    }
}

/// Parses a JSON body, with OneLogin's 400 for malformed JSON.
pub(crate) fn json_body(bytes: &Bytes) -> Result<Value, OlError> {
    if bytes.is_empty() {
        return Err(OlError::bad_request("A JSON request body is required"));
    }
    serde_json::from_slice(bytes).map_err(|e| OlError::bad_request(format!("Malformed JSON: {e}")))
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
            let mut response = OlError::unauthorized().into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"asana-harness admin\""),
            );
            return response;
        }
    }
    next.run(request).await
}

/// An admin write must be declared JSON (`harness_server::admin_request_allowed`): the pages a
/// developer visits cannot send that header cross-site, so they cannot change the fake.
async fn require_json(request: Request, next: Next) -> Response {
    let content_type = request.headers().get(header::CONTENT_TYPE);
    if !harness_server::admin_request_allowed(request.method(), content_type) {
        return OlError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeError",
            harness_server::JSON_REQUIRED,
        )
        .into_response();
    }
    next.run(request).await
}

/// Refuses bodies over 1 MiB with OneLogin's error shape before any handler sees them.
async fn limit_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => OlError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeError",
            "The request body is larger than 1 MiB",
        )
        .into_response(),
    }
}

/// Writes each API call and its status in the inbound journal (`/__admin/api-requests`),
/// outside authentication, so refused calls are there too.
async fn journal_api(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let at = app.clock.now();
    let method = request.method().to_string();
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().to_string(), |u| u.0.to_string());
    let response = next.run(request).await;
    app.inbound
        .record(at, method, uri, response.status().as_u16());
    response
}

/// `Authorization: Bearer <access token>` on `/api/2`: the token's credential scope goes into
/// the request for handlers to check.
async fn authenticate(State(app): State<Shared>, mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(harness_server::bearer)
        .map(str::to_owned);
    let scope = token.and_then(|t| app.token_scope(&t));
    let Some(scope) = scope else {
        return OlError::unauthorized().into_response();
    };
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    tracing::debug!(method = %request.method(), %path, ?scope, "onelogin api");
    request.extensions_mut().insert(scope);
    next.run(request).await
}

/// Refuses a request whose credential scope does not allow it; `needed` names the scope.
pub(crate) fn require(allowed: bool, needed: &str) -> Result<(), OlError> {
    if allowed {
        Ok(())
    } else {
        Err(OlError::forbidden(needed))
    }
}
