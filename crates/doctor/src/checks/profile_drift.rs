//! OneLogin's Asana connector sends no profile updates: with OneLogin, Asana supports create,
//! import and deactivate only (fidelity/asana §1.7). A rename in OneLogin therefore never
//! reaches Asana. The fact a reading can show is its result: a person with the app whose name in
//! OneLogin is not their name in Asana.

use super::members::{self, label, list};
use super::{Context, Verdict};

pub(super) fn drift(cx: &Context) -> Option<Verdict> {
    let (page, _) = members::page(cx.readings)?;
    let differ: Vec<String> = cx
        .readings
        .onelogin
        .users
        .iter()
        .filter_map(|u| {
            let m = page
                .iter()
                .find(|m| u.email.as_deref().is_some_and(|e| m.is(e)))?;
            let onelogin = (u.firstname.as_deref(), u.lastname.as_deref());
            let asana = (m.given_name.as_deref(), m.family_name.as_deref());
            (onelogin != asana).then(|| {
                format!(
                    "{}: \"{}\" in OneLogin, \"{}\" in Asana",
                    label(u),
                    name(onelogin),
                    name(asana)
                )
            })
        })
        .collect();
    (!differ.is_empty()).then(|| Verdict::Found {
        evidence: format!(
            "profile changes that never reached Asana: {}",
            list(&differ)
        ),
        fix: "OneLogin's Asana connector sends no updates: change them in Asana by hand (Admin \
              Console > Members), or provision with OneLogin's generic SCIM app, which sends \
              every change."
            .to_owned(),
    })
}

fn name((given, family): (Option<&str>, Option<&str>)) -> String {
    [given, family]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}
