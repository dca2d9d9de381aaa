//! With approvals on, a task waits in Users > Provisioning until an admin approves it
//! (fidelity/onelogin §2, §6). No API lists the queue (fidelity/onelogin §3.3): a waiting task
//! shows only as the person's `provisioning_state`, and its age only through the event that made
//! it. The doctor counts from the last event about the person and the app when that event is an
//! app given or taken away; after any other (a task settled since), it cannot tell when the
//! waiting task was made, and stays silent rather than guess.

use jiff::SignedDuration;

use super::event_types::{APP_ADDED, APP_REMOVED};
use super::members::{label, list};
use super::{Context, Verdict};

/// Longer than this is "for more than a day".
const DAY: SignedDuration = SignedDuration::from_hours(24);

pub(super) fn pending_over_a_day(cx: &Context) -> Option<Verdict> {
    let onelogin = &cx.readings.onelogin;
    let app = onelogin.app.id;
    let waiting: Vec<String> = onelogin
        .users
        .iter()
        .filter(|u| u.provisioning_state.as_deref() == Some("pending"))
        .filter_map(|u| {
            let last = onelogin
                .events
                .iter()
                .rev()
                .find(|e| e.user_id == Some(u.id) && e.app_id == Some(app))?;
            let waited = cx.now.duration_since(last.created_at);
            (matches!(last.event_type_id, APP_ADDED | APP_REMOVED) && waited > DAY).then(|| {
                format!(
                    "{} (since {}, {}h)",
                    label(u),
                    last.created_at,
                    waited.as_hours()
                )
            })
        })
        .collect();
    (!waiting.is_empty()).then(|| Verdict::Found {
        evidence: format!(
            "{} waiting for approval for more than a day: {}",
            people(waiting.len()),
            list(&waiting)
        ),
        fix: "In OneLogin, Users > Provisioning: approve (or deny) the pending tasks; if nobody \
              is meant to, Applications > Asana > Provisioning: untick \"Require admin approval\" \
              for the actions, then Save."
            .to_owned(),
    })
}

fn people(n: usize) -> String {
    if n == 1 {
        "1 person".to_owned()
    } else {
        format!("{n} people")
    }
}
