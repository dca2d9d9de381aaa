//! Expectations: what a step checks on either side, and how a difference is reported.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::outcome::{Halt, Skip, fail, mismatch};
use super::runner::Runner;
use super::tasks::{describe_task, word};
use crate::format::*;
use crate::report::StepFailure;

impl Runner {
    pub(super) async fn expect_api_status(
        &mut self,
        e: &ApiStatusExpectation,
    ) -> Result<(), StepFailure> {
        let path = format!(
            "/__admin/apps/{}/provisioning",
            self.onelogin.asana_app_id()
        );
        let config = self.ol(Method::GET, &path, None, StatusCode::OK).await?;
        let expected = serde_json::to_value(e.status).expect("serializes");
        if config["api_status"] != expected {
            return Err(mismatch(
                "the Asana app's API status",
                expected.to_string(),
                format!("{} (error: {})", config["api_status"], config["api_error"]),
            ));
        }
        if let Some(needle) = &e.error_contains {
            let error = config["api_error"].as_str().unwrap_or_default();
            if !error.contains(needle.as_str()) {
                return Err(mismatch(
                    "the Asana app's API error",
                    format!("containing {needle:?}"),
                    error,
                ));
            }
        }
        Ok(())
    }

    pub(super) async fn expect_task(&mut self, e: &TaskExpectation) -> Result<(), StepFailure> {
        let Some(task) = self.find_task(&e.user, e.action, &[]).await? else {
            return Err(mismatch(
                format!(
                    "{} has no {} task",
                    e.user,
                    e.action.map(word).unwrap_or_default()
                ),
                "a task",
                self.describe_tasks_of(&e.user).await,
            ));
        };
        if task.status != e.status {
            return Err(mismatch(
                format!("the status of {}'s task", e.user),
                word(e.status),
                describe_task(&task),
            ));
        }
        if let Some(needle) = &e.error_contains
            && !task
                .error
                .as_deref()
                .unwrap_or_default()
                .contains(needle.as_str())
        {
            return Err(mismatch(
                format!("the error of {}'s task", e.user),
                format!("containing {needle:?}"),
                describe_task(&task),
            ));
        }
        if let Some(n) = e.requests
            && task.requests != n
        {
            return Err(mismatch(
                format!("the HTTP requests of {}'s task", e.user),
                n.to_string(),
                task.requests.to_string(),
            ));
        }
        Ok(())
    }

    pub(super) async fn expect_asana_user(&mut self, e: &AsanaUserExpectation) -> Result<(), Halt> {
        let Some(asana) = &self.asana else {
            return self.expect_external_user(e).await;
        };
        let record = asana.user(&e.user_name);
        let exists = e.exists.unwrap_or(true);
        let Some(record) = record else {
            if exists {
                return Err(mismatch(
                    format!("Asana user {}", e.user_name),
                    "exists",
                    "no such user in the organization",
                )
                .into());
            }
            return Ok(());
        };
        if !exists {
            return Err(mismatch(
                format!("Asana user {}", e.user_name),
                "does not exist",
                format!("exists (active: {})", record.is_active()),
            )
            .into());
        }
        if let Some(active) = e.active
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
                format!("Asana user {} active", e.user_name),
                active.to_string(),
                format!("{}{how}", record.is_active()),
            )
            .into());
        }
        if let Some(guest) = e.guest
            && record.guest != guest
        {
            return Err(mismatch(
                format!("Asana user {} is a guest", e.user_name),
                guest.to_string(),
                record.guest.to_string(),
            )
            .into());
        }
        if let Some(via) = e.deprovisioned_via {
            let actual = record.deprovisioned.as_ref().map(|d| d.via);
            if actual != Some(via) {
                let name = |v: Option<DeprovisionVia>| {
                    v.map_or("not deprovisioned".to_owned(), |v| {
                        json!(v).as_str().unwrap_or_default().to_owned()
                    })
                };
                return Err(mismatch(
                    format!("how Asana user {} was deprovisioned", e.user_name),
                    name(Some(via)),
                    name(actual),
                )
                .into());
            }
        }
        let events: Vec<&str> = record.events.iter().map(|e| e.event.as_str()).collect();
        let mut remaining = events.iter();
        if !e
            .events
            .iter()
            .all(|wanted| remaining.any(|have| have == wanted))
        {
            return Err(mismatch(
                format!("Asana user {}'s records", e.user_name),
                e.events.join(", "),
                if events.is_empty() {
                    "no events".to_owned()
                } else {
                    events.join(", ")
                },
            )
            .into());
        }
        let mut scim = serde_json::to_value(&record.scim).expect("serializes");
        if let Some(ext) = scim
            .as_object_mut()
            .and_then(|m| m.remove("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
        {
            scim["enterprise"] = ext;
        }
        scim["active"] = json!(record.is_active());
        check_fields(&e.fields, &scim, &e.user_name)?;
        Ok(())
    }

    /// Against an external endpoint, the user is looked up through SCIM with the first bound
    /// service account's token.
    /// The user's Asana app as OneLogin's API shows it: its provisioning state, and the Asana id
    /// OneLogin holds for the user.
    pub(super) async fn expect_user_app(&mut self, e: &UserAppExpectation) -> Result<(), Halt> {
        let id = self.user_id(&e.user).await?;
        let apps = self
            .ol(
                Method::GET,
                &format!("/api/2/users/{id}/apps"),
                None,
                StatusCode::OK,
            )
            .await?;
        if let Some(expected) = e.provisioning_state {
            let state =
                serde_json::from_value::<ProvisioningState>(apps[0]["provisioning_state"].clone())
                    .ok();
            if state != Some(expected) {
                return Err(mismatch(
                    format!("{}'s Asana app provisioning_state", e.user),
                    word(expected),
                    state.map_or("(the user does not have the app)".to_owned(), word),
                )
                .into());
            }
        }
        if let Some(linked_to) = &e.linked_to {
            let held = apps[0]["scim_id"].as_str().map(str::to_owned);
            let expected = match linked_to {
                None => None,
                Some(user_name) => Some(self.asana_id_of(user_name).await?),
            };
            if held != expected {
                return Err(mismatch(
                    format!("the Asana id OneLogin holds for {}", e.user),
                    expected.map_or("none".into(), |id| {
                        format!("{id} ({})", linked_to.as_deref().unwrap_or_default())
                    }),
                    held.unwrap_or_else(|| "none".into()),
                )
                .into());
            }
        }
        Ok(())
    }

    /// The id of the Asana user with this userName: from the fake's records, or by a SCIM
    /// lookup on an external endpoint.
    pub(super) async fn asana_id_of(&mut self, user_name: &str) -> Result<String, Halt> {
        if let Some(asana) = &self.asana {
            return asana
                .user(user_name)
                .map(|u| u.gid.to_string())
                .ok_or_else(|| {
                    mismatch(format!("Asana user {user_name}"), "exists", "no such user").into()
                });
        }
        self.external_user(user_name)
            .await?
            .and_then(|u| u["id"].as_str().map(str::to_owned))
            .ok_or_else(|| {
                mismatch(
                    format!("user {user_name}"),
                    "exists",
                    "not found by a userName lookup",
                )
                .into()
            })
    }

    /// The external endpoint's user with this userName, by the lookup every IdP makes.
    pub(super) async fn external_user(
        &self,
        user_name: &str,
    ) -> Result<Option<Value>, StepFailure> {
        let token = self
            .external
            .as_ref()
            .map(|t| t.token.clone())
            .unwrap_or_default();
        let filter: String =
            form_urlencoded::byte_serialize(format!("userName eq \"{user_name}\"").as_bytes())
                .collect();
        let response = self
            .client
            .get(format!("{}/Users?filter={filter}", self.scim_url))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|err| fail(format!("the SCIM endpoint did not answer: {err}")))?;
        let list: Value = response.json().await.unwrap_or(Value::Null);
        Ok(list["Resources"]
            .as_array()
            .and_then(|r| r.first())
            .cloned())
    }

    pub(super) async fn expect_external_user(
        &mut self,
        e: &AsanaUserExpectation,
    ) -> Result<(), Halt> {
        if e.guest.is_some() || e.deprovisioned_via.is_some() || !e.events.is_empty() {
            return Err(Halt::Skipped(Skip(
                "guest, deprovisioned_via and events are records only the fake Asana keeps".into(),
            )));
        }
        let user = self.external_user(&e.user_name).await?;
        match (user, e.exists.unwrap_or(true)) {
            (None, true) => Err(mismatch(
                format!("user {}", e.user_name),
                "exists",
                "not found by a userName lookup",
            )
            .into()),
            (Some(u), false) => Err(mismatch(
                format!("user {}", e.user_name),
                "does not exist",
                u.to_string(),
            )
            .into()),
            (None, false) => Ok(()),
            (Some(mut u), true) => {
                // The same dotted paths as against the fake: the extension is `enterprise`.
                if let Some(ext) = u.as_object_mut().and_then(|m| {
                    m.remove("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                }) {
                    u["enterprise"] = ext;
                }
                if let Some(active) = e.active
                    && u["active"] != json!(active)
                {
                    return Err(mismatch(
                        format!("user {} active", e.user_name),
                        active.to_string(),
                        u["active"].to_string(),
                    )
                    .into());
                }
                check_fields(&e.fields, &u, &e.user_name)?;
                Ok(())
            }
        }
    }

    /// `expect_event`: OneLogin's Events API has a matching event.
    pub(super) async fn expect_event(&mut self, e: &EventExpectation) -> Result<(), StepFailure> {
        let mut path = format!("/api/1/events?event_type_id={}", e.kind.id());
        if let Some(user) = &e.user {
            let id = self.user_id(user).await?;
            path.push_str(&format!("&user_id={id}"));
        }
        let mut seen = Vec::new();
        loop {
            let reply = self.ol(Method::GET, &path, None, StatusCode::OK).await?;
            for event in reply["data"].as_array().into_iter().flatten() {
                let error = event["error_description"].as_str().unwrap_or("");
                if e.error_contains
                    .as_ref()
                    .is_none_or(|c| error.contains(c.as_str()))
                {
                    return Ok(());
                }
                seen.push(error.to_owned());
            }
            match reply["pagination"]["after_cursor"].as_str() {
                Some(cursor) => {
                    path = format!(
                        "{}&after_cursor={cursor}",
                        path.split("&after_cursor=").next().unwrap_or(&path)
                    );
                }
                None => break,
            }
        }
        Err(mismatch(
            format!("OneLogin's events of type {:?}", e.kind),
            match &e.error_contains {
                Some(c) => format!("one with error_description containing {c:?}"),
                None => "at least one".to_owned(),
            },
            if seen.is_empty() {
                "none".to_owned()
            } else {
                seen.join(" | ")
            },
        ))
    }

    pub(super) fn expect_team(&self, e: &TeamExpectation) -> Result<(), Halt> {
        let asana = self.asana("expect_team_members")?;
        let org = asana.organization();
        let team = org
            .teams
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(&e.team))
            .ok_or_else(|| fail(format!("Asana has no team {}", e.team)))?;
        let mut actual: Vec<String> = team
            .members
            .iter()
            .filter_map(|m| org.users.iter().find(|u| u.gid == *m))
            .map(|u| u.scim.user_name.to_lowercase())
            .collect();
        let mut expected: Vec<String> = e.members.iter().map(|m| m.to_lowercase()).collect();
        actual.sort();
        expected.sort();
        if actual != expected {
            return Err(mismatch(
                format!("members of team {}", e.team),
                expected.join(", "),
                actual.join(", "),
            )
            .into());
        }
        Ok(())
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

/// `expected` is contained in `actual`: objects by key, arrays element by element.
pub(super) fn subset(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let here = format!("{at}.{k}");
                subset(v, a.get(k).unwrap_or(&Value::Null), &here)?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                subset(x, y, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        _ => Err(if at.is_empty() {
            "the top".into()
        } else {
            at.trim_start_matches('.').to_owned()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn subsets_and_urls() {
        assert!(subset(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "").is_ok());
        assert_eq!(
            subset(
                &json!({"a": {"b": [1, 2]}}),
                &json!({"a": {"b": [1, 3]}}),
                ""
            ),
            Err("a.b[1]".into())
        );
    }
}
