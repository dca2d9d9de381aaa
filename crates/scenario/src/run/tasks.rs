//! OneLogin's tasks as the runner speaks of them: in failure messages, and the decisions a person
//! makes in Users > Provisioning.

use fake_onelogin::{Task, TaskStatus};

/// A OneLogin task as failure messages show it: `task 100023 create failed (why)`.
pub(super) fn describe_task(t: &Task) -> String {
    format!(
        "task {} {} {}{}",
        t.id,
        word(t.action),
        word(t.status),
        t.error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    )
}

/// A setting or state as files spell it: `create`, `pending`.
pub(super) fn word(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What a person does to a task in Users > Provisioning.
#[derive(Debug, Clone, Copy)]
pub(super) enum Decision {
    Approve,
    Deny,
    Retry,
}

impl Decision {
    pub(super) fn verb(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
            Decision::Retry => "retry",
        }
    }

    /// The state a task must be in for the decision.
    pub(super) fn from(self) -> TaskStatus {
        match self {
            Decision::Approve | Decision::Deny => TaskStatus::Pending,
            Decision::Retry => TaskStatus::Failed,
        }
    }
}
