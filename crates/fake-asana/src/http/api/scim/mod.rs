//! SCIM 2.0 under `/api/1.0/scim`: discovery, Users and Groups (Asana teams).
//!
//! - `reply`: handler errors (always a SCIM error body) and the `{id}` extractor.
//! - `request`: reading bodies (schemas, OneLogin's extension key) and ids.
//! - `query`: list and search queries: Asana's documented filters, pages, projections.
//! - `render`: the one rendering of a user and of a group.
//! - `discovery`, `users`, `groups`: the handlers.

mod discovery;
mod groups;
mod query;
mod render;
mod reply;
mod request;
mod users;

use axum::Router;
use axum::routing::{get, post};
use harness_scim::ScimError;

use crate::http::{Shared, scim_error};
use discovery::{resource_type, resource_types, schema, schemas, service_provider_config};
use groups::{
    create_group, delete_group, get_group, list_groups, patch_group, replace_group, search_groups,
};
use users::{
    create_user, delete_user, get_user, list_users, patch_user, replace_user, search_all,
    search_users,
};

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/Users", get(list_users).post(create_user))
        .route("/.search", post(search_all))
        .route("/Users/.search", post(search_users))
        .route("/Groups/.search", post(search_groups))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .fallback(|| async { scim_error(&ScimError::not_found("No SCIM endpoint at this path")) })
        .method_not_allowed_fallback(|| async {
            scim_error(&ScimError::new(
                405,
                None,
                "This method is not allowed on this SCIM endpoint",
            ))
        })
}
