//! The steps, listed once: the `Step` enum files are read into, and a dispatch that hands each
//! question to the step's own type. Each family of steps lives in its own file, with its
//! payload, its load-time facts and its run:
//!
//! - `onelogin_directory`: users and roles in OneLogin.
//! - `onelogin_app`: OneLogin's Asana app and its queue.
//! - `asana`: Asana's admin side (service accounts, tokens, switches, rate limits).
//! - `asana_requests`: SCIM and REST requests, and the exchanges with the SCIM target.
//! - `sso`: single sign-on.
//! - `faults_time`: faults and the clock.
//! - `expect_onelogin`, `expect_asana`, `expect_sso`: expectations.
//!
//! `action` is what every step answers ([`Action`]).

mod action;
pub mod asana;
pub mod asana_requests;
pub mod expect_asana;
pub mod expect_onelogin;
pub mod expect_sso;
pub mod faults_time;
pub mod onelogin_app;
pub mod onelogin_directory;
pub mod sso;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::fields::switch_values;
use crate::runner::outcome::Halt;
use crate::runner::state::Runner;
use action::Action;
pub use action::{Binding, CheckError, References};
use onelogin_directory::NewUser;

/// One step: an action on OneLogin or Asana, a fault, the clock, or an expectation. Written
/// `- step_name: { ... }`; the provisioning queue settles after every step.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    // OneLogin: the directory.
    /// A new OneLogin user (Users > New User).
    CreateUser(onelogin_directory::NewUser),
    /// Changes a OneLogin user's attributes; only the fields given change.
    UpdateUser(onelogin_directory::UserUpdate),
    /// Suspends the OneLogin user: the app's suspension policy applies.
    SuspendUser(onelogin_directory::SuspendUser),
    /// Makes a suspended OneLogin user active again.
    UnsuspendUser(onelogin_directory::UnsuspendUser),
    /// Deletes the OneLogin user: the app's deleted-user policy applies.
    DeleteUser(onelogin_directory::DeleteUser),
    /// Adds users to a role; a role that grants Asana gives them the app.
    AddRoleUsers(onelogin_directory::AddRoleUsers),
    /// Removes users from a role; the app goes unless another role or a direct assignment keeps it.
    RemoveRoleUsers(onelogin_directory::RemoveRoleUsers),
    /// Sets the apps a role grants (`[]` takes Asana away from its members).
    SetRoleApps(onelogin_directory::RoleApps),
    /// The user's Applications tab: Asana given directly.
    AssignApp(onelogin_directory::AssignApp),
    /// The user's Applications tab: a direct assignment of Asana taken away.
    UnassignApp(onelogin_directory::UnassignApp),
    // OneLogin: the Asana app and the queue.
    /// The Asana app's Configuration, Provisioning and Parameters tabs; only the fields given
    /// change.
    ConfigureApp(onelogin_app::AppSettings),
    /// Presses Enable on the Configuration tab: OneLogin tests the token against the SCIM base.
    EnableApi(onelogin_app::EnableApi),
    /// The app's Users tab: Apply to All > Reset.
    ResetAppUsers(onelogin_app::ResetAppUsers),
    /// Import from Asana: the target's users linked by SCIM Username; the counts, when given,
    /// are checked.
    ImportUsers(onelogin_app::ImportExpectation),
    /// Approves the user's newest pending task (of the action, when given).
    Approve(onelogin_app::Approve),
    /// Denies the user's newest pending task (of the action, when given).
    Deny(onelogin_app::Deny),
    /// Retries the user's newest failed task (of the action, when given).
    Retry(onelogin_app::Retry),
    // Asana.
    /// A new Asana service account, bound with `as:` for `${name.token}`.
    CreateServiceAccount(asana::GivenServiceAccount),
    /// A personal access token of an ordinary Asana member, bound for `${name.token}`.
    CreatePersonalAccessToken(asana::NewPersonalAccessToken),
    /// Deauthorizes a service account: its token stops working.
    DeauthorizeServiceAccount(asana::DeauthorizeServiceAccount),
    /// Regenerates a service account's token: the old one stops working.
    RotateServiceAccount(asana::RotateServiceAccount),
    /// A request straight to Asana's SCIM API, as any client would make it.
    ScimRequest(asana_requests::ScimRequest),
    /// A request straight to Asana's REST API, as any client would make it.
    RestRequest(asana_requests::RestRequest),
    /// Sets fidelity switches of the fake Asana by name.
    SetSwitches(#[schemars(schema_with = "switch_values")] asana::SetSwitches),
    /// Sets the fake Asana's rate limits.
    SetRateLimit(asana::RateLimit),
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
    InjectFault(faults_time::InjectFault),
    /// Removes every injected fault.
    ClearFaults(faults_time::ClearFaults),
    /// Moves the harness clock forward: `90`, `"5m"`, `"10h"`, `"30d"`.
    AdvanceClock(faults_time::AdvanceClock),
    // Expectations.
    /// The Asana app's API connection: `connected`, or `{ status, error_contains }`.
    ExpectApiStatus(expect_onelogin::ApiStatusExpectation),
    /// The user's newest provisioning task (of the action, when given).
    ExpectTask(expect_onelogin::TaskExpectation),
    /// The user has no such task.
    ExpectNoTask(expect_onelogin::ExpectNoTask),
    /// An Asana user, by `userName`: whether it exists, is active, a guest, and its fields.
    ExpectAsanaUser(expect_asana::AsanaUserExpectation),
    /// An Asana team's members, exactly.
    ExpectTeamMembers(expect_asana::TeamExpectation),
    /// The user's Asana app in OneLogin: its provisioning state and the Asana user it is linked to.
    ExpectUserApp(expect_onelogin::UserAppExpectation),
    /// The HTTP exchanges with the SCIM target, as `METHOD PATH [STATUS]` patterns.
    ExpectExchanges(asana_requests::ExchangeExpectation),
    /// The outcome of the user's latest `sign_in` or `tamper_assertion`.
    ExpectSignIn(expect_sso::SignInExpectation),
    /// Whether the Asana session of the user's latest `sign_in` still holds.
    ExpectSession(expect_sso::SessionExpectation),
    /// OneLogin's Events API has such an event.
    ExpectEvent(expect_onelogin::EventExpectation),
}

/// A match over every step, binding its payload to `$p`.
macro_rules! each_step {
    ($step:expr, $p:ident => $body:expr) => {
        match $step {
            Step::CreateUser($p) => $body,
            Step::UpdateUser($p) => $body,
            Step::SuspendUser($p) => $body,
            Step::UnsuspendUser($p) => $body,
            Step::DeleteUser($p) => $body,
            Step::AddRoleUsers($p) => $body,
            Step::RemoveRoleUsers($p) => $body,
            Step::SetRoleApps($p) => $body,
            Step::AssignApp($p) => $body,
            Step::UnassignApp($p) => $body,
            Step::ConfigureApp($p) => $body,
            Step::EnableApi($p) => $body,
            Step::ResetAppUsers($p) => $body,
            Step::ImportUsers($p) => $body,
            Step::Approve($p) => $body,
            Step::Deny($p) => $body,
            Step::Retry($p) => $body,
            Step::CreateServiceAccount($p) => $body,
            Step::CreatePersonalAccessToken($p) => $body,
            Step::DeauthorizeServiceAccount($p) => $body,
            Step::RotateServiceAccount($p) => $body,
            Step::ScimRequest($p) => $body,
            Step::RestRequest($p) => $body,
            Step::SetSwitches($p) => $body,
            Step::SetRateLimit($p) => $body,
            Step::ConfigureSso($p) => $body,
            Step::SignIn($p) => $body,
            Step::TamperAssertion($p) => $body,
            Step::RotateIdpCertificate($p) => $body,
            Step::InjectFault($p) => $body,
            Step::ClearFaults($p) => $body,
            Step::AdvanceClock($p) => $body,
            Step::ExpectApiStatus($p) => $body,
            Step::ExpectTask($p) => $body,
            Step::ExpectNoTask($p) => $body,
            Step::ExpectAsanaUser($p) => $body,
            Step::ExpectTeamMembers($p) => $body,
            Step::ExpectUserApp($p) => $body,
            Step::ExpectExchanges($p) => $body,
            Step::ExpectSignIn($p) => $body,
            Step::ExpectSession($p) => $body,
            Step::ExpectEvent($p) => $body,
        }
    };
}

fn name_of<A: Action>(_: &A) -> &'static str {
    A::NAME
}

fn is_expectation<A: Action>(_: &A) -> bool {
    A::EXPECTATION
}

impl Step {
    /// The step's name as written in files.
    pub fn kind(&self) -> &'static str {
        each_step!(self, p => name_of(p))
    }

    /// Whether the step only checks, and changes nothing.
    pub fn is_expectation(&self) -> bool {
        each_step!(self, p => is_expectation(p))
    }

    /// What the step refers to.
    pub fn references(&self) -> References<'_> {
        each_step!(self, p => p.references())
    }

    /// The name the step binds for later steps, if any.
    pub fn binds(&self) -> Option<Binding<'_>> {
        each_step!(self, p => p.binds())
    }

    /// What serde cannot check alone.
    pub fn check(&self) -> Result<(), CheckError> {
        each_step!(self, p => p.check())
    }

    /// The OneLogin user the step creates, if it creates one.
    pub fn new_user_mut(&mut self) -> Option<&mut NewUser> {
        match self {
            Step::CreateUser(user) => Some(user),
            _ => None,
        }
    }

    pub(crate) async fn run(&self, runner: &mut Runner) -> Result<(), Halt> {
        each_step!(self, p => p.run(runner).await)
    }
}
