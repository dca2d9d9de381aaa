//! Expectations on OneLogin: the app's API connection, a user's tasks, a user's Asana app, and
//! OneLogin's events. Each only reads, through OneLogin's API and admin API.

use crate::format::settings::{ApiStatus, ProvisioningState, TaskAction, TaskStatus};
use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;

use super::action::{Action, CheckError, References, line};
use super::onelogin_app::TaskRef;
use crate::format::fields::explicit;
use crate::format::vocabulary::EventKind;
use crate::runner::outcome::{Halt, mismatch};
use crate::runner::state::Runner;
use crate::runner::tasks::{describe_task, word};

/// `connected`, or `{ status: failed, error_contains: "Not Authorized" }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(from = "ApiStatusForm")]
pub struct ApiStatusExpectation {
    pub status: ApiStatus,
    pub error_contains: Option<String>,
}

/// The two ways a file writes `expect_api_status`; the schema is this type's.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum ApiStatusForm {
    /// Only the status: `connected`, `failed` or `disabled`.
    Short(ApiStatus),
    Full(ApiStatusFull),
}

/// The status, and text its error must contain.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ApiStatusFull {
    /// The app's API connection: `connected`, `failed` or `disabled`.
    status: ApiStatus,
    /// Text the connection's error must contain.
    #[serde(default)]
    error_contains: Option<String>,
}

impl From<ApiStatusForm> for ApiStatusExpectation {
    fn from(form: ApiStatusForm) -> Self {
        match form {
            ApiStatusForm::Short(status) => ApiStatusExpectation {
                status,
                error_contains: None,
            },
            ApiStatusForm::Full(f) => ApiStatusExpectation {
                status: f.status,
                error_contains: f.error_contains,
            },
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskExpectation {
    /// The OneLogin user (an `as:` name or an email); the newest matching task is checked.
    pub user: String,
    /// The task's action; absent: any.
    #[serde(default)]
    pub action: Option<TaskAction>,
    /// The task's status in Users > Provisioning.
    pub status: TaskStatus,
    /// Text the task's error must contain.
    #[serde(default)]
    pub error_contains: Option<String>,
    /// HTTP requests sent for the task, retries included.
    #[serde(default)]
    pub requests: Option<u32>,
    /// The old name of `requests`: kept only so that loading can say so. Not in the schema, so
    /// that an editor flags it too.
    #[serde(default)]
    #[schemars(skip)]
    pub attempts: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAppExpectation {
    /// The OneLogin user (an `as:` name or an email).
    pub user: String,
    /// `provisioning_state` on OneLogin's `GET /api/2/users/{id}/apps`.
    #[serde(default)]
    pub provisioning_state: Option<ProvisioningState>,
    /// The Asana user (by userName) whose id OneLogin holds for this user (`scim_id` on the
    /// same call); `null` for none.
    #[serde(default, deserialize_with = "explicit")]
    pub linked_to: Option<Option<String>>,
}

/// `expect_event`: OneLogin's Events API has such an event (`GET /api/1/events`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventExpectation {
    /// `app_added`, `app_removed`, `provisioning_succeeded`, `provisioning_failed`,
    /// `provisioning_approved`, `provisioning_denied`, `api_connected`, `api_connection_failed`.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The OneLogin user the event is about (an `as:` name or an email).
    #[serde(default)]
    pub user: Option<String>,
    /// Text the event's error must contain.
    #[serde(default)]
    pub error_contains: Option<String>,
}

// Its own type (transparent, without a doc comment: the schema shows the payload's).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ExpectNoTask(pub TaskRef);

impl Action for ApiStatusExpectation {
    const NAME: &'static str = "expect_api_status";
    const EXPECTATION: bool = true;

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let path = format!("/__admin/apps/{}/provisioning", r.onelogin().asana_app_id());
        let config = r.ol(Method::GET, &path, None, StatusCode::OK).await?;
        let expected = serde_json::to_value(self.status).expect("serializes");
        if config["api_status"] != expected {
            return Err(mismatch(
                "the Asana app's API status",
                expected.to_string(),
                format!("{} (error: {})", config["api_status"], config["api_error"]),
            )
            .into());
        }
        if let Some(needle) = &self.error_contains {
            let error = config["api_error"].as_str().unwrap_or_default();
            if !error.contains(needle.as_str()) {
                return Err(mismatch(
                    "the Asana app's API error",
                    format!("containing {needle:?}"),
                    error,
                )
                .into());
            }
        }
        Ok(())
    }
}

impl Action for TaskExpectation {
    const NAME: &'static str = "expect_task";
    const EXPECTATION: bool = true;

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    fn check(&self) -> Result<(), CheckError> {
        match self.attempts {
            Some(_) => Err(CheckError::Renamed {
                old: "attempts",
                new: "requests",
                why: "it counts HTTP requests, retries included",
            }),
            None => Ok(()),
        }
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let Some(task) = r.find_task(&self.user, self.action, &[]).await? else {
            return Err(mismatch(
                format!(
                    "{} has no {} task",
                    self.user,
                    self.action.map(word).unwrap_or_default()
                ),
                "a task",
                r.describe_tasks_of(&self.user).await,
            )
            .into());
        };
        self.compare(&task)
    }
}

impl TaskExpectation {
    /// The task's status, error and request count, where given.
    fn compare(&self, task: &fake_onelogin::Task) -> Result<(), Halt> {
        if TaskStatus::from(task.status) != self.status {
            return Err(mismatch(
                format!("the status of {}'s task", self.user),
                word(self.status),
                describe_task(task),
            )
            .into());
        }
        if let Some(needle) = &self.error_contains
            && !task
                .error
                .as_deref()
                .unwrap_or_default()
                .contains(needle.as_str())
        {
            return Err(mismatch(
                format!("the error of {}'s task", self.user),
                format!("containing {needle:?}"),
                describe_task(task),
            )
            .into());
        }
        if let Some(n) = self.requests
            && task.requests != n
        {
            return Err(mismatch(
                format!("the HTTP requests of {}'s task", self.user),
                n.to_string(),
                task.requests.to_string(),
            )
            .into());
        }
        Ok(())
    }
}

impl Action for ExpectNoTask {
    const NAME: &'static str = "expect_no_task";
    const EXPECTATION: bool = true;

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let t = &self.0;
        if let Some(found) = r.find_task(&t.user, t.action, &[]).await? {
            return Err(mismatch(
                format!("{} has a task", t.user),
                "no task",
                describe_task(&found),
            )
            .into());
        }
        Ok(())
    }
}

impl Action for UserAppExpectation {
    const NAME: &'static str = "expect_user_app";
    const EXPECTATION: bool = true;

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    /// The user's Asana app as OneLogin's API shows it: its provisioning state, and the Asana id
    /// OneLogin holds for the user.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let id = r.user_id(&self.user).await?;
        let path = format!("/api/2/users/{id}/apps");
        let apps = r.ol(Method::GET, &path, None, StatusCode::OK).await?;
        if let Some(expected) = self.provisioning_state {
            let state =
                serde_json::from_value::<ProvisioningState>(apps[0]["provisioning_state"].clone())
                    .ok();
            if state != Some(expected) {
                return Err(mismatch(
                    format!("{}'s Asana app provisioning_state", self.user),
                    word(expected),
                    state.map_or("(the user does not have the app)".to_owned(), word),
                )
                .into());
            }
        }
        if let Some(linked_to) = &self.linked_to {
            let held = apps[0]["scim_id"].as_str().map(str::to_owned);
            let expected = match linked_to {
                None => None,
                Some(user_name) => Some(r.asana_id_of(user_name).await?),
            };
            if held != expected {
                return Err(mismatch(
                    format!("the Asana id OneLogin holds for {}", self.user),
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
}

impl Action for EventExpectation {
    const NAME: &'static str = "expect_event";
    const EXPECTATION: bool = true;

    fn references(&self) -> References<'_> {
        References {
            users: self.user.iter().map(String::as_str).collect(),
            ..References::default()
        }
    }

    /// OneLogin's Events API has a matching event, on any of its pages.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let mut path = format!("/api/1/events?event_type_id={}", self.kind.id());
        if let Some(user) = &self.user {
            let id = r.user_id(user).await?;
            path.push_str(&format!("&user_id={id}"));
        }
        let mut seen = Vec::new();
        loop {
            let reply = r.ol(Method::GET, &path, None, StatusCode::OK).await?;
            for event in reply["data"].as_array().into_iter().flatten() {
                let error = event["error_description"].as_str().unwrap_or("");
                if self
                    .error_contains
                    .as_ref()
                    .is_none_or(|c| error.contains(c.as_str()))
                {
                    return Ok(());
                }
                seen.push(error.to_owned());
            }
            let Some(cursor) = reply["pagination"]["after_cursor"].as_str() else {
                break;
            };
            path = format!(
                "{}&after_cursor={cursor}",
                path.split("&after_cursor=").next().unwrap_or(&path)
            );
        }
        Err(mismatch(
            format!("OneLogin's events of type {:?}", self.kind),
            match &self.error_contains {
                Some(c) => format!("one with error_description containing {c:?}"),
                None => "at least one".to_owned(),
            },
            if seen.is_empty() {
                "none".to_owned()
            } else {
                seen.join(" | ")
            },
        )
        .into())
    }
}

/// A line of a scenario file, for tools that write scenarios: the app is connected.
pub(crate) fn connected_line() -> String {
    line::<ApiStatusExpectation>("connected")
}
