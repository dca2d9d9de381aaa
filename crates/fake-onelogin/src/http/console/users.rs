//! Users, and a user's page with the Applications tab.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use harness_html::{escape, page};
use serde_json::{Value, json};

use super::page::*;
use crate::model::{App, OneLoginUser, ProvisioningState, UserStatus};
use crate::state::Shared;
use crate::store::Store;
use crate::store::UserChanges;

pub(super) async fn users(State(app): State<Shared>) -> Response {
    let store = app.store();
    let rows: String = store
        .users()
        .map(|u| {
            format!(
                "<tr><td><a href=\"/admin/users/{}\">{} {}</a></td><td>{}</td><td>{}</td></tr>",
                u.id,
                escape(&u.firstname),
                escape(&u.lastname),
                escape(&u.email),
                u.status.label()
            )
        })
        .collect();
    let body = format!(
        "<form method=\"post\" action=\"/admin/users\"><fieldset><legend>New user</legend>\
         <label for=\"firstname\">First name</label><input id=\"firstname\" name=\"firstname\">\
         <label for=\"lastname\">Last name</label><input id=\"lastname\" name=\"lastname\">\
         <label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" required>\
         <label for=\"username\">Username</label><input id=\"username\" name=\"username\">\
         <button type=\"submit\" id=\"create-user\">Save User</button></fieldset></form>\
         <table id=\"users\"><thead><tr><th>Name</th><th>Email</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Html(page(PRODUCT, NAV, "/admin/users", "Users", &body)).into_response()
}

pub(super) async fn create_user(State(app): State<Shared>, body: Bytes) -> Response {
    let f = form(&body);
    let email = text(&f, "email").unwrap_or_default();
    let username = text(&f, "username")
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| OneLoginUser::default_username(&email));
    let changes = UserChanges {
        username: Some(username),
        email: Some(email),
        firstname: text(&f, "firstname"),
        lastname: text(&f, "lastname"),
        ..UserChanges::default()
    };
    let now = app.clock.now();
    let created = app.store_mut().create_user(changes, now);
    match created {
        Ok(id) => Redirect::to(&format!("/admin/users/{id}")).into_response(),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

pub(super) async fn user(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let store = app.store();
    let Some(u) = id_of(&id).and_then(|id| store.user(id)) else {
        return error(StatusCode::NOT_FOUND, "There is no such user.");
    };
    let field = |name: &str, label: &str, value: &str| {
        format!(
            "<p><label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\" value=\"{}\"></p>",
            escape(value)
        )
    };
    let role_ids = store.role_ids(u.id);
    let roles: String = role_ids
        .iter()
        .filter_map(|r| store.role(*r))
        .map(|r| {
            format!(
                "<li>{} <form class=\"inline\" method=\"post\" action=\"/admin/users/{}/roles/{}/remove\"><button type=\"submit\">Remove</button></form></li>",
                escape(&r.name),
                u.id,
                r.id
            )
        })
        .collect();
    let options: Vec<(u64, String)> = store
        .roles()
        .filter(|r| !role_ids.contains(&r.id))
        .map(|r| (r.id, r.name.clone()))
        .collect();
    let add_role = add_form(
        u.id,
        "roles",
        ("role", "Add a role", "Add Role"),
        &options,
        if store.roles().next().is_none() {
            "There are no roles yet: create one under <a href=\"/admin/roles\">Roles</a>."
        } else {
            "Every role is already given to this user."
        },
    );
    let apps: String = store
        .apps()
        .filter(|a| store.has_access(u.id, a.id))
        .map(|a| app_row(&store, u, a))
        .collect();
    let assignable: Vec<(u64, String)> = store
        .apps()
        .filter(|a| !store.assigned_directly(u.id, a.id))
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let add_app = add_form(
        u.id,
        "apps",
        ("app", "Add an app", "Add App"),
        &assignable,
        "Every app is already assigned to this user directly.",
    );
    let suspend = suspend_button(u);
    let body = format!(
        "<p>Status: <span id=\"user-status\">{status}</span></p>\
         <form method=\"post\" action=\"/admin/users/{id}\"><fieldset><legend>User info</legend>{f1}{f2}{f3}{f4}{f5}{f6}\
         <button type=\"submit\" id=\"save-user\">Save User</button></fieldset></form>\
         <p>{suspend} <form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/delete\"><button type=\"submit\" id=\"delete-user\">Delete</button></form></p>\
         <h2>Roles</h2><ul>{roles}</ul>\
         {add_role}\
         <h2>Applications</h2><table id=\"applications\"><thead><tr><th>App</th><th>Provisioning</th><th>User id in the app</th><th>Last task</th><th>Assigned</th></tr></thead><tbody>{apps}</tbody></table>\
         {add_app}",
        status = u.status.label(),
        id = u.id,
        f1 = field("firstname", "First name", &u.firstname),
        f2 = field("lastname", "Last name", &u.lastname),
        f3 = field("email", "Email", &u.email),
        f4 = field("username", "Username", &u.username),
        f5 = field("title", "Title", u.title.as_deref().unwrap_or("")),
        f6 = field(
            "department",
            "Department",
            u.department.as_deref().unwrap_or("")
        ),
    );
    let title = format!("{} {}", u.firstname, u.lastname);
    Html(page(PRODUCT, NAV, "/admin/users", &title, &body)).into_response()
}

/// An Add Role / Add App form: a select of `choices` and its button, or, with nothing to offer,
/// both disabled and `hint` (HTML) saying why, so no click leads to an error page.
fn add_form(
    user: u64,
    path: &str,
    (name, label, button): (&str, &str, &str),
    choices: &[(u64, String)],
    hint: &str,
) -> String {
    let options: String = choices
        .iter()
        .map(|(id, n)| format!("<option value=\"{id}\">{}</option>", escape(n)))
        .collect();
    let (disabled, hint) = if choices.is_empty() {
        (
            " disabled",
            format!(" <span class=\"hint\" id=\"add-{name}-hint\">{hint}</span>"),
        )
    } else {
        ("", String::new())
    };
    format!(
        "<form method=\"post\" action=\"/admin/users/{user}/{path}\"><label for=\"{name}\">{label}</label>\
         <select id=\"{name}\" name=\"{name}\"{disabled}>{options}</select>\
         <button type=\"submit\" id=\"add-{name}\"{disabled}>{button}</button>{hint}</form>"
    )
}

/// A row of the Applications tab: the app's provisioning state, the target's id for the user,
/// the newest task, and how the user has the app.
fn app_row(store: &Store, u: &OneLoginUser, a: &App) -> String {
    let state = store.provisioning_state(u.id, a.id);
    let label = match state {
        ProvisioningState::Pending => "<a href=\"/admin/provisioning\">Pending</a>".to_owned(),
        other => escape(other.label()),
    };
    let target_id = store
        .link(u.id, a.id)
        .and_then(|l| l.scim_id.as_deref())
        .unwrap_or("");
    // The newest task says why nothing happened, when nothing did.
    let last = store
        .last_task(u.id, a.id)
        .map(|t| {
            let word = |v: Value| v.as_str().unwrap_or_default().to_owned();
            let mut text = format!("{} {}", word(json!(t.action)), word(json!(t.status)));
            if let Some(e) = &t.error {
                text.push_str(": ");
                text.push_str(e);
            }
            text
        })
        .unwrap_or_default();
    // How the user has the app: directly (removable here), through a role, or both.
    let how = if store.assigned_directly(u.id, a.id) {
        format!(
            "directly <form class=\"inline\" method=\"post\" action=\"/admin/users/{}/apps/{}/remove\"><button type=\"submit\" id=\"remove-app-{}\">Remove</button></form>",
            u.id, a.id, a.id
        )
    } else {
        "through a role".to_owned()
    };
    format!(
        "<tr><td>{}</td><td class=\"provisioning-state\" data-app=\"{}\">{label}</td>\
         <td class=\"target-id\">{}</td><td class=\"last-task\">{}</td><td class=\"assigned\">{how}</td></tr>",
        escape(&a.name),
        escape(&a.name),
        escape(target_id),
        escape(&last),
    )
}

/// Suspend, or Unsuspend for a suspended user.
fn suspend_button(u: &OneLoginUser) -> String {
    if u.status == UserStatus::Suspended {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/admin/users/{}/unsuspend\"><button type=\"submit\" id=\"unsuspend\">Unsuspend</button></form>",
            u.id
        )
    } else {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/admin/users/{}/suspend\"><button type=\"submit\" id=\"suspend\">Suspend</button></form>",
            u.id
        )
    }
}

pub(super) async fn change_user(app: &Shared, id: &str, changes: UserChanges) -> Response {
    let Some(id) = id_of(id) else {
        return error(StatusCode::NOT_FOUND, "There is no such user.");
    };
    let now = app.clock.now();
    let result = app.store_mut().update_user(id, changes, now);
    match result {
        Ok(()) => settle_then(app, &format!("/admin/users/{id}")).await,
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

pub(super) async fn save_user(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let changes = UserChanges {
        firstname: text(&f, "firstname"),
        lastname: text(&f, "lastname"),
        email: text(&f, "email"),
        username: text(&f, "username"),
        title: optional(&f, "title"),
        department: optional(&f, "department"),
        ..UserChanges::default()
    };
    change_user(&app, &id, changes).await
}

pub(super) async fn suspend(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    change_user(
        &app,
        &id,
        UserChanges {
            status: Some(UserStatus::Suspended.code()),
            ..UserChanges::default()
        },
    )
    .await
}

pub(super) async fn unsuspend(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    change_user(
        &app,
        &id,
        UserChanges {
            status: Some(UserStatus::Active.code()),
            ..UserChanges::default()
        },
    )
    .await
}

pub(super) async fn delete_user(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(id) = id_of(&id) else {
        return error(StatusCode::NOT_FOUND, "There is no such user.");
    };
    let now = app.clock.now();
    let result = app.store_mut().delete_user(id, now);
    match result {
        Ok(()) => settle_then(&app, "/admin/users").await,
        Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
    }
}

pub(super) async fn add_role(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (Some(user), Some(role)) = (id_of(&id), form(&body).get("role").and_then(|r| id_of(r)))
    else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Choose a role to add.");
    };
    let now = app.clock.now();
    let result = app.store_mut().add_role_users(role, &[user], now);
    match result {
        Ok(_) => settle_then(&app, &format!("/admin/users/{user}")).await,
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

pub(super) async fn remove_role(
    State(app): State<Shared>,
    Path((id, role)): Path<(String, String)>,
) -> Response {
    let (Some(user), Some(role)) = (id_of(&id), id_of(&role)) else {
        return error(StatusCode::NOT_FOUND, "There is no such role.");
    };
    let now = app.clock.now();
    let result = app.store_mut().remove_role_users(role, &[user], now);
    match result {
        Ok(()) => settle_then(&app, &format!("/admin/users/{user}")).await,
        Err(e) => error(StatusCode::NOT_FOUND, &e.to_string()),
    }
}

/// The Applications tab's Add App: the app given to this user directly.
pub(super) async fn assign_app(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (Some(user), Some(app_id)) = (id_of(&id), form(&body).get("app").and_then(|a| id_of(a)))
    else {
        return error(StatusCode::NOT_FOUND, "There is no such user or app.");
    };
    let now = app.clock.now();
    if let Err(e) = app.store_mut().assign_app(user, app_id, now) {
        return error(StatusCode::NOT_FOUND, &e.to_string());
    }
    settle_then(&app, &format!("/admin/users/{user}")).await
}

/// Remove, beside an app given directly.
pub(super) async fn unassign_app(
    State(app): State<Shared>,
    Path((id, app_id)): Path<(String, String)>,
) -> Response {
    let (Some(user), Some(app_id)) = (id_of(&id), id_of(&app_id)) else {
        return error(StatusCode::NOT_FOUND, "There is no such user or app.");
    };
    let now = app.clock.now();
    if let Err(e) = app.store_mut().unassign_app(user, app_id, now) {
        return error(StatusCode::NOT_FOUND, &e.to_string());
    }
    settle_then(&app, &format!("/admin/users/{user}")).await
}
