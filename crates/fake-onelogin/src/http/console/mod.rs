//! The admin console under `/admin`, as the KB article clicks through it: Apps > Company Apps >
//! Asana with its Configuration, Provisioning, Parameters and SSO tabs; Users, a user's page with the
//! Applications tab (apps through roles, and given directly); Users > Provisioning with Approve, Deny and Retry; Roles.
//!
//! Every action goes through the code the APIs use (store operations, `update_provisioning`,
//! the engine's Enable and queue), then settles the queue, so the page that follows shows what
//! happened.

mod apps;
mod events;
mod page;
mod queue;
mod roles;
mod sso;
mod users;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::state::Shared;
use apps::{
    apps, configuration, enable, import_users, parameters_tab, provisioning_tab, reset_users,
    save_configuration, save_parameters, save_provisioning, users_tab,
};
use page::error;
use queue::{decide, provisioning_queue};
use roles::{create_role, roles, set_role_apps};
use sso::{
    certificate_details, download_certificate, remove_certificate, rotate, save_sso, sso_tab,
};
use users::{
    add_role, assign_app, create_user, delete_user, remove_role, save_user, suspend, unassign_app,
    unsuspend, user, users,
};

/// The console's pages and actions. Every post must carry the browser's CSRF token, which
/// every post form of every page carries (`harness_html::csrf`).
pub(super) fn router(app: &Shared) -> Router<Shared> {
    let csrf = harness_html::csrf::Csrf {
        secure: app.origin.starts_with("https://"),
        product: page::PRODUCT,
        nav: page::NAV,
    };
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin/apps") }))
        .route("/apps", get(apps))
        .route(
            "/apps/{id}",
            get(|Path(id): Path<String>| async move {
                Redirect::to(&format!("/admin/apps/{id}/configuration"))
            }),
        )
        .route(
            "/apps/{id}/configuration",
            get(configuration).post(save_configuration),
        )
        .route("/apps/{id}/enable", post(enable))
        .route(
            "/apps/{id}/provisioning",
            get(provisioning_tab).post(save_provisioning),
        )
        .route(
            "/apps/{id}/parameters",
            get(parameters_tab).post(save_parameters),
        )
        .route("/apps/{id}/sso", get(sso_tab).post(save_sso))
        .route("/apps/{id}/users", get(users_tab))
        .route("/apps/{id}/users/reset", post(reset_users))
        .route("/apps/{id}/import", post(import_users))
        .route("/apps/{id}/sso/rotate", post(rotate))
        .route(
            "/apps/{id}/sso/certificates/{cert}",
            get(certificate_details),
        )
        .route(
            "/apps/{id}/sso/certificates/{cert}/download",
            get(download_certificate),
        )
        .route(
            "/apps/{id}/sso/certificates/{cert}/remove",
            post(remove_certificate),
        )
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user).post(save_user))
        .route("/users/{id}/suspend", post(suspend))
        .route("/users/{id}/unsuspend", post(unsuspend))
        .route("/users/{id}/delete", post(delete_user))
        .route("/users/{id}/roles", post(add_role))
        .route("/users/{id}/apps", post(assign_app))
        .route("/users/{id}/apps/{app}/remove", post(unassign_app))
        .route("/users/{id}/roles/{role}/remove", post(remove_role))
        .route("/provisioning", get(provisioning_queue))
        .route("/provisioning/{task}/{verb}", post(decide))
        .route("/roles", get(roles).post(create_role))
        .route("/events", get(events::events))
        .route("/roles/{id}/apps", post(set_role_apps))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "There is no console page here.") })
        .layer(axum::middleware::from_fn_with_state(
            csrf,
            harness_html::csrf::protect,
        ))
}
