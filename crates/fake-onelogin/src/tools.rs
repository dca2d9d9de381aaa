//! Hooks for tools that exercise the fake's parsers directly (the fuzz targets), kept apart
//! from the API a test uses.

/// Parses a `POST|PUT /api/2/users` body exactly as the API does; for fuzzing and tools.
/// Errors are the API's messages (`email must be a string`, ...).
pub fn parse_user_body(bytes: &[u8]) -> Result<crate::UserChanges, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("Malformed JSON: {e}"))?;
    crate::http::api::user_changes(&value).map_err(|e| e.to_string())
}
