//! The User resource (RFC 7643 §4.1) with the enterprise extension (§4.3).
//!
//! Only the attributes a provisioning target stores are typed; anything else a client sends is
//! accepted and dropped, which is what Asana does and what RFC 7644 §3.3 allows.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ScimError;
use crate::lenient::{canonicalize_keys, null_as_empty, option_bool};
use crate::names::{ENTERPRISE_USER_URN, USER_URN};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Box<str>>,
    #[serde(default)]
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Boxed, like `enterprise`: most users carry a few names, and an inline `Name` made every
    /// stored user 144 bytes bigger (see PERFORMANCE.md).
    pub name: Option<Box<Name>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Box<str>>,
    #[serde(
        default,
        deserialize_with = "option_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub active: Option<bool>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub emails: Vec<MultiValue>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub phone_numbers: Vec<MultiValue>,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub addresses: Vec<Address>,
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<Box<EnterpriseUser>>,
    // `meta` is server-maintained: a server writes it into each representation and ignores it
    // on input, so it is not a field here and costs stored users nothing.
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<Box<str>>,
}

/// An element of `emails` or `phoneNumbers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Box<str>>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Box<str>>,
    #[serde(
        default,
        deserialize_with = "option_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Box<str>>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Box<str>>,
    #[serde(
        default,
        deserialize_with = "option_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary: Option<bool>,
}

/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manager {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Box<str>>,
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Box<str>>,
    #[serde(
        rename = "displayName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<Box<str>>,
}

impl User {
    /// Parses a request body that is already valid JSON: canonicalizes attribute names, accepts
    /// string booleans, and reports wrong types as `400 invalidValue`. `userName` must be present
    /// and non-empty (RFC 7643 §4.1.1: required).
    pub fn from_json(mut body: Value) -> Result<User, ScimError> {
        if !body.is_object() {
            return Err(ScimError::invalid_syntax(
                "the request body must be a JSON object",
            ));
        }
        canonicalize_keys(&mut body);
        if let Some(Value::String(_)) = body.get(ENTERPRISE_USER_URN) {
            return Err(ScimError::invalid_value(format!(
                "{ENTERPRISE_USER_URN} must be an object"
            )));
        }
        let user: User = serde_json::from_value(body)
            .map_err(|e| ScimError::invalid_value(format!("invalid User: {e}")))?;
        user.validate()?;
        Ok(user)
    }

    /// Checks the rules a typed value cannot express.
    pub fn validate(&self) -> Result<(), ScimError> {
        if self.user_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "userName is required and must not be empty",
            ));
        }
        for (attr, primaries) in [
            (
                "emails",
                self.emails
                    .iter()
                    .filter(|e| e.primary == Some(true))
                    .count(),
            ),
            (
                "phoneNumbers",
                self.phone_numbers
                    .iter()
                    .filter(|e| e.primary == Some(true))
                    .count(),
            ),
            (
                "addresses",
                self.addresses
                    .iter()
                    .filter(|e| e.primary == Some(true))
                    .count(),
            ),
        ] {
            if primaries > 1 {
                return Err(ScimError::invalid_value(format!(
                    "only one of {attr} may have primary set to true"
                )));
            }
        }
        Ok(())
    }

    /// The `schemas` a response should carry: core, plus the extension when it has data.
    pub fn response_schemas(&self) -> Vec<String> {
        let mut schemas = vec![USER_URN.to_owned()];
        if self.enterprise.is_some() {
            schemas.push(ENTERPRISE_USER_URN.to_owned());
        }
        schemas
    }

    /// The primary email, or the first.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| e.primary == Some(true))
            .or_else(|| self.emails.first())
            .and_then(|e| e.value.as_deref())
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a User always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_asana_documentation_example() {
        let user = User::from_json(json!({
            "schemas": [USER_URN, ENTERPRISE_USER_URN],
            "userName": "johnsmith@example.com",
            "name": {"formatted": "John Smith"},
            "emails": [{"primary": true, "value": "johnsmith@example.com"}],
            "active": true,
            "title": "Software Engineer",
            "preferredLanguage": "en",
            ENTERPRISE_USER_URN: {"department": "Engineering"}
        }))
        .unwrap();
        assert_eq!(user.user_name, "johnsmith@example.com");
        assert_eq!(
            user.enterprise.as_ref().unwrap().department.as_deref(),
            Some("Engineering")
        );
        assert_eq!(user.primary_email(), Some("johnsmith@example.com"));
    }

    #[test]
    fn accepts_any_case_string_booleans_and_unknown_attributes() {
        let user = User::from_json(json!({
            "USERNAME": "a@acme.test",
            "Active": "False",
            "emails": [{"value": "a@acme.test", "primary": "TRUE"}],
            "externalID": "x-1",
            "favouriteColour": "teal",
            "schemas": ["urn:scim:schemas:core:2.0"]
        }))
        .unwrap();
        assert_eq!(user.active, Some(false));
        assert_eq!(user.emails[0].primary, Some(true));
        assert_eq!(user.external_id.as_deref(), Some("x-1"));
    }

    #[test]
    fn wrong_types_and_missing_user_name_are_invalid_value() {
        for body in [
            json!({"userName": 5}),
            json!({"userName": "a@b.c", "active": "yes"}),
            json!({"userName": "a@b.c", "emails": "a@b.c"}),
            json!({"userName": ""}),
            json!({"title": "no userName"}),
            json!({"userName": "a@b.c", "emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
        ] {
            let err = User::from_json(body.clone()).expect_err(&body.to_string());
            assert_eq!(
                err.scim_type,
                Some(crate::ScimType::InvalidValue),
                "{body}: {err}"
            );
        }
        let err = User::from_json(json!(["not", "an", "object"])).unwrap_err();
        assert_eq!(err.scim_type, Some(crate::ScimType::InvalidSyntax));
    }
}
