//! Nothing reaches Asana while the Provisioning tab's "Enable provisioning" is off, nor while
//! the API connection was never enabled or failed (fidelity/onelogin §1.1, §1.2). The app's
//! `provisioning.enabled` is in the API (fidelity/onelogin §3.3); the connection's status is
//! not, so it is read from the events: the last connection event, or a provisioning failure
//! since that names the API status.

use super::event_types::{
    API_CONNECTED, API_CONNECTION_FAILED, PROVISIONING_FAILED, names_api_status,
};
use super::{Context, Verdict};
use crate::read::Event;

pub(super) fn disabled(cx: &Context) -> Option<Verdict> {
    let app = &cx.readings.onelogin.app;
    let enabled = app.provisioning.as_ref()?.enabled?;
    (!enabled).then(|| Verdict::Found {
        evidence: format!("app {}: provisioning.enabled is false", app.id),
        fix: "In OneLogin, Applications > Asana > Provisioning: tick \"Enable provisioning for \
              Asana\", then Save."
            .to_owned(),
    })
}

pub(super) fn not_connected(cx: &Context) -> Option<Verdict> {
    let app_id = cx.readings.onelogin.app.id;
    let events: Vec<&Event> = cx
        .readings
        .onelogin
        .events
        .iter()
        .filter(|e| e.app_id.is_none_or(|a| a == app_id))
        .collect();
    let last_connection = events
        .iter()
        .rposition(|e| matches!(e.event_type_id, API_CONNECTED | API_CONNECTION_FAILED));
    if let Some(i) = last_connection
        && events[i].event_type_id == API_CONNECTION_FAILED
    {
        return Some(found(format!(
            "event {} at {}: the API connection failed{}",
            events[i].id,
            events[i].created_at,
            describe(events[i])
        )));
    }
    let since = last_connection.map_or(0, |i| i + 1);
    let refused = events[since..].iter().find(|e| {
        e.event_type_id == PROVISIONING_FAILED
            && e.error_description.as_deref().is_some_and(names_api_status)
    })?;
    Some(found(format!(
        "event {} at {}: provisioning failed{}",
        refused.id,
        refused.created_at,
        describe(refused)
    )))
}

fn describe(e: &Event) -> String {
    e.error_description
        .as_deref()
        .map_or_else(String::new, |d| format!(": {d}"))
}

fn found(evidence: String) -> Verdict {
    Verdict::Found {
        evidence,
        fix: "In OneLogin, Applications > Asana > Configuration: paste the service account's \
              token under API Connection, press Enable, Save; then retry the failed tasks in \
              Users > Provisioning."
            .to_owned(),
    }
}
