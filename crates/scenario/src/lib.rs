//! Scenarios: stories from OneLogin's "Provisioning for Asana" article as files, run end to end
//! against a fake Asana and a fake OneLogin with their own ports and clock.
//!
//! - [`format`](mod@format): the file format (YAML, externally tagged steps, unknown keys
//!   rejected).
//! - `load`: discovery, parsing with `file:line:column` errors, and reference checks
//!   ([`load_file`], [`discover`]).
//! - `runner`: one scenario, its own fakes, the queue settled after every step
//!   ([`run()`], [`Session`]).
//! - [`report`]: results as human text, JSON and JUnit XML.
//! - [`compare`]: the fake's SCIM exchanges beside an external endpoint's, each difference
//!   named with the fidelity switch that explains it.
//! - `identity`: the rewrite of every email into a real organization's domain, per run
//!   ([`Identities`]).
//! - `transcript`: redaction for HTTP transcripts.
//! - [`explore`]: whole-system exploration against a reference model.
//! - [`schema`]: the JSON Schemas of scenario and fixture files, derived from the format's types.
//!
//! The file format, its schema, the report and exploration are public; loading and running are reached
//! through the functions re-exported here.
//!
//! Architecture invariant: a scenario's result depends only on its file. Every clock is manual,
//! every RNG seeded, every port its own, and reports carry no wall time.

pub mod compare;
pub mod explore;
pub mod format;
mod identity;
mod load;
pub mod report;
mod runner;
pub mod schema;
mod steps;
mod transcript;

pub use identity::Identities;
pub use load::{LoadError, Loaded, discover, load_file, load_file_as, load_str, resolve};
pub use report::{Outcome, ScenarioReport, Summary};
pub use runner::{Boxed, ExternalTarget, RunOptions, Session, SessionError, run, seed_of};

/// Loads and runs many scenarios, `parallel` at a time; reports come back in path order.
pub fn run_all(
    scenarios: Vec<Loaded>,
    options: RunOptions,
    parallel: usize,
    on_done: impl Fn(&ScenarioReport) + Send + Sync + 'static,
) -> Boxed<'static, Vec<ScenarioReport>> {
    run_all_boxed(scenarios, options, parallel, std::sync::Arc::new(on_done))
}

type OnDone = std::sync::Arc<dyn Fn(&ScenarioReport) + Send + Sync>;

/// Not generic, so the runner's async body is boxed (and compiled) here, not in each caller.
fn run_all_boxed(
    scenarios: Vec<Loaded>,
    options: RunOptions,
    parallel: usize,
    on_done: OnDone,
) -> Boxed<'static, Vec<ScenarioReport>> {
    Box::pin(run_all_erased(scenarios, options, parallel, on_done))
}

async fn run_all_erased(
    scenarios: Vec<Loaded>,
    options: RunOptions,
    parallel: usize,
    on_done: OnDone,
) -> Vec<ScenarioReport> {
    use std::sync::Arc;
    let options = Arc::new(options);
    let permits = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, loaded) in scenarios.into_iter().enumerate() {
        let (options, on_done, permits) = (options.clone(), on_done.clone(), permits.clone());
        set.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("never closed");
            let report = run(&loaded, &options).await;
            on_done(&report);
            (i, report)
        });
    }
    let mut reports = Vec::new();
    while let Some(done) = set.join_next().await {
        reports.push(done.expect("a scenario task does not panic"));
    }
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}
