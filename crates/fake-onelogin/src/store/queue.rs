//! The provisioning queue: a task's states, the indices that keep claiming cheap, approvals,
//! claiming the next task, and recording a run's result.

use jiff::Timestamp;

use super::{Store, StoreError};

/// Why a task's run failed: the target's reason, and whether the target refused the token
/// (which puts the app's API status to Failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFailure {
    pub detail: String,
    pub unauthorized: bool,
}
use crate::model::*;

/// How a new task starts.
pub(super) enum Start {
    /// Through the app's settings: skipped when provisioning is off, pending when its action
    /// needs approval, approved otherwise. `deprovisioning`: a suspend by the deleted-user
    /// policy, gated by Delete.
    Gated { deprovisioning: bool },
    /// A record of what a policy or the connector chose not to do, with why.
    Skipped(String),
}

impl Store {
    /// Files a new task for a user and app and indexes it as the pair's newest (and open one,
    /// if it waits).
    pub(super) fn new_task(
        &mut self,
        (user, app): (u64, u64),
        action: TaskAction,
        reason: &str,
        payload: Payload,
        start: Start,
        now: Timestamp,
    ) -> u64 {
        let config = &self.apps[&app].provisioning;
        let approvals = config.require_approval;
        let deprovisioning = match start {
            Start::Gated { deprovisioning } => deprovisioning,
            Start::Skipped(_) => false,
        };
        let requires_approval = match (&start, action) {
            (Start::Skipped(_), _) => false,
            (_, TaskAction::Create) => approvals.create,
            (_, TaskAction::Delete) => approvals.delete,
            (_, TaskAction::Suspend) if deprovisioning => approvals.delete,
            (_, TaskAction::Update | TaskAction::Suspend | TaskAction::Reactivate) => {
                approvals.update
            }
        };
        let (status, error) = if let Start::Skipped(why) = start {
            (TaskStatus::Skipped, Some(why))
        } else if !config.enabled {
            (
                TaskStatus::Skipped,
                Some("provisioning is disabled for this app".to_owned()),
            )
        } else if requires_approval {
            (TaskStatus::Pending, None)
        } else {
            (TaskStatus::Approved, None)
        };
        let id = self.id();
        self.tasks.insert(
            id,
            Task {
                id,
                app_id: app,
                user_id: user,
                action,
                reason: reason.to_owned(),
                status,
                error,
                requires_approval,
                payload,
                requests: 0,
                scim_id: self.links.get(&(user, app)).and_then(|l| l.scim_id.clone()),
                created_at: now,
                updated_at: now,
            },
        );
        if status.is_open() {
            self.open_tasks.insert((user, app), id);
        }
        let previous = self.last_tasks.insert((user, app), id);
        self.index_status(id);
        if let Some(previous) = previous {
            self.task_settled(previous, now);
        }
        id
    }

    /// Keeps the queue indexes in step with a task's status: called after every change of it.
    pub(super) fn index_status(&mut self, id: u64) {
        self.approved.remove(&id);
        self.in_progress.remove(&id);
        match self.tasks.get(&id).map(|t| t.status) {
            Some(TaskStatus::Approved) => {
                self.approved.insert(id);
            }
            Some(TaskStatus::InProgress) => {
                self.in_progress.insert(id);
            }
            _ => {}
        }
    }

    pub(super) fn close(
        &mut self,
        id: u64,
        status: TaskStatus,
        error: Option<String>,
        now: Timestamp,
    ) {
        if let Some(task) = self.tasks.get_mut(&id) {
            task.status = status;
            task.error = error;
            task.updated_at = now;
            if self.open_tasks.get(&(task.user_id, task.app_id)) == Some(&id) {
                self.open_tasks.remove(&(task.user_id, task.app_id));
            }
        }
        self.index_status(id);
        self.task_settled(id, now);
    }

    // -- provisioning: the queue ---------------------------------------------------------------

    pub fn approve(&mut self, id: u64, now: Timestamp) -> Result<&Task, StoreError> {
        let task = self.transition(id, TaskStatus::Pending, TaskStatus::Approved, now)?;
        let about = task_about(task, None);
        self.record_event(super::events::EventType::ProvisioningApproved, about, now);
        Ok(&self.tasks[&id])
    }

    pub fn deny(&mut self, id: u64, now: Timestamp) -> Result<&Task, StoreError> {
        let task = self.transition(id, TaskStatus::Pending, TaskStatus::Denied, now)?;
        let (user, app) = (task.user_id, task.app_id);
        let about = task_about(task, None);
        self.open_tasks.remove(&(user, app));
        self.record_event(super::events::EventType::ProvisioningDenied, about, now);
        self.task_settled(id, now);
        Ok(&self.tasks[&id])
    }

    /// Puts a failed task back in the queue. It was approved (or needed no approval) before it
    /// could fail, so a retry never skips an approval.
    pub fn retry(&mut self, id: u64, now: Timestamp) -> Result<&Task, StoreError> {
        let task = self
            .tasks
            .get(&id)
            .ok_or_else(|| StoreError::NotFound(format!("task {id}")))?;
        let pair = (task.user_id, task.app_id);
        if let Some(open) = self.open_tasks.get(&pair)
            && *open != id
        {
            return Err(StoreError::Conflict(format!(
                "task {open} is already open for this user; retry that instead"
            )));
        }
        self.transition(id, TaskStatus::Failed, TaskStatus::Approved, now)?;
        self.tasks.get_mut(&id).expect("exists").error = None;
        self.open_tasks.insert(pair, id);
        Ok(&self.tasks[&id])
    }

    pub(super) fn transition(
        &mut self,
        id: u64,
        from: TaskStatus,
        to: TaskStatus,
        now: Timestamp,
    ) -> Result<&Task, StoreError> {
        let task = self
            .tasks
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("task {id}")))?;
        if task.status != from {
            return Err(StoreError::Conflict(format!(
                "task {id} is {}, not {}",
                serde_json::to_value(task.status)
                    .expect("serializes")
                    .as_str()
                    .unwrap_or_default(),
                serde_json::to_value(from)
                    .expect("serializes")
                    .as_str()
                    .unwrap_or_default(),
            )));
        }
        task.status = to;
        task.updated_at = now;
        self.index_status(id);
        Ok(&self.tasks[&id])
    }

    /// Takes the oldest approved task to run, marking it in progress, together with its app's
    /// configuration. Tasks that cannot run are closed with the reason instead.
    pub fn claim_next(&mut self, now: Timestamp) -> Option<(Task, ProvisioningConfig)> {
        loop {
            let id = *self.approved.first()?;
            let task = &self.tasks[&id];
            let config = self.apps[&task.app_id].provisioning.clone();
            if !config.enabled {
                self.close(
                    id,
                    TaskStatus::Skipped,
                    Some("provisioning is disabled for this app".into()),
                    now,
                );
                continue;
            }
            if config.api_status != ApiStatus::Connected || config.token.is_none() {
                let status = serde_json::to_value(config.api_status).expect("serializes");
                self.close(
                    id,
                    TaskStatus::Failed,
                    Some(format!(
                        "the app's API connection is not enabled (API status: {}); nothing was sent",
                        status.as_str().unwrap_or_default()
                    )),
                    now,
                );
                continue;
            }
            let task = self.tasks.get_mut(&id).expect("exists");
            task.status = TaskStatus::InProgress;
            task.updated_at = now;
            // In progress is no longer open: an event during the run is judged against what the
            // target had before it, and may queue a task of its own.
            let pair = (task.user_id, task.app_id);
            let task = task.clone();
            if self.open_tasks.get(&pair) == Some(&id) {
                self.open_tasks.remove(&pair);
            }
            self.index_status(id);
            return Some((task, config));
        }
    }

    /// Records a run's result (the target's id for the user, or why it failed); on success, the
    /// link now says what the target holds.
    pub fn complete(
        &mut self,
        id: u64,
        result: Result<Option<String>, RunFailure>,
        requests: u32,
        now: Timestamp,
    ) {
        let Some(task) = self.tasks.get_mut(&id) else {
            return;
        };
        task.requests += requests;
        task.updated_at = now;
        let (user, app) = (task.user_id, task.app_id);
        match result {
            Ok(scim_id) => {
                task.status = TaskStatus::Provisioned;
                task.error = None;
                if scim_id.is_some() {
                    task.scim_id.clone_from(&scim_id);
                }
                let state = match task.action {
                    TaskAction::Create | TaskAction::Update | TaskAction::Reactivate => {
                        Provisioned::Active
                    }
                    TaskAction::Suspend => Provisioned::Suspended,
                    TaskAction::Delete => Provisioned::Deleted,
                };
                let payload = task.payload.clone();
                let about = task_about(task, None);
                self.record_event(super::events::EventType::ProvisioningSucceeded, about, now);
                let scim_id = scim_id
                    .or_else(|| self.links.get(&(user, app)).and_then(|l| l.scim_id.clone()));
                self.links.insert(
                    (user, app),
                    Link {
                        app_id: app,
                        user_id: user,
                        state,
                        scim_id,
                        payload,
                    },
                );
                self.index_status(id);
                self.task_settled(id, now);
                // An event that arrived while the task ran was judged against the old target
                // state; judge again now that it has changed, unless it already queued a task.
                if self.users.contains_key(&user) && !self.open_tasks.contains_key(&(user, app)) {
                    self.reconcile(user, app, "changed while provisioning", now);
                }
            }
            Err(RunFailure {
                detail: error,
                unauthorized,
            }) => {
                task.status = TaskStatus::Failed;
                task.error = Some(error.clone());
                let about = task_about(task, Some(error.clone()));
                self.record_event(super::events::EventType::ProvisioningFailed, about, now);
                if unauthorized && let Some(a) = self.apps.get_mut(&app) {
                    a.provisioning.api_status = ApiStatus::Failed;
                    a.provisioning.api_error = Some(error);
                }
                self.index_status(id);
                self.task_settled(id, now);
            }
        }
    }

    pub fn set_api_status(
        &mut self,
        app: u64,
        status: ApiStatus,
        error: Option<String>,
        now: Timestamp,
    ) {
        if let Some(a) = self.apps.get_mut(&app) {
            a.provisioning.api_status = status;
            a.provisioning.api_error.clone_from(&error);
            let kind = match status {
                ApiStatus::Connected => super::events::EventType::ApiConnected,
                _ => super::events::EventType::ApiConnectionFailed,
            };
            let about = super::events::About {
                app: Some(app),
                error,
                ..Default::default()
            };
            self.record_event(kind, about, now);
        }
    }
}

/// A task's event: its user and app, the action in the notes.
fn task_about(task: &Task, error: Option<String>) -> super::events::About {
    let action = serde_json::to_value(task.action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    super::events::About {
        user: Some(task.user_id),
        app: Some(task.app_id),
        notes: Some(format!("task {}: {action}", task.id)),
        error,
    }
}
