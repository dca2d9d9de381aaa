//! The admin console under `/admin`: Asana's Organization settings, as the KB article walks
//! through them: a Service Accounts tab (add one, see its token once, name it, delete it), the
//! Members (active and deprovisioned, with when and why), Teams, and Security (SAML settings
//! and the sign-in log).
//!
//! Every action calls the same store operations as the admin API; the console only renders.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use harness_html::{escape, notice, page, time};

use super::Shared;
use crate::model::{Gid, Organization, SamlMode, SamlSettings, Scope, ServiceAccountRecord};

const NAV: &[(&str, &str)] = &[
    ("/admin/service-accounts", "Service Accounts"),
    ("/admin/members", "Members"),
    ("/admin/teams", "Teams"),
    ("/admin/security", "Security"),
];

/// The console's pages and actions. Every post must carry the browser's CSRF token, which
/// every post form of every page carries (`harness_html::csrf`).
pub(super) fn router(app: &Shared) -> Router<Shared> {
    let csrf = harness_html::csrf::Csrf {
        secure: app.origin.starts_with("https://"),
        product: "Asana",
        nav: NAV,
    };
    Router::new()
        .route(
            "/",
            get(|| async { Redirect::to("/admin/service-accounts") }),
        )
        .route(
            "/service-accounts",
            get(service_accounts).post(add_service_account),
        )
        .route("/service-accounts/{id}/edit", post(edit_service_account))
        .route(
            "/service-accounts/{id}/delete",
            post(delete_service_account),
        )
        .route("/members", get(members))
        .route("/teams", get(teams))
        .route("/security", get(security).post(save_security))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "There is no console page here.") })
        .layer(axum::middleware::from_fn_with_state(
            csrf,
            harness_html::csrf::protect,
        ))
}

fn product(org: &Organization) -> String {
    format!("Asana · {} · Organization settings", org.name)
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Html(page(
            "Asana",
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

fn default_org(app: &Shared) -> Option<Organization> {
    let store = app.store();
    store.organization_records(store.default_org()?)
}

fn accounts_of(app: &Shared, org: Gid) -> Vec<ServiceAccountRecord> {
    app.store()
        .service_accounts()
        .into_iter()
        .filter(|(o, _)| *o == org)
        .map(|(_, sa)| sa)
        .collect()
}

/// The Service Accounts tab; `dialog` is the Edit Service Account dialog of an account just added.
fn service_accounts_page(app: &Shared, dialog: Option<(ServiceAccountRecord, String)>) -> Response {
    let Some(org) = default_org(app) else {
        return error(StatusCode::NOT_FOUND, "There is no organization.");
    };
    let rows: String = accounts_of(app, org.gid)
        .iter()
        .map(|sa| {
            format!(
                "<tr><td>{name}</td><td>{scope}</td><td>{created}</td><td><form class=\"inline\" method=\"post\" action=\"/admin/service-accounts/{id}/delete\"><button type=\"submit\" aria-label=\"Delete {name}\">Delete</button></form></td></tr>",
                name = escape(&sa.name),
                scope = scope_label(sa.scope),
                created = time::stamp(sa.created_at),
                id = sa.gid,
            )
        })
        .collect();
    let table = if rows.is_empty() {
        "<p>No service accounts yet.</p>".to_owned()
    } else {
        format!(
            "<table><thead><tr><th>Name</th><th>Permissions</th><th>Created</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let add = "<form method=\"post\" action=\"/admin/service-accounts\">\
        <label for=\"scope\">Permissions</label>\
        <select id=\"scope\" name=\"scope\"><option value=\"scim\">Scoped: User provisioning (SCIM)</option><option value=\"full\">Full permissions</option></select>\
        <button type=\"submit\" id=\"add-service-account\">Add Service Account</button></form>";
    let dialog = dialog.map_or(String::new(), |(sa, token)| {
        format!(
            "<dialog open aria-labelledby=\"edit-title\"><h2 id=\"edit-title\">Edit Service Account</h2>\
             <form method=\"post\" action=\"/admin/service-accounts/{id}/edit\">\
             <p><label for=\"name\">Name</label><input id=\"name\" name=\"name\" value=\"{name}\" required></p>\
             <p>Token <code id=\"token\">{token}</code> \
             <button type=\"button\" id=\"copy-token\" onclick=\"navigator.clipboard.writeText(document.getElementById('token').textContent)\">Copy</button></p>\
             <p>Copy the token now: it is shown only once.</p>\
             <button type=\"submit\" id=\"save-changes\">Save Changes</button></form></dialog>",
            id = sa.gid,
            name = escape(&sa.name),
            token = escape(&token),
        )
    });
    let body = format!(
        "{dialog}<p>Service accounts act through the API only; they cannot sign in.</p>{add}{table}"
    );
    Html(page(
        &product(&org),
        NAV,
        "/admin/service-accounts",
        "Service Accounts",
        &body,
    ))
    .into_response()
}

fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Scim => "Scoped: User provisioning (SCIM)",
        Scope::Full => "Full permissions",
    }
}

async fn service_accounts(State(app): State<Shared>) -> Response {
    service_accounts_page(&app, None)
}

async fn add_service_account(State(app): State<Shared>, body: Bytes) -> Response {
    let scope = match form(&body).get("scope").map(String::as_str) {
        Some("full") => Scope::Full,
        _ => Scope::Scim,
    };
    let now = app.clock.now();
    let created = {
        let mut store = app.store_mut();
        let Some(org) = store.default_org() else {
            return error(StatusCode::NOT_FOUND, "There is no organization.");
        };
        store.create_service_account(org, "New service account", scope, now, None)
    };
    match created {
        Ok((sa, token)) => service_accounts_page(&app, Some((sa, token))),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

async fn edit_service_account(
    State(app): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(gid) = id.parse::<Gid>() else {
        return error(StatusCode::NOT_FOUND, "There is no such service account.");
    };
    let name = form(&body).remove("name").unwrap_or_default();
    match app.store_mut().rename_service_account(gid, &name) {
        Ok(()) => Redirect::to("/admin/service-accounts").into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

async fn delete_service_account(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(gid) = id.parse::<Gid>() else {
        return error(StatusCode::NOT_FOUND, "There is no such service account.");
    };
    if app.store_mut().delete_service_account(gid).is_ok() {
        Redirect::to("/admin/service-accounts").into_response()
    } else {
        error(StatusCode::NOT_FOUND, "There is no such service account.")
    }
}

async fn members(State(app): State<Shared>) -> Response {
    let Some(org) = default_org(&app) else {
        return error(StatusCode::NOT_FOUND, "There is no organization.");
    };
    let rows: String = org
        .users
        .iter()
        .map(|u| {
            let (status, detail) = match (&u.deprovisioned, u.guest) {
                (Some(d), _) => (
                    "Deprovisioned",
                    format!(
                        "{} by {} via {}; tasks moved to “{}”",
                        time::stamp(d.at),
                        escape(&d.actor),
                        serde_json::to_value(d.via).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                        escape(&d.tasks_project)
                    ),
                ),
                (None, true) => ("Guest", "email off the organization's domains; invisible to SCIM".to_owned()),
                (None, false) if u.is_active() => ("Active", String::new()),
                (None, false) => ("Inactive", String::new()),
            };
            format!(
                "<tr data-email=\"{email}\"><td>{name}</td><td>{email}</td><td class=\"member-status\">{status}</td><td>{detail}</td></tr>",
                name = escape(u.display_name()),
                email = escape(u.email()),
            )
        })
        .collect();
    let body = if rows.is_empty() {
        "<p>No members yet.</p>".to_owned()
    } else {
        format!(
            "<table id=\"members\"><thead><tr><th>Name</th><th>Email</th><th>Status</th><th>Deprovisioned</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    let mut response = Html(page(
        &product(&org),
        NAV,
        "/admin/members",
        "Members",
        &body,
    ))
    .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn teams(State(app): State<Shared>) -> Response {
    let Some(org) = default_org(&app) else {
        return error(StatusCode::NOT_FOUND, "There is no organization.");
    };
    // A snapshot lists users in gid order.
    let name_of = |gid: &Gid| {
        org.users
            .binary_search_by_key(gid, |u| u.gid)
            .map(|i| org.users[i].display_name())
            .unwrap_or_default()
    };
    let rows: String = org
        .teams
        .iter()
        .map(|t| {
            let members: Vec<String> = t.members.iter().map(|m| escape(name_of(m))).collect();
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&t.name),
                members.join(", ")
            )
        })
        .collect();
    let body = if rows.is_empty() {
        "<p>No teams yet.</p>".to_owned()
    } else {
        format!(
            "<table><thead><tr><th>Team</th><th>Members</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    Html(page(&product(&org), NAV, "/admin/teams", "Teams", &body)).into_response()
}

/// Admin console > Security > SAML authentication, and the sign-in log under it.
fn security_page(app: &Shared, message: Option<(bool, String)>) -> Response {
    let Some(org) = default_org(app) else {
        return error(StatusCode::NOT_FOUND, "There is no organization.");
    };
    let form = saml_form(app, &org.saml);
    let log = sign_in_log(app);
    let notice = message.map_or(String::new(), |(ok, m)| notice(ok, &m));
    Html(page(
        &product(&org),
        NAV,
        "/admin/security",
        "Security",
        &format!("{notice}<h2>SAML authentication</h2>{form}<h2>Sign-ins</h2>{log}"),
    ))
    .into_response()
}

/// The Security tab's SAML form, filled with the saved settings.
fn saml_form(app: &Shared, s: &SamlSettings) -> String {
    let option = |value: &str, label: &str, on: bool| {
        format!(
            "<option value=\"{value}\"{}>{label}</option>",
            if on { " selected" } else { "" }
        )
    };
    let modes = [
        option("off", "Off", s.mode == SamlMode::Off),
        option(
            "optional",
            "Optional: SAML or password",
            s.mode == SamlMode::Optional,
        ),
        option(
            "required",
            "Required: members must log in via SAML",
            s.mode == SamlMode::Required,
        ),
    ]
    .concat();
    let fingerprint = s
        .parsed_certificate()
        .map(|c| {
            format!(
                "<p>Certificate SHA-1 <code id=\"certificate-sha1\">{}</code></p>",
                c.sha1_fingerprint()
            )
        })
        .unwrap_or_default();
    format!(
        "<form method=\"post\" action=\"/admin/security\">\
         <p><label for=\"mode\">SAML</label> <select id=\"mode\" name=\"mode\">{modes}</select></p>\
         <p><label for=\"sign_in_url\">Sign-in page URL</label> <input id=\"sign_in_url\" name=\"sign_in_url\" size=\"60\" value=\"{url}\"></p>\
         <p><label for=\"certificate\">X.509 certificate</label><br><textarea id=\"certificate\" name=\"certificate\" rows=\"8\" cols=\"66\">{cert}</textarea></p>{fingerprint}\
         <p><label for=\"timeout\">Session timeout (hours, 1 to 720)</label> <input id=\"timeout\" name=\"session_timeout_hours\" value=\"{timeout}\"></p>\
         <button type=\"submit\" id=\"save-saml\">Save changes</button></form>\
         <p>Service provider: entity ID <code>{entity}</code>, ACS URL <code>{origin}{acs}</code>.</p>",
        url = escape(s.sign_in_url.as_deref().unwrap_or("")),
        cert = escape(s.certificate.as_deref().unwrap_or("")),
        timeout = s.session_timeout_hours,
        entity = crate::sso::ENTITY_ID,
        origin = escape(&app.origin),
        acs = crate::sso::ACS_PATH,
    )
}

/// The newest 50 sign-in attempts, newest first. A sign-in that succeeded has no reason code:
/// its Reason cell says so rather than stay empty.
fn sign_in_log(app: &Shared) -> String {
    let now = app.clock.now();
    let rows: String = app
        .sp
        .sign_ins()
        .iter()
        .rev()
        .take(50)
        .map(|e| {
            format!(
                "<tr><td>{at}</td><td>{via}</td><td>{who}</td><td>{outcome}</td><td>{reason}</td><td>{message}</td></tr>",
                at = time::stamp_ago(e.at, now),
                via = e.via,
                who = escape(e.name_id.as_deref().unwrap_or("")),
                outcome = e.outcome,
                reason = e
                    .reason
                    .map_or_else(|| "-".to_owned(), |r| format!("<code>{}</code>", r.code())),
                message = escape(&e.message),
            )
        })
        .collect();
    if rows.is_empty() {
        "<p>No sign-ins yet.</p>".to_owned()
    } else {
        format!(
            "<table id=\"sign-ins\"><thead><tr><th>Time</th><th>Via</th><th>Who</th><th>Outcome</th><th>Reason</th><th>Message</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    }
}

async fn security(State(app): State<Shared>) -> Response {
    security_page(&app, None)
}

async fn save_security(State(app): State<Shared>, body: Bytes) -> Response {
    let f = form(&body);
    let text = |k: &str| {
        f.get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mode = match f.get("mode").map(String::as_str) {
        Some("optional") => SamlMode::Optional,
        Some("required") => SamlMode::Required,
        _ => SamlMode::Off,
    };
    let timeout = match text("session_timeout_hours").map(|t| t.parse::<u32>()) {
        None => SamlSettings::MAX_TIMEOUT_HOURS,
        Some(Ok(h)) => h,
        Some(Err(_)) => {
            return security_page(
                &app,
                Some((
                    false,
                    "The session timeout must be a number of hours.".into(),
                )),
            );
        }
    };
    let settings = SamlSettings {
        mode,
        sign_in_url: text("sign_in_url"),
        certificate: text("certificate"),
        session_timeout_hours: timeout,
    };
    let saved = {
        let mut store = app.store_mut();
        match store.default_org() {
            Some(org) => store
                .set_saml_settings(org, settings)
                .map_err(|e| e.to_string()),
            None => Err("There is no organization.".into()),
        }
    };
    match saved {
        Ok(()) => security_page(&app, Some((true, "SAML settings saved.".into()))),
        Err(e) => security_page(&app, Some((false, e))),
    }
}
