//! Who may sign in, and how: the organization's SAML settings and the member matching every
//! SAML and password sign-in goes through (fidelity/saml §1).
//!
//! Matching is by email, case-insensitively, through the userName index (Asana's userName is
//! the email). Members only: guests always use a password, deprovisioned members are refused
//! unless just-in-time provisioning adds them back, which leaves a `user_reprovisioned` record
//! as Asana's audit log shows it.

use std::sync::Arc;

use harness_saml::Certificate;
use harness_scim::{MultiValue, User};
use jiff::Timestamp;

use super::{Store, StoreError};
use crate::config::{Config, Switch};
use crate::model::*;

/// How a sign-in found its member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Member,
    /// Just-in-time: no member had the email, so one was added.
    Created,
    /// Just-in-time: the member was deprovisioned and is added back.
    Reprovisioned,
}

impl Admission {
    pub fn label(self) -> Option<&'static str> {
        match self {
            Admission::Member => None,
            Admission::Created => Some("added at sign-in (just-in-time)"),
            Admission::Reprovisioned => Some("re-added at sign-in (just-in-time)"),
        }
    }
}

impl Store {
    pub fn saml_settings(&self, org: Gid) -> Option<&SamlSettings> {
        self.orgs.get(&org).map(|o| &o.info.saml)
    }

    /// Saves the Security tab, as Asana would refuse it: SAML on needs a sign-in URL and a
    /// certificate that parses; the session timeout is 1 hour to 30 days.
    pub fn set_saml_settings(
        &mut self,
        org: Gid,
        settings: SamlSettings,
    ) -> Result<(), StoreError> {
        if !(SamlSettings::MIN_TIMEOUT_HOURS..=SamlSettings::MAX_TIMEOUT_HOURS)
            .contains(&settings.session_timeout_hours)
        {
            return Err(StoreError::SessionTimeout {
                max: SamlSettings::MAX_TIMEOUT_HOURS,
                got: settings.session_timeout_hours,
            });
        }
        if let Some(url) = &settings.sign_in_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(StoreError::SignInUrlNotHttp(url.clone()));
        }
        if let Some(pem) = &settings.certificate {
            Certificate::from_pem(pem).map_err(|e| StoreError::Certificate(e.to_string()))?;
        }
        if settings.mode != SamlMode::Off {
            if settings.sign_in_url.is_none() {
                return Err(StoreError::SamlNeedsSignInUrl);
            }
            if settings.certificate.is_none() {
                return Err(StoreError::SamlNeedsCertificate);
            }
        }
        let o = self
            .orgs
            .get_mut(&org)
            .ok_or(StoreError::NoOrganization(org))?;
        o.info.saml = settings;
        Ok(())
    }

    /// The organization one of whose domains is `domain`.
    pub fn org_by_domain(&self, domain: &str) -> Option<Gid> {
        self.orgs
            .values()
            .find(|o| {
                o.info
                    .domains
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(domain))
            })
            .map(|o| o.info.gid)
    }

    /// The member a verified NameID names. `saml_just_in_time` adds an unknown on-domain
    /// email, and adds a deprovisioned member back.
    pub fn saml_member(
        &mut self,
        org: Gid,
        email: &str,
        now: Timestamp,
        cfg: &Config,
    ) -> Result<(Gid, Admission), StoreError> {
        let just_in_time = cfg.on(Switch::SamlJustInTime);
        let o = self.org(org)?;
        let Some(gid) = o.by_user_name.get(&email.to_lowercase()).copied() else {
            if just_in_time && o.on_domain(email) {
                let user = User {
                    user_name: email.to_owned(),
                    emails: vec![MultiValue {
                        value: Some(email.into()),
                        primary: Some(true),
                        ..MultiValue::default()
                    }],
                    active: Some(true),
                    ..User::default()
                };
                let gid = self.gid();
                let o = self.org_mut(org);
                o.by_user_name.insert(email.to_lowercase(), gid);
                o.users
                    .insert(gid, Arc::new(UserRecord::new(gid, user, false, now)));
                return Ok((gid, Admission::Created));
            }
            return Err(StoreError::NotAMemberOf {
                email: email.to_owned(),
                org: o.info.name.clone(),
            });
        };
        let user = &o.users[&gid];
        if user.guest {
            return Err(StoreError::GuestUsesPassword(email.to_owned()));
        }
        if user.is_active() {
            return Ok((gid, Admission::Member));
        }
        if !just_in_time {
            return Err(StoreError::Deprovisioned {
                email: email.to_owned(),
                org: o.info.name.clone(),
            });
        }
        self.org_mut(org)
            .reprovision(gid, None, "saml_sign_in", now);
        Ok((gid, Admission::Reprovisioned))
    }

    /// The user a password sign-in names, if SAML allows it: guests always, members unless SAML
    /// is required. The password itself is checked by the caller.
    pub fn password_member(&self, org: Gid, email: &str) -> Result<Gid, StoreError> {
        let o = self.org(org)?;
        let gid = o
            .by_user_name
            .get(&email.to_lowercase())
            .copied()
            .ok_or_else(|| StoreError::NoAccount(email.to_owned()))?;
        let user = &o.users[&gid];
        if !user.is_active() {
            return Err(StoreError::Deprovisioned {
                email: email.to_owned(),
                org: o.info.name.clone(),
            });
        }
        if !user.guest && o.info.saml.mode == SamlMode::Required {
            return Err(StoreError::SamlRequired(o.info.name.clone()));
        }
        Ok(gid)
    }
}
