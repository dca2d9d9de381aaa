//! Apps > Company Apps > Asana: the Configuration, Provisioning and Parameters tabs (the SSO
//! tab is `sso.rs`'s).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use harness_html::{escape, page};
use serde_json::{Value, json};

use super::page::*;
use crate::http::admin::update_provisioning;
use crate::model::{ApiStatus, App, Connector, Mapping, OnDelete, OnSuspend, SchemaUrns};
use crate::state::Shared;

pub(super) async fn apps(State(app): State<Shared>) -> Response {
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

pub(super) fn status_badge(a: &App) -> String {
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

pub(super) fn tabs(a: &App, current: &str) -> String {
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
        "<p class=\"tabs\">{} {} {} {} {}</p>",
        tab("configuration", "Configuration"),
        tab("provisioning", "Provisioning"),
        tab("parameters", "Parameters"),
        tab("sso", "SSO"),
        tab("users", "Users")
    )
}

pub(super) fn app_page(a: &App, tab: &str, body: &str) -> Response {
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

pub(super) fn find_app(app: &Shared, id: &str) -> Option<App> {
    app.store().app(id_of(id)?).cloned()
}

pub(super) async fn configuration(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let placeholder = a.provisioning.token.as_deref().map_or(
        "paste the Asana service account token".to_owned(),
        crate::http::admin::mask,
    );
    let body = format!(
        "{saved}<form method=\"post\" action=\"/admin/apps/{id}/configuration\">\
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
        saved = saved.notice("API connection"),
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
pub(super) async fn save_settings(app: &Shared, id: &str, settings: Value, back: &str) -> Response {
    let Some(a) = find_app(app, id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let next = match update_provisioning(&a.provisioning, &settings) {
        Ok(next) => next,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let now = app.clock.now();
    if let Err(e) = app.store_mut().set_provisioning(a.id, next, now) {
        return error(StatusCode::NOT_FOUND, &e.to_string());
    }
    settle_then(app, &saved_url(&format!("/admin/apps/{}/{back}", a.id))).await
}

pub(super) async fn save_configuration(
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

pub(super) async fn enable(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    crate::engine::enable(&app, &app.provisioner, a.id).await;
    settle_then(&app, &format!("/admin/apps/{}/configuration", a.id)).await
}

pub(super) async fn provisioning_tab(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let p = &a.provisioning;
    let body = format!(
        "{saved}<form method=\"post\" action=\"/admin/apps/{id}/provisioning\">\
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
        saved = saved.notice("Provisioning settings"),
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

pub(super) async fn save_provisioning(
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

pub(super) async fn parameters_tab(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let choice = |name: &str, label: &str, current: Mapping| {
        format!(
            "<p><label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\"><option value=\"email\"{}>Email</option><option value=\"username\"{}>Username</option><option value=\"external_id\"{}>External ID</option></select></p>",
            selected(current == Mapping::Email),
            selected(current == Mapping::Username),
            selected(current == Mapping::ExternalId)
        )
    };
    let p = &a.provisioning.parameters;
    let body = format!(
        "{}<form method=\"post\" action=\"/admin/apps/{}/parameters\"><fieldset><legend>Asana field → OneLogin value</legend>{}{}</fieldset><button type=\"submit\" id=\"save\">Save</button></form>",
        saved.notice("Parameters"),
        a.id,
        choice("name_id", "NameID (Subject)", p.name_id),
        choice("scim_username", "SCIM Username", p.scim_username),
    );
    app_page(&a, "parameters", &body)
}

pub(super) async fn save_parameters(
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

/// The app's Users tab: who has it, each one's provisioning state, and Apply to All > Reset.
pub(super) async fn users_tab(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let rows: String = {
        let store = app.store();
        store
            .app_users(a.id)
            .into_iter()
            .filter_map(|u| store.user(u))
            .map(|u| {
                let state = store.provisioning_state(u.id, a.id);
                format!(
                    "<tr data-email=\"{e}\"><td><a href=\"/admin/users/{id}\">{e}</a></td><td class=\"provisioning-state\">{s}</td></tr>",
                    e = escape(&u.email),
                    id = u.id,
                    s = escape(state.label()),
                )
            })
            .collect()
    };
    let body = format!(
        "<table id=\"app-users\"><thead><tr><th>User</th><th>Provisioning</th></tr></thead><tbody>{rows}</tbody></table>\
         <form method=\"post\" action=\"/admin/apps/{id}/users/reset\"><button type=\"submit\" id=\"reset\">Apply to All › Reset</button></form>\
         <form method=\"post\" action=\"/admin/apps/{id}/import\"><button type=\"submit\" id=\"import\">Import from Asana</button></form>\
         <p>Reset pushes every user who has the app again, through the same approvals as a create.</p>",
        id = a.id
    );
    app_page(&a, "users", &body)
}

pub(super) async fn reset_users(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    let now = app.clock.now();
    if let Err(e) = app.store_mut().reset_app_users(a.id, now) {
        return error(StatusCode::NOT_FOUND, &e.to_string());
    }
    settle_then(&app, &format!("/admin/apps/{}/users", a.id)).await
}

/// Import from Asana, from the app's Users tab: the counts, and who was not matched.
pub(super) async fn import_users(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(a) = find_app(&app, &id) else {
        return error(StatusCode::NOT_FOUND, "There is no such app.");
    };
    match crate::engine::import(&app, &app.provisioner, a.id).await {
        Err(e) => error(StatusCode::CONFLICT, &e.to_string()),
        Ok(r) => {
            let unmatched: String = r
                .unmatched
                .iter()
                .map(|n| format!("<li>{}</li>", escape(n)))
                .collect();
            let body = format!(
                "<p id=\"import-result\">Read {} users from Asana: {} linked, {} already linked, {} not matched, {} matched without the app.</p>\
                 <h2>Not matched (left alone)</h2><ul id=\"unmatched\">{unmatched}</ul>\
                 <p><a href=\"/admin/apps/{}/users\">Back to Users</a></p>",
                r.read,
                r.linked.len(),
                r.already_linked,
                r.unmatched.len(),
                r.matched_without_app.len(),
                a.id
            );
            app_page(&a, "users", &body)
        }
    }
}
