//! ServiceProviderConfig, ResourceTypes and Schemas: what the fake advertises.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use harness_scim::discovery::{self, Capabilities};
use harness_scim::{ListResponse, ScimError};
use serde_json::Value;

use super::reply::{Id, ScimResult};
use crate::http::Shared;

/// Asana never published its ServiceProviderConfig; these values follow fidelity/asana §1.2 [I].
const CAPABILITIES: Capabilities = Capabilities {
    patch: true,
    bulk: false,
    filter_max_results: 10_000,
    sort: false,
    etag: false,
    change_password: false,
};

pub(super) async fn service_provider_config(State(app): State<Shared>) -> Json<Value> {
    Json(discovery::service_provider_config(
        app.scim_base(),
        CAPABILITIES,
        app.dialect().meta(),
    ))
}

fn listed(resources: Vec<Value>) -> Json<ListResponse> {
    let total = resources.len();
    Json(ListResponse {
        total_results: total,
        resources,
        start_index: 1,
        paging: true,
    })
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

pub(super) async fn resource_types(State(app): State<Shared>) -> Json<ListResponse> {
    listed(discovery::resource_types(app.scim_base()))
}

pub(super) async fn resource_type(State(app): State<Shared>, Id(id): Id) -> ScimResult {
    by_id(
        discovery::resource_types(app.scim_base()),
        &id,
        "ResourceType",
    )
}

pub(super) async fn schemas(State(app): State<Shared>) -> Json<ListResponse> {
    listed(discovery::schemas(app.scim_base()))
}

pub(super) async fn schema(State(app): State<Shared>, Id(id): Id) -> ScimResult {
    by_id(discovery::schemas(app.scim_base()), &id, "Schema")
}
