//! ServiceProviderConfig, ResourceTypes and Schemas: what the fake advertises.

use axum::Json;
use axum::response::{IntoResponse, Response};
use harness_scim::discovery::{self, Capabilities};
use harness_scim::{ListResponse, ScimError};
use serde_json::Value;

use super::reply::ScimResult;
use super::request::Call;

/// Asana never published its ServiceProviderConfig; these values follow fidelity/asana §1.2 [I].
const CAPABILITIES: Capabilities = Capabilities {
    patch: true,
    bulk: false,
    filter_max_results: 10_000,
    sort: false,
    etag: false,
    change_password: false,
};

pub(super) fn service_provider_config(c: &Call) -> Response {
    Json(discovery::service_provider_config(
        c.app.scim_base(),
        CAPABILITIES,
        c.app.dialect().meta(),
    ))
    .into_response()
}

fn listed(resources: Vec<Value>) -> Response {
    let total = resources.len();
    Json(ListResponse {
        total_results: total,
        resources,
        start_index: 1,
        paging: true,
    })
    .into_response()
}

fn by_id(resources: Vec<Value>, id: &str, what: &str) -> ScimResult {
    resources
        .into_iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|rid| rid.eq_ignore_ascii_case(id))
        })
        .map(|r| Json(r).into_response())
        .ok_or_else(|| ScimError::not_found(format!("{what} {id} not found")).into())
}

pub(super) fn resource_types(c: &Call) -> Response {
    listed(discovery::resource_types(c.app.scim_base()))
}

pub(super) fn resource_type(c: &Call, id: &str) -> ScimResult {
    by_id(
        discovery::resource_types(c.app.scim_base()),
        id,
        "ResourceType",
    )
}

pub(super) fn schemas(c: &Call) -> Response {
    listed(discovery::schemas(c.app.scim_base()))
}

pub(super) fn schema(c: &Call, id: &str) -> ScimResult {
    by_id(discovery::schemas(c.app.scim_base()), id, "Schema")
}
