//! The words both fakes and the scenario files share about sign-ins and OneLogin's events:
//! how a person starts signing in, how it ended and which side refused, the refusal codes, and
//! OneLogin's event types with their ids.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

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

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInOutcome {
    SignedIn,
    Refused,
}

impl SignInOutcome {
    /// The fake Asana's word for it: its sign-in journal and pages spell outcomes.
    pub fn asana(self) -> fake_asana::signin::Outcome {
        match self {
            SignInOutcome::SignedIn => fake_asana::signin::Outcome::SignedIn,
            SignInOutcome::Refused => fake_asana::signin::Outcome::Refused,
        }
    }
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

/// OneLogin's refusal codes a sign-in can end with (the fake OneLogin's pages carry them as
/// `data-reason`): all of `fake_onelogin::RefusalCode` but `not_found`, which names an app id
/// that does not exist, and a scenario signs in to its one app.
fn onelogin_reasons() -> impl Iterator<Item = &'static str> {
    fake_onelogin::RefusalCode::ALL
        .into_iter()
        .filter(|code| *code != fake_onelogin::RefusalCode::NotFound)
        .map(fake_onelogin::RefusalCode::as_str)
}

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
        .chain(onelogin_reasons())
        .collect()
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        if harness_saml::Reason::from_code(&code).is_some()
            || onelogin_reasons().any(|known| known == code)
        {
            return Ok(ReasonCode(code));
        }
        Err(serde::de::Error::custom(format!(
            "unknown reason {code:?}; known: {}",
            known_reasons().join(", ")
        )))
    }
}

// A OneLogin event type, as files name it (no doc comment: the schema has none).
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
    /// The fake OneLogin's event type this names: its id is the fake's, written once there.
    pub fn event_type(self) -> fake_onelogin::EventType {
        use fake_onelogin::EventType;
        match self {
            EventKind::AppAdded => EventType::AppAdded,
            EventKind::AppRemoved => EventType::AppRemoved,
            EventKind::ProvisioningSucceeded => EventType::ProvisioningSucceeded,
            EventKind::ProvisioningFailed => EventType::ProvisioningFailed,
            EventKind::ProvisioningApproved => EventType::ProvisioningApproved,
            EventKind::ProvisioningDenied => EventType::ProvisioningDenied,
            EventKind::ApiConnected => EventType::ApiConnected,
            EventKind::ApiConnectionFailed => EventType::ApiConnectionFailed,
        }
    }

    /// The event type id (README, "Events").
    pub fn id(self) -> u32 {
        self.event_type().id()
    }
}
