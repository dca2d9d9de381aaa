//! The questions every layer asks of a step, answered by exhaustive matches: a new step that
//! forgets to say what it references or binds does not compile.

use std::borrow::Cow;

use super::Step;

/// What a step names that `given` or an earlier step must have bound.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct References<'a> {
    /// OneLogin users: a name bound with `as:`, or an email.
    pub users: Vec<&'a str>,
    pub roles: Vec<&'a str>,
    /// Asana service accounts.
    pub accounts: Vec<&'a str>,
    /// Texts that may hold `${name.field}` templates.
    pub templates: Vec<Cow<'a, str>>,
}

/// A name a step binds for later steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding<'a> {
    User(&'a str),
    Account(&'a str),
    /// A value for `${name.field}`: a response body, a token.
    Value(&'a str),
}

impl Step {
    /// The step's name as written in files.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::CreateUser(_) => "create_user",
            Step::UpdateUser(_) => "update_user",
            Step::SuspendUser(_) => "suspend_user",
            Step::UnsuspendUser(_) => "unsuspend_user",
            Step::DeleteUser(_) => "delete_user",
            Step::AddRoleUsers(_) => "add_role_users",
            Step::RemoveRoleUsers(_) => "remove_role_users",
            Step::SetRoleApps(_) => "set_role_apps",
            Step::AssignApp(_) => "assign_app",
            Step::UnassignApp(_) => "unassign_app",
            Step::ResetAppUsers(_) => "reset_app_users",
            Step::ImportUsers(_) => "import_users",
            Step::ConfigureApp(_) => "configure_app",
            Step::EnableApi(_) => "enable_api",
            Step::Approve(_) => "approve",
            Step::Deny(_) => "deny",
            Step::Retry(_) => "retry",
            Step::CreateServiceAccount(_) => "create_service_account",
            Step::CreatePersonalAccessToken(_) => "create_personal_access_token",
            Step::DeauthorizeServiceAccount(_) => "deauthorize_service_account",
            Step::RotateServiceAccount(_) => "rotate_service_account",
            Step::ScimRequest(_) => "scim_request",
            Step::RestRequest(_) => "rest_request",
            Step::SetSwitches(_) => "set_switches",
            Step::SetRateLimit(_) => "set_rate_limit",
            Step::InjectFault(_) => "inject_fault",
            Step::ClearFaults(_) => "clear_faults",
            Step::AdvanceClock(_) => "advance_clock",
            Step::ExpectApiStatus(_) => "expect_api_status",
            Step::ExpectTask(_) => "expect_task",
            Step::ExpectNoTask(_) => "expect_no_task",
            Step::ExpectAsanaUser(_) => "expect_asana_user",
            Step::ExpectTeamMembers(_) => "expect_team_members",
            Step::ExpectUserApp(_) => "expect_user_app",
            Step::ExpectExchanges(_) => "expect_exchanges",
            Step::ConfigureSso(_) => "configure_sso",
            Step::SignIn(_) => "sign_in",
            Step::TamperAssertion(_) => "tamper_assertion",
            Step::RotateIdpCertificate(_) => "rotate_idp_certificate",
            Step::ExpectSignIn(_) => "expect_sign_in",
            Step::ExpectSession(_) => "expect_session",
            Step::ExpectEvent(_) => "expect_event",
        }
    }

    /// Whether the step only checks, and changes nothing.
    pub fn is_expectation(&self) -> bool {
        match self {
            Step::ExpectApiStatus(_)
            | Step::ExpectTask(_)
            | Step::ExpectNoTask(_)
            | Step::ExpectAsanaUser(_)
            | Step::ExpectTeamMembers(_)
            | Step::ExpectUserApp(_)
            | Step::ExpectExchanges(_)
            | Step::ExpectSignIn(_)
            | Step::ExpectSession(_)
            | Step::ExpectEvent(_) => true,
            Step::CreateUser(_)
            | Step::UpdateUser(_)
            | Step::SuspendUser(_)
            | Step::UnsuspendUser(_)
            | Step::DeleteUser(_)
            | Step::AddRoleUsers(_)
            | Step::RemoveRoleUsers(_)
            | Step::SetRoleApps(_)
            | Step::AssignApp(_)
            | Step::UnassignApp(_)
            | Step::ResetAppUsers(_)
            | Step::ImportUsers(_)
            | Step::ConfigureApp(_)
            | Step::EnableApi(_)
            | Step::Approve(_)
            | Step::Deny(_)
            | Step::Retry(_)
            | Step::CreateServiceAccount(_)
            | Step::CreatePersonalAccessToken(_)
            | Step::DeauthorizeServiceAccount(_)
            | Step::RotateServiceAccount(_)
            | Step::ScimRequest(_)
            | Step::RestRequest(_)
            | Step::SetSwitches(_)
            | Step::SetRateLimit(_)
            | Step::InjectFault(_)
            | Step::ClearFaults(_)
            | Step::AdvanceClock(_)
            | Step::ConfigureSso(_)
            | Step::SignIn(_)
            | Step::TamperAssertion(_)
            | Step::RotateIdpCertificate(_) => false,
        }
    }

    /// What the step refers to.
    pub fn references(&self) -> References<'_> {
        let mut r = References::default();
        match self {
            Step::UpdateUser(u) => r.users.push(&u.user),
            Step::SuspendUser(u)
            | Step::UnsuspendUser(u)
            | Step::DeleteUser(u)
            | Step::AssignApp(u)
            | Step::UnassignApp(u) => r.users.push(&u.user),
            Step::AddRoleUsers(ru) | Step::RemoveRoleUsers(ru) => {
                r.roles.push(&ru.role);
                r.users.extend(ru.users.iter().map(String::as_str));
            }
            Step::SetRoleApps(ra) => r.roles.push(&ra.role),
            Step::ConfigureApp(app) => {
                r.templates.extend(
                    [&app.token, &app.scim_base_url]
                        .into_iter()
                        .flatten()
                        .map(|t| Cow::Borrowed(t.as_str())),
                );
            }
            Step::Approve(t) | Step::Deny(t) | Step::Retry(t) | Step::ExpectNoTask(t) => {
                r.users.push(&t.user)
            }
            Step::ExpectTask(t) => r.users.push(&t.user),
            Step::ExpectUserApp(t) => r.users.push(&t.user),
            Step::SignIn(s) => r.users.push(&s.user),
            Step::TamperAssertion(t) => r.users.push(&t.user),
            Step::ExpectSignIn(e) => r.users.push(&e.user),
            Step::ExpectSession(e) => r.users.push(&e.user),
            Step::ExpectEvent(e) => {
                if let Some(u) = &e.user {
                    r.users.push(u);
                }
            }
            Step::CreateServiceAccount(sa) => {
                r.templates.extend(sa.token.as_deref().map(Cow::Borrowed));
            }
            Step::DeauthorizeServiceAccount(a) | Step::RotateServiceAccount(a) => {
                r.accounts.push(&a.account)
            }
            Step::ScimRequest(req) | Step::RestRequest(req) => {
                r.templates.extend(
                    [Some(&req.path), req.token.as_ref(), req.raw_body.as_ref()]
                        .into_iter()
                        .flatten()
                        .map(|t| Cow::Borrowed(t.as_str())),
                );
                if let Some(body) = &req.body {
                    r.templates.push(Cow::Owned(body.to_string()));
                }
                if let Some(body) = &req.expect_body {
                    r.templates.push(Cow::Owned(body.to_string()));
                }
            }
            Step::CreateUser(_)
            | Step::EnableApi(_)
            | Step::ResetAppUsers(_)
            | Step::ImportUsers(_)
            | Step::CreatePersonalAccessToken(_)
            | Step::SetSwitches(_)
            | Step::SetRateLimit(_)
            | Step::InjectFault(_)
            | Step::ClearFaults(_)
            | Step::AdvanceClock(_)
            | Step::ExpectApiStatus(_)
            | Step::ExpectAsanaUser(_)
            | Step::ExpectTeamMembers(_)
            | Step::ExpectExchanges(_)
            | Step::ConfigureSso(_)
            | Step::RotateIdpCertificate(_) => {}
        }
        r
    }

    /// The name the step binds for later steps, if any.
    pub fn binds(&self) -> Option<Binding<'_>> {
        match self {
            Step::CreateUser(u) => u.name.as_deref().map(Binding::User),
            Step::CreateServiceAccount(sa) => Some(Binding::Account(&sa.name)),
            Step::CreatePersonalAccessToken(p) => Some(Binding::Value(&p.name)),
            Step::ScimRequest(r) | Step::RestRequest(r) => r.bind.as_deref().map(Binding::Value),
            Step::UpdateUser(_)
            | Step::SuspendUser(_)
            | Step::UnsuspendUser(_)
            | Step::DeleteUser(_)
            | Step::AddRoleUsers(_)
            | Step::RemoveRoleUsers(_)
            | Step::SetRoleApps(_)
            | Step::AssignApp(_)
            | Step::UnassignApp(_)
            | Step::ResetAppUsers(_)
            | Step::ImportUsers(_)
            | Step::ConfigureApp(_)
            | Step::EnableApi(_)
            | Step::Approve(_)
            | Step::Deny(_)
            | Step::Retry(_)
            | Step::DeauthorizeServiceAccount(_)
            | Step::RotateServiceAccount(_)
            | Step::SetSwitches(_)
            | Step::SetRateLimit(_)
            | Step::InjectFault(_)
            | Step::ClearFaults(_)
            | Step::AdvanceClock(_)
            | Step::ExpectApiStatus(_)
            | Step::ExpectTask(_)
            | Step::ExpectNoTask(_)
            | Step::ExpectAsanaUser(_)
            | Step::ExpectTeamMembers(_)
            | Step::ExpectUserApp(_)
            | Step::ExpectExchanges(_)
            | Step::ConfigureSso(_)
            | Step::SignIn(_)
            | Step::TamperAssertion(_)
            | Step::RotateIdpCertificate(_)
            | Step::ExpectSignIn(_)
            | Step::ExpectSession(_)
            | Step::ExpectEvent(_) => None,
        }
    }
}
