//! Running one scenario: its own fake Asana and fake OneLogin on port 0, one manual clock, the
//! queue settled after every step, and a report that says precisely what happened.
//!
//! The runner talks to the fakes the way people and IdPs do: OneLogin's API and admin API over
//! HTTP, SCIM and REST over HTTP. It reads the fake Asana's records directly only for
//! expectations no client could observe (a deprovision record, a guest), and never for
//! actions.
//!
//! - `runner`: the runner's state and the step loop.
//! - `onelogin`, `asana`: the two sides a step acts on.
//! - `expect`: expectations.
//! - `bindings`: names bound with `as:` and `${…}` substitution.
//! - `log`: the exchanges with the SCIM target and the transcript.
//! - `options`, `outcome`: what a run is given, and how a step ends.

mod asana;
mod bindings;
mod browser;
mod expect;
mod log;
mod onelogin;
mod options;
mod outcome;
mod runner;
mod sso;
mod tasks;

use fake_asana::FakeAsana;
use fake_onelogin::FakeOneLogin;

pub use options::{ExternalTarget, RunOptions, seed_of};
use outcome::{Halt, Skip};
use runner::Runner;

use crate::format::Step;
use crate::load::Loaded;
use crate::report::{Outcome, ScenarioReport, StepReport};

/// A future boxed at the crate's edge. Optimized builds do not share generic code between
/// crates, and an async body counts as generic: unboxed, every crate that awaited `run` would
/// compile the whole runner again (it was most of the binary crate's build).
pub type Boxed<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Runs one scenario to its end and reports it.
pub fn run<'a>(loaded: &'a Loaded, options: &'a RunOptions) -> Boxed<'a, ScenarioReport> {
    Box::pin(run_scenario(loaded, options))
}

async fn run_scenario(loaded: &Loaded, options: &RunOptions) -> ScenarioReport {
    let scenario = &loaded.scenario;
    let seed = seed_of(scenario);
    let mut report = ScenarioReport {
        path: loaded.path.clone(),
        name: scenario.name.clone(),
        tags: scenario.tags.clone(),
        seed,
        outcome: Outcome::Passed,
        steps: Vec::new(),
        failure: None,
        skip_reason: None,
        skipped_steps: 0,
        created: Vec::new(),
        transcript: None,
        har: None,
        exchanges: Vec::new(),
    };
    let mut runner = match Runner::start(loaded, options, seed).await {
        Ok(r) => r,
        Err(Halt::Skipped(Skip(reason))) => {
            report.outcome = Outcome::Skipped;
            report.skip_reason = Some(format!("given: {reason}"));
            for (j, step) in scenario.steps.iter().enumerate() {
                report.steps.push(StepReport {
                    index: j + 1,
                    line: step.referenced.line(),
                    kind: step.value.kind(),
                    outcome: Outcome::Skipped,
                    message: Some("not run: the scenario's given could not be set up here".into()),
                });
            }
            report.skipped_steps = report.steps.len();
            return report;
        }
        Err(Halt::Failed(f)) => {
            report.outcome = Outcome::Failed;
            report.failure = Some(f.at(0, 0, 0, "given", Vec::new()));
            return report;
        }
    };
    for (i, spanned) in scenario.steps.iter().enumerate() {
        let step = &spanned.value;
        let (line, column) = (spanned.referenced.line(), spanned.referenced.column());
        let result = runner.step(step).await;
        let result = match result {
            Ok(()) if !step.is_expectation() => runner.settle().await.map_err(Halt::Failed),
            other => other,
        };
        match result {
            Ok(()) => report.steps.push(StepReport {
                index: i + 1,
                line,
                kind: step.kind(),
                outcome: Outcome::Passed,
                message: None,
            }),
            // An expectation that cannot be checked here changes nothing: the scenario goes on
            // without it. Any other step does change the world, so the rest cannot be trusted.
            Err(Halt::Skipped(Skip(reason))) if step.is_expectation() => {
                report.steps.push(StepReport {
                    index: i + 1,
                    line,
                    kind: step.kind(),
                    outcome: Outcome::Skipped,
                    message: Some(reason),
                });
            }
            Err(Halt::Skipped(Skip(reason))) => {
                report.steps.push(StepReport {
                    index: i + 1,
                    line,
                    kind: step.kind(),
                    outcome: Outcome::Skipped,
                    message: Some(reason.clone()),
                });
                let after = format!(
                    "not run: step {} ({}) could not run here",
                    i + 1,
                    step.kind()
                );
                for (j, rest) in scenario.steps.iter().enumerate().skip(i + 1) {
                    report.steps.push(StepReport {
                        index: j + 1,
                        line: rest.referenced.line(),
                        kind: rest.value.kind(),
                        outcome: Outcome::Skipped,
                        message: Some(after.clone()),
                    });
                }
                report.outcome = Outcome::Skipped;
                report.skip_reason = Some(format!(
                    "step {} ({}) at line {line}: {reason}",
                    i + 1,
                    step.kind()
                ));
                break;
            }
            Err(Halt::Failed(f)) => {
                report.steps.push(StepReport {
                    index: i + 1,
                    line,
                    kind: step.kind(),
                    outcome: Outcome::Failed,
                    message: Some(f.message.clone()),
                });
                report.outcome = Outcome::Failed;
                report.failure =
                    Some(f.at(i + 1, line, column, step.kind(), runner.exchanges.recent()));
                break;
            }
        }
    }
    report.skipped_steps = report
        .steps
        .iter()
        .filter(|s| s.outcome == Outcome::Skipped)
        .count();
    if options.transcript {
        report.transcript = Some(runner.transcript.text());
    }
    report.har = runner.transcript.har();
    report.exchanges = runner.exchanges.shapes();
    report.created = runner.created_on_external().await;
    runner.stop().await;
    report
}

/// Why a session's step (or its start) did not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// It failed: what differed, with the expected and the actual value when there are two.
    #[error("{0}")]
    Failed(String),
    /// It could not run here (an external endpoint has no admin side), with the reason.
    #[error("skipped: {0}")]
    Skipped(String),
}

impl From<Halt> for SessionError {
    fn from(halt: Halt) -> Self {
        match halt {
            Halt::Failed(f) => SessionError::Failed(match (f.expected, f.actual) {
                (Some(e), Some(a)) => format!("{}: expected {e}, actual {a}", f.message),
                _ => f.message,
            }),
            Halt::Skipped(Skip(why)) => SessionError::Skipped(why),
        }
    }
}

/// A scenario being run step by step, for callers that choose the steps as they go (the
/// whole-system model test, `asana-harness explore`): each step settles the queue, as in a file.
pub struct Session {
    runner: Runner,
}

impl Session {
    pub fn start<'a>(
        loaded: &'a Loaded,
        options: &'a RunOptions,
    ) -> Boxed<'a, Result<Session, SessionError>> {
        Box::pin(async move {
            let runner = Runner::start(loaded, options, seed_of(&loaded.scenario)).await?;
            Ok(Session { runner })
        })
    }

    /// Runs one step (and, unless it is an expectation, lets the queue settle).
    pub fn step<'a>(&'a mut self, step: &'a Step) -> Boxed<'a, Result<(), SessionError>> {
        Box::pin(async move {
            self.runner.step(step).await?;
            if !step.is_expectation() {
                self.runner.settle().await.map_err(Halt::Failed)?;
            }
            Ok(())
        })
    }

    pub fn asana(&self) -> Option<&FakeAsana> {
        self.runner.asana.as_ref()
    }

    pub fn onelogin(&self) -> &FakeOneLogin {
        &self.runner.onelogin
    }

    pub fn stop(self) -> Boxed<'static, ()> {
        Box::pin(async move { self.runner.stop().await })
    }
}
