//! What every admin handler shares: the `{"error": ...}` error and its mapping from the
//! store's, the extractors that refuse in that format, and reading a JSON body.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::http::{admin_error, parse_json};
use crate::model::Gid;
use crate::store::{Store, StoreError};

pub(super) type AdminResult = Result<Response, AdminError>;

/// An error of the admin API, rendered as `{"error": "..."}` in one place.
pub(super) struct AdminError(StatusCode, String);

impl AdminError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AdminError(status, message.into())
    }
}

/// A store refusal in the admin format: an unknown service account is 404, a domain another
/// organization holds 409, anything else the request's fault.
impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        let status = match e {
            StoreError::NoServiceAccount(_) => StatusCode::NOT_FOUND,
            StoreError::DomainTaken { .. } => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        AdminError::new(status, e.to_string())
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        admin_error(self.0, self.1)
    }
}

/// The `{id}` of an admin path; an undecodable one is a 404 in the admin format.
pub(super) struct Id(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| Id(s))
            .map_err(|e| AdminError::new(StatusCode::NOT_FOUND, format!("no such resource: {e}")))
    }
}

/// The query of an admin path; one that does not parse is a 400 in the admin format.
pub(super) struct AdminQuery<T>(pub(super) T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AdminQuery<T> {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| AdminQuery(q))
            .map_err(|e| bad_request(e.body_text()))
    }
}

pub(super) fn bad_request(message: impl Into<String>) -> AdminError {
    AdminError::new(StatusCode::BAD_REQUEST, message)
}

/// Parses a JSON body into `T`, with errors that name the problem.
pub(super) fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, AdminError> {
    let value = parse_json(bytes).map_err(|e| bad_request(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| bad_request(format!("invalid request: {e}")))
}

pub(super) fn organization_or_default(store: &Store, org: Option<Gid>) -> Result<Gid, AdminError> {
    match org {
        Some(g) if store.organization(g).is_some() => Ok(g),
        Some(g) => Err(AdminError::new(
            StatusCode::NOT_FOUND,
            format!("no organization {g}"),
        )),
        None => store
            .default_org()
            .ok_or_else(|| bad_request("there is no organization yet")),
    }
}
