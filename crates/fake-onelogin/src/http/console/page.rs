//! What every console page shares: the frame and navigation, error pages, forms, and the redirect
//! that follows an action once the queue has settled.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use harness_html::{notice, page};
use serde::Deserialize;

use crate::state::Shared;

pub(super) const PRODUCT: &str = "OneLogin · Administration";
pub(super) const NAV: &[(&str, &str)] = &[
    ("/admin/apps", "Apps"),
    ("/admin/users", "Users"),
    ("/admin/provisioning", "Users > Provisioning"),
    ("/admin/roles", "Roles"),
    ("/admin/events", "Events"),
];

pub(super) fn error(status: StatusCode, message: &str) -> Response {
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

pub(super) fn form(body: &Bytes) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub(super) fn id_of(raw: &str) -> Option<u64> {
    raw.parse().ok()
}

/// `?saved` on a tab a form just saved to (POST-redirect-GET): the tab says so.
#[derive(Deserialize)]
pub(super) struct Saved {
    saved: Option<String>,
}

impl Saved {
    /// The confirmation above the tab (`what` saved.), or nothing on a plain visit.
    pub(super) fn notice(&self, what: &str) -> String {
        self.saved
            .as_ref()
            .map(|_| notice(true, &format!("{what} saved.")))
            .unwrap_or_default()
    }
}

/// Where a form that saved sends the browser: its tab, marked saved.
pub(super) fn saved_url(to: &str) -> String {
    format!("{to}?saved")
}

/// Runs the queue until it settles, then redirects: the next page shows the outcome.
pub(super) async fn settle_then(app: &Shared, to: &str) -> Response {
    crate::engine::run_queue(app, &app.provisioner).await;
    Redirect::to(to).into_response()
}

pub(super) fn checked(on: bool) -> &'static str {
    if on { " checked" } else { "" }
}
pub(super) fn selected(on: bool) -> &'static str {
    if on { " selected" } else { "" }
}
pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
pub(super) fn text(f: &HashMap<String, String>, k: &str) -> Option<String> {
    f.get(k).map(|v| v.trim().to_owned())
}
pub(super) fn optional(f: &HashMap<String, String>, k: &str) -> Option<Option<String>> {
    f.get(k)
        .map(|v| Some(v.trim().to_owned()).filter(|v| !v.is_empty()))
}
