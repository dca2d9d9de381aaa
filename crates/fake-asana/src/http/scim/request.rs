//! Reading a request: JSON bodies, the schemas they name, OneLogin's extension key, and ids.

use axum::body::Bytes;
use harness_scim::ScimError;
use harness_scim::names::{ENTERPRISE_USER_URN, PATCH_OP_URN, canonical_schema};
use serde_json::Value;

use crate::config::{Config, Switch};
use crate::http::parse_json;
use crate::model::Gid;

pub(super) fn parse_body(bytes: &Bytes) -> Result<Value, ScimError> {
    parse_json(bytes).map_err(ScimError::invalid_syntax)
}

/// Without `lenient_schemas`, a body must name the resource's core schema and nothing unknown.
pub(super) fn check_schemas(body: &Value, core: &str, cfg: &Config) -> Result<(), ScimError> {
    if cfg.on(Switch::LenientSchemas) {
        return Ok(());
    }
    let schemas: Vec<&str> = body
        .get("schemas")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !schemas.iter().any(|s| s.eq_ignore_ascii_case(core)) {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must include {core}"
        )));
    }
    let allowed = |s: &str| {
        s.eq_ignore_ascii_case(core)
            || canonical_schema(s).is_some()
            || s.eq_ignore_ascii_case(PATCH_OP_URN)
    };
    if let Some(unknown) = schemas.iter().find(|s| !allowed(s)) {
        return Err(ScimError::invalid_syntax(format!(
            "unknown schema {unknown}"
        )));
    }
    Ok(())
}

/// The keys OneLogin's templates put enterprise attributes under (fidelity/onelogin §1.3, S7).
const ONELOGIN_ENTERPRISE_KEYS: [&str; 2] = [
    "urn:scim:schemas:extension:enterprise:2.0",
    "urn:scim:schemas:extension:enterprise:2.0:User",
];

/// OneLogin's templates name the enterprise extension `urn:scim:schemas:extension:enterprise:2.0`
/// (fidelity/onelogin §1.3, S7). Under `lenient_schemas` its attributes are read as the RFC
/// extension's, so a department sent that way is not lost.
pub(super) fn onelogin_extension_key(mut body: Value, cfg: &Config) -> Value {
    if !cfg.on(Switch::LenientSchemas) {
        return body;
    }
    if let Some(obj) = body.as_object_mut() {
        let legacy: Vec<String> = obj
            .keys()
            .filter(|k| {
                ONELOGIN_ENTERPRISE_KEYS
                    .iter()
                    .any(|legacy| k.eq_ignore_ascii_case(legacy))
            })
            .cloned()
            .collect();
        for key in legacy {
            if let Some(v) = obj.remove(&key) {
                obj.entry(ENTERPRISE_USER_URN.to_owned()).or_insert(v);
            }
        }
    }
    body
}

pub(super) fn parse_id(id: &str, what: &str) -> Result<Gid, ScimError> {
    id.parse()
        .map_err(|_| ScimError::not_found(format!("{what} {id} not found")))
}
