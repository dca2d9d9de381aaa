//! SCIM 2.0 under `/api/1.0/scim`: discovery, Users and Groups (Asana teams).
//!
//! - `reply`: handler errors (always a SCIM error body) and the `{id}` extractor.
//! - `request`: reading bodies (schemas, OneLogin's extension key) and ids.
//! - `query`: list and search queries: Asana's documented filters, pages, projections.
//! - `resource`: the one rendering of a user, a view borrowed from the record.
//! - `render`: a user as a JSON tree, and the rendering of a group.
//! - `discovery`, `users`, `groups`: the handlers.

mod discovery;
mod groups;
mod query;
mod render;
mod reply;
mod request;
mod resource;
mod users;

use axum::Router;
use axum::response::Response;
use axum::routing::{MethodRouter, any, get, post};
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

/// Where SCIM lives; every route below is written out in full (no `nest`: each level would
/// rebuild the URI per request).
const BASE: &str = "/api/1.0/scim";

/// The SCIM routes, any other path under [`BASE`] a SCIM 404, and a method a route lacks a
/// SCIM 405.
pub(super) fn router() -> Router<Shared> {
    let route = |router: Router<Shared>, path: &str, methods: MethodRouter<Shared>| {
        router.route(&format!("{BASE}{path}"), methods.fallback(not_allowed))
    };
    let mut router = Router::new();
    router = route(
        router,
        "/ServiceProviderConfig",
        get(service_provider_config),
    );
    router = route(router, "/ResourceTypes", get(resource_types));
    router = route(router, "/ResourceTypes/{id}", get(resource_type));
    router = route(router, "/Schemas", get(schemas));
    router = route(router, "/Schemas/{id}", get(schema));
    router = route(router, "/Users", get(list_users).post(create_user));
    router = route(router, "/.search", post(search_all));
    router = route(router, "/Users/.search", post(search_users));
    router = route(router, "/Groups/.search", post(search_groups));
    router = route(
        router,
        "/Users/{id}",
        get(get_user)
            .put(replace_user)
            .patch(patch_user)
            .delete(delete_user),
    );
    router = route(router, "/Groups", get(list_groups).post(create_group));
    router = route(
        router,
        "/Groups/{id}",
        get(get_group)
            .put(replace_group)
            .patch(patch_group)
            .delete(delete_group),
    );
    router
        .route(BASE, any(no_endpoint))
        .route(&format!("{BASE}/"), any(no_endpoint))
        .route(&format!("{BASE}/{{*rest}}"), any(no_endpoint))
}

async fn no_endpoint() -> Response {
    scim_error(&ScimError::not_found("No SCIM endpoint at this path"))
}

async fn not_allowed() -> Response {
    scim_error(&ScimError::new(
        405,
        None,
        "This method is not allowed on this SCIM endpoint",
    ))
}
