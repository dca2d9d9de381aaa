//! Provisioning: tasks in Users > Provisioning, the payload they send, and the links that say
//! what the target holds for a user.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `provisioning_state` of a user's app on `GET /api/2/users/{id}/apps`: from the open task, or
/// what the target holds. OneLogin documents only "unknown" ([I] fidelity/onelogin §2); the other
/// values are the harness's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProvisioningState {
    Pending,
    Provisioning,
    Failed,
    Provisioned,
    Suspended,
    Deprovisioned,
    Unknown,
}

impl ProvisioningState {
    /// As the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            ProvisioningState::Pending => "Pending",
            ProvisioningState::Provisioning => "Provisioning",
            ProvisioningState::Failed => "Failed",
            ProvisioningState::Provisioned => "Provisioned",
            ProvisioningState::Suspended => "Suspended",
            ProvisioningState::Deprovisioned => "Deprovisioned",
            ProvisioningState::Unknown => "Unknown",
        }
    }
}

/// One provisioning task in Users > Provisioning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub app_id: u64,
    pub user_id: u64,
    pub action: TaskAction,
    /// What caused it, in words: "added to role Asana users", "user deleted", ...
    pub reason: String,
    pub status: TaskStatus,
    /// Why it failed or was skipped.
    #[serde(default)]
    pub error: Option<String>,
    /// Whether the app required an admin's approval for this action when the task was made.
    pub requires_approval: bool,
    /// The user's mapped attributes when the task was made (a deleted user has none later).
    pub payload: Payload,
    /// HTTP requests sent for it, over every run, retries included. (`attempts` in state files
    /// written before it was named for what it counts.)
    #[serde(default, alias = "attempts")]
    pub requests: u32,
    #[serde(default)]
    pub scim_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    Create,
    Update,
    /// PUT `active:false`: the suspended-user policy, or the deleted-user policy "Suspend".
    Suspend,
    /// PUT `active:true` after an unsuspension.
    Reactivate,
    /// DELETE.
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Pending,
    Approved,
    Denied,
    InProgress,
    Provisioned,
    Failed,
    Skipped,
}

impl TaskStatus {
    /// Waiting to run (or for a person).
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Pending | TaskStatus::Approved)
    }
}

/// The mapped attributes a task sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub user_name: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
}

/// What the target has for a user, as far as OneLogin knows: changed only by tasks that
/// succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provisioned {
    Active,
    Suspended,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub app_id: u64,
    pub user_id: u64,
    pub state: Provisioned,
    #[serde(default)]
    pub scim_id: Option<String>,
    /// The payload last sent, to tell a real attribute change from noise.
    pub payload: Payload,
}
