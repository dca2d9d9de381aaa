//! OneLogin's SCIM wire dialect: bodies and URLs exactly as its connector sends them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The mapped attributes of one user, as OneLogin's connector renders them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserPayload {
    /// The SCIM Username parameter's value (email by default).
    pub user_name: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub title: Option<String>,
    pub department: Option<String>,
}

/// The schema URNs a user body names, and the key its enterprise attributes go under: what the
/// app's SCIM JSON template says (fidelity/onelogin §1.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemaUrns {
    /// `urn:scim:schemas:core:2.0` and `urn:scim:schemas:extension:enterprise:2.0`: what real
    /// OneLogin traffic carries ([C] fidelity/onelogin §1.3, §4, S7). The enterprise attributes go
    /// under the extension's own URN: the harness's choice, as S7 shows only `schemas`.
    #[default]
    Onelogin,
    /// RFC 7643's URNs, for targets that insist on them (vendor guides paste these, S16).
    Rfc,
}

impl SchemaUrns {
    fn core(self) -> &'static str {
        match self {
            SchemaUrns::Onelogin => "urn:scim:schemas:core:2.0",
            SchemaUrns::Rfc => "urn:ietf:params:scim:schemas:core:2.0:User",
        }
    }

    fn enterprise(self) -> &'static str {
        match self {
            SchemaUrns::Onelogin => "urn:scim:schemas:extension:enterprise:2.0",
            SchemaUrns::Rfc => "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        }
    }
}

/// The rendered user template: core and enterprise schemas, `userName`, the name parts and
/// the formatted name (Asana reads `name.formatted`), one primary work email, `active`, and the
/// optional title and department.
pub fn user_body(user: &UserPayload, active: bool, urns: SchemaUrns) -> Value {
    let formatted = format!("{} {}", user.given_name, user.family_name)
        .trim()
        .to_owned();
    let mut body = json!({
        "schemas": [urns.core(), urns.enterprise()],
        "userName": user.user_name,
        "name": {"givenName": user.given_name, "familyName": user.family_name, "formatted": formatted},
        "emails": [{"primary": true, "type": "work", "value": user.email}],
        "active": active,
    });
    if let Some(title) = &user.title {
        body["title"] = json!(title);
    }
    if let Some(department) = &user.department {
        body[urns.enterprise()] = json!({"department": department});
    }
    body
}

/// `filter=userName+eq+%22…%22&`: spaces as `+`, the value quoted and percent-encoded, and the
/// trailing `&` OneLogin leaves on (fidelity/onelogin §4, S7).
pub fn user_name_filter(user_name: &str) -> String {
    let quoted = Value::String(user_name.to_owned()).to_string();
    let encoded: String =
        form_urlencoded::byte_serialize(format!("userName eq {quoted}").as_bytes()).collect();
    format!("filter={encoded}&")
}

/// An id as a path segment.
pub fn path_segment(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_uses_plus_and_a_trailing_ampersand() {
        assert_eq!(
            user_name_filter("ada@acme.test"),
            "filter=userName+eq+%22ada%40acme.test%22&"
        );
        let q = user_name_filter("a\"b");
        let parsed = harness_scim::ListQuery::parse(&q).unwrap();
        assert_eq!(parsed.filter.unwrap().as_equality().unwrap().1, "a\"b");
    }

    #[test]
    fn bodies_follow_the_template() {
        let user = UserPayload {
            user_name: "ada@acme.test".into(),
            email: "ada@acme.test".into(),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            title: None,
            department: Some("R&D".into()),
        };
        let body = user_body(&user, false, SchemaUrns::Rfc);
        assert_eq!(body["active"], false);
        assert_eq!(body["name"]["formatted"], "Ada Lovelace");
        assert_eq!(
            body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
            "R&D"
        );
        assert!(body.get("title").is_none());
        let parsed = harness_scim::User::from_json(body).unwrap();
        assert_eq!(
            parsed.enterprise.unwrap().department.as_deref(),
            Some("R&D")
        );

        let onelogin = user_body(&user, true, SchemaUrns::Onelogin);
        assert_eq!(
            onelogin["schemas"],
            json!([
                "urn:scim:schemas:core:2.0",
                "urn:scim:schemas:extension:enterprise:2.0"
            ])
        );
        assert_eq!(
            onelogin["urn:scim:schemas:extension:enterprise:2.0"]["department"],
            "R&D"
        );
    }
}
