//! Expectations on Asana: a user's records (from the fake's own, or through a SCIM lookup on an
//! external endpoint) and a team's members.

use std::collections::BTreeMap;

use crate::format::settings::DeprovisionVia;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::action::{Action, line};
use crate::report::StepFailure;
use crate::runner::outcome::{Halt, Skip, fail, mismatch};
use crate::runner::state::Runner;

/// The SCIM enterprise extension's schema URN: its attributes are checked as `enterprise.*`.
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsanaUserExpectation {
    /// The Asana user's `userName` (an email).
    pub user_name: String,
    /// In the organization (guests and deprovisioned users count). Default true.
    #[serde(default)]
    pub exists: Option<bool>,
    /// SCIM `active`.
    #[serde(default)]
    pub active: Option<bool>,
    /// Off the organization's domains, invisible to SCIM reads.
    #[serde(default)]
    pub guest: Option<bool>,
    /// `scim_delete`, `scim_put`, `scim_patch`, `rest_remove_user`.
    #[serde(default)]
    pub deprovisioned_via: Option<DeprovisionVia>,
    /// Dotted paths into the SCIM user: `title`, `name.formatted`, `enterprise.department`.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    /// Events the user's records must hold, in this order (others may come between):
    /// `user_deprovisioned`, `user_reprovisioned`.
    #[serde(default)]
    pub events: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamExpectation {
    /// The Asana team's name.
    pub team: String,
    /// Members' emails.
    pub members: Vec<String>,
}

impl Action for AsanaUserExpectation {
    const NAME: &'static str = "expect_asana_user";
    const EXPECTATION: bool = true;

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let Some(asana) = r.fake_asana() else {
            return self.on_external(r).await;
        };
        let Some(record) = asana.user(&self.user_name) else {
            if self.exists.unwrap_or(true) {
                return Err(mismatch(
                    format!("Asana user {}", self.user_name),
                    "exists",
                    "no such user in the organization",
                )
                .into());
            }
            return Ok(());
        };
        Ok(self.compare(&record)?)
    }
}

impl AsanaUserExpectation {
    /// The fake Asana's record of the user, field by field.
    fn compare(&self, record: &fake_asana::UserRecord) -> Result<(), StepFailure> {
        if !self.exists.unwrap_or(true) {
            return Err(mismatch(
                format!("Asana user {}", self.user_name),
                "does not exist",
                format!("exists (active: {})", record.is_active()),
            ));
        }
        self.compare_state(record)?;
        self.compare_events(record)?;
        let mut scim = serde_json::to_value(&record.scim).expect("serializes");
        if let Some(ext) = scim.as_object_mut().and_then(|m| m.remove(ENTERPRISE)) {
            scim["enterprise"] = ext;
        }
        scim["active"] = json!(record.is_active());
        check_fields(&self.fields, &scim, &self.user_name)
    }

    /// Active, guest, and how the user was deprovisioned.
    fn compare_state(&self, record: &fake_asana::UserRecord) -> Result<(), StepFailure> {
        if let Some(active) = self.active
            && record.is_active() != active
        {
            let how = record
                .deprovisioned
                .as_ref()
                .map(|d| {
                    format!(
                        " (deprovisioned via {})",
                        json!(d.via).as_str().unwrap_or("?")
                    )
                })
                .unwrap_or_default();
            return Err(mismatch(
                format!("Asana user {} active", self.user_name),
                active.to_string(),
                format!("{}{how}", record.is_active()),
            ));
        }
        if let Some(guest) = self.guest
            && record.guest != guest
        {
            return Err(mismatch(
                format!("Asana user {} is a guest", self.user_name),
                guest.to_string(),
                record.guest.to_string(),
            ));
        }
        if let Some(via) = self.deprovisioned_via {
            let actual = record
                .deprovisioned
                .as_ref()
                .map(|d| DeprovisionVia::from(d.via));
            if actual != Some(via) {
                let name = |v: Option<DeprovisionVia>| {
                    v.map_or("not deprovisioned".to_owned(), |v| {
                        json!(v).as_str().unwrap_or_default().to_owned()
                    })
                };
                return Err(mismatch(
                    format!("how Asana user {} was deprovisioned", self.user_name),
                    name(Some(via)),
                    name(actual),
                ));
            }
        }
        Ok(())
    }

    /// The events in order, others allowed between.
    fn compare_events(&self, record: &fake_asana::UserRecord) -> Result<(), StepFailure> {
        let events: Vec<&str> = record.events.iter().map(|e| e.event.as_str()).collect();
        let mut remaining = events.iter();
        if self
            .events
            .iter()
            .all(|wanted| remaining.any(|have| have == wanted))
        {
            return Ok(());
        }
        Err(mismatch(
            format!("Asana user {}'s records", self.user_name),
            self.events.join(", "),
            if events.is_empty() {
                "no events".to_owned()
            } else {
                events.join(", ")
            },
        ))
    }

    /// Against an external endpoint, the user is looked up through SCIM.
    async fn on_external(&self, r: &mut Runner) -> Result<(), Halt> {
        if self.guest.is_some() || self.deprovisioned_via.is_some() || !self.events.is_empty() {
            return Err(Halt::Skipped(Skip(
                "guest, deprovisioned_via and events are records only the fake Asana keeps".into(),
            )));
        }
        let user = r.external_user(&self.user_name).await?;
        match (user, self.exists.unwrap_or(true)) {
            (None, true) => Err(mismatch(
                format!("user {}", self.user_name),
                "exists",
                "not found by a userName lookup",
            )
            .into()),
            (Some(u), false) => Err(mismatch(
                format!("user {}", self.user_name),
                "does not exist",
                u.to_string(),
            )
            .into()),
            (None, false) => Ok(()),
            (Some(u), true) => Ok(self.compare_external(u)?),
        }
    }

    fn compare_external(&self, mut u: Value) -> Result<(), StepFailure> {
        // The same dotted paths as against the fake: the extension is `enterprise`.
        if let Some(ext) = u.as_object_mut().and_then(|m| m.remove(ENTERPRISE)) {
            u["enterprise"] = ext;
        }
        if let Some(active) = self.active
            && u["active"] != json!(active)
        {
            return Err(mismatch(
                format!("user {} active", self.user_name),
                active.to_string(),
                u["active"].to_string(),
            ));
        }
        check_fields(&self.fields, &u, &self.user_name)
    }
}

fn check_fields(
    fields: &BTreeMap<String, Value>,
    resource: &Value,
    who: &str,
) -> Result<(), StepFailure> {
    for (path, expected) in fields {
        let actual = path.split('.').try_fold(resource, |v, part| match v {
            Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            other => other.get(part),
        });
        let actual = actual.cloned().unwrap_or(Value::Null);
        if &actual != expected {
            return Err(mismatch(
                format!("{path} of Asana user {who}"),
                expected.to_string(),
                actual.to_string(),
            ));
        }
    }
    Ok(())
}

impl Action for TeamExpectation {
    const NAME: &'static str = "expect_team_members";
    const EXPECTATION: bool = true;

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let asana = r.asana(Self::NAME)?;
        let org = asana.organization();
        let team = org
            .teams
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(&self.team))
            .ok_or_else(|| fail(format!("Asana has no team {}", self.team)))?;
        let mut actual: Vec<String> = team
            .members
            .iter()
            .filter_map(|m| org.users.iter().find(|u| u.gid == *m))
            .map(|u| u.scim.user_name.to_lowercase())
            .collect();
        let mut expected: Vec<String> = self.members.iter().map(|m| m.to_lowercase()).collect();
        actual.sort();
        expected.sort();
        if actual != expected {
            return Err(mismatch(
                format!("members of team {}", self.team),
                expected.join(", "),
                actual.join(", "),
            )
            .into());
        }
        Ok(())
    }
}

/// A line of a scenario file, for tools that write scenarios: what Asana must hold for a
/// `userName` (`exists: false`, `active: true`).
pub(crate) fn user_line(user_name: &str, state: &str) -> String {
    line::<AsanaUserExpectation>(&format!("{{ user_name: {user_name}, {state} }}"))
}
