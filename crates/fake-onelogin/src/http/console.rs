//! The admin console under `/admin`, as the KB article clicks through it: Apps > Company Apps >
//! Asana with its Configuration, Provisioning and Parameters tabs; Users, a user's page with the
//! Applications tab; Users > Provisioning with Approve, Deny and Retry; Roles.
//!
//! Every action goes through the code the APIs use (store operations, `update_provisioning`,
//! the engine's Enable and queue), then settles the queue, so the page that follows shows what
//! happened.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use harness_html::{escape, notice, page};
use serde_json::{Value, json};

use super::admin::update_provisioning;
use super::api::provisioning_state;
use crate::Shared;
use crate::model::{
    ApiStatus, App, Connector, Mapping, OnDelete, OnSuspend, SchemaUrns, Task, TaskStatus, status,
};
use crate::store::UserChanges;

const PRODUCT: &str = "OneLogin · Administration";
const NAV: &[(&str, &str)] = &[
    ("/admin/apps", "Apps"),
    ("/admin/users", "Users"),
    ("/admin/provisioning", "Users > Provisioning"),
    ("/admin/roles", "Roles"),
];

pub(super) fn router() -> Router<Shared> {
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
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user).post(save_user))
        .route("/users/{id}/suspend", post(suspend))
        .route("/users/{id}/unsuspend", post(unsuspend))
        .route("/users/{id}/delete", post(delete_user))
        .route("/users/{id}/roles", post(add_role))
        .route("/users/{id}/roles/{role}/remove", post(remove_role))
        .route("/provisioning", get(provisioning_queue))
        .route("/provisioning/{task}/{verb}", post(decide))
        .route("/roles", get(roles).post(create_role))
        .route("/roles/{id}/apps", post(set_role_apps))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "There is no console page here.") })
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Html(page(
            PRODUCT,
            NAV,
            "",
            "Something went wrong",
            &notice(false, message),
        )),
    )
        .into_response()
}

fn form(body: &Bytes) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn id_of(raw: &str) -> Option<u64> {
    raw.parse().ok()
}

/// Runs the queue until it settles, then redirects: the next page shows the outcome.
async fn settle_then(app: &Shared, to: &str) -> Response {
    crate::engine::run_queue(app, &app.provisioner).await;
    Redirect::to(to).into_response()
}

// -- apps --------------------------------------------------------------------------------------

async fn apps(State(app): State<Shared>) -> Response {
    let store = app.store();
    let rows: String = store
        .apps()
        .map(|a| {
            format!(
                "<tr><td><a href=\"/admin/apps/{}/configuration\">{}</a></td><td>{}</td></tr>",
                a.id,
                escape(&a.name),
                status_badge(a)
            )
        })
        .collect();
    let body = format!(
        "<h2>Company Apps</h2><table><thead><tr><th>App</th><th>API Status</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Html(page(PRODUCT, NAV, "/admin/apps", "Apps", &body)).into_response()
}

fn status_badge(a: &App) -> String {
    let (class, icon, text) = match a.provisioning.api_status {
        ApiStatus::Connected => ("status-connected", "●", "Connected".to_owned()),
        ApiStatus::Failed => (
            "status-failed",
            "✖",
            format!(
                "Failed: {}",
                a.provisioning
                    .api_error
                    .as_deref()
                    .unwrap_or("unknown error")
            ),
        ),
        ApiStatus::Disabled => ("status-disabled", "○", "Disabled".to_owned()),
    };
    format!(
        "<span id=\"api-status\" class=\"{class}\"><span aria-hidden=\"true\">{icon}</span> {}</span>",
        escape(&text)
    )
}

fn tabs(a: &App, current: &str) -> String {
    let tab = |path: &str, label: &str| {
        let href = format!("/admin/apps/{}/{path}", a.id);
        let here = if path == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        format!("<a href=\"{href}\"{here}>{label}</a>")
    };
    format!(
        "<p class=\"tabs\">{} {} {}</p>",
        tab("configuration", "Configuration"),
        tab("provisioning", "Provisioning"),
        tab("parameters", "Parameters")
    )
}

fn app_page(a: &App, tab: &str, body: &str) -> Response {
    let title = format!("Company Apps › {}", a.name);
    Html(page(
        PRODUCT,
        NAV,
        "/admin/apps",
        &title,
        &format!("{}{body}", tabs(a, tab)),
    ))
    .into_response()
}

fn find_app(app: &Shared, id: &str) -> Option<App> {
    app.store().app(id_of(id)?).cloned()
}

async fn configuration(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let placeholder = a.provisioning.token.as_deref().map_or(
        "paste the Asana service account token".to_owned(),
        super::admin::mask,
    );
    let body = format!(
        "<form method=\"post\" action=\"/admin/apps/{id}/configuration\">\
         <fieldset><legend>API Connection</legend>\
         <p><label for=\"token\">Service Account Token</label>\
         <input id=\"token\" name=\"token\" size=\"72\" autocomplete=\"off\" placeholder=\"{placeholder}\"></p>\
         <p><label for=\"connector\">Connector</label><select id=\"connector\" name=\"connector\">\
         <option value=\"asana\"{c1}>Asana (create, import and deactivate)</option>\
         <option value=\"scim\"{c2}>SCIM Provisioner (generic SCIM v2: updates too)</option></select></p>\
         <p><label for=\"schema-urns\">SCIM JSON Template schemas</label><select id=\"schema-urns\" name=\"schema_urns\">\
         <option value=\"onelogin\"{u1}>urn:scim:schemas:core:2.0 (OneLogin's)</option>\
         <option value=\"rfc\"{u2}>urn:ietf:params:scim:schemas:core:2.0:User (RFC 7643)</option></select></p>\
         <button type=\"submit\" id=\"save\">Save</button></fieldset></form>\
         <form method=\"post\" action=\"/admin/apps/{id}/enable\"><p>API Status: {badge} \
         <button type=\"submit\" id=\"enable\">Enable</button></p></form>",
        id = a.id,
        placeholder = escape(&placeholder),
        badge = status_badge(&a),
        c1 = selected(a.provisioning.connector == Connector::Asana),
        c2 = selected(a.provisioning.connector == Connector::Scim),
        u1 = selected(a.provisioning.schema_urns == SchemaUrns::Onelogin),
        u2 = selected(a.provisioning.schema_urns == SchemaUrns::Rfc),
    );
    app_page(&a, "configuration", &body)
}

/// Saves settings through the admin API's own update, so both paths mean the same.
async fn save_settings(app: &Shared, id: &str, settings: Value, back: &str) -> Response {
    let Some(a) = find_app(app, id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let next = match update_provisioning(&a.provisioning, &settings) {
        Ok(next) => next,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("{e:?}")),
    };
    let now = app.clock.now();
    if let Err(e) = app.store_mut().set_provisioning(a.id, next, now) {
        return error(StatusCode::NOT_FOUND, &e.to_string());
    }
    settle_then(app, &format!("/admin/apps/{}/{back}", a.id)).await
}

async fn save_configuration(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut f = form(&body);
    let token = f.remove("token").unwrap_or_default();
    let mut settings = serde_json::Map::new();
    // An empty field keeps the saved token, as the console shows only its mask.
    if !token.trim().is_empty() {
        settings.insert("token".into(), json!(token.trim()));
    }
    for key in ["connector", "schema_urns"] {
        if let Some(v) = f.remove(key) {
            settings.insert(key.into(), json!(v));
        }
    }
    let settings = Value::Object(settings);
    save_settings(&app, &id, settings, "configuration").await
}

async fn enable(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    crate::engine::enable(&app, &app.provisioner, a.id).await;
    settle_then(&app, &format!("/admin/apps/{}/configuration", a.id)).await
}

fn checked(on: bool) -> &'static str {
    if on { " checked" } else { "" }
}

fn selected(on: bool) -> &'static str {
    if on { " selected" } else { "" }
}

async fn provisioning_tab(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let p = &a.provisioning;
    let body = format!(
        "<form method=\"post\" action=\"/admin/apps/{id}/provisioning\">\
         <fieldset><legend>Workflow</legend>\
         <p><input type=\"checkbox\" id=\"enabled\" name=\"enabled\"{enabled}><label for=\"enabled\">Enable provisioning for {name}</label></p></fieldset>\
         <fieldset><legend>Require admin approval before this action is performed</legend>\
         <input type=\"checkbox\" id=\"approve-create\" name=\"approve_create\"{create}><label for=\"approve-create\">Create user</label>\
         <input type=\"checkbox\" id=\"approve-delete\" name=\"approve_delete\"{delete}><label for=\"approve-delete\">Delete user</label>\
         <input type=\"checkbox\" id=\"approve-update\" name=\"approve_update\"{update}><label for=\"approve-update\">Update user</label></fieldset>\
         <fieldset><legend>Entitlements and deprovisioning</legend>\
         <p><label for=\"on-delete\">When users are deleted in OneLogin, or the user's app access is removed, perform the below action</label>\
         <select id=\"on-delete\" name=\"on_delete\"><option value=\"delete\"{d1}>Delete</option><option value=\"suspend\"{d2}>Suspend</option><option value=\"do_nothing\"{d3}>Do Nothing</option></select></p>\
         <p><label for=\"on-suspend\">When users are suspended in OneLogin, perform the following action</label>\
         <select id=\"on-suspend\" name=\"on_suspend\"><option value=\"suspend\"{s1}>Suspend</option><option value=\"do_nothing\"{s2}>Do Nothing</option></select></p></fieldset>\
         <button type=\"submit\" id=\"save\">Save</button></form>",
        id = a.id,
        name = escape(&a.name),
        enabled = checked(p.enabled),
        create = checked(p.require_approval.create),
        delete = checked(p.require_approval.delete),
        update = checked(p.require_approval.update),
        d1 = selected(p.on_delete == OnDelete::Delete),
        d2 = selected(p.on_delete == OnDelete::Suspend),
        d3 = selected(p.on_delete == OnDelete::DoNothing),
        s1 = selected(p.on_suspend == OnSuspend::Suspend),
        s2 = selected(p.on_suspend == OnSuspend::DoNothing),
    );
    app_page(&a, "provisioning", &body)
}

async fn save_provisioning(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let on = |k: &str| f.contains_key(k);
    let settings = json!({
        "enabled": on("enabled"),
        "require_approval": {"create": on("approve_create"), "update": on("approve_update"), "delete": on("approve_delete")},
        "on_delete": f.get("on_delete").cloned().unwrap_or_else(|| "delete".into()),
        "on_suspend": f.get("on_suspend").cloned().unwrap_or_else(|| "suspend".into()),
    });
    save_settings(&app, &id, settings, "provisioning").await
}

async fn parameters_tab(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let choice = |name: &str, label: &str, current: Mapping| {
        format!(
            "<p><label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\"><option value=\"email\"{}>Email</option><option value=\"username\"{}>Username</option></select></p>",
            selected(current == Mapping::Email),
            selected(current == Mapping::Username)
        )
    };
    let p = &a.provisioning.parameters;
    let body = format!(
        "<form method=\"post\" action=\"/admin/apps/{}/parameters\"><fieldset><legend>Asana field → OneLogin value</legend>{}{}</fieldset><button type=\"submit\" id=\"save\">Save</button></form>",
        a.id,
        choice("name_id", "NameID (Subject)", p.name_id),
        choice("scim_username", "SCIM Username", p.scim_username),
    );
    app_page(&a, "parameters", &body)
}

async fn save_parameters(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = form(&body);
    let settings = json!({"parameters": {
        "name_id": f.get("name_id").cloned().unwrap_or_else(|| "email".into()),
        "scim_username": f.get("scim_username").cloned().unwrap_or_else(|| "email".into()),
    }});
    save_settings(&app, &id, settings, "parameters").await
}

// -- users -------------------------------------------------------------------------------------

fn status_name(code: u8) -> &'static str {
    match code {
        status::UNACTIVATED => "Unactivated",
        status::ACTIVE => "Active",
        status::SUSPENDED => "Suspended",
        status::LOCKED => "Locked",
        status::PASSWORD_EXPIRED => "Password expired",
        status::AWAITING_PASSWORD_RESET => "Awaiting password reset",
        status::PASSWORD_PENDING => "Password pending",
        status::SECURITY_QUESTIONS_REQUIRED => "Security questions required",
        _ => "Unknown",
    }
}

async fn users(State(app): State<Shared>) -> Response {
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
                status_name(u.status)
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

fn text(f: &HashMap<String, String>, k: &str) -> Option<String> {
    f.get(k).map(|v| v.trim().to_owned())
}

fn optional(f: &HashMap<String, String>, k: &str) -> Option<Option<String>> {
    f.get(k)
        .map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
}

async fn create_user(State(app): State<Shared>, body: Bytes) -> Response {
    let f = form(&body);
    let email = text(&f, "email").unwrap_or_default();
    let username = text(&f, "username")
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
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

async fn user(State(app): State<Shared>, Path(id): Path<String>) -> Response {
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
    let options: String = store
        .roles()
        .filter(|r| !role_ids.contains(&r.id))
        .map(|r| format!("<option value=\"{}\">{}</option>", r.id, escape(&r.name)))
        .collect();
    let apps: String = store
        .apps()
        .filter(|a| store.has_access(u.id, a.id))
        .map(|a| {
            let state = provisioning_state(&store, u.id, a.id);
            let label = match state {
                "pending" => "<a href=\"/admin/provisioning\">Pending</a>".to_owned(),
                other => escape(&capitalize(other)),
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
            format!(
                "<tr><td>{}</td><td class=\"provisioning-state\" data-app=\"{}\">{label}</td>\
                 <td class=\"target-id\">{}</td><td class=\"last-task\">{}</td></tr>",
                escape(&a.name),
                escape(&a.name),
                escape(target_id),
                escape(&last),
            )
        })
        .collect();
    let suspend = if u.status == status::SUSPENDED {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/admin/users/{}/unsuspend\"><button type=\"submit\" id=\"unsuspend\">Unsuspend</button></form>",
            u.id
        )
    } else {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/admin/users/{}/suspend\"><button type=\"submit\" id=\"suspend\">Suspend</button></form>",
            u.id
        )
    };
    let body = format!(
        "<p>Status: <span id=\"user-status\">{status}</span></p>\
         <form method=\"post\" action=\"/admin/users/{id}\"><fieldset><legend>User info</legend>{f1}{f2}{f3}{f4}{f5}{f6}\
         <button type=\"submit\" id=\"save-user\">Save User</button></fieldset></form>\
         <p>{suspend} <form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/delete\"><button type=\"submit\" id=\"delete-user\">Delete</button></form></p>\
         <h2>Roles</h2><ul>{roles}</ul>\
         <form method=\"post\" action=\"/admin/users/{id}/roles\"><label for=\"role\">Add a role</label><select id=\"role\" name=\"role\">{options}</select>\
         <button type=\"submit\" id=\"add-role\">Add Role</button></form>\
         <h2>Applications</h2><table id=\"applications\"><thead><tr><th>App</th><th>Provisioning</th><th>User id in the app</th><th>Last task</th></tr></thead><tbody>{apps}</tbody></table>",
        status = status_name(u.status),
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

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

async fn change_user(app: &Shared, id: &str, changes: UserChanges) -> Response {
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

async fn save_user(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
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

async fn suspend(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    change_user(
        &app,
        &id,
        UserChanges {
            status: Some(status::SUSPENDED),
            ..UserChanges::default()
        },
    )
    .await
}

async fn unsuspend(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    change_user(
        &app,
        &id,
        UserChanges {
            status: Some(status::ACTIVE),
            ..UserChanges::default()
        },
    )
    .await
}

async fn delete_user(State(app): State<Shared>, Path(id): Path<String>) -> Response {
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

async fn add_role(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
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

async fn remove_role(
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

// -- the provisioning queue ----------------------------------------------------------------------

fn task_row(t: &Task, who: &str, buttons: &str) -> String {
    let action = serde_json::to_value(t.action)
        .ok()
        .and_then(|v| v.as_str().map(capitalize))
        .unwrap_or_default();
    let status = serde_json::to_value(t.status)
        .ok()
        .and_then(|v| v.as_str().map(|s| capitalize(&s.replace('_', " "))))
        .unwrap_or_default();
    format!(
        "<tr id=\"task-{id}\"><td>{id}</td><td>{who}</td><td>{action}</td><td>{reason}</td><td class=\"task-status\">{status}</td><td>{error}</td><td>{buttons}</td></tr>",
        id = t.id,
        who = escape(who),
        reason = escape(&t.reason),
        error = escape(t.error.as_deref().unwrap_or("")),
    )
}

fn verb_button(t: &Task, verb: &str, label: &str) -> String {
    format!(
        "<form class=\"inline\" method=\"post\" action=\"/admin/provisioning/{}/{verb}\"><button type=\"submit\" id=\"{verb}-{}\">{label}</button></form>",
        t.id, t.id
    )
}

async fn provisioning_queue(State(app): State<Shared>) -> Response {
    let store = app.store();
    let who = |t: &Task| {
        store
            .user(t.user_id)
            .map_or_else(|| t.payload.email.clone(), |u| u.email.clone())
    };
    let mut pending = String::new();
    let mut failed = String::new();
    let mut finished = String::new();
    for t in store.tasks().collect::<Vec<_>>().into_iter().rev() {
        match t.status {
            TaskStatus::Pending => {
                pending += &task_row(
                    t,
                    &who(t),
                    &format!(
                        "{} {}",
                        verb_button(t, "approve", "Approve"),
                        verb_button(t, "deny", "Deny")
                    ),
                )
            }
            TaskStatus::Failed => {
                failed += &task_row(t, &who(t), &verb_button(t, "retry", "Retry"))
            }
            _ => finished += &task_row(t, &who(t), ""),
        }
    }
    let table = |id: &str, rows: &str| {
        if rows.is_empty() {
            "<p>None.</p>".to_owned()
        } else {
            format!(
                "<table id=\"{id}\"><thead><tr><th>Task</th><th>User</th><th>Action</th><th>Why</th><th>Status</th><th>Error</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
            )
        }
    };
    let body = format!(
        "<h2>Pending approval</h2>{}<h2>Failed</h2>{}<h2>Finished</h2>{}",
        table("pending", &pending),
        table("failed", &failed),
        table("finished", &finished)
    );
    Html(page(
        PRODUCT,
        NAV,
        "/admin/provisioning",
        "Provisioning",
        &body,
    ))
    .into_response()
}

async fn decide(State(app): State<Shared>, Path((task, verb)): Path<(String, String)>) -> Response {
    let Some(task) = id_of(&task) else {
        return error(StatusCode::NOT_FOUND, "There is no such task.");
    };
    let now = app.clock.now();
    let result = {
        let mut store = app.store_mut();
        match verb.as_str() {
            "approve" => store.approve(task, now).map(|_| ()),
            "deny" => store.deny(task, now).map(|_| ()),
            "retry" => store.retry(task, now).map(|_| ()),
            _ => return error(StatusCode::NOT_FOUND, "There is no such action."),
        }
    };
    match result {
        Ok(()) => settle_then(&app, "/admin/provisioning").await,
        Err(e @ crate::store::StoreError::NotFound(_)) => error(
            StatusCode::NOT_FOUND,
            &format!("There is no such task ({e})."),
        ),
        Err(e) => error(StatusCode::CONFLICT, &e.to_string()),
    }
}

// -- roles -------------------------------------------------------------------------------------

async fn roles(State(app): State<Shared>) -> Response {
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

async fn create_role(State(app): State<Shared>, body: Bytes) -> Response {
    let name = form(&body).remove("name").unwrap_or_default();
    let result = app.store_mut().create_role(name.trim());
    match result {
        Ok(_) => Redirect::to("/admin/roles").into_response(),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

async fn set_role_apps(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
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
