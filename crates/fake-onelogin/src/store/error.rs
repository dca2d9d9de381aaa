//! The one error of the store: why a store call, or a state to restore, was refused. Each HTTP
//! boundary renders it in its own shape (OneLogin's v2 body, a console page).

use crate::model::STATE_VERSION;

/// Why a store call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    /// A field is missing or invalid: 422 naming the field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The operation does not fit the current state (approving a denied task).
    #[error("{0}")]
    Conflict(String),
    /// A saved state written by a newer build.
    #[error("state version {0} is newer than this build understands ({STATE_VERSION})")]
    NewerState(u32),
    /// A saved state the fake could not have produced (two users with one email, a role
    /// naming a user that does not exist).
    #[error("{0}")]
    Inconsistent(String),
}

pub(super) fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}
