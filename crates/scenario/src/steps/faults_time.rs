//! Faults the fake Asana injects, and the harness clock.

use fake_asana::FaultSpec;
use reqwest::Method;
use schemars::JsonSchema;
use serde::Deserialize;

use super::action::{Action, CheckError, line};
use crate::format::duration::Duration;
use crate::format::fields::Empty;
use crate::runner::outcome::Halt;
use crate::runner::state::Runner;

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
        Ok(self.0.validate()?)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let body = serde_json::to_value(&self.0).expect("serializes");
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
