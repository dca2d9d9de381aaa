//! The single sign-on steps (README, "Single sign-on"): configure both sides, sign in as a
//! person would, tamper with what the IdP sent, rotate OneLogin's certificate, and expect the
//! outcome.
//!
//! ```yaml
//! - configure_sso: { mode: required, signature_algorithm: rsa-sha256 }
//! - sign_in: { user: ada, via: sp }
//! - expect_sign_in: { user: ada, outcome: signed_in }
//! - tamper_assertion: { user: ada, attack: wrap_assertion }
//! - expect_sign_in: { user: ada, outcome: refused, reason: signature_wrapping }
//! - advance_clock: 2h
//! - expect_session: { user: ada, signed_in: false }
//! ```

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use super::Duration;
pub use fake_asana::SamlMode;
pub use fake_onelogin::{SignatureAlgorithm, SignatureElement};

/// `configure_sso`: OneLogin's SSO tab pointed at the fake Asana's ACS, and Asana's Security tab
/// given OneLogin's sign-in URL and (unless `upload_certificate: false`) its certificate.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSettings {
    /// Asana's SAML setting. Default `required` ("Members must log in via SAML").
    #[serde(default)]
    pub mode: Option<SamlMode>,
    /// OneLogin's "SAML Signature Algorithm". Absent: left as the app has it (`rsa-sha1`).
    #[serde(default)]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// What OneLogin signs: the `assertion` (the app's default), the `response`, or `both`.
    #[serde(default)]
    pub signature_element: Option<SignatureElement>,
    /// Asana's SAML session timeout, 1 to 720 hours.
    #[serde(default)]
    pub session_timeout_hours: Option<u32>,
    /// Upload OneLogin's certificate in use to Asana. Default true.
    #[serde(default)]
    pub upload_certificate: Option<bool>,
    /// The audience OneLogin writes. Default Asana's entity id.
    #[serde(default)]
    pub audience: Option<String>,
}

/// How a person starts signing in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// From OneLogin's portal: the person signs in to OneLogin and clicks Asana.
    #[default]
    Idp,
    /// From Asana's sign-on URL (`/a/<domain>`): Asana sends an AuthnRequest to OneLogin.
    Sp,
    /// Asana's email and password form (what guests use, and members when SAML is optional).
    Password,
}

/// `sign_in`: one person's attempt, driven over HTTP as a browser would.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// `idp` (OneLogin's portal, the default), `sp` (Asana's sign-on URL) or `password`.
    #[serde(default)]
    pub via: Via,
    /// Holds the IdP's answer this long before the browser posts it (a slow network, a laptop
    /// lid closed): the harness clock moves in between.
    #[serde(default)]
    pub post_after: Option<Duration>,
}

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInOutcome {
    SignedIn,
    Refused,
}

/// Which side refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Onelogin,
    Asana,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Onelogin => "onelogin",
            Side::Asana => "asana",
        }
    }
}

/// A refusal code: Asana's (`harness_saml::Reason`) or OneLogin's; an unknown one is an error
/// at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCode(pub String);

/// OneLogin's refusal codes (the fake OneLogin's pages carry them as `data-reason`).
pub const ONELOGIN_REASONS: &[&str] = &[
    "cannot_log_in",
    "no_app_access",
    "unknown_service_provider",
    "bad_saml_request",
    "sso_not_configured",
];

/// By hand, as the deserializer is: one of the codes either side gives.
impl JsonSchema for ReasonCode {
    fn schema_name() -> Cow<'static, str> {
        "ReasonCode".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A refusal code: Asana's (the SAML verifier's) or OneLogin's.",
            "type": "string",
            "enum": known_reasons(),
        })
    }
}

/// Every code a file may name: Asana's, then OneLogin's.
fn known_reasons() -> Vec<&'static str> {
    harness_saml::Reason::ALL
        .iter()
        .map(|r| r.code())
        .chain(ONELOGIN_REASONS.iter().copied())
        .collect()
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        if harness_saml::Reason::from_code(&code).is_some()
            || ONELOGIN_REASONS.contains(&code.as_str())
        {
            return Ok(ReasonCode(code));
        }
        Err(serde::de::Error::custom(format!(
            "unknown reason {code:?}; known: {}",
            known_reasons().join(", ")
        )))
    }
}

/// `expect_sign_in`: the outcome of the person's last attempt.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInExpectation {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// `signed_in` or `refused`.
    pub outcome: SignInOutcome,
    /// The refusal's code (the README's sign-in table).
    #[serde(default)]
    pub reason: Option<ReasonCode>,
    /// Which side refused: `onelogin` or `asana`.
    #[serde(default)]
    pub by: Option<Side>,
    /// Text the outcome's message must contain.
    #[serde(default)]
    pub message_contains: Option<String>,
}

/// `expect_session`: whether the Asana session the person's last sign-in made is still good
/// (the session timeout, on the harness clock, and deprovisioning end it).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionExpectation {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// Whether Asana's `/-/home` still answers as the signed-in user.
    pub signed_in: bool,
}

/// What `tamper_assertion` does to a fresh assertion for the user before posting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attack {
    /// Posts the user's last response again, unchanged.
    Replay,
    /// Removes the signature.
    StripSignature,
    /// Changes the NameID after signing.
    AlterNameId,
    /// Adds a second, unsigned assertion for someone else before the signed one.
    WrapAssertion,
    /// Signs `ada@acme.test.evil.test`, then hides `.evil.test` behind a comment.
    CommentInNameId,
    /// A document type declaration with nested entities (billion laughs).
    Dtd,
    /// `SAMLResponse` that is not base64.
    NotBase64,
    /// `SAMLResponse` larger than any real one.
    Oversized,
}

/// `tamper_assertion`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tamper {
    /// The OneLogin user the response is signed for: an `as:` name or an email.
    pub user: String,
    /// What is done to the response before it is posted.
    pub attack: Attack,
}

/// `rotate_idp_certificate`: a new certificate in OneLogin; uploaded to Asana only when asked,
/// as a person rotating would have to remember to.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotate {
    /// Also give Asana the new certificate. Default false.
    #[serde(default)]
    pub upload: bool,
}
