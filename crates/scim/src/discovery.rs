//! Discovery documents: ServiceProviderConfig, ResourceTypes and Schemas (RFC 7643 §5–7).
//!
//! The Schemas document advertises exactly the attributes [`crate::User`] and [`crate::Group`]
//! store, with their real characteristics, because compliance tools generate test values from it.

use serde_json::{Value, json};

use crate::names::{
    ENTERPRISE_USER_URN, GROUP_URN, RESOURCE_TYPE_URN, SCHEMA_URN, SERVICE_PROVIDER_CONFIG_URN,
    USER_URN,
};

/// What the server supports, for ServiceProviderConfig.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    pub patch: bool,
    pub bulk: bool,
    pub filter_max_results: usize,
    pub sort: bool,
    pub etag: bool,
    pub change_password: bool,
}

/// `base` is the SCIM base URL, without a trailing slash; `meta` adds RFC meta blocks.
pub fn service_provider_config(base: &str, caps: Capabilities, meta: bool) -> Value {
    let mut doc = json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_URN],
        "documentationUri": "https://developers.asana.com/docs/scim",
        "patch": {"supported": caps.patch},
        "bulk": {"supported": caps.bulk, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": caps.filter_max_results},
        "changePassword": {"supported": caps.change_password},
        "sort": {"supported": caps.sort},
        "etag": {"supported": caps.etag},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Service account token",
            "description": "Authorization: Bearer <service account token>",
            "primary": true
        }]
    });
    if meta {
        doc["meta"] = json!({
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig")
        });
    }
    doc
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_URN],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_URN,
            "schemaExtensions": [{"schema": ENTERPRISE_USER_URN, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}
        }),
        json!({
            "schemas": [RESOURCE_TYPE_URN],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group (an Asana team)",
            "schema": GROUP_URN,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}
        }),
    ]
}

pub fn schemas(base: &str) -> Vec<Value> {
    let with_meta = |mut schema: Value| {
        let id = schema["id"].as_str().unwrap_or_default().to_owned();
        schema["schemas"] = json!([SCHEMA_URN]);
        schema["meta"] =
            json!({"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")});
        schema
    };
    vec![
        with_meta(user_schema()),
        with_meta(enterprise_schema()),
        with_meta(group_schema()),
    ]
}

/// An attribute definition with RFC 7643 §7 defaults: optional, single-valued, read-write,
/// returned by default, not unique, not case-exact.
fn attr(name: &str, kind: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "required": false,
        "caseExact": false, "mutability": "readWrite", "returned": "default",
        "uniqueness": "none", "description": name
    })
}

fn with(mut a: Value, key: &str, value: Value) -> Value {
    a[key] = value;
    a
}

fn complex(name: &str, multi: bool, subs: Vec<Value>) -> Value {
    let a = with(attr(name, "complex"), "multiValued", json!(multi));
    with(a, "subAttributes", Value::Array(subs))
}

fn typed_multi(name: &str, value_kind: &str) -> Value {
    complex(
        name,
        true,
        vec![
            attr("value", value_kind),
            attr("display", "string"),
            with(
                attr("type", "string"),
                "canonicalValues",
                json!(["work", "home", "other"]),
            ),
            attr("primary", "boolean"),
        ],
    )
}

fn user_schema() -> Value {
    json!({
        "id": USER_URN,
        "name": "User",
        "description": "User Account",
        "attributes": [
            with(with(attr("userName", "string"), "required", json!(true)), "uniqueness", json!("server")),
            complex("name", false, vec![
                attr("formatted", "string"), attr("familyName", "string"), attr("givenName", "string"),
                attr("middleName", "string"), attr("honorificPrefix", "string"), attr("honorificSuffix", "string"),
            ]),
            attr("displayName", "string"),
            attr("nickName", "string"),
            with(attr("profileUrl", "reference"), "referenceTypes", json!(["external"])),
            attr("title", "string"),
            attr("userType", "string"),
            attr("preferredLanguage", "string"),
            attr("locale", "string"),
            attr("timezone", "string"),
            attr("active", "boolean"),
            typed_multi("emails", "string"),
            typed_multi("phoneNumbers", "string"),
            complex("addresses", true, vec![
                attr("formatted", "string"), attr("streetAddress", "string"), attr("locality", "string"),
                attr("region", "string"), attr("postalCode", "string"), attr("country", "string"),
                with(attr("type", "string"), "canonicalValues", json!(["work", "home", "other"])),
                attr("primary", "boolean"),
            ]),
        ]
    })
}

fn enterprise_schema() -> Value {
    json!({
        "id": ENTERPRISE_USER_URN,
        "name": "EnterpriseUser",
        "description": "Enterprise User",
        "attributes": [
            attr("employeeNumber", "string"),
            attr("costCenter", "string"),
            attr("organization", "string"),
            attr("division", "string"),
            attr("department", "string"),
            complex("manager", false, vec![
                attr("value", "string"),
                with(with(attr("$ref", "reference"), "referenceTypes", json!(["User"])), "mutability", json!("readWrite")),
                with(attr("displayName", "string"), "mutability", json!("readOnly")),
            ]),
        ]
    })
}

fn group_schema() -> Value {
    let member_value = with(
        with(attr("value", "string"), "mutability", json!("immutable")),
        "caseExact",
        json!(true),
    );
    json!({
        "id": GROUP_URN,
        "name": "Group",
        "description": "Group (an Asana team)",
        "attributes": [
            with(with(attr("displayName", "string"), "required", json!(true)), "uniqueness", json!("server")),
            complex("members", true, vec![
                member_value,
                with(with(attr("$ref", "reference"), "referenceTypes", json!(["User"])), "mutability", json!("immutable")),
                with(attr("display", "string"), "mutability", json!("readOnly")),
                with(with(attr("type", "string"), "canonicalValues", json!(["User"])), "mutability", json!("immutable")),
            ]),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_attribute_round_trips_through_the_typed_user() {
        // A compliance tool fills every advertised attribute; each must survive a parse.
        let schema = user_schema();
        let names: Vec<&str> = schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        let user = crate::User::from_json(json!({
            "userName": "a@acme.test", "name": {"formatted": "A"}, "displayName": "A", "nickName": "a",
            "profileUrl": "https://x", "title": "t", "userType": "u", "preferredLanguage": "en",
            "locale": "en-NZ", "timezone": "Pacific/Auckland", "active": true,
            "emails": [{"value": "a@acme.test"}], "phoneNumbers": [{"value": "1"}],
            "addresses": [{"country": "NZ"}]
        }))
        .unwrap()
        .to_json();
        for name in names {
            assert!(
                user.get(name).is_some(),
                "{name} is advertised but not stored"
            );
        }
    }
}
