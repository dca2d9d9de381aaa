//! Provisioning failures carry the target's reason in the event's `error_description`
//! (fidelity/onelogin §2). A person's task counts as failed when their last provisioning event
//! for the app in the doctor's window is a failure; those are grouped by reason, so that one
//! cause shows once however many people it stopped. Failures naming the API status are the
//! connection's, which `api-not-connected` reports.

use std::collections::BTreeMap;

use super::event_types::{PROVISIONING_FAILED, PROVISIONING_SUCCEEDED, names_api_status};
use super::members::list;
use super::{Context, Verdict};
use crate::read::Event;

pub(super) fn failed(cx: &Context) -> Option<Verdict> {
    let app = cx.readings.onelogin.app.id;
    let mut last: BTreeMap<u64, &Event> = BTreeMap::new();
    for e in &cx.readings.onelogin.events {
        if e.app_id == Some(app)
            && matches!(
                e.event_type_id,
                PROVISIONING_SUCCEEDED | PROVISIONING_FAILED
            )
            && let Some(user) = e.user_id
        {
            last.insert(user, e);
        }
    }
    let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (user, e) in last {
        let reason = e.error_description.as_deref().unwrap_or("no reason given");
        if e.event_type_id == PROVISIONING_FAILED && !names_api_status(reason) {
            let who = e
                .user_name
                .clone()
                .unwrap_or_else(|| format!("user {user}"));
            by_reason.entry(reason).or_default().push(who);
        }
    }
    if by_reason.is_empty() {
        return None;
    }
    let groups: Vec<String> = by_reason
        .iter()
        .map(|(reason, who)| format!("\"{reason}\": {}", list(who)))
        .collect();
    Some(Verdict::Found {
        evidence: format!("failed provisioning, by reason: {}", groups.join("; ")),
        fix: "Fix each reason above (the customer cases name the usual ones), then in OneLogin, \
              Users > Provisioning: retry the failed tasks."
            .to_owned(),
    })
}
