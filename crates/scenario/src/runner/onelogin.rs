//! What steps look up in OneLogin: a user's or role's id, a user's tasks, the email a person
//! signs in with, and the Asana app's SSO paths.

use fake_onelogin::Task;
use reqwest::{Method, StatusCode};

use super::outcome::fail;
use super::state::Runner;
use super::tasks::describe_task;
use crate::format::settings::{TaskAction, TaskStatus};
use crate::report::StepFailure;

impl Runner {
    /// A user reference: a bound name, or an email OneLogin looks up.
    pub(crate) async fn user_id(&mut self, reference: &str) -> Result<u64, StepFailure> {
        if let Some(id) = self.bindings().get(reference).and_then(|b| b.numeric_id()) {
            return Ok(id);
        }
        let email: String = form_urlencoded::byte_serialize(reference.as_bytes()).collect();
        let users = self
            .ol(
                Method::GET,
                &format!("/api/2/users?email={email}"),
                None,
                StatusCode::OK,
            )
            .await?;
        users[0]["id"]
            .as_u64()
            .ok_or_else(|| fail(format!("OneLogin has no user {reference}")))
    }

    pub(crate) fn role_id(&self, name: &str) -> Result<u64, StepFailure> {
        self.bindings()
            .get(name)
            .and_then(|b| b.numeric_id())
            .ok_or_else(|| fail(format!("no role is named {name}")))
    }

    /// A user's tasks in Users > Provisioning, oldest first, as the fake's own type.
    async fn tasks_of(&mut self, user: &str) -> Result<Vec<Task>, StepFailure> {
        let id = self.user_id(user).await?;
        let tasks = self
            .ol(
                Method::GET,
                &format!("/__admin/provisioning/tasks?user_id={id}"),
                None,
                StatusCode::OK,
            )
            .await?;
        serde_json::from_value(tasks.clone()).map_err(|e| {
            fail(format!(
                "OneLogin answered tasks this runner cannot read: {e}: {tasks}"
            ))
        })
    }

    /// The newest task of a user, optionally of one action and in one of some states.
    pub(crate) async fn find_task(
        &mut self,
        user: &str,
        action: Option<TaskAction>,
        states: &[TaskStatus],
    ) -> Result<Option<Task>, StepFailure> {
        Ok(self.tasks_of(user).await?.into_iter().rev().find(|t| {
            action.is_none_or(|a| TaskAction::from(t.action) == a)
                && (states.is_empty() || states.contains(&TaskStatus::from(t.status)))
        }))
    }

    /// A user's tasks in words, for a failure message.
    pub(crate) async fn describe_tasks_of(&mut self, user: &str) -> String {
        match self.tasks_of(user).await {
            Ok(tasks) if tasks.is_empty() => "no tasks".into(),
            Ok(tasks) => tasks
                .iter()
                .map(describe_task)
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => e.message,
        }
    }

    /// Who signs in to OneLogin: the user's email as OneLogin has it now (or had it, if deleted).
    pub(crate) async fn login_name(&mut self, user: &str) -> Result<String, StepFailure> {
        let id = self.user_id(user).await?;
        let (status, found) = self
            .ol_any(Method::GET, &format!("/api/2/users/{id}"), None)
            .await?;
        if status == StatusCode::OK
            && let Some(email) = found["email"].as_str()
        {
            return Ok(email.to_owned());
        }
        Ok(self
            .bindings()
            .get(user)
            .and_then(|b| b.email())
            .unwrap_or(user)
            .to_owned())
    }

    /// A path under the Asana app's SSO tab on OneLogin's admin API.
    pub(crate) fn sso_path(&self, rest: &str) -> String {
        format!("/__admin/apps/{}/sso{rest}", self.onelogin().asana_app_id())
    }
}
