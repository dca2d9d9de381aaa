//! OneLogin's SCIM wire dialect: bodies and URLs exactly as its connector sends them.

use serde_json::{Value, json};

use crate::UserPayload;

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The rendered user template: core and enterprise schemas, `userName`, the name parts and
/// the formatted name (Asana reads `name.formatted`), one primary work email, `active`, and the
/// optional title and department.
pub fn user_body(user: &UserPayload, active: bool) -> Value {
    let formatted = format!("{} {}", user.given_name, user.family_name)
        .trim()
        .to_owned();
    let mut body = json!({
        "schemas": [USER_URN, ENTERPRISE_URN],
        "userName": user.user_name,
        "name": {"givenName": user.given_name, "familyName": user.family_name, "formatted": formatted},
        "emails": [{"primary": true, "type": "work", "value": user.email}],
        "active": active,
    });
    if let Some(title) = &user.title {
        body["title"] = json!(title);
    }
    if let Some(department) = &user.department {
        body[ENTERPRISE_URN] = json!({"department": department});
    }
    body
}

/// `filter=userName+eq+%22…%22&`: spaces as `+`, the value quoted and percent-encoded, and the
/// trailing `&` OneLogin leaves on (onelogin-facts §4, S7).
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
        let body = user_body(&user, false);
        assert_eq!(body["active"], false);
        assert_eq!(body["name"]["formatted"], "Ada Lovelace");
        assert_eq!(body[ENTERPRISE_URN]["department"], "R&D");
        assert!(body.get("title").is_none());
        assert!(harness_scim::User::from_json(body).is_ok());
    }
}
