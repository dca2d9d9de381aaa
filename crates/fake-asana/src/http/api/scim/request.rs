//! Reading a request: JSON bodies and ids. What a body's schemas may be is the dialect's
//! (`store::ScimDialect`).

use axum::body::Bytes;
use harness_scim::ScimError;
use serde_json::Value;

use super::reply::ScimFailure;
use crate::http::parse_json;
use crate::model::Gid;
use crate::store::ScimDialect;

pub(super) fn parse_body(bytes: &Bytes) -> Result<Value, ScimError> {
    parse_json(bytes).map_err(|e| ScimError::invalid_syntax(e.to_string()))
}

/// A write's body: JSON whose `schemas` name `core` (or anything, where the dialect is lenient).
pub(super) fn read_body(
    bytes: &Bytes,
    dialect: &ScimDialect,
    core: &str,
) -> Result<Value, ScimFailure> {
    let json = parse_body(bytes)?;
    dialect.check_schemas(&json, core)?;
    Ok(json)
}

pub(super) fn parse_id(id: &str, what: &str) -> Result<Gid, ScimError> {
    id.parse()
        .map_err(|_| ScimError::not_found(format!("{what} {id} not found")))
}
