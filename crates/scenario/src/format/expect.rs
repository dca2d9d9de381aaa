//! The expectations a step can state: what OneLogin and Asana must show at that point. Each only
//! checks; none changes either side.

use std::collections::BTreeMap;

use fake_asana::DeprovisionVia;
use fake_onelogin::{ApiStatus, ProvisioningState, TaskAction, TaskStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::pattern::Pattern;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    AppAdded,
    AppRemoved,
    ProvisioningSucceeded,
    ProvisioningFailed,
    ProvisioningApproved,
    ProvisioningDenied,
    ApiConnected,
    ApiConnectionFailed,
}

impl EventKind {
    /// The harness's event type id (README, "Events").
    pub fn id(self) -> u32 {
        match self {
            EventKind::AppAdded => 9001,
            EventKind::AppRemoved => 9002,
            EventKind::ProvisioningSucceeded => 9010,
            EventKind::ProvisioningFailed => 9011,
            EventKind::ProvisioningApproved => 9020,
            EventKind::ProvisioningDenied => 9021,
            EventKind::ApiConnected => 9030,
            EventKind::ApiConnectionFailed => 9031,
        }
    }
}

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
pub struct AsanaUserExpectation {
    /// The Asana user's `userName` (an email).
    pub user_name: String,
    /// In the organization (guests and deprovisioned users count). Default true.
    #[serde(default)]
    pub exists: Option<bool>,
    /// SCIM `active`.
    #[serde(default)]
    pub active: Option<bool>,
    /// Off the organization's domains, invisible to SCIM reads.
    #[serde(default)]
    pub guest: Option<bool>,
    /// `scim_delete`, `scim_put`, `scim_patch`, `rest_remove_user`.
    #[serde(default)]
    pub deprovisioned_via: Option<DeprovisionVia>,
    /// Dotted paths into the SCIM user: `title`, `name.formatted`, `enterprise.department`.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    /// Events the user's records must hold, in this order (others may come between):
    /// `user_deprovisioned`, `user_reprovisioned`.
    #[serde(default)]
    pub events: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamExpectation {
    /// The Asana team's name.
    pub team: String,
    /// Members' emails.
    pub members: Vec<String>,
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

/// The HTTP exchanges with the SCIM target: requests the provisioner made, and the scenario's
/// own `scim_request` / `rest_request` steps. A pattern is `METHOD PATH [STATUS]`; `*` in the
/// path matches anything; STATUS may be `dropped`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeExpectation {
    /// These happened, in this order (other exchanges may come between).
    #[serde(default)]
    pub sequence: Vec<Pattern>,
    /// None of these happened.
    #[serde(default)]
    pub absent: Vec<Pattern>,
    /// `start` (default) or `previous`: since the previous `expect_exchanges`.
    #[serde(default)]
    pub since: Since,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Since {
    #[default]
    Start,
    Previous,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
pub(super) fn explicit<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?))
}
