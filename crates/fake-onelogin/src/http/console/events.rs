//! Activity > Events: the event log, newest first, as `GET /api/1/events` serves it.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use harness_html::{escape, page, time};

use super::page::*;
use crate::state::Shared;

pub(super) async fn events(State(app): State<Shared>) -> Response {
    app.sweep();
    let now = app.clock.now();
    let rows: String = {
        let store = app.store();
        store
            .events()
            .iter()
            .rev()
            .take(200)
            .map(|e| {
                let kind = e.event_type_id.name();
                format!(
                    "<tr data-type=\"{t}\"><td>{at}</td><td>{t}</td><td>{kind}</td><td>{user}</td><td>{app}</td><td>{notes}</td><td class=\"error-description\">{error}</td></tr>",
                    at = time::stamp_ago(e.created_at, now),
                    t = e.event_type_id.id(),
                    kind = escape(kind),
                    user = escape(e.user_name.as_deref().unwrap_or("")),
                    app = escape(e.app_name.as_deref().unwrap_or("")),
                    notes = escape(e.notes.as_deref().unwrap_or("")),
                    error = escape(e.error_description.as_deref().unwrap_or("")),
                )
            })
            .collect()
    };
    let body = format!(
        "<p>The newest 200 events; all of them, with filters, at <code>GET /api/1/events</code>.</p>\
         <table id=\"events\"><thead><tr><th>Time</th><th>Type</th><th>Event</th><th>User</th><th>App</th><th>Notes</th><th>Error</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Html(page(PRODUCT, NAV, "/admin/events", "Events", &body)).into_response()
}
