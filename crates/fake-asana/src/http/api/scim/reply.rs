//! What a SCIM handler answers when it cannot: always a SCIM error body.

use std::cell::RefCell;

use axum::response::{IntoResponse, Response};
use harness_scim::{ScimError, ScimType};

use crate::http::scim_error;
use crate::store::StoreError;

/// A handler's error: always a SCIM error body.
pub(super) struct ScimFailure(ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

/// A store refusal as SCIM states it (RFC 7644 §3.12): the status and `scimType` per kind.
impl From<StoreError> for ScimFailure {
    fn from(e: StoreError) -> Self {
        let detail = e.to_string();
        Self(match e {
            StoreError::Invalid(e) => e,
            StoreError::NoOrganization(_) => ScimError::not_found("organization not found"),
            StoreError::UserNotFound(_)
            | StoreError::TeamNotFound(_)
            | StoreError::NoSuchEndpoint => ScimError::not_found(detail),
            StoreError::UserNameTaken(_) | StoreError::TeamNameTaken(_) => {
                ScimError::uniqueness(detail)
            }
            StoreError::NotAnEmail(_)
            | StoreError::OffDomain(_)
            | StoreError::RenameOffDomain(_)
            | StoreError::NotAMember(_) => ScimError::invalid_value(detail),
            StoreError::ReactivationRefused => {
                ScimError::new(400, Some(ScimType::Mutability), detail)
            }
            StoreError::TeamDeleteRefused => ScimError::new(405, None, detail),
            StoreError::UndocumentedFilter { .. } => {
                ScimError::bad_request(ScimType::InvalidFilter, detail)
            }
            StoreError::SchemasMissing(_) | StoreError::UnknownSchema(_) => {
                ScimError::invalid_syntax(detail)
            }
            // Not a SCIM write's refusal: reaching here is the fake's own fault.
            _ => ScimError::new(500, None, detail),
        })
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        scim_error(&self.0)
    }
}

pub(super) type ScimResult = Result<Response, ScimFailure>;

/// A JSON answer, written into this thread's scratch buffer and copied out at its exact size.
///
/// This is the `userName eq` lookup's answer, so it is the most frequent body the fake writes:
/// writing into a fresh `Vec` grew it step by step (axum's `Json` starts at 128 bytes), and a
/// `Vec` sized up front kept its spare kilobyte alive in the journal, plus one more allocation
/// to share it. The copy is one allocation of the right size.
pub(super) fn json_reply(value: &impl serde::Serialize) -> Response {
    /// A buffer grown past this by a large answer is not kept for the next.
    const KEEP: usize = 64 * 1024;
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(4096));
    }
    let written = SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        let written = serde_json::to_writer(&mut *scratch, value)
            .map(|()| axum::body::Bytes::copy_from_slice(scratch));
        if scratch.capacity() > KEEP {
            *scratch = Vec::with_capacity(4096);
        }
        written
    });
    match written {
        Ok(body) => {
            let mut response = Response::new(axum::body::Body::from(body));
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => scim_error(&ScimError::new(
            500,
            None,
            format!("cannot write the answer: {e}"),
        )),
    }
}

/// The `{id}` of a SCIM path, percent-decoded. A segment that does not decode to UTF-8 names no
/// resource, so it is a SCIM 404, in the words axum's `Path` used for it.
pub(super) fn decode_id(segment: &str) -> Result<String, ScimFailure> {
    match percent_encoding::percent_decode_str(segment).decode_utf8() {
        Ok(id) => Ok(id.into_owned()),
        Err(_) => {
            Err(ScimError::not_found("no resource at this path: Invalid UTF-8 in `id`").into())
        }
    }
}
