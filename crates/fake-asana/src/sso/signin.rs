//! The sign-in journal's vocabulary: how a sign-in came (`Via`), how it ended (`Outcome`) and
//! why it was refused (`Reason`, the SAML crate's), each serialized as the journal and the
//! sign-in page have always written it.

pub use harness_saml::Reason;
use harness_saml::Refusal;
use jiff::Timestamp;
use serde::{Serialize, Serializer};

use crate::model::Gid;

/// How a sign-in came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Saml,
    Password,
}

/// How a sign-in attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    SignedIn,
    Refused,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Saml => "saml",
            Via::Password => "password",
        }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::SignedIn => "signed_in",
            Outcome::Refused => "refused",
        }
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal's reason as its code (`unknown_user`), the journal's spelling.
fn reason_code<S: Serializer>(reason: &Option<Reason>, s: S) -> Result<S::Ok, S::Error> {
    match reason {
        Some(r) => s.serialize_some(r.code()),
        None => s.serialize_none(),
    }
}

/// One sign-in attempt, as `GET /__admin/sign-ins` lists it. Never the assertion's signature
/// value, never a session cookie.
#[derive(Debug, Clone, Serialize)]
pub struct SignIn {
    pub seq: u64,
    pub at: Timestamp,
    pub via: Via,
    pub name_id: Option<String>,
    /// Whether `name_id` was read from a verified assertion; a refused response's is only what
    /// it claimed.
    pub name_id_verified: bool,
    pub issuer: Option<String>,
    pub outcome: Outcome,
    #[serde(serialize_with = "reason_code")]
    pub reason: Option<Reason>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_gid: Option<Gid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_response_to: Option<String>,
    /// How the member was found when just-in-time provisioning stepped in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission: Option<&'static str>,
}

impl SignIn {
    /// An attempt, refused until it is known to be otherwise.
    pub(super) fn attempt(
        at: Timestamp,
        via: Via,
        name_id: Option<String>,
        issuer: Option<String>,
    ) -> SignIn {
        SignIn {
            seq: 0,
            at,
            via,
            name_id,
            name_id_verified: false,
            issuer,
            outcome: Outcome::Refused,
            reason: None,
            message: String::new(),
            user_gid: None,
            in_response_to: None,
            admission: None,
        }
    }

    pub(super) fn signed_in(
        mut self,
        user: Gid,
        message: String,
        admission: Option<&'static str>,
    ) -> Self {
        self.outcome = Outcome::SignedIn;
        self.user_gid = Some(user);
        self.message = message;
        self.admission = admission;
        self
    }

    pub(super) fn refused(mut self, refusal: &Refusal) -> Self {
        self.reason = Some(refusal.reason);
        self.message.clone_from(&refusal.message);
        self
    }
}
