//! What steps look up on the Asana side: a bound service account's id, a user by the lookup
//! every IdP makes (on an external endpoint), and, at the end, what the run created there.

use reqwest::StatusCode;
use serde_json::Value;

use super::outcome::{Halt, fail, mismatch};
use super::state::Runner;
use crate::report::{CreatedResource, StepFailure};

impl Runner {
    /// The fake Asana's id of a service account a step names.
    pub(crate) fn account_id(&self, name: &str) -> Result<String, StepFailure> {
        self.bindings()
            .get(name)
            .and_then(|b| b.text_id())
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("no service account is named {name}")))
    }

    /// The id of the Asana user with this userName: from the fake's records, or by a SCIM
    /// lookup on an external endpoint.
    pub(crate) async fn asana_id_of(&mut self, user_name: &str) -> Result<String, Halt> {
        if let Some(asana) = self.fake_asana() {
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
    pub(crate) async fn external_user(
        &self,
        user_name: &str,
    ) -> Result<Option<Value>, StepFailure> {
        let token = self.external().map(|t| t.token.clone()).unwrap_or_default();
        let filter: String =
            form_urlencoded::byte_serialize(format!("userName eq \"{user_name}\"").as_bytes())
                .collect();
        let response = self
            .client()
            .get(format!("{}/Users?filter={filter}", self.scim_url()))
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

    /// What this run created on the external endpoint, each read back once for its final
    /// state. Nothing is deleted: the list is for the admin who cleans the sandbox.
    pub(crate) async fn created_on_external(&self) -> Vec<CreatedResource> {
        let Some(target) = self.external() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (resource, id, name) in self.created().iter().cloned() {
            let collection = if resource == "User" {
                "Users"
            } else {
                "Groups"
            };
            let url = format!("{}/{collection}/{id}", self.scim_url());
            let read = self
                .client()
                .get(&url)
                .bearer_auth(&target.token)
                .send()
                .await;
            out.push(CreatedResource {
                resource,
                id,
                name,
                final_state: final_state(resource, read).await,
            });
        }
        out
    }
}

/// How a resource read back looks: gone, active, inactive, present, or unknown.
async fn final_state(resource: &str, read: Result<reqwest::Response, reqwest::Error>) -> String {
    match read {
        Ok(r) if r.status() == StatusCode::NOT_FOUND => "gone".to_owned(),
        Ok(r) if r.status().is_success() => {
            let body: Value = r.json().await.unwrap_or(Value::Null);
            match body["active"].as_bool() {
                Some(true) => "active".to_owned(),
                Some(false) => "inactive".to_owned(),
                None if resource == "Group" => "present".to_owned(),
                None => "unknown".to_owned(),
            }
        }
        Ok(r) => format!("unknown (HTTP {})", r.status().as_u16()),
        Err(e) => format!("unknown ({e})"),
    }
}
