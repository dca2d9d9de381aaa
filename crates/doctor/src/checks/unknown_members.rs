//! People Asana had before provisioning was turned on are unknown to OneLogin until Import from
//! Asana links them (fidelity/asana §1.7; the customer case `everyone-already-had-asana`): given
//! the app, each gets a create, which waits for approval by the hundred or meets the member Asana
//! already has. The reading that shows it: a person with the app whom OneLogin has not
//! provisioned (no link: pending, under way, or no state) while Asana has an active member with
//! their email. Asana's members without the app in OneLogin are left alone, the harness's
//! choice: admins and people managed by hand are no pitfall.

use super::members::{self, label, list};
use super::{Context, Verdict};

/// States that say OneLogin holds a link to the person in Asana.
const LINKED: [&str; 3] = ["provisioned", "suspended", "deprovisioned"];

pub(super) fn unknown(cx: &Context) -> Option<Verdict> {
    let (page, _) = members::page(cx.readings)?;
    let unknown: Vec<String> = cx
        .readings
        .onelogin
        .users
        .iter()
        .filter(|u| {
            !u.provisioning_state
                .as_deref()
                .is_some_and(|s| LINKED.contains(&s))
        })
        .filter(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| page.iter().any(|m| m.active && m.is(e)))
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
    (!unknown.is_empty()).then(|| Verdict::Found {
        evidence: format!(
            "already active in Asana, given the app in OneLogin, yet not linked to it: {}",
            list(&unknown)
        ),
        fix: "In OneLogin, Applications > Asana > Users: run Import from Asana, which links \
              them by SCIM Username; their waiting creates are then dropped and later changes \
              reach them."
            .to_owned(),
    })
}
