//! PATCH (RFC 7644 §3.5.2), in every dialect identity providers actually send:
//!
//! - operation names in any case (`"Replace"`, Entra);
//! - path-less operations whose `value` is a map of attributes (`{"op":"replace","value":{"active":false}}`,
//!   Okta and Asana's own documentation), with keys that may themselves be paths or URN-qualified;
//! - string booleans (`"value":"False"`, Entra), left for the typed resource parser to read;
//! - value-path targets: `emails[type eq "work"].value`, `members[value eq "42"]`;
//! - `remove` of `members` with a `value` list (Entra's way to remove one member).
//!
//! Operations apply to the resource as JSON; the caller parses the result back into a typed
//! resource, so a PATCH can never leave a value of the wrong type behind.

use serde_json::Value;

use crate::error::ScimError;
use crate::filter::parse::Parser;
use crate::filter::{AttrPath, Filter};
use crate::lenient::canonicalize_keys;
use crate::names::{ENTERPRISE_USER_URN, canonical_attribute, canonical_schema};

mod apply;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOp {
    Add,
    Remove,
    Replace,
}

/// `attrPath` or `valuePath ["." subAttr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter: `value` in `emails[type eq "work"].value`.
    pub filter_sub_attr: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    pub op: PatchOp,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    pub schemas: Vec<String>,
    pub operations: Vec<PatchOperation>,
}

/// Choices RFC 7644 leaves to the server, or that servers make differently in practice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchOptions {
    /// A `replace` whose value filter matches nothing creates the element from the filter's
    /// equalities (what Entra expects), instead of RFC 7644's `400 noTarget`.
    pub create_on_unmatched_replace: bool,
}

impl PatchPath {
    /// Parses a PATCH `path`; a bad one is `400 invalidPath`.
    pub fn parse(text: &str) -> Result<PatchPath, ScimError> {
        // The extension URN alone names the whole extension object, which is a top-level key.
        if let Some(urn) = canonical_schema(text.trim()).filter(|u| *u == ENTERPRISE_USER_URN) {
            return Ok(PatchPath {
                attr: AttrPath::new(urn),
                filter: None,
                filter_sub_attr: None,
            });
        }
        let invalid = |e: crate::filter::FilterError| {
            ScimError::invalid_path(format!("invalid path {text:?}: {}", e))
        };
        let mut p = Parser::new(text.trim());
        let attr = p.parse_attr_path().map_err(invalid)?;
        let mut filter = None;
        let mut filter_sub_attr = None;
        if !p.at_end() {
            let (f, sub) = parse_value_filter(p.rest(), &attr)
                .map_err(|m| ScimError::invalid_path(format!("invalid path {text:?}: {m}")))?;
            filter = Some(f);
            filter_sub_attr = sub;
        }
        Ok(PatchPath {
            attr,
            filter,
            filter_sub_attr,
        })
    }
}

/// Why the value filter after a path's attribute (`emails[type eq "work"].value`) was refused;
/// the text goes into the `invalidPath` detail.
#[derive(Debug, thiserror::Error)]
enum ValueFilterError {
    #[error("expected \"[\" after the attribute, found {0:?}")]
    NoOpeningBracket(String),
    #[error("a value filter cannot follow a sub-attribute")]
    AfterSubAttribute,
    #[error("expected \"]\"")]
    NoClosingBracket,
    #[error("{0}")]
    Filter(#[from] crate::filter::FilterError),
    #[error("unexpected {0:?} after the value filter")]
    Trailing(String),
}

/// Parses the `[filter]` and optional `.subAttr` that follow the attribute in a path.
fn parse_value_filter(
    text: &str,
    attr: &AttrPath,
) -> Result<(Filter, Option<String>), ValueFilterError> {
    // `text` is what follows the attribute: it must be `[filter]`, then maybe `.subAttr`.
    let Some(inner) = text.strip_prefix('[') else {
        return Err(ValueFilterError::NoOpeningBracket(text.to_owned()));
    };
    let text = inner;
    if attr.sub_attr.is_some() {
        return Err(ValueFilterError::AfterSubAttribute);
    }
    let close = text.rfind(']').ok_or(ValueFilterError::NoClosingBracket)?;
    let filter = Filter::parse(&text[..close])?;
    let after = &text[close + 1..];
    let sub = match after.strip_prefix('.') {
        Some(sub)
            if !sub.is_empty()
                && sub
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') =>
        {
            Some(
                canonical_attribute(sub)
                    .map(str::to_owned)
                    .unwrap_or_else(|| sub.to_owned()),
            )
        }
        None if after.is_empty() => None,
        _ => return Err(ValueFilterError::Trailing(after.to_owned())),
    };
    Ok((filter, sub))
}

impl PatchRequest {
    /// Parses a PATCH body that is already valid JSON.
    pub fn from_json(mut body: Value) -> Result<PatchRequest, ScimError> {
        if !body.is_object() {
            return Err(ScimError::invalid_syntax(
                "the request body must be a JSON object",
            ));
        }
        canonicalize_keys(&mut body);
        let schemas = match body.get("schemas") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(_) => {
                return Err(ScimError::invalid_value(
                    "schemas must be an array of strings",
                ));
            }
        };
        let ops = match body.get_mut("Operations").map(Value::take) {
            Some(Value::Array(ops)) if !ops.is_empty() => ops,
            Some(Value::Array(_)) => return Err(ScimError::invalid_value("Operations is empty")),
            Some(_) => return Err(ScimError::invalid_value("Operations must be an array")),
            None => return Err(ScimError::invalid_syntax("a PATCH body needs Operations")),
        };
        let operations = ops
            .into_iter()
            .enumerate()
            .map(|(i, op)| parse_operation(op).map_err(|e| prefix(e, i)))
            .collect::<Result<_, _>>()?;
        Ok(PatchRequest {
            schemas,
            operations,
        })
    }
}

/// An operation's error, marked with its place in `Operations`.
fn prefix(mut e: ScimError, index: usize) -> ScimError {
    e.detail = format!("Operations[{index}]: {}", e.detail);
    e
}

fn parse_operation(op: Value) -> Result<PatchOperation, ScimError> {
    let Value::Object(mut op) = op else {
        return Err(ScimError::invalid_syntax("an operation must be an object"));
    };
    let kind = match op.get("op") {
        Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "add" => PatchOp::Add,
            "remove" => PatchOp::Remove,
            "replace" => PatchOp::Replace,
            _ => {
                return Err(ScimError::invalid_syntax(format!(
                    "unknown op {s:?}: expected add, remove or replace"
                )));
            }
        },
        _ => {
            return Err(ScimError::invalid_syntax(
                "op is required: add, remove or replace",
            ));
        }
    };
    let path = match op.get("path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(PatchPath::parse(s)?),
        Some(_) => return Err(ScimError::invalid_path("path must be a string")),
    };
    let value = op
        .remove("value")
        .filter(|v| !v.is_null() || kind == PatchOp::Replace);
    match (kind, &path, &value) {
        (PatchOp::Remove, None, _) => Err(ScimError::no_target(
            "remove needs a path (RFC 7644 §3.5.2.2)",
        )),
        (PatchOp::Add | PatchOp::Replace, _, None) => Err(ScimError::invalid_value(
            format!("{kind:?} needs a value").to_lowercase(),
        )),
        (PatchOp::Add | PatchOp::Replace, None, Some(v)) if !v.is_object() => Err(
            ScimError::invalid_value("an operation without a path needs an object as its value"),
        ),
        _ => Ok(PatchOperation {
            op: kind,
            path,
            value,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "id": "1",
            "userName": "ada@acme.test",
            "active": true,
            "name": {"formatted": "Ada Lovelace", "givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@acme.test", "type": "work", "primary": true}],
            "title": "Engineer"
        })
    }

    fn patch(ops: Value) -> Result<Value, ScimError> {
        patch_with(ops, PatchOptions::default())
    }

    fn patch_with(ops: Value, options: PatchOptions) -> Result<Value, ScimError> {
        let request = PatchRequest::from_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops
        }))?;
        let mut resource = user();
        request.apply(&mut resource, options)?;
        Ok(resource)
    }

    #[test]
    fn okta_and_asana_pathless_value_map() {
        let out =
            patch(json!([{"op": "replace", "value": {"active": false, "title": "CTO"}}])).unwrap();
        assert_eq!(out["active"], false);
        assert_eq!(out["title"], "CTO");
    }

    #[test]
    fn entra_capitalised_op_and_string_boolean() {
        let out = patch(json!([{"op": "Replace", "path": "active", "value": "False"}])).unwrap();
        assert_eq!(
            out["active"], "False",
            "left for the typed parser, which reads it as false"
        );
        let typed = crate::User::from_json(out).unwrap();
        assert_eq!(typed.active, Some(false));
    }

    #[test]
    fn value_path_with_sub_attribute() {
        let out = patch(json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@new.test"}])).unwrap();
        assert_eq!(out["emails"][0]["value"], "ada@new.test");
        assert_eq!(out["emails"][0]["type"], "work");
    }

    #[test]
    fn unmatched_replace_is_no_target_unless_creation_is_allowed() {
        let op = json!([{"op": "replace", "path": "addresses[type eq \"work\"].country", "value": "NZ"}]);
        let err = patch(op.clone()).unwrap_err();
        assert_eq!(err.scim_type, Some(crate::ScimType::NoTarget));
        let out = patch_with(
            op,
            PatchOptions {
                create_on_unmatched_replace: true,
            },
        )
        .unwrap();
        assert_eq!(out["addresses"], json!([{"type": "work", "country": "NZ"}]));
    }

    #[test]
    fn add_with_filter_creates_the_element() {
        let out = patch(json!([{"op": "add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+64 1"}])).unwrap();
        assert_eq!(
            out["phoneNumbers"],
            json!([{"type": "work", "value": "+64 1"}])
        );
    }

    #[test]
    fn members_add_and_remove_by_filter_and_by_value() {
        let mut group = json!({"id": "9", "displayName": "Team", "members": []});
        let add = PatchRequest::from_json(json!({"Operations": [
            {"op": "add", "path": "members", "value": [{"value": "1"}, {"value": "2"}, {"value": "3"}]}
        ]})).unwrap();
        add.apply(&mut group, PatchOptions::default()).unwrap();
        add.apply(&mut group, PatchOptions::default()).unwrap();
        assert_eq!(
            group["members"].as_array().unwrap().len(),
            3,
            "adding twice does not duplicate"
        );
        let remove = PatchRequest::from_json(json!({"Operations": [
            {"op": "remove", "path": "members[value eq \"1\"]"},
            {"op": "remove", "path": "members", "value": [{"value": "2"}]}
        ]}))
        .unwrap();
        remove.apply(&mut group, PatchOptions::default()).unwrap();
        assert_eq!(group["members"], json!([{"value": "3"}]));
    }

    #[test]
    fn sub_attribute_and_enterprise_paths() {
        let out = patch(json!([
            {"op": "replace", "path": "name.formatted", "value": "Ada King"},
            {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
            {"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"costCenter": "42"}}},
            {"op": "replace", "value": {"name.givenName": "Augusta"}}
        ])).unwrap();
        assert_eq!(out["name"]["formatted"], "Ada King");
        assert_eq!(out["name"]["givenName"], "Augusta");
        assert_eq!(
            out["name"]["familyName"], "Lovelace",
            "replace of a sub-attribute leaves the others"
        );
        let ext = &out[ENTERPRISE_USER_URN];
        assert_eq!(ext["department"], "R&D");
        assert_eq!(ext["costCenter"], "42");
    }

    #[test]
    fn the_extension_urn_alone_targets_the_whole_extension() {
        let out = patch(
            json!([{"op": "add", "path": ENTERPRISE_USER_URN, "value": {"division": "North"}}]),
        )
        .unwrap();
        assert_eq!(out[ENTERPRISE_USER_URN]["division"], "North");
        let request = PatchRequest::from_json(
            json!({"Operations": [{"op": "remove", "path": ENTERPRISE_USER_URN}]}),
        )
        .unwrap();
        let mut resource = out;
        request
            .apply(&mut resource, PatchOptions::default())
            .unwrap();
        assert!(resource.get(ENTERPRISE_USER_URN).is_none());
    }

    #[test]
    fn a_bracket_out_of_place_is_an_invalid_path_not_a_panic() {
        // Found by fuzzing: `]` before `[` once made a slice panic.
        for path in [
            "m]mbers[value +qs[type ",
            "emails]x[",
            "emails [type eq \"w\"]",
        ] {
            let err = PatchPath::parse(path).expect_err(path);
            assert_eq!(err.scim_type, Some(crate::ScimType::InvalidPath), "{path}");
        }
        assert!(PatchPath::parse("emails[type eq \"work\"].value").is_ok());
    }

    #[test]
    fn remove_and_case_insensitive_paths() {
        let out =
            patch(json!([{"op": "REMOVE", "path": "TITLE"}, {"op": "remove", "path": "nickName"}]))
                .unwrap();
        assert!(out.get("title").is_none());
    }

    #[test]
    fn adding_a_new_primary_demotes_the_old_one() {
        let out = patch(json!([{"op": "add", "path": "emails", "value": [{"value": "b@acme.test", "primary": true}]}])).unwrap();
        assert_eq!(out["emails"][0]["primary"], false);
        assert_eq!(out["emails"][1]["primary"], true);
    }

    #[test]
    fn bad_operations_are_rejected_with_the_right_scim_type() {
        use crate::ScimType::*;
        let cases = [
            (
                json!([{"op": "move", "path": "title", "value": "x"}]),
                InvalidSyntax,
            ),
            (json!([{"op": "remove"}]), NoTarget),
            (json!([{"op": "add", "path": "title"}]), InvalidValue),
            (
                json!([{"op": "replace", "value": "not a map"}]),
                InvalidValue,
            ),
            (
                json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
                InvalidPath,
            ),
            (
                json!([{"op": "replace", "path": "id", "value": "2"}]),
                Mutability,
            ),
            (
                json!([{"op": "replace", "path": "title[type eq \"x\"]", "value": {}}]),
                InvalidPath,
            ),
            (json!("nope"), InvalidValue),
        ];
        for (ops, expected) in cases {
            let err = patch(ops.clone()).expect_err(&ops.to_string());
            assert_eq!(err.scim_type, Some(expected), "{ops}: {err}");
        }
    }

    #[test]
    fn a_failed_operation_changes_nothing() {
        let request = PatchRequest::from_json(json!({"Operations": [
            {"op": "replace", "path": "title", "value": "CTO"},
            {"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x"}
        ]}))
        .unwrap();
        let mut resource = user();
        assert!(
            request
                .apply(&mut resource, PatchOptions::default())
                .is_err()
        );
        assert_eq!(resource, user());
    }
}
