//! Reading a request: the `Call` a handler gets (the middleware has read the body and resolved
//! the token), JSON bodies and ids. What a body's schemas may be is the dialect's (`store::ScimDialect`).

use axum::body::Bytes;
use harness_scim::ScimError;
use serde_json::Value;

use super::reply::ScimFailure;
use crate::http::{Shared, parse_json};
use crate::model::Gid;
use crate::store::{Principal, ScimDialect};

/// One admitted SCIM request as its handler sees it: the API middleware has read the body and
/// resolved the token.
pub(super) struct Call<'a> {
    pub(super) app: &'a Shared,
    pub(super) principal: &'a Principal,
    /// The query string as sent.
    pub(super) query: Option<&'a str>,
    pub(super) body: &'a Bytes,
}

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
