//! Roles, and the apps each one grants.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use harness_html::{escape, page};

use super::page::*;
use crate::state::Shared;

pub(super) async fn roles(State(app): State<Shared>) -> Response {
    let store = app.store();
    let rows: String = store
        .roles()
        .map(|r| {
            let apps: String = store
                .apps()
                .map(|a| {
                    format!(
                        "<input type=\"checkbox\" id=\"role-{r}-app-{a}\" name=\"app\" value=\"{a}\"{c}><label for=\"role-{r}-app-{a}\">{name}</label>",
                        r = r.id,
                        a = a.id,
                        c = checked(r.apps.contains(&a.id)),
                        name = escape(&a.name)
                    )
                })
                .collect();
            format!(
                "<tr><td>{}</td><td>{}</td><td><form method=\"post\" action=\"/admin/roles/{}/apps\">{apps}<button type=\"submit\">Save</button></form></td></tr>",
                escape(&r.name),
                r.users.len(),
                r.id
            )
        })
        .collect();
    let body = format!(
        "<form method=\"post\" action=\"/admin/roles\"><label for=\"name\">New role</label><input id=\"name\" name=\"name\" required><button type=\"submit\">Save Role</button></form>\
         <table><thead><tr><th>Role</th><th>Users</th><th>Apps</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Html(page(PRODUCT, NAV, "/admin/roles", "Roles", &body)).into_response()
}

pub(super) async fn create_role(State(app): State<Shared>, body: Bytes) -> Response {
    let name = form(&body).remove("name").unwrap_or_default();
    let result = app.store_mut().create_role(name.trim());
    match result {
        Ok(_) => Redirect::to("/admin/roles").into_response(),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

pub(super) async fn set_role_apps(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(role) = id_of(&id) else {
        return error(StatusCode::NOT_FOUND, "There is no such role.");
    };
    let apps: Vec<u64> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "app")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let now = app.clock.now();
    let result = app.store_mut().set_role_apps(role, &apps, now);
    match result {
        Ok(()) => settle_then(&app, "/admin/roles").await,
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}
