//! The SSO tab's rules: its settings, its certificates, and who gets an assertion with which
//! NameID. The signing itself happens outside the store (see `crate::sso`), so that an RSA
//! signature never holds the lock.

use jiff::Timestamp;

use super::{Store, StoreError, invalid};
use crate::model::*;

/// The password every person in the fake OneLogin signs in with (a documented harness choice:
/// the fake has no password store).
pub const PASSWORD: &str = "harness-password";

/// OneLogin's refusals, each with a code a script or scenario can read (`data-reason` on the
/// refusal pages). The one list: the pages write these and scenarios expect them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The OneLogin login itself failed: unknown person, wrong password, status not Active.
    CannotLogIn,
    /// The person does not have the app (through a role or directly).
    NoAppAccess,
    /// The AuthnRequest names another service provider.
    UnknownServiceProvider,
    /// The AuthnRequest cannot be read.
    BadSamlRequest,
    /// The app's SSO tab is incomplete (no ACS URL) or its key is unusable.
    SsoNotConfigured,
    /// No such app.
    NotFound,
}

impl RefusalCode {
    pub const ALL: [RefusalCode; 6] = [
        RefusalCode::CannotLogIn,
        RefusalCode::NoAppAccess,
        RefusalCode::UnknownServiceProvider,
        RefusalCode::BadSamlRequest,
        RefusalCode::SsoNotConfigured,
        RefusalCode::NotFound,
    ];

    /// The code as the pages write it.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::CannotLogIn => "cannot_log_in",
            RefusalCode::NoAppAccess => "no_app_access",
            RefusalCode::UnknownServiceProvider => "unknown_service_provider",
            RefusalCode::BadSamlRequest => "bad_saml_request",
            RefusalCode::SsoNotConfigured => "sso_not_configured",
            RefusalCode::NotFound => "not_found",
        }
    }
}

impl std::fmt::Display for RefusalCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why OneLogin's login form refuses someone: the message the form shows
/// ([`RefusalCode::CannotLogIn`] for all of them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefusal {
    #[error("No user with that username or email.")]
    UnknownUser,
    #[error("The password is wrong.")]
    WrongPassword,
    /// Only Active users can log in (fidelity/onelogin §3.2, status 1).
    #[error("This account cannot sign in: its status is {}.", .0.label())]
    NotActive(UserStatus),
}

/// Why the IdP will not sign someone in to an app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoRefusal {
    #[error("no app {0}")]
    NoApp(u64),
    #[error("no user {0}")]
    NoUser(u64),
    /// OneLogin signs a user in to an app only if it is assigned to them (fidelity/saml §2).
    #[error(
        "{0} does not have access to {1}: the app is not given to them, directly or through a role"
    )]
    NoAccess(String, String),
    /// Only Active users can log in (fidelity/onelogin §3.2, status 1).
    #[error("{0} cannot log in: the account's status is {status}", status = .1.label())]
    NotActive(String, UserStatus),
    #[error("the app's SSO tab has no ACS URL to send the assertion to")]
    NoAcs,
    /// The Parameters tab maps the NameID to an attribute the user has no value for.
    #[error("{0} has no {1}, which the Parameters tab maps the NameID to")]
    EmptyNameId(String, &'static str),
}

impl SsoRefusal {
    /// The code the refusal page carries.
    pub fn code(&self) -> RefusalCode {
        match self {
            SsoRefusal::NoAccess(..) => RefusalCode::NoAppAccess,
            SsoRefusal::NotActive(..) => RefusalCode::CannotLogIn,
            SsoRefusal::NoAcs | SsoRefusal::EmptyNameId(..) => RefusalCode::SsoNotConfigured,
            SsoRefusal::NoApp(_) | SsoRefusal::NoUser(_) => RefusalCode::NotFound,
        }
    }
}

/// Who an assertion is for, as the store decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub user: u64,
    /// From the Parameters tab's NameID mapping.
    pub name_id: String,
    pub email: String,
    pub acs_url: String,
}

impl Store {
    /// Saves the SSO tab's settings; the certificates are kept as they are.
    pub fn set_sso(
        &mut self,
        app: u64,
        mut sso: SsoConfig,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if let Some(acs) = &sso.acs_url
            && !(acs.starts_with("http://") || acs.starts_with("https://"))
        {
            return Err(invalid("acs_url", format!("{acs:?} is not an http(s) URL")));
        }
        if sso.audience.trim().is_empty() {
            return Err(invalid("audience", "must not be empty"));
        }
        let a = self
            .apps
            .get_mut(&app)
            .ok_or_else(|| StoreError::NotFound(format!("app {app}")))?;
        sso.certificates = std::mem::take(&mut a.sso.certificates);
        a.sso = sso;
        a.updated_at = now;
        Ok(())
    }

    /// Puts a new certificate in use; the old ones stay listed. Certificates are numbered per
    /// app (1, 2, ...), apart from the ids of users, roles and tasks, so that making one never
    /// shifts those.
    pub fn add_certificate(
        &mut self,
        app: u64,
        certificate: String,
        private_key: String,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let a = self
            .apps
            .get_mut(&app)
            .ok_or_else(|| StoreError::NotFound(format!("app {app}")))?;
        // The newest is first and, being in use, cannot be removed: ids only grow.
        let id = a.sso.certificates.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        a.sso.certificates.insert(
            0,
            IdpCertificate {
                id,
                certificate,
                private_key,
                created_at: now,
            },
        );
        a.updated_at = now;
        Ok(id)
    }

    /// Removes a certificate no longer in use.
    pub fn remove_certificate(&mut self, app: u64, id: u64) -> Result<(), StoreError> {
        let a = self
            .apps
            .get_mut(&app)
            .ok_or_else(|| StoreError::NotFound(format!("app {app}")))?;
        match a.sso.certificates.iter().position(|c| c.id == id) {
            None => Err(StoreError::NotFound(format!("certificate {id}"))),
            Some(0) => Err(StoreError::Conflict(
                "this certificate is in use; rotate to a new one before removing it".into(),
            )),
            Some(i) => {
                a.sso.certificates.remove(i);
                Ok(())
            }
        }
    }

    /// The user an assertion for `app` would name, if OneLogin would sign them in at all.
    pub fn sso_subject(&self, app: u64, user: u64) -> Result<Subject, SsoRefusal> {
        let a = self.apps.get(&app).ok_or(SsoRefusal::NoApp(app))?;
        let u = self.users.get(&user).ok_or(SsoRefusal::NoUser(user))?;
        if !u.status.can_log_in() {
            return Err(SsoRefusal::NotActive(u.email.clone(), u.status));
        }
        if !self.has_access(user, app) {
            return Err(SsoRefusal::NoAccess(u.email.clone(), a.name.clone()));
        }
        let acs_url = a.sso.acs_url.clone().ok_or(SsoRefusal::NoAcs)?;
        let mapping = a.provisioning.parameters.name_id;
        let name_id = mapping
            .value_of(u)
            .ok_or_else(|| SsoRefusal::EmptyNameId(u.email.clone(), mapping.label()))?
            .to_owned();
        Ok(Subject {
            user,
            name_id,
            email: u.email.clone(),
            acs_url,
        })
    }

    /// OneLogin's login form: the user named by username or email, if the password is right
    /// and their status lets them log in.
    pub fn log_in(&self, who: &str, password: &str) -> Result<u64, LoginRefusal> {
        let user = self
            .users
            .values()
            .find(|u| u.username.eq_ignore_ascii_case(who) || u.email.eq_ignore_ascii_case(who))
            .ok_or(LoginRefusal::UnknownUser)?;
        if password != PASSWORD {
            return Err(LoginRefusal::WrongPassword);
        }
        if !user.status.can_log_in() {
            return Err(LoginRefusal::NotActive(user.status));
        }
        Ok(user.id)
    }

    /// Whether a signed-in person's session still stands: they exist and can still log in.
    pub fn session_stands(&self, user: u64) -> bool {
        self.users.get(&user).is_some_and(|u| u.status.can_log_in())
    }

    /// The apps a user can start from the portal: those their roles grant.
    pub fn portal_apps(&self, user: u64) -> Vec<&App> {
        self.apps
            .values()
            .filter(|a| self.has_access(user, a.id))
            .collect()
    }
}
