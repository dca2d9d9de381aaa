//! The token OneLogin holds must be a live service account's. Asana answers a dead or
//! deauthorized token 401 "Not Authorized" (fidelity/asana §2.1, §3.1), and only service
//! accounts may call SCIM (fidelity/asana §2): the fake answers a personal access token 403
//! there, the harness's reading of an undocumented answer ([I] fidelity/asana §2.1). The probe is
//! the request OneLogin's Enable sends (fidelity/onelogin §4); `/users/me` says whose token it is
//! (fidelity/asana §3.3).

use serde_json::Value;

use super::{Context, Verdict};

pub(super) fn dead(cx: &Context) -> Option<Verdict> {
    let probe = &cx.readings.asana.probe;
    (probe.status == 401).then(|| Verdict::Found {
        evidence: format!(
            "Asana answered the Enable probe (GET /Users?filter=userName eq \
             \"never-existing-user\") 401{}: the token was regenerated, deauthorized or deleted",
            message(&probe.body)
        ),
        fix: "In Asana, Admin Console > Apps > Service accounts: give the service account a new \
              token (or add one with the User provisioning (SCIM) permissions); then in OneLogin, \
              Applications > Asana > Configuration: paste it, press Enable, Save, and retry the \
              failed tasks in Users > Provisioning."
            .to_owned(),
    })
}

pub(super) fn wrong_kind(cx: &Context) -> Option<Verdict> {
    let (probe, me) = (&cx.readings.asana.probe, &cx.readings.asana.me);
    if probe.status != 403 {
        return None;
    }
    let data = &me.body["data"];
    let whose = match (me.status, data["email"].as_str()) {
        (200, Some(email)) => format!(
            "; /users/me answered 200: it is the token of {} <{email}>, a person, not a service \
             account",
            data["name"].as_str().unwrap_or("a member")
        ),
        (status, _) => format!("; /users/me answered {status}"),
    };
    Some(Verdict::Found {
        evidence: format!(
            "Asana refused the token on SCIM with 403{}{whose}",
            message(&probe.body)
        ),
        fix: "In Asana, Admin Console > Apps > Service accounts: add a service account with the \
              User provisioning (SCIM) permissions and copy its token; in OneLogin, Applications \
              > Asana > Configuration: paste it in place of the personal access token, press \
              Enable, Save."
            .to_owned(),
    })
}

/// Asana's error message, from its REST body or a SCIM error's `detail`.
fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .or_else(|| body["detail"].as_str())
        .map_or_else(String::new, |m| format!(" \"{m}\""))
}
