//! Users > Provisioning: the queue, with Approve, Deny and Retry.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use harness_html::{escape, page};

use super::page::*;
use crate::model::{Task, TaskStatus};
use crate::state::Shared;

pub(super) fn task_row(t: &Task, who: &str, buttons: &str) -> String {
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

pub(super) fn verb_button(t: &Task, verb: &str, label: &str) -> String {
    format!(
        "<form class=\"inline\" method=\"post\" action=\"/admin/provisioning/{}/{verb}\"><button type=\"submit\" id=\"{verb}-{}\">{label}</button></form>",
        t.id, t.id
    )
}

pub(super) async fn provisioning_queue(State(app): State<Shared>) -> Response {
    app.sweep();
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

pub(super) async fn decide(
    State(app): State<Shared>,
    Path((task, verb)): Path<(String, String)>,
) -> Response {
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
