//! Running one scenario: its own fake Asana and fake OneLogin on port 0, one manual clock, the
//! queue settled after every step, and a report that says precisely what happened.
//!
//! The runner talks to the fakes the way people and IdPs do: OneLogin's API and admin API over
//! HTTP, SCIM and REST over HTTP. It reads the fake Asana's records directly only for
//! expectations no client could observe (a deprovision record, a guest), and never for
//! actions. What each step does is in its family's file under `crate::steps`.
//!
//! - `start`: both fakes as `given` says.
//! - `state`: the runner's state (`Runner`), private behind the calls steps make.
//! - `onelogin`, `asana`: what steps look up on either side.
//! - `bindings`: names bound with `as:` and `${…}` substitution.
//! - `browser`: the sign-in steps' browser, and what the runner remembers of sign-ins.
//! - `log`: the exchanges with the SCIM target and the transcript.
//! - `tasks`: OneLogin's tasks in failure messages.
//! - `options`, `outcome`: what a run is given, and how a step ends.

mod asana;
pub(crate) mod bindings;
pub(crate) mod browser;
pub(crate) mod log;
mod onelogin;
mod options;
pub(crate) mod outcome;
mod start;
pub(crate) mod state;
pub(crate) mod tasks;

use fake_asana::FakeAsana;
use fake_onelogin::FakeOneLogin;

pub use options::{ExternalTarget, RunOptions, seed_of};
use outcome::{Halt, Skip};
use state::Runner;

use crate::format::{Scenario, Step};
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
    let mut report = empty_report(loaded, seed);
    let mut runner = match start::start(loaded, options, seed).await {
        Ok(r) => r,
        Err(Halt::Skipped(Skip(reason))) => {
            report.outcome = Outcome::Skipped;
            report.skip_reason = Some(format!("given: {reason}"));
            skip_from(&mut report, scenario, 0, || {
                "not run: the scenario's given could not be set up here".into()
            });
            report.skipped_steps = report.steps.len();
            return report;
        }
        Err(Halt::Failed(f)) => {
            report.outcome = Outcome::Failed;
            report.failure = Some(f.at(0, 0, 0, "given", Vec::new()));
            return report;
        }
    };
    for i in 0..scenario.steps.len() {
        if !run_step(&mut runner, scenario, i, &mut report).await {
            break;
        }
    }
    report.skipped_steps = report
        .steps
        .iter()
        .filter(|s| s.outcome == Outcome::Skipped)
        .count();
    if options.transcript {
        report.transcript = Some(runner.transcript().text());
    }
    report.har = runner.transcript().har();
    report.exchanges = runner.exchanges().shapes();
    report.created = runner.created_on_external().await;
    runner.stop().await;
    report
}

fn empty_report(loaded: &Loaded, seed: u64) -> ScenarioReport {
    let scenario = &loaded.scenario;
    ScenarioReport {
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
    }
}

/// Reports the steps from index `from` on as skipped, with `why`.
fn skip_from(
    report: &mut ScenarioReport,
    scenario: &Scenario,
    from: usize,
    why: impl Fn() -> String,
) {
    for (j, step) in scenario.steps.iter().enumerate().skip(from) {
        report.steps.push(StepReport {
            index: j + 1,
            line: step.referenced.line(),
            kind: step.value.kind(),
            outcome: Outcome::Skipped,
            message: Some(why()),
        });
    }
}

/// Runs step `i` (and settles the queue after it, unless it is an expectation) and reports it;
/// false when the scenario cannot go on.
async fn run_step(
    runner: &mut Runner,
    scenario: &Scenario,
    i: usize,
    report: &mut ScenarioReport,
) -> bool {
    let spanned = &scenario.steps[i];
    let step = &spanned.value;
    let (line, column) = (spanned.referenced.line(), spanned.referenced.column());
    let result = match step.run(runner).await {
        Ok(()) if !step.is_expectation() => runner.settle().await.map_err(Halt::Failed),
        other => other,
    };
    let reported = |outcome, message| StepReport {
        index: i + 1,
        line,
        kind: step.kind(),
        outcome,
        message,
    };
    match result {
        Ok(()) => {
            report.steps.push(reported(Outcome::Passed, None));
            true
        }
        // An expectation that cannot be checked here changes nothing: the scenario goes on
        // without it. Any other step does change the world, so the rest cannot be trusted.
        Err(Halt::Skipped(Skip(reason))) if step.is_expectation() => {
            report.steps.push(reported(Outcome::Skipped, Some(reason)));
            true
        }
        Err(Halt::Skipped(Skip(reason))) => {
            report
                .steps
                .push(reported(Outcome::Skipped, Some(reason.clone())));
            let after = format!(
                "not run: step {} ({}) could not run here",
                i + 1,
                step.kind()
            );
            skip_from(report, scenario, i + 1, || after.clone());
            report.outcome = Outcome::Skipped;
            report.skip_reason = Some(format!(
                "step {} ({}) at line {line}: {reason}",
                i + 1,
                step.kind()
            ));
            false
        }
        Err(Halt::Failed(f)) => {
            report
                .steps
                .push(reported(Outcome::Failed, Some(f.message.clone())));
            report.outcome = Outcome::Failed;
            let recent = runner.exchanges().recent();
            report.failure = Some(f.at(i + 1, line, column, step.kind(), recent));
            false
        }
    }
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
            let runner = start::start(loaded, options, seed_of(&loaded.scenario)).await?;
            Ok(Session { runner })
        })
    }

    /// Runs one step (and, unless it is an expectation, lets the queue settle).
    pub fn step<'a>(&'a mut self, step: &'a Step) -> Boxed<'a, Result<(), SessionError>> {
        Box::pin(async move {
            step.run(&mut self.runner).await?;
            if !step.is_expectation() {
                self.runner.settle().await.map_err(Halt::Failed)?;
            }
            Ok(())
        })
    }

    pub fn asana(&self) -> Option<&FakeAsana> {
        self.runner.fake_asana()
    }

    pub fn onelogin(&self) -> &FakeOneLogin {
        self.runner.onelogin()
    }

    pub fn stop(self) -> Boxed<'static, ()> {
        Box::pin(async move { self.runner.stop().await })
    }
}
