//! The two client APIs under `/api/1.0`, SCIM and Asana's REST subset, behind one middleware
//! (`middleware.rs`).
//!
//! The REST routes are axum's, the middleware a layer on each. SCIM, most of the traffic, is
//! dispatched by hand behind the same middleware (`scim/routes.rs`), reached through
//! [`http::Front`](crate::http::Front) without axum's router.

mod middleware;
mod refusals;
mod rest;
mod scim;
mod service;

use axum::Router;

use crate::state::Shared;
use service::ApiLayer;
pub(super) use service::{ScimAnswering, ScimService, scim_service};

/// `/api/1.0`'s REST routes, each behind the middleware.
pub(super) fn rest_router(state: &Shared) -> Router<Shared> {
    rest::router().layer(ApiLayer(state.clone()))
}

/// Whether a path is SCIM's: [`scim::BASE`] or below it. Every such path is answered by
/// [`ScimService`] (a SCIM 404 when it names nothing), as every other path under `/api/1.0`
/// is by the REST routes.
pub(super) fn is_scim(path: &str) -> bool {
    path.strip_prefix(scim::BASE)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
