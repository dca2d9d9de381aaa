//! Runs the provisioning queue: claims approved tasks, hands them to the reference provisioner,
//! and records the results. The provisioner does the HTTP; this module translates between
//! OneLogin's tasks and the provisioner's, and never holds the store's lock across a request.

use harness_provisioner::{Action, Outcome, Provisioner, Target, Task as ScimTask, UserPayload};

use crate::model::App;
use crate::model::{ApiStatus, Payload, TaskAction};
use crate::outbound::TaskRun;
use crate::state::Shared;
use crate::store::StoreError;
use crate::store::import::ImportReport;
use crate::store::queue::RunFailure;

fn scim_task(action: TaskAction, payload: &Payload, scim_id: Option<String>) -> ScimTask {
    ScimTask {
        scim_id,
        action: match action {
            TaskAction::Create => Action::Create,
            TaskAction::Update => Action::Update,
            TaskAction::Suspend => Action::Suspend,
            TaskAction::Reactivate => Action::Reactivate,
            TaskAction::Delete => Action::Delete,
        },
        user: UserPayload {
            user_name: payload.user_name.clone(),
            email: payload.email.clone(),
            given_name: payload.given_name.clone(),
            family_name: payload.family_name.clone(),
            title: payload.title.clone(),
            department: payload.department.clone(),
        },
    }
}

/// Processes the queue until nothing is runnable; returns what ran, in order. One run at a
/// time: a second caller waits, then finds nothing left, so a task never runs twice.
pub async fn run_queue(app: &Shared, provisioner: &Provisioner) -> Vec<TaskRun> {
    let _single = app.run_lock.lock().await;
    let mut runs = Vec::new();
    loop {
        let now = app.clock.now();
        let claimed = app.store_mut().claim_next(now);
        let Some((task, config)) = claimed else {
            // Tasks closed by claim_next (disabled, not connected) are reported too.
            break;
        };
        let target = Target {
            base_url: config.scim_base_url.clone(),
            token: config.token.clone().unwrap_or_default(),
            schema_urns: config.schema_urns,
        };
        let report = provisioner
            .run(
                &target,
                &scim_task(task.action, &task.payload, task.scim_id.clone()),
            )
            .await;
        app.outbound
            .record(Some(task.id), app.clock.now(), report.exchanges);
        let result = match report.outcome {
            Outcome::Provisioned { scim_id, .. } => Ok(scim_id),
            Outcome::Failed(f) => {
                let detail = match f.status {
                    Some(s) => format!(
                        "{} (HTTP {s}, after {} request(s))",
                        f.detail, report.requests
                    ),
                    None => format!("{} (after {} request(s))", f.detail, report.requests),
                };
                Err(RunFailure {
                    detail,
                    unauthorized: f.unauthorized,
                })
            }
        };
        let now = app.clock.now();
        let mut store = app.store_mut();
        store.complete(task.id, result, report.requests, now);
        let done = store.task(task.id).expect("exists");
        tracing::info!(task = done.id, action = ?done.action, status = ?done.status, "provisioning task ran");
        runs.push(TaskRun {
            task_id: done.id,
            user_id: done.user_id,
            action: done.action,
            status: done.status,
            error: done.error.clone(),
            requests: done.requests,
        });
    }
    // Once per drained queue, not per task: `settled` only asks whether anything is still
    // runnable, and waking it for each of 100,000 tasks cost the worker its pace.
    app.progress.send_modify(|n| *n += 1);
    runs
}

/// The Enable button: tests the connection the way OneLogin does and sets the API status.
pub async fn enable(app: &Shared, provisioner: &Provisioner, app_id: u64) -> Option<App> {
    let config = app.store().app(app_id)?.provisioning.clone();
    let (status, error) = match &config.token {
        _ if config.scim_base_url.trim().is_empty() => (
            ApiStatus::Failed,
            Some("no SCIM base URL is configured".to_owned()),
        ),
        None => (
            ApiStatus::Failed,
            Some("no Service Account Token is configured".to_owned()),
        ),
        Some(token) => {
            let target = Target {
                base_url: config.scim_base_url.clone(),
                token: token.clone(),
                schema_urns: config.schema_urns,
            };
            let (result, exchanges) = provisioner
                .test_connection(&target, config.connector.discovers_groups())
                .await;
            app.outbound.record(None, app.clock.now(), exchanges);
            match result {
                Ok(()) => (ApiStatus::Connected, None),
                Err(f) => {
                    let detail = match f.status {
                        Some(s) => format!("{} (HTTP {s})", f.detail),
                        None => f.detail,
                    };
                    (ApiStatus::Failed, Some(detail))
                }
            }
        }
    };
    let mut store = app.store_mut();
    store.set_api_status(app_id, status, error, app.clock.now());
    store.app(app_id).cloned()
}

/// Why an import did not happen: the store refused it, or the target refused the read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The target's reason.
    #[error("{0}")]
    Target(String),
}

/// Import from the target: reads every user (paged, off the store's lock) and links the
/// matching OneLogin users. Refused until the app has a token and a SCIM URL; a target that
/// refuses the read gives its reason.
pub async fn import(
    app: &Shared,
    provisioner: &Provisioner,
    app_id: u64,
) -> Result<ImportReport, ImportError> {
    let config = app.store().import_source(app_id)?;
    let target = Target {
        base_url: config.scim_base_url.clone(),
        token: config.token.clone().unwrap_or_default(),
        schema_urns: config.schema_urns,
    };
    let (result, exchanges) = provisioner.list_users(&target).await;
    app.outbound.record(None, app.clock.now(), exchanges);
    let users = result.map_err(|f| ImportError::Target(f.detail))?;
    let now = app.clock.now();
    Ok(app.store_mut().import_users(app_id, &users, now)?)
}
