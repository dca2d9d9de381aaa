//! Faults the fake Asana injects, and the harness clock.

use reqwest::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::action::{Action, CheckError, line};
use crate::format::duration::Duration;
use crate::format::fields::Empty;
use crate::runner::outcome::Halt;
use crate::runner::state::Runner;

// `inject_fault`'s payload as the file writes it, mapped to the fake Asana's `FaultSpec` field
// by field. No doc comment: the schema has none for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any case); absent matches every method.
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match, e.g. `/api/1.0/scim/Users`; a trailing `*` matches a prefix.
    pub path: String,
    /// Status to answer with; absent means "only delay, then answer normally".
    #[serde(default)]
    pub status: Option<u16>,
    /// `Retry-After` seconds. A 429 always carries one (default 30, as Asana's example).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Response body; absent gives the API's own error body for the status.
    #[serde(default)]
    pub body: Option<Value>,
    /// How many requests it applies to; absent means until removed.
    #[serde(default)]
    pub times: Option<u32>,
    /// Delay before answering, on the harness clock.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Close the connection instead of answering: the client sees it drop mid-request.
    #[serde(default)]
    pub drop_connection: bool,
    /// Apply to each matching request with this probability (0 to 1), drawn from the fake's
    /// seeded RNG, so the same seed fails the same requests. Absent means always.
    #[serde(default)]
    pub probability: Option<f64>,
}

/// A fault's method, in any case, as the fake reads it.
fn fault_method(name: &str) -> Result<reqwest::Method, CheckError> {
    reqwest::Method::from_bytes(name.to_ascii_uppercase().as_bytes())
        .map_err(|_| CheckError::NotAMethod(name.to_owned()))
}

impl From<&FaultSpec> for fake_asana::FaultSpec {
    fn from(f: &FaultSpec) -> Self {
        fake_asana::FaultSpec {
            // `check` refused a name that is not a method before any run.
            method: f.method.as_deref().and_then(|m| fault_method(m).ok()),
            path: f.path.clone(),
            status: f.status,
            retry_after: f.retry_after,
            body: f.body.clone(),
            times: f.times,
            delay_ms: f.delay_ms,
            drop_connection: f.drop_connection,
            probability: f.probability,
        }
    }
}

// Each step's own type (transparent, without doc comments: the schema shows the payload's).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct InjectFault(pub FaultSpec);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ClearFaults(pub Empty);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct AdvanceClock(pub Duration);

impl Action for InjectFault {
    const NAME: &'static str = "inject_fault";

    fn check(&self) -> Result<(), CheckError> {
        if let Some(method) = &self.0.method {
            fault_method(method)?;
        }
        Ok(fake_asana::FaultSpec::from(&self.0).validate()?)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let body = serde_json::to_value(fake_asana::FaultSpec::from(&self.0)).expect("serializes");
        r.asana_admin(Method::POST, "/faults", Some(body), Self::NAME)
            .await?;
        Ok(())
    }
}

impl Action for ClearFaults {
    const NAME: &'static str = "clear_faults";

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        r.asana_admin(Method::DELETE, "/faults", None, Self::NAME)
            .await?;
        Ok(())
    }
}

impl Action for AdvanceClock {
    const NAME: &'static str = "advance_clock";

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        r.advance(self.0);
        Ok(())
    }
}

/// A line of a scenario file, for tools that write scenarios: a fault, written inline.
pub(crate) fn fault_line(fault: &str) -> String {
    line::<InjectFault>(fault)
}
