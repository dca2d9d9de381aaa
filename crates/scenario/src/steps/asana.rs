//! Asana's admin side: service accounts made, deauthorized and rotated, a member's personal
//! access token, and the fake's switches and rate limits. Against an external endpoint, which
//! has no admin side, these steps are skipped.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::action::{Action, Binding, References, line};
use crate::format::fields::{SwitchName, explicit};
use crate::format::settings::Scope;
use crate::runner::bindings::Bound;
use crate::runner::outcome::{Halt, fail};
use crate::runner::state::Runner;

/// An Asana service account (Admin console > Apps > Service accounts).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenServiceAccount {
    /// The name later steps use: `${sa.token}`, `account: sa`.
    #[serde(rename = "as")]
    pub name: String,
    /// The name Asana's console shows. Default: the `as` name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `scim` (User provisioning only, the default) or `full` (SCIM and the REST API).
    #[serde(default = "scim")]
    pub scope: Scope,
    /// A fixed token, to reproduce a customer's exact setup.
    #[serde(default)]
    pub token: Option<String>,
}

fn scim() -> Scope {
    Scope::Scim
}

/// `null` turns a limit off.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per minute per token; `null`: no limit.
    #[serde(default, deserialize_with = "explicit")]
    pub requests_per_minute: Option<Option<u32>>,
    /// Reads in flight at once; `null`: no limit.
    #[serde(default, deserialize_with = "explicit")]
    pub concurrent_reads: Option<Option<u32>>,
    /// Writes in flight at once; `null`: no limit.
    #[serde(default, deserialize_with = "explicit")]
    pub concurrent_writes: Option<Option<u32>>,
}

/// An ordinary Asana member's personal access token, bound for `${name.token}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonalAccessToken {
    /// The name later steps use: `${name.token}`.
    #[serde(rename = "as")]
    pub name: String,
    /// The member's email.
    pub user: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRef {
    /// The service account's `as:` name.
    pub account: String,
}

// Each step's own type (transparent, without doc comments: the schema shows the payload's).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct DeauthorizeServiceAccount(pub AccountRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct RotateServiceAccount(pub AccountRef);
// Its schema is `switch_values`, given where the step is listed.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct SetSwitches(pub BTreeMap<SwitchName, bool>);

impl GivenServiceAccount {
    /// Makes the account on the fake Asana: what its name is bound to.
    pub(crate) async fn create(&self, r: &mut Runner) -> Result<Bound, Halt> {
        let scope = match self.scope {
            Scope::Scim => "scim",
            Scope::Full => "full",
        };
        let display = self
            .display_name
            .clone()
            .unwrap_or_else(|| self.name.clone());
        let mut body = json!({"name": display, "scope": scope});
        if let Some(t) = &self.token {
            body["token"] = json!(t);
        }
        let reply = r
            .asana_admin(Method::POST, "/service-accounts", Some(body), Self::NAME)
            .await?;
        Ok(Bound::ServiceAccount {
            id: reply["id"].clone(),
            name: reply["name"].clone(),
            token: reply["token"].clone(),
        })
    }
}

impl Action for GivenServiceAccount {
    const NAME: &'static str = "create_service_account";

    fn references(&self) -> References<'_> {
        References {
            templates: self.token.iter().map(|t| t.as_str().into()).collect(),
            ..References::default()
        }
    }

    fn binds(&self) -> Option<Binding<'_>> {
        Some(Binding::Account(&self.name))
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let bound = self.create(r).await?;
        r.bindings_mut().insert(self.name.clone(), bound);
        Ok(())
    }
}

impl Action for NewPersonalAccessToken {
    const NAME: &'static str = "create_personal_access_token";

    fn binds(&self) -> Option<Binding<'_>> {
        Some(Binding::Value(&self.name))
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let body = Some(json!({"user": self.user}));
        let reply = r
            .asana_admin(Method::POST, "/personal-access-tokens", body, Self::NAME)
            .await?;
        let bound = Bound::PersonalAccessToken {
            token: reply["token"].clone(),
            user: reply["user"].clone(),
        };
        r.bindings_mut().insert(self.name.clone(), bound);
        Ok(())
    }
}

impl Action for DeauthorizeServiceAccount {
    const NAME: &'static str = "deauthorize_service_account";

    fn references(&self) -> References<'_> {
        References {
            accounts: vec![&self.0.account],
            ..References::default()
        }
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let uri = r.asana(Self::NAME)?.uri();
        let id = r.account_id(&self.0.account)?;
        let url = format!("{uri}/__admin/service-accounts/{id}");
        let response = r
            .admin_request(Method::DELETE, &url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if response.status() != StatusCode::NO_CONTENT {
            let why = format!(
                "deauthorizing {} answered {}",
                self.0.account,
                response.status()
            );
            return Err(fail(why).into());
        }
        Ok(())
    }
}

impl Action for RotateServiceAccount {
    const NAME: &'static str = "rotate_service_account";

    fn references(&self) -> References<'_> {
        References {
            accounts: vec![&self.0.account],
            ..References::default()
        }
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        // Skipped, not failed, against an external endpoint: it has no admin side.
        r.asana(Self::NAME)?;
        let id = r.account_id(&self.0.account)?;
        let path = format!("/service-accounts/{id}/rotate");
        let reply = r.asana_admin(Method::POST, &path, None, Self::NAME).await?;
        if let Some(b) = r.bindings_mut().get_mut(&self.0.account) {
            b.set_token(reply["token"].clone());
        }
        Ok(())
    }
}

impl Action for SetSwitches {
    const NAME: &'static str = "set_switches";

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let body = Some(json!({"switches": self.0}));
        r.asana_admin(Method::PUT, "/config", body, Self::NAME)
            .await?;
        Ok(())
    }
}

impl RateLimit {
    /// The fake's `rate_limit` setting: only the limits given.
    pub(crate) fn to_json(&self) -> Value {
        let mut body = json!({});
        for (k, v) in [
            ("requests_per_minute", self.requests_per_minute),
            ("concurrent_reads", self.concurrent_reads),
            ("concurrent_writes", self.concurrent_writes),
        ] {
            if let Some(v) = v {
                body[k] = json!(v);
            }
        }
        body
    }
}

impl Action for RateLimit {
    const NAME: &'static str = "set_rate_limit";

    /// The fake's per-token limits; `null` turns one off.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let body = Some(json!({"rate_limit": self.to_json()}));
        r.asana_admin(Method::PUT, "/config", body, Self::NAME)
            .await?;
        Ok(())
    }
}

/// A line of a scenario file, for tools that write scenarios: the account's token rotated.
pub(crate) fn rotation_line(account: &str) -> String {
    line::<RotateServiceAccount>(&format!("{{ account: {account} }}"))
}
