//! OneLogin's API: the v2 subset under `/api/2` (users, a user's apps, apps, roles and their
//! users and apps; shapes follow fidelity/onelogin §3.2–3.3), one file per resource, and v1's
//! event log (`events`).

mod apps;
pub(super) mod events;
mod roles;
pub(crate) mod users;

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::OlError;
use crate::state::Shared;

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/users", get(users::list_users).post(users::create_user))
        .route(
            "/users/{id}",
            get(users::get_user)
                .put(users::update_user)
                .delete(users::delete_user),
        )
        .route("/users/{id}/apps", get(users::user_apps))
        .route("/apps", get(apps::list_apps))
        .route("/apps/{id}", get(apps::get_app))
        .route("/apps/{id}/users", get(apps::app_users))
        .route("/roles", get(roles::list_roles).post(roles::create_role))
        .route("/roles/{id}", get(roles::get_role))
        .route(
            "/roles/{id}/users",
            get(roles::role_users)
                .post(roles::add_role_users)
                .delete(roles::remove_role_users),
        )
        .route(
            "/roles/{id}/apps",
            get(roles::role_apps).put(roles::set_role_apps),
        )
        .fallback(|| async { OlError::not_found() })
        .method_not_allowed_fallback(|| async { OlError::method_not_allowed() })
}

type ApiResult = Result<Response, OlError>;

fn ts(t: jiff::Timestamp) -> Value {
    json!(t.to_string())
}

/// Query parameters as pairs, `+` and percent-escapes decoded.
fn params(query: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// OneLogin's filter match: exact, case-insensitive; a trailing `*` matches a prefix.
fn field_matches(actual: &str, wanted: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => actual.to_lowercase().starts_with(&prefix.to_lowercase()),
        None => actual.eq_ignore_ascii_case(wanted),
    }
}
