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
//! Unknown keys are errors everywhere, so a typo cannot silently test the wrong thing. The same
//! types derive the file's JSON Schema (`crate::schema`), so the doc comments here are what an
//! editor shows for each step and field.

mod duration;
mod expect;
mod pattern;
pub mod sso;
pub mod step;
mod template;

use std::collections::BTreeMap;

use fake_asana::fixture::{TeamFixture, UserFixture};
/// The fake Asana's settings and records a scenario names are the fake's own types too.
pub use fake_asana::{DeprovisionVia, FaultSpec, Profile, Scope, Switch};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

pub use duration::Duration;
pub use expect::{
    ApiStatusExpectation, AsanaUserExpectation, EventExpectation, EventKind, ExchangeExpectation,
    ImportExpectation, Since, TaskExpectation, TeamExpectation, UserAppExpectation,
};
/// The OneLogin settings and task states a scenario names are the fake's own types, so a
/// scenario and the fake cannot disagree on a spelling.
pub use pattern::Pattern;
pub use template::references;

pub use fake_onelogin::{
    ApiStatus, Connector, Mapping, OnDelete, OnSuspend, ProvisioningState, SchemaUrns, TaskAction,
    TaskStatus,
};

/// One story from the KB article: a `given` that sets up both fakes, and steps in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Names the scenario in reports.
    pub name: String,
    /// What the scenario shows, in a sentence or two.
    #[serde(default)]
    pub description: Option<String>,
    /// Labels for `run --filter`; `transcript` also pins the redacted HTTP exchange as a snapshot.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Seeds tokens, retry jitter and fault probabilities. Default: derived from the name.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Both fakes as the story starts.
    #[serde(default)]
    pub given: Given,
    /// Actions and expectations, in order: `- step_name: { ... }`.
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Spanned<Step>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// The fake Asana: its organization, people, service accounts and switches.
    #[serde(default)]
    pub asana: AsanaGiven,
    /// The fake OneLogin: its directory and the Asana app's settings.
    #[serde(default)]
    pub onelogin: OneLoginGiven,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsanaGiven {
    /// A fake-Asana fixture file (organizations, users, teams, service accounts), relative to the
    /// scenario file or the working directory.
    #[serde(default)]
    pub fixture: Option<String>,
    /// `asana` (every fidelity switch at Asana's value, the default) or `rfc` (plain RFC 7644).
    #[serde(default)]
    pub profile: Option<Profile>,
    /// The organization's name, when no fixture gives one.
    #[serde(default)]
    pub organization: Option<String>,
    /// The organization's email domains. Default `acme.test`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Asana members before the story begins.
    #[serde(default)]
    pub users: Vec<UserFixture>,
    /// Asana teams before the story begins.
    #[serde(default)]
    pub teams: Vec<TeamFixture>,
    /// Service accounts, named with `as:` for `${name.token}`.
    #[serde(default)]
    pub service_accounts: Vec<GivenServiceAccount>,
    /// Fidelity switches by name; an unknown name is an error at its line.
    #[serde(default)]
    #[schemars(schema_with = "switch_values")]
    pub switches: BTreeMap<Switch, bool>,
    /// The fake Asana's rate limits.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
}

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
    #[serde(default, deserialize_with = "expect::explicit")]
    pub requests_per_minute: Option<Option<u32>>,
    /// Reads in flight at once; `null`: no limit.
    #[serde(default, deserialize_with = "expect::explicit")]
    pub concurrent_reads: Option<Option<u32>>,
    /// Writes in flight at once; `null`: no limit.
    #[serde(default, deserialize_with = "expect::explicit")]
    pub concurrent_writes: Option<Option<u32>>,
}

/// Switch names to values, each switch a property with its own doc comment, so that an editor
/// completes and explains the names (a map's derived schema would leave its keys open).
fn switch_values(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let switches = Switch::json_schema(generator);
    let mut properties = serde_json::Map::new();
    for choice in switches
        .get("oneOf")
        .and_then(Value::as_array)
        .expect("every switch has a doc comment, so each is its own choice")
    {
        let name = choice["const"]
            .as_str()
            .expect("a switch is named by a string");
        properties.insert(
            name.to_owned(),
            serde_json::json!({"type": "boolean", "description": choice["description"]}),
        );
    }
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneLoginGiven {
    /// A OneLogin directory file (users and roles, in the format `serve --fixture` reads too),
    /// relative to the scenario file or the working directory; what is written inline comes
    /// after it.
    #[serde(default)]
    pub fixture: Option<String>,
    /// OneLogin users before the story begins.
    #[serde(default)]
    pub users: Vec<NewUser>,
    /// OneLogin roles before the story begins.
    #[serde(default)]
    pub roles: Vec<GivenRole>,
    /// The Asana app's settings, set before the roles (so role members get tasks).
    #[serde(default)]
    pub asana_app: Option<AppSettings>,
}

/// The users and roles of a OneLogin directory file (`fake_onelogin::seed`, the one format
/// for such files), as a scenario's `given` writes them.
pub fn given_of(
    directory: fake_onelogin::seed::Directory,
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
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The name later steps use (`user: ada`, `${ada.id}`); steps may also name a user by email.
    #[serde(rename = "as", default)]
    pub name: Option<String>,
    /// The user's email, and by default the SCIM `userName` and the SAML NameID.
    pub email: String,
    /// OneLogin username. Default: the email's local part.
    #[serde(default)]
    pub username: Option<String>,
    /// First name.
    #[serde(default)]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(default)]
    pub lastname: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// OneLogin status code (1 active, 2 suspended, ...).
    #[serde(default)]
    pub status: Option<u8>,
}

/// A OneLogin role: the apps it grants and its members.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenRole {
    /// The name later steps use (`role: asana-users`).
    #[serde(rename = "as")]
    pub name: String,
    /// The role's name in OneLogin; default: the `as` name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `asana` is the only app.
    #[serde(default)]
    pub apps: Vec<AppName>,
    /// Members: users' `as:` names or emails.
    #[serde(default)]
    pub users: Vec<String>,
}

/// The apps a role can grant: OneLogin's Asana app is the only one here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppName {
    Asana,
}

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

/// One step: an action on OneLogin or Asana, a fault, the clock, or an expectation. Written
/// `- step_name: { ... }`; the provisioning queue settles after every step.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    // OneLogin: the directory.
    /// A new OneLogin user (Users > New User).
    CreateUser(NewUser),
    /// Changes a OneLogin user's attributes; only the fields given change.
    UpdateUser(UserUpdate),
    /// Suspends the OneLogin user: the app's suspension policy applies.
    SuspendUser(UserRef),
    /// Makes a suspended OneLogin user active again.
    UnsuspendUser(UserRef),
    /// Deletes the OneLogin user: the app's deleted-user policy applies.
    DeleteUser(UserRef),
    /// Adds users to a role; a role that grants Asana gives them the app.
    AddRoleUsers(RoleUsers),
    /// Removes users from a role; the app goes unless another role or a direct assignment keeps it.
    RemoveRoleUsers(RoleUsers),
    /// Sets the apps a role grants (`[]` takes Asana away from its members).
    SetRoleApps(RoleApps),
    /// The user's Applications tab: Asana given directly.
    AssignApp(UserRef),
    /// The user's Applications tab: a direct assignment of Asana taken away.
    UnassignApp(UserRef),
    // OneLogin: the Asana app and the queue.
    /// The Asana app's Configuration, Provisioning and Parameters tabs; only the fields given
    /// change.
    ConfigureApp(AppSettings),
    /// Presses Enable on the Configuration tab: OneLogin tests the token against the SCIM base.
    EnableApi(Empty),
    /// The app's Users tab: Apply to All > Reset.
    ResetAppUsers(Empty),
    /// Import from Asana: the target's users linked by SCIM Username; the counts, when given,
    /// are checked.
    ImportUsers(ImportExpectation),
    /// Approves the user's newest pending task (of the action, when given).
    Approve(TaskRef),
    /// Denies the user's newest pending task (of the action, when given).
    Deny(TaskRef),
    /// Retries the user's newest failed task (of the action, when given).
    Retry(TaskRef),
    // Asana.
    /// A new Asana service account, bound with `as:` for `${name.token}`.
    CreateServiceAccount(GivenServiceAccount),
    /// A personal access token of an ordinary Asana member, bound for `${name.token}`.
    CreatePersonalAccessToken(NewPersonalAccessToken),
    /// Deauthorizes a service account: its token stops working.
    DeauthorizeServiceAccount(AccountRef),
    /// Regenerates a service account's token: the old one stops working.
    RotateServiceAccount(AccountRef),
    /// A request straight to Asana's SCIM API, as any client would make it.
    ScimRequest(HttpRequest),
    /// A request straight to Asana's REST API, as any client would make it.
    RestRequest(HttpRequest),
    /// Sets fidelity switches of the fake Asana by name.
    SetSwitches(#[schemars(schema_with = "switch_values")] BTreeMap<Switch, bool>),
    /// Sets the fake Asana's rate limits.
    SetRateLimit(RateLimit),
    // Single sign-on.
    /// Sets single sign-on up on both sides, as the KB article does.
    ConfigureSso(sso::SsoSettings),
    /// A person signs in to Asana, driven over HTTP as a browser does.
    SignIn(sso::SignIn),
    /// Posts a response OneLogin signed for the user, changed as named.
    TamperAssertion(sso::Tamper),
    /// A new certificate in OneLogin; given to Asana only with `upload: true`.
    RotateIdpCertificate(sso::Rotate),
    // Faults and time.
    /// Makes the fake Asana fail, delay or drop matching requests.
    InjectFault(FaultSpec),
    /// Removes every injected fault.
    ClearFaults(Empty),
    /// Moves the harness clock forward: `90`, `"5m"`, `"10h"`, `"30d"`.
    AdvanceClock(Duration),
    // Expectations.
    /// The Asana app's API connection: `connected`, or `{ status, error_contains }`.
    ExpectApiStatus(ApiStatusExpectation),
    /// The user's newest provisioning task (of the action, when given).
    ExpectTask(TaskExpectation),
    /// The user has no such task.
    ExpectNoTask(TaskRef),
    /// An Asana user, by `userName`: whether it exists, is active, a guest, and its fields.
    ExpectAsanaUser(AsanaUserExpectation),
    /// An Asana team's members, exactly.
    ExpectTeamMembers(TeamExpectation),
    /// The user's Asana app in OneLogin: its provisioning state and the Asana user it is linked to.
    ExpectUserApp(UserAppExpectation),
    /// The HTTP exchanges with the SCIM target, as `METHOD PATH [STATUS]` patterns.
    ExpectExchanges(ExchangeExpectation),
    /// The outcome of the user's latest `sign_in` or `tamper_assertion`.
    ExpectSignIn(sso::SignInExpectation),
    /// Whether the Asana session of the user's latest `sign_in` still holds.
    ExpectSession(sso::SessionExpectation),
    /// OneLogin's Events API has such an event.
    ExpectEvent(EventExpectation),
}

/// No settings: write `{}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// New email.
    #[serde(default)]
    pub email: Option<String>,
    /// New OneLogin username.
    #[serde(default)]
    pub username: Option<String>,
    /// New first name.
    #[serde(default)]
    pub firstname: Option<String>,
    /// New last name.
    #[serde(default)]
    pub lastname: Option<String>,
    /// New job title.
    #[serde(default)]
    pub title: Option<String>,
    /// New department.
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleUsers {
    /// The role's `as:` name.
    pub role: String,
    /// Users: `as:` names or emails.
    pub users: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleApps {
    /// The role's `as:` name.
    pub role: String,
    /// The apps the role grants from now on (`asana`, or none).
    pub apps: Vec<AppName>,
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

/// A request straight to the SCIM or REST API, as any client would make it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    /// The HTTP method, in any case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, ...
    pub method: String,
    /// Relative to the SCIM base (`/Users`) or the REST base (`/users/me`).
    pub path: String,
    /// The bearer token; `${sa.token}` names a service account's. Absent: no Authorization.
    #[serde(default)]
    pub token: Option<String>,
    /// A JSON body (written as YAML); strings may hold `${name.field}`.
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw body, for malformed input.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The status the response must have.
    #[serde(default)]
    pub expect_status: Option<u16>,
    /// Every key here must be in the response, with the same value (recursively).
    #[serde(default)]
    pub expect_body: Option<Value>,
    /// Binds the response body for `${name.field}` in later steps.
    #[serde(rename = "as", default)]
    pub bind: Option<String>,
}
