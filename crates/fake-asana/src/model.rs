//! The fake organization's records, as `GET /__admin/state` shows them and `PUT` restores them.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use harness_scim::User;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::token::TokenDigest;

/// An Asana global id: a number, written as a string on the wire (fidelity/asana §1.4: numeric
/// strings of about 16 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gid(pub u64);

impl fmt::Display for Gid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Gid {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Gid)
    }
}

impl Serialize for Gid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Gid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            N(u64),
            S(String),
        }
        match Repr::deserialize(d)? {
            Repr::N(n) => Ok(Gid(n)),
            Repr::S(s) => s
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a gid"))),
        }
    }
}

/// What a service account may call (fidelity/asana §2, [C3] ENTRA / HC-SA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// "Scoped permissions → User provisioning (SCIM)": SCIM only, no REST.
    Scim,
    /// "Full permissions": SCIM and the whole REST API.
    Full,
}

/// The whole fake: every organization, and the id counter so restored state never reuses ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub next_gid: Gid,
    pub organizations: Vec<Organization>,
}

pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub gid: Gid,
    pub name: String,
    /// Email domains whose users are members; everyone else is a guest.
    pub domains: Vec<String>,
    /// Whether the organization has view-only licenses, which makes `userType` visible.
    #[serde(default)]
    pub view_only_licenses: bool,
    /// Shared with the live store, which copies a record only when it changes it: a snapshot
    /// (and the state `POST /__admin/reset` returns to) costs a pointer per user, not a copy.
    #[serde(default)]
    pub users: Vec<Arc<UserRecord>>,
    #[serde(default)]
    pub teams: Vec<TeamRecord>,
    #[serde(default)]
    pub service_accounts: Vec<ServiceAccountRecord>,
    #[serde(default)]
    pub personal_access_tokens: Vec<PersonalAccessTokenRecord>,
    /// Admin console > Security > SAML authentication.
    #[serde(default)]
    pub saml: SamlSettings,
}

/// The organization's SAML settings: Asana takes two values and a choice, no metadata
/// (fidelity/saml §1, [C3] GWS, ENTRA-SSO), and a session timeout ([C] HC-AUTH).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlSettings {
    pub mode: SamlMode,
    /// The IdP's SSO endpoint: where SP-initiated sign-in sends the browser.
    #[serde(default)]
    pub sign_in_url: Option<String>,
    /// The IdP's X.509 certificate, PEM, as uploaded.
    #[serde(default)]
    pub certificate: Option<String>,
    /// How long a SAML session lasts: 1 hour to 30 days ([C] HC-AUTH).
    #[serde(default = "SamlSettings::default_timeout")]
    pub session_timeout_hours: u32,
}

impl SamlSettings {
    /// The longest session Asana allows; the default is the harness's choice (Asana's own
    /// default is not documented).
    pub const MAX_TIMEOUT_HOURS: u32 = 30 * 24;
    pub const MIN_TIMEOUT_HOURS: u32 = 1;

    fn default_timeout() -> u32 {
        Self::MAX_TIMEOUT_HOURS
    }

    /// The uploaded certificate, parsed. The store accepts only one that parses, so `None`
    /// means none was uploaded.
    pub fn parsed_certificate(&self) -> Option<harness_saml::Certificate> {
        self.certificate
            .as_deref()
            .and_then(|pem| harness_saml::Certificate::from_pem(pem).ok())
    }
}

impl Default for SamlSettings {
    fn default() -> Self {
        SamlSettings {
            mode: SamlMode::Off,
            sign_in_url: None,
            certificate: None,
            session_timeout_hours: Self::MAX_TIMEOUT_HOURS,
        }
    }
}

/// "Members must log in via SAML" (required), SAML or password (optional), or no SAML.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SamlMode {
    #[default]
    Off,
    Optional,
    Required,
}

/// The most history events a user keeps (the harness's choice).
pub const MAX_USER_EVENTS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    pub gid: Gid,
    /// The SCIM attributes as stored (no `id`, no `meta`).
    pub scim: User,
    /// Off the organization's domains: invisible to SCIM reads.
    #[serde(default)]
    pub guest: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set while the user is deprovisioned ("zombified").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Boxed: few users are deprovisioned, and inline it would make every record 64 bytes bigger.
    pub deprovisioned: Option<Box<Deprovision>>,
    /// Audit-log-like history: `user_deprovisioned`, `user_reprovisioned`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<UserEvent>,
}

impl UserRecord {
    /// A member as a create or an admin invite makes one: active, with no history.
    pub fn new(gid: Gid, scim: User, guest: bool, now: Timestamp) -> Self {
        UserRecord {
            gid,
            scim,
            guest,
            created_at: now,
            updated_at: now,
            deprovisioned: None,
            events: Vec::new(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.deprovisioned.is_none() && self.scim.active.unwrap_or(true)
    }

    /// Adds to the user's history, keeping the newest [`MAX_USER_EVENTS`]: a person
    /// deprovisioned and provisioned again every day of a long-lived sandbox would otherwise
    /// grow their record without end.
    pub fn record(&mut self, event: UserEvent) {
        if self.events.len() >= MAX_USER_EVENTS {
            let over = self.events.len() + 1 - MAX_USER_EVENTS;
            self.events.drain(..over);
        }
        self.events.push(event);
    }

    pub fn display_name(&self) -> &str {
        self.scim
            .name
            .as_ref()
            .and_then(|n| n.formatted.as_deref())
            .or(self.scim.display_name.as_deref())
            .unwrap_or(&self.scim.user_name)
    }

    pub fn email(&self) -> &str {
        self.scim.primary_email().unwrap_or(&self.scim.user_name)
    }
}

/// How and when a user was deprovisioned, with the side effect Asana documents: a project
/// holding the user's tasks, owned by a super admin (fidelity/asana §1.6, [C] HC-DEPROV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deprovision {
    pub at: Timestamp,
    pub via: DeprovisionVia,
    /// Who asked: `service_account:<gid>` or `user:<gid>`.
    pub actor: String,
    pub tasks_project: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeprovisionVia {
    ScimDelete,
    ScimPatch,
    ScimPut,
    ScimPost,
    RestRemoveUser,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserEvent {
    pub at: Timestamp,
    pub event: AuditEvent,
    pub actor: String,
}

/// What happened to a user, named as Asana's audit log names it (fidelity/asana §1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    UserDeprovisioned,
    UserReprovisioned,
}

impl AuditEvent {
    /// The audit log's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEvent::UserDeprovisioned => "user_deprovisioned",
            AuditEvent::UserReprovisioned => "user_reprovisioned",
        }
    }
}

impl std::fmt::Display for AuditEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for AuditEvent {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamRecord {
    pub gid: Gid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default)]
    pub members: Vec<Gid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceAccountRecord {
    pub gid: Gid,
    pub name: String,
    pub scope: Scope,
    pub created_at: Timestamp,
    pub token_digest: TokenDigest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalAccessTokenRecord {
    pub gid: Gid,
    pub user: Gid,
    pub created_at: Timestamp,
    pub token_digest: TokenDigest,
}
