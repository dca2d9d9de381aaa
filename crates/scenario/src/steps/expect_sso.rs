//! Expectations on single sign-on: how a person's latest attempt ended, and whether the Asana
//! session it made still holds.
//!
//! ```yaml
//! - expect_sign_in: { user: ada, outcome: refused, reason: signature_wrapping }
//! - expect_session: { user: ada, signed_in: false }
//! ```

use reqwest::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::action::{Action, References};
use super::sso::{no_attempt_yet, no_session_yet};
use crate::format::vocabulary::{ReasonCode, Side, SignInOutcome};
use crate::runner::browser::SignInRecord;
use crate::runner::outcome::{Halt, mismatch};
use crate::runner::state::Runner;

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

impl Action for SignInExpectation {
    const NAME: &'static str = "expect_sign_in";
    const EXPECTATION: bool = true;

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let Some(record) = r.sso_mut().latest.get(&self.user) else {
            return Err(no_attempt_yet(&self.user).into());
        };
        if self.matches(record) {
            return Ok(());
        }
        Err(mismatch(
            format!("{}'s sign-in", self.user),
            match &self.message_contains {
                Some(m) => format!("{}, message containing {m:?}", self.wanted()),
                None => self.wanted(),
            },
            describe(record),
        )
        .into())
    }
}

impl SignInExpectation {
    fn matches(&self, r: &SignInRecord) -> bool {
        r.outcome == self.outcome
            && self.by.is_none_or(|b| r.by == Some(b))
            && self
                .reason
                .as_ref()
                .is_none_or(|c| r.reason.as_deref() == Some(c.0.as_str()))
            && self
                .message_contains
                .as_ref()
                .is_none_or(|m| r.message.contains(m.as_str()))
    }

    /// The outcome in the words `describe` uses.
    fn wanted(&self) -> String {
        match self.outcome {
            SignInOutcome::SignedIn => SignInOutcome::SignedIn.asana().to_string(),
            SignInOutcome::Refused => format!(
                "{}{}{}",
                SignInOutcome::Refused.asana(),
                self.by
                    .map(|b| format!(" by {}", b.label()))
                    .unwrap_or_default(),
                self.reason
                    .as_ref()
                    .map(|c| format!(" ({})", c.0))
                    .unwrap_or_default()
            ),
        }
    }
}

fn describe(r: &SignInRecord) -> String {
    match r.outcome {
        SignInOutcome::SignedIn => SignInOutcome::SignedIn.asana().to_string(),
        SignInOutcome::Refused => format!(
            "{} by {} ({}): {}",
            SignInOutcome::Refused.asana(),
            r.by.map_or("?", Side::label),
            r.reason.as_deref().unwrap_or("no reason"),
            r.message
        ),
    }
}

impl Action for SessionExpectation {
    const NAME: &'static str = "expect_session";
    const EXPECTATION: bool = true;

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    /// The fake Asana's `/-/home`, asked with the cookies of the person's last sign-in, says
    /// whether that session still holds, and for whom.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let home = format!("{}/-/home", r.asana(Self::NAME)?.uri());
        let email = r.login_name(&self.user).await?;
        let Some(browser) = r.sso_mut().browsers.get_mut(&self.user) else {
            return Err(no_session_yet(&self.user).into());
        };
        let page = browser.go(Method::GET, &home, None, true).await?;
        let reply: Value = serde_json::from_str(&page.body).unwrap_or(Value::Null);
        let actual = match (&reply["signed_in"], reply["user"]["email"].as_str()) {
            (Value::Bool(true), Some(who)) => format!("signed in as {who}"),
            (Value::Bool(false), _) => "signed out".to_owned(),
            _ => format!("HTTP {} {}", page.status, page.body),
        };
        let wanted = if self.signed_in {
            format!("signed in as {email}")
        } else {
            "signed out".to_owned()
        };
        if actual.eq_ignore_ascii_case(&wanted) {
            return Ok(());
        }
        Err(mismatch(format!("{}'s Asana session", self.user), wanted, actual).into())
    }
}
