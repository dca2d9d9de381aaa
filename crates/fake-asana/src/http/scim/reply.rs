//! What a SCIM handler answers when it cannot: always a SCIM error body.

use axum::extract::{FromRequestParts, Path};
use axum::response::{IntoResponse, Response};
use harness_scim::ScimError;

use crate::http::scim_error;

/// A handler's error: always a SCIM error body.
pub(super) struct ScimFailure(ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        scim_error(&self.0)
    }
}

pub(super) type ScimResult = Result<Response, ScimFailure>;

/// The `{id}` of a SCIM path. A segment axum cannot decode (bad percent-encoding) names no
/// resource, so it is a SCIM 404 rather than axum's plain-text rejection.
pub(super) struct Id(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ScimFailure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(e) => Err(ScimError::not_found(format!("no resource at this path: {e}")).into()),
        }
    }
}
