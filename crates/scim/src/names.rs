//! Schema URNs and canonical attribute names.
//!
//! SCIM attribute names and schema URNs are case-insensitive (RFC 7643 §2.1), so input is matched
//! without regard to case and then rewritten to the spelling below before it is parsed. That keeps
//! the typed resources simple and makes output look the way every client expects.

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// A `schemas` array as JSON, made once. Every SCIM answer carries one, and escaping its URNs
/// again on each was a third of writing a user (see PERFORMANCE.md); serde_json writes this as
/// it is (and `to_value` reads it back). Only serde_json serializers understand it, and the
/// types that carry it are only ever written as JSON.
pub fn schemas_json(urns: &[&str]) -> Box<serde_json::value::RawValue> {
    let json = serde_json::to_string(urns).expect("a list of strings is JSON");
    serde_json::value::RawValue::from_string(json).expect("just written as JSON")
}

pub const SERVICE_PROVIDER_CONFIG_URN: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Schema URNs this crate knows, in canonical spelling.
pub const KNOWN_SCHEMAS: &[&str] = &[USER_URN, GROUP_URN, ENTERPRISE_USER_URN];

/// Every attribute and sub-attribute name the resources here carry, in RFC spelling.
const ATTRIBUTES: &[&str] = &[
    "schemas",
    "id",
    "externalId",
    "meta",
    "resourceType",
    "created",
    "lastModified",
    "location",
    "version",
    "userName",
    "name",
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "value",
    "display",
    "type",
    "primary",
    "$ref",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "country",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "manager",
    "members",
    "Operations",
    "op",
    "path",
    "Resources",
    "totalResults",
    "startIndex",
    "itemsPerPage",
];

/// The canonical spelling of an attribute name, if it is one this crate knows.
pub fn canonical_attribute(name: &str) -> Option<&'static str> {
    ATTRIBUTES
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(name))
}

/// A name in its canonical spelling when this crate knows it, otherwise as given.
pub fn canonical_name(name: &str) -> String {
    canonical_attribute(name)
        .map(str::to_owned)
        .unwrap_or_else(|| name.to_owned())
}

/// The canonical spelling of a schema URN, if it is one this crate knows.
pub fn canonical_schema(urn: &str) -> Option<&'static str> {
    KNOWN_SCHEMAS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(urn))
}

/// Whether an attribute compares case-exactly (RFC 7643 §3.1, §4.1.1): identifiers do, names and
/// email addresses do not.
pub fn is_case_exact(attr: &str, sub_attr: Option<&str>) -> bool {
    let full = match sub_attr {
        Some(sub) => format!("{attr}.{sub}"),
        None => attr.to_owned(),
    };
    [
        "id",
        "externalId",
        "members.value",
        "groups.value",
        "manager.value",
        "$ref",
    ]
    .iter()
    .any(|exact| exact.eq_ignore_ascii_case(&full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_are_matched_without_case() {
        assert_eq!(canonical_attribute("USERNAME"), Some("userName"));
        assert_eq!(canonical_attribute("phonenumbers"), Some("phoneNumbers"));
        assert_eq!(canonical_attribute("nonsense"), None);
        assert_eq!(
            canonical_schema("URN:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User"),
            Some(ENTERPRISE_USER_URN)
        );
    }

    #[test]
    fn identifiers_are_case_exact_and_names_are_not() {
        assert!(is_case_exact("id", None));
        assert!(is_case_exact("members", Some("value")));
        assert!(!is_case_exact("userName", None));
        assert!(!is_case_exact("emails", Some("value")));
    }
}
