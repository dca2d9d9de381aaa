//! The scenario file format: YAML, one scenario per file, steps as an externally tagged list so
//! that every error can name its line.
//!
//! ```yaml
//! name: create waits for approval
//! tags: [approval-gating]
//! given:
//!   asana: { service_accounts: [{ as: sa, scope: scim }] }
//!   onelogin:
//!     users: [{ as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace }]
//!     roles: [{ as: asana-users, apps: [asana] }]
//!     asana_app: { token: "${sa.token}", enabled: true, require_approval: [create] }
//! steps:
//!   - enable_api: {}
//!   - add_role_users: { role: asana-users, users: [ada] }
//!   - expect_task: { user: ada, action: create, status: pending }
//! ```
//!
//! Unknown keys are errors everywhere, so a typo cannot silently test the wrong thing.

mod pattern;
pub mod sso;
pub mod step;
mod template;

use std::collections::BTreeMap;

use fake_asana::fixture::{TeamFixture, UserFixture};
/// The fake Asana's settings and records a scenario names are the fake's own types too.
pub use fake_asana::{DeprovisionVia, FaultSpec, Profile, Scope, Switch};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_saphyr::Spanned;

/// The OneLogin settings and task states a scenario names are the fake's own types, so a
/// scenario and the fake cannot disagree on a spelling.
pub use pattern::Pattern;
pub use template::references;

pub use fake_onelogin::{
    ApiStatus, Connector, Mapping, OnDelete, OnSuspend, ProvisioningState, SchemaUrns, TaskAction,
    TaskStatus,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Seeds tokens, retry jitter and fault probabilities. Default: derived from the name.
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub given: Given,
    pub steps: Vec<Spanned<Step>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    #[serde(default)]
    pub asana: AsanaGiven,
    #[serde(default)]
    pub onelogin: OneLoginGiven,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsanaGiven {
    /// A fake-Asana fixture file (organizations, users, teams, service accounts), relative to the
    /// scenario file or the working directory.
    #[serde(default)]
    pub fixture: Option<String>,
    #[serde(default)]
    pub profile: Option<Profile>,
    /// The organization's name, when no fixture gives one.
    #[serde(default)]
    pub organization: Option<String>,
    /// The organization's email domains. Default `acme.test`.
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub users: Vec<UserFixture>,
    #[serde(default)]
    pub teams: Vec<TeamFixture>,
    #[serde(default)]
    pub service_accounts: Vec<GivenServiceAccount>,
    /// Fidelity switches by name; an unknown name is an error at its line.
    #[serde(default)]
    pub switches: BTreeMap<Switch, bool>,
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenServiceAccount {
    #[serde(rename = "as")]
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
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
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    #[serde(default, deserialize_with = "explicit")]
    pub requests_per_minute: Option<Option<u32>>,
    #[serde(default, deserialize_with = "explicit")]
    pub concurrent_reads: Option<Option<u32>>,
    #[serde(default, deserialize_with = "explicit")]
    pub concurrent_writes: Option<Option<u32>>,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
fn explicit<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneLoginGiven {
    /// A OneLogin directory file (users and roles, in the format `serve --fixture` reads too),
    /// relative to the scenario file or the working directory; what is written inline comes
    /// after it.
    #[serde(default)]
    pub fixture: Option<String>,
    #[serde(default)]
    pub users: Vec<NewUser>,
    #[serde(default)]
    pub roles: Vec<GivenRole>,
    #[serde(default)]
    pub asana_app: Option<AppSettings>,
}

/// The users and roles of a OneLogin directory file (`fake_onelogin::directory`, the one format
/// for such files), as a scenario's `given` writes them.
pub fn given_of(
    directory: fake_onelogin::directory::Directory,
) -> Result<(Vec<NewUser>, Vec<GivenRole>), String> {
    let users = directory
        .users
        .into_iter()
        .map(|u| NewUser {
            name: u.alias,
            email: u.email,
            username: u.username,
            firstname: Some(u.firstname),
            lastname: Some(u.lastname),
            title: u.title,
            department: u.department,
            status: None,
        })
        .collect();
    let roles = directory
        .roles
        .into_iter()
        .map(|r| {
            let apps = r
                .apps
                .iter()
                .map(|a| match a.as_str() {
                    "asana" => Ok(AppName::Asana),
                    other => Err(format!(
                        "role {}: unknown app {other:?} (the only app is asana)",
                        r.name
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok(GivenRole {
                name: r.alias.unwrap_or_else(|| r.name.clone()),
                display_name: Some(r.name),
                apps,
                users: r.users,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok((users, roles))
}

/// A OneLogin user. `as` names it for later steps; `username` defaults to the email's local part.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[serde(rename = "as", default)]
    pub name: Option<String>,
    pub email: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    /// OneLogin status code (1 active, 2 suspended, ...).
    #[serde(default)]
    pub status: Option<u8>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenRole {
    #[serde(rename = "as")]
    pub name: String,
    /// The role's name in OneLogin; default: the `as` name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `asana` is the only app.
    #[serde(default)]
    pub apps: Vec<AppName>,
    #[serde(default)]
    pub users: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppName {
    Asana,
}

/// The Asana app's settings, as the console's Configuration, Provisioning and Parameters tabs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSettings {
    /// "Service Account Token"; `${sa.token}` names a service account's.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub scim_base_url: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The actions that need an admin's approval.
    #[serde(default)]
    pub require_approval: Option<Vec<ApprovalAction>>,
    #[serde(default)]
    pub on_delete: Option<OnDelete>,
    #[serde(default)]
    pub on_suspend: Option<OnSuspend>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAction {
    Create,
    Update,
    Delete,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    #[serde(default)]
    pub name_id: Option<Mapping>,
    #[serde(default)]
    pub scim_username: Option<Mapping>,
}

/// One step: an action on OneLogin or Asana, a fault, the clock, or an expectation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    // OneLogin: the directory.
    CreateUser(NewUser),
    UpdateUser(UserUpdate),
    SuspendUser(UserRef),
    UnsuspendUser(UserRef),
    DeleteUser(UserRef),
    AddRoleUsers(RoleUsers),
    RemoveRoleUsers(RoleUsers),
    SetRoleApps(RoleApps),
    /// The user's Applications tab: Asana given directly, and taken away.
    AssignApp(UserRef),
    UnassignApp(UserRef),
    // OneLogin: the Asana app and the queue.
    ConfigureApp(AppSettings),
    EnableApi(Empty),
    /// The app's Users tab: Apply to All > Reset.
    ResetAppUsers(Empty),
    /// Import from Asana: the target's users linked by SCIM Username; the counts, when given,
    /// are checked.
    ImportUsers(ImportExpectation),
    Approve(TaskRef),
    Deny(TaskRef),
    Retry(TaskRef),
    // Asana.
    CreateServiceAccount(GivenServiceAccount),
    CreatePersonalAccessToken(NewPersonalAccessToken),
    DeauthorizeServiceAccount(AccountRef),
    RotateServiceAccount(AccountRef),
    ScimRequest(HttpRequest),
    RestRequest(HttpRequest),
    SetSwitches(BTreeMap<Switch, bool>),
    SetRateLimit(RateLimit),
    // Single sign-on.
    ConfigureSso(sso::SsoSettings),
    SignIn(sso::SignIn),
    TamperAssertion(sso::Tamper),
    RotateIdpCertificate(sso::Rotate),
    // Faults and time.
    InjectFault(FaultSpec),
    ClearFaults(Empty),
    AdvanceClock(Duration),
    // Expectations.
    ExpectApiStatus(ApiStatusExpectation),
    ExpectTask(TaskExpectation),
    ExpectNoTask(TaskRef),
    ExpectAsanaUser(AsanaUserExpectation),
    ExpectTeamMembers(TeamExpectation),
    ExpectUserApp(UserAppExpectation),
    ExpectExchanges(ExchangeExpectation),
    ExpectSignIn(sso::SignInExpectation),
    ExpectSession(sso::SessionExpectation),
    ExpectEvent(EventExpectation),
}

/// `import_users`: what the import must report, where given.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportExpectation {
    #[serde(default)]
    pub read: Option<usize>,
    #[serde(default)]
    pub linked: Option<usize>,
    #[serde(default)]
    pub already_linked: Option<usize>,
    #[serde(default)]
    pub unmatched: Option<usize>,
}

/// `expect_event`: OneLogin's Events API has such an event (`GET /api/1/events`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventExpectation {
    /// `app_added`, `app_removed`, `provisioning_succeeded`, `provisioning_failed`,
    /// `provisioning_approved`, `provisioning_denied`, `api_connected`, `api_connection_failed`.
    #[serde(rename = "type")]
    pub kind: EventKind,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub error_contains: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    pub user: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub user: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleUsers {
    pub role: String,
    pub users: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleApps {
    pub role: String,
    pub apps: Vec<AppName>,
}

/// The newest task of a user (and action), or a task by id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRef {
    pub user: String,
    #[serde(default)]
    pub action: Option<TaskAction>,
}

/// An ordinary Asana member's personal access token, bound for `${name.token}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPersonalAccessToken {
    #[serde(rename = "as")]
    pub name: String,
    /// The member's email.
    pub user: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRef {
    pub account: String,
}

/// A request straight to the SCIM or REST API, as any client would make it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    pub method: String,
    /// Relative to the SCIM base (`/Users`) or the REST base (`/users/me`).
    pub path: String,
    /// The bearer token; `${sa.token}` names a service account's. Absent: no Authorization.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw body, for malformed input.
    #[serde(default)]
    pub raw_body: Option<String>,
    #[serde(default)]
    pub expect_status: Option<u16>,
    /// Every key here must be in the response, with the same value (recursively).
    #[serde(default)]
    pub expect_body: Option<Value>,
    /// Binds the response body for `${name.field}` in later steps.
    #[serde(rename = "as", default)]
    pub bind: Option<String>,
}

/// `90`, `"90s"`, `"5m"`, `"10h"`, `"2d"`.
#[derive(Debug, Clone, Copy)]
pub struct Duration(pub std::time::Duration);

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Seconds(u64),
            Text(String),
        }
        let secs = match Repr::deserialize(d)? {
            Repr::Seconds(s) => s,
            Repr::Text(t) => parse_duration(&t).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{t:?} is not a duration: write 90, \"90s\", \"5m\", \"10h\" or \"2d\""
                ))
            })?,
        };
        Ok(Duration(std::time::Duration::from_secs(secs)))
    }
}

fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().ok()?;
    let factor = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// `connected`, or `{ status: failed, error_contains: "Not Authorized" }`.
#[derive(Debug)]
pub struct ApiStatusExpectation {
    pub status: ApiStatus,
    pub error_contains: Option<String>,
}

impl<'de> Deserialize<'de> for ApiStatusExpectation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            status: ApiStatus,
            #[serde(default)]
            error_contains: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Short(ApiStatus),
            Full(Full),
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Short(status) => ApiStatusExpectation {
                status,
                error_contains: None,
            },
            Repr::Full(f) => ApiStatusExpectation {
                status: f.status,
                error_contains: f.error_contains,
            },
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskExpectation {
    pub user: String,
    #[serde(default)]
    pub action: Option<TaskAction>,
    pub status: TaskStatus,
    #[serde(default)]
    pub error_contains: Option<String>,
    /// HTTP requests sent for the task, retries included.
    #[serde(default)]
    pub requests: Option<u32>,
    /// The old name of `requests`: kept only so that loading can say so.
    #[serde(default)]
    pub attempts: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsanaUserExpectation {
    pub user_name: String,
    /// In the organization (guests and deprovisioned users count). Default true.
    #[serde(default)]
    pub exists: Option<bool>,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamExpectation {
    pub team: String,
    /// Members' emails.
    pub members: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAppExpectation {
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
#[derive(Debug, Default, Deserialize)]
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

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Since {
    #[default]
    Start,
    Previous,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("10h"), Some(36_000));
        assert_eq!(parse_duration("2d"), Some(172_800));
        assert_eq!(parse_duration("5 m"), Some(300));
        assert_eq!(parse_duration("5y"), None);
        assert_eq!(parse_duration("s"), None);
    }
}
