//! Hooks for tools that exercise the fake's parsers directly (the fuzz targets), kept apart
//! from the API a test uses.

/// Why a user body was refused, in the API's words (`email must be a string`, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("Malformed JSON: {0}")]
    Malformed(String),
    #[error("{0}")]
    Refused(String),
}

/// Parses a `POST|PUT /api/2/users` body exactly as the API does; for fuzzing and tools.
pub fn parse_user_body(bytes: &[u8]) -> Result<crate::UserChanges, BodyError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| BodyError::Malformed(e.to_string()))?;
    crate::http::api::users::user_changes(&value).map_err(|e| BodyError::Refused(e.to_string()))
}
