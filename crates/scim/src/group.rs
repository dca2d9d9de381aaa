//! The Group resource (RFC 7643 §4.2). At Asana a group is a team.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ScimError;
use crate::lenient::{canonicalize_keys, null_as_empty};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub members: Vec<Member>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member's id. Some clients send numbers; they are read as their decimal text.
    #[serde(deserialize_with = "string_or_number")]
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string id, found {other}"
        ))),
    }
}

impl Group {
    /// Parses a request body; `displayName` is required (RFC 7643 §4.2, and Asana's team name).
    pub fn from_json(mut body: Value) -> Result<Group, ScimError> {
        if !body.is_object() {
            return Err(ScimError::invalid_syntax(
                "the request body must be a JSON object",
            ));
        }
        canonicalize_keys(&mut body);
        let group: Group = serde_json::from_value(body)
            .map_err(|e| ScimError::invalid_value(format!("invalid Group: {e}")))?;
        if group.display_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "displayName is required and must not be empty",
            ));
        }
        Ok(group)
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a Group always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_may_be_numbers_and_display_name_is_required() {
        let g = Group::from_json(json!({"displayName": "Marketing", "members": [{"value": 3}]}))
            .unwrap();
        assert_eq!(g.members[0].value, "3");
        let err = Group::from_json(json!({"members": []})).unwrap_err();
        assert_eq!(err.status, 400);
    }
}
