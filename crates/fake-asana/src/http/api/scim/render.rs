//! The one rendering of a user (`UserResource`, typed to the wire) and of a group, in the
//! profile's shape.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use harness_scim::User;
use harness_scim::names::{ENTERPRISE_USER_URN, GROUP_URN, USER_URN};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{Gid, Organization, TeamRecord, UserRecord};
use crate::store::{ScimDialect, Store};

/// A user as SCIM returns it: the stored attributes shaped by the switches, and `meta`. It
/// serializes straight into a response; [`render_user`] makes a tree of it where a filter or
/// `attributes` needs one.
#[derive(Serialize)]
pub(super) struct UserResource {
    #[serde(flatten)]
    scim: User,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<UserMeta>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserMeta {
    resource_type: &'static str,
    created: Timestamp,
    last_modified: Timestamp,
    location: String,
}

pub(super) fn render_user(
    u: &UserRecord,
    org: &Organization,
    dialect: &ScimDialect,
    base: &str,
) -> Value {
    serde_json::to_value(user_resource(u, org, dialect, base)).expect("a user always serializes")
}

pub(super) fn user_resource(
    u: &UserRecord,
    org: &Organization,
    dialect: &ScimDialect,
    base: &str,
) -> UserResource {
    let mut scim = u.scim.clone();
    scim.id = Some(u.gid.to_string().into());
    // Asana always reports `active`; plain SCIM reports what is stored, so a removed `active`
    // stays absent. A deprovisioned user is inactive either way.
    scim.active = if dialect.asana_user_shape() || u.deprovisioned.is_some() {
        Some(u.is_active())
    } else {
        u.scim.active
    };
    if !dialect.shows_user_type(org) {
        scim.user_type = None;
    }
    if dialect.asana_user_shape() {
        if let Some(name) = &mut scim.name
            && name.given_name.is_none()
            && name.family_name.is_none()
            && let Some((given, family)) = name
                .formatted
                .as_deref()
                .and_then(|f| f.trim().split_once(' '))
        {
            name.given_name = Some(given.into());
            name.family_name = Some(family.trim().into());
        }
        for email in &mut scim.emails {
            email.kind.get_or_insert_with(|| "work".into());
        }
    }
    scim.schemas = if !dialect.meta() {
        // Asana's documented responses always list both schemas.
        vec![USER_URN.to_owned(), ENTERPRISE_USER_URN.to_owned()]
    } else {
        scim.response_schemas()
    };
    let meta = dialect.meta().then(|| UserMeta {
        resource_type: "User",
        created: u.created_at,
        last_modified: u.updated_at,
        location: format!("{base}/Users/{}", u.gid),
    });
    UserResource { scim, meta }
}

pub(super) fn render_group(
    team: &TeamRecord,
    store: &Store,
    org: Gid,
    dialect: &ScimDialect,
    base: &str,
) -> Value {
    let members: Vec<Value> = team
        .members
        .iter()
        .filter_map(|m| store.user(org, *m))
        .map(|u| {
            // Asana's example shows members by value; plain SCIM adds `$ref` and `type`.
            if !dialect.meta() {
                json!({"value": u.gid.to_string(), "display": u.display_name()})
            } else {
                json!({"value": u.gid.to_string(), "$ref": format!("{base}/Users/{}", u.gid), "type": "User"})
            }
        })
        .collect();
    let mut meta = json!({"resourceType": "Group"});
    if dialect.meta() {
        meta["created"] = json!(team.created_at.to_string());
        meta["lastModified"] = json!(team.updated_at.to_string());
        meta["location"] = json!(format!("{base}/Groups/{}", team.gid));
    }
    let mut group = json!({
        "schemas": [GROUP_URN],
        "id": team.gid.to_string(),
        "displayName": team.name,
        "members": members,
        "meta": meta,
    });
    if let Some(external) = &team.external_id {
        group["externalId"] = json!(external);
    }
    group
}

pub(super) fn created(status: StatusCode, body: Value, location: Option<String>) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, loc);
    }
    response
}
