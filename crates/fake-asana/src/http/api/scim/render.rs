//! A user as a JSON tree, and the one rendering of a group, in the profile's shape.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use harness_scim::names::GROUP_URN;
use serde_json::{Value, json};

pub(super) use super::resource::UserResource;

use crate::model::{Gid, Organization, TeamRecord, UserRecord};
use crate::store::{ScimDialect, Store};

/// A user as a JSON tree, where a filter or `attributes` needs one; a lookup serializes
/// [`UserResource`] straight into the response instead.
pub(super) fn render_user(
    u: &UserRecord,
    org: &Organization,
    dialect: &ScimDialect,
    base: &str,
) -> Value {
    serde_json::to_value(UserResource::new(u, org, dialect, base))
        .expect("a user always serializes")
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
