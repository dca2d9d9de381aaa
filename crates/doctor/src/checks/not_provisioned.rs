//! People with the app whom Asana does not have, while OneLogin is not working on them: no task
//! waits, runs or failed (those have their own checks), yet no member of Asana's page has their
//! email. Judged only when provisioning is on (`provisioning-disabled` explains the rest) and the
//! page holds every member (absence from a partial page proves nothing).

use super::members::{self, label, list};
use super::{Context, Verdict};

/// States another check reports, or that say the task is under way.
const IN_HAND: [&str; 3] = ["pending", "provisioning", "failed"];

pub(super) fn not_provisioned(cx: &Context) -> Option<Verdict> {
    let onelogin = &cx.readings.onelogin;
    if onelogin.app.provisioning.as_ref().and_then(|p| p.enabled) != Some(true) {
        return None;
    }
    let (page, complete) = members::page(cx.readings)?;
    if !complete {
        return None;
    }
    let missing: Vec<String> = onelogin
        .users
        .iter()
        .filter(|u| {
            !u.provisioning_state
                .as_deref()
                .is_some_and(|s| IN_HAND.contains(&s))
        })
        .filter(|u| {
            u.email
                .as_deref()
                .is_none_or(|email| !page.iter().any(|m| m.is(email)))
        })
        .map(|u| {
            format!(
                "{} ({})",
                label(u),
                u.provisioning_state
                    .as_deref()
                    .unwrap_or("no provisioning state")
            )
        })
        .collect();
    (!missing.is_empty()).then(|| Verdict::Found {
        evidence: format!(
            "with the Asana app in OneLogin but not in Asana: {}",
            list(&missing)
        ),
        fix: "In OneLogin, Applications > Asana > Users: select them and Apply to All > Reset \
              (or remove and give the app again), so that OneLogin makes their create tasks."
            .to_owned(),
    })
}
