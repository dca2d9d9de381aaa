//! OneLogin's Asana app and its queue: the app's tabs, Enable, Reset and Import on its Users tab,
//! and the decisions a person makes on a task in Users > Provisioning.

use crate::format::settings::{
    Connector, Mapping, OnDelete, OnSuspend, SchemaUrns, TaskAction, TaskStatus,
};
use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::action::{Action, References, line};
use crate::format::fields::Empty;
use crate::report::StepFailure;
use crate::runner::outcome::{Halt, mismatch};
use crate::runner::state::Runner;
use crate::runner::tasks::word;

/// The Asana app's settings, as the console's Configuration, Provisioning and Parameters tabs.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    /// "Service Account Token"; `${sa.token}` names a service account's.
    #[serde(default)]
    pub token: Option<String>,
    /// The SCIM base URL. Default: the fake Asana's (or `--asana-scim-url`).
    #[serde(default)]
    pub scim_base_url: Option<String>,
    /// "Enable provisioning".
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The actions that need an admin's approval.
    #[serde(default)]
    pub require_approval: Option<Vec<ApprovalAction>>,
    /// "When users are deleted in OneLogin": `delete`, `suspend` or `do_nothing`.
    #[serde(default)]
    pub on_delete: Option<OnDelete>,
    /// "When user accounts are suspended in OneLogin": `suspend` or `do_nothing`.
    #[serde(default)]
    pub on_suspend: Option<OnSuspend>,
    /// The Parameters tab: what the SAML NameID and the SCIM Username carry.
    #[serde(default)]
    pub parameters: Option<Parameters>,
    /// `asana` (OneLogin's Asana connector, the default: no profile updates) or `scim`
    /// (OneLogin's generic SCIM app: updates, and group discovery on Enable).
    #[serde(default)]
    pub connector: Option<Connector>,
    /// The schema URNs the SCIM template names: `onelogin` (default) or `rfc`.
    #[serde(default)]
    pub schema_urns: Option<SchemaUrns>,
    /// In `given`: press Enable before the roles are set up.
    #[serde(default)]
    pub connected: bool,
}

/// A provisioning action an admin can be asked to approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAction {
    Create,
    Update,
    Delete,
}

/// The app's Parameters tab.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// What the SAML NameID carries: `email` (default), `username` or `external_id`.
    #[serde(default)]
    pub name_id: Option<Mapping>,
    /// What SCIM `userName` carries: `email` (default), `username` or `external_id`.
    #[serde(default)]
    pub scim_username: Option<Mapping>,
}

/// `import_users`: what the import must report, where given.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportExpectation {
    /// Users read from Asana.
    #[serde(default)]
    pub read: Option<usize>,
    /// OneLogin users newly linked to an Asana user by SCIM Username.
    #[serde(default)]
    pub linked: Option<usize>,
    /// OneLogin users that were linked before the import.
    #[serde(default)]
    pub already_linked: Option<usize>,
    /// Asana users no OneLogin user matches.
    #[serde(default)]
    pub unmatched: Option<usize>,
}

/// The newest task of a user (and action).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRef {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// The task's action; absent: the newest task of any action.
    #[serde(default)]
    pub action: Option<TaskAction>,
}

// Each step's own type (transparent, without doc comments: the schema shows the payload's).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct EnableApi(pub Empty);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ResetAppUsers(pub Empty);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Approve(pub TaskRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Deny(pub TaskRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Retry(pub TaskRef);

impl AppSettings {
    /// The settings given, as one `PUT` of the app's provisioning tab.
    pub(crate) async fn apply(&self, r: &mut Runner) -> Result<(), StepFailure> {
        let mut body = serde_json::Map::new();
        if let Some(t) = &self.token {
            body.insert("token".into(), json!(r.bindings().interpolate(t)?));
        }
        if let Some(u) = &self.scim_base_url {
            body.insert("scim_base_url".into(), json!(r.bindings().interpolate(u)?));
        }
        if let Some(e) = self.enabled {
            body.insert("enabled".into(), json!(e));
        }
        if let Some(actions) = &self.require_approval {
            body.insert(
                "require_approval".into(),
                json!({
                    "create": actions.contains(&ApprovalAction::Create),
                    "update": actions.contains(&ApprovalAction::Update),
                    "delete": actions.contains(&ApprovalAction::Delete),
                }),
            );
        }
        self.insert_policies(&mut body);
        if let Some(params) = &self.parameters {
            let current = r.onelogin().asana_config().parameters;
            body.insert(
                "parameters".into(),
                json!({
                    "name_id": params.name_id.unwrap_or(current.name_id.into()),
                    "scim_username": params.scim_username
                        .unwrap_or(current.scim_username.into()),
                }),
            );
        }
        let path = format!("/__admin/apps/{}/provisioning", r.onelogin().asana_app_id());
        r.ol(
            Method::PUT,
            &path,
            Some(Value::Object(body)),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    /// The settings that are one value each.
    fn insert_policies(&self, body: &mut serde_json::Map<String, Value>) {
        if let Some(p) = self.on_delete {
            body.insert("on_delete".into(), json!(p));
        }
        if let Some(p) = self.on_suspend {
            body.insert("on_suspend".into(), json!(p));
        }
        if let Some(c) = self.connector {
            body.insert("connector".into(), json!(c));
        }
        if let Some(u) = self.schema_urns {
            body.insert("schema_urns".into(), json!(u));
        }
    }
}

impl Action for AppSettings {
    const NAME: &'static str = "configure_app";

    fn references(&self) -> References<'_> {
        References {
            templates: [&self.token, &self.scim_base_url]
                .into_iter()
                .flatten()
                .map(|t| t.as_str().into())
                .collect(),
            ..References::default()
        }
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        Ok(self.apply(r).await?)
    }
}

/// Presses Enable: OneLogin tests the token; the app's provisioning tab comes back.
pub(crate) async fn enable(r: &mut Runner) -> Result<Value, StepFailure> {
    let path = format!("/__admin/apps/{}/enable", r.onelogin().asana_app_id());
    r.ol(Method::POST, &path, None, StatusCode::OK).await
}

impl Action for EnableApi {
    const NAME: &'static str = "enable_api";

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        enable(r).await?;
        Ok(())
    }
}

impl Action for ResetAppUsers {
    const NAME: &'static str = "reset_app_users";

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let path = format!("/__admin/apps/{}/users/reset", r.onelogin().asana_app_id());
        r.ol(Method::POST, &path, None, StatusCode::OK).await?;
        Ok(())
    }
}

impl Action for ImportExpectation {
    const NAME: &'static str = "import_users";

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let path = format!("/__admin/apps/{}/import", r.onelogin().asana_app_id());
        let report = r.ol(Method::POST, &path, None, StatusCode::OK).await?;
        let count = |key: &str| {
            report[key]
                .as_array()
                .map_or_else(|| report[key].as_u64().unwrap_or(0) as usize, Vec::len)
        };
        for (key, wanted) in [
            ("read", self.read),
            ("linked", self.linked),
            ("already_linked", self.already_linked),
            ("unmatched", self.unmatched),
        ] {
            if let Some(wanted) = wanted
                && count(key) != wanted
            {
                return Err(mismatch(
                    format!("the import's {key}"),
                    wanted.to_string(),
                    count(key).to_string(),
                )
                .into());
            }
        }
        Ok(())
    }
}

/// Approve, deny or retry (`verb`) the newest task of a user that is in `state`.
async fn decide(r: &mut Runner, task: &TaskRef, verb: &str, state: TaskStatus) -> Result<(), Halt> {
    let Some(found) = r.find_task(&task.user, task.action, &[state]).await? else {
        let state = word(state);
        return Err(mismatch(
            format!("{verb}: {} has no {state} task", task.user),
            format!("a {state} task"),
            r.describe_tasks_of(&task.user).await,
        )
        .into());
    };
    let path = format!("/__admin/provisioning/tasks/{}/{verb}", found.id);
    r.ol(Method::POST, &path, None, StatusCode::OK).await?;
    Ok(())
}

impl Action for Approve {
    const NAME: &'static str = "approve";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        decide(r, &self.0, Self::NAME, TaskStatus::Pending).await
    }
}

impl Action for Deny {
    const NAME: &'static str = "deny";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        decide(r, &self.0, Self::NAME, TaskStatus::Pending).await
    }
}

impl Action for Retry {
    const NAME: &'static str = "retry";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        decide(r, &self.0, Self::NAME, TaskStatus::Failed).await
    }
}

// -- lines of a scenario file, for tools that write scenarios -----------------------------------

/// The app's settings, written inline (`{ on_delete: delete }`).
pub(crate) fn settings_line(settings: &str) -> String {
    line::<AppSettings>(settings)
}

/// A person's decision on a user's newest task.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Verdict {
    Approval,
    Denial,
    Retrial,
}

pub(crate) fn verdict_line(verdict: Verdict, user: &str) -> String {
    let payload = format!("{{ user: {user} }}");
    match verdict {
        Verdict::Approval => line::<Approve>(&payload),
        Verdict::Denial => line::<Deny>(&payload),
        Verdict::Retrial => line::<Retry>(&payload),
    }
}

/// The app given a token (a template such as `${sa.token}`), and Enable pressed.
pub(crate) fn connection_lines(token: &str) -> Vec<String> {
    vec![
        settings_line(&format!("{{ token: \"{token}\" }}")),
        line::<EnableApi>("{}"),
    ]
}
