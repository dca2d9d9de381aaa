//! `asana-harness`: the command line of the Asana + OneLogin provisioning harness.
//!
//! Exit codes: 0 success, 1 the job ran and something it checked failed, 2 bad input (flags,
//! files), 3 `run` cannot reach the endpoint it was given. The binary is thin: every command is a few calls into the library crates.

mod banner;
mod bench;
mod doctor;
mod explore;
mod health;
mod logging;
mod probe;
mod reach;
mod record;
mod replay;
mod run;
mod run_compare;
mod schema;
mod secrets;
mod serve;
mod state;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "asana-harness",
    version,
    about = "Fake Asana and OneLogin for provisioning tests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the fake Asana, the fake OneLogin and the provisioning worker; print URLs and secrets.
    Serve(serve::ServeArgs),
    /// Run scenario files end to end: exit 0 all passed, 1 a scenario failed, 2 bad input, 3 the
    /// --asana-scim-url endpoint cannot be reached.
    Run(run::RunArgs),
    /// Check which of the harness's Asana SCIM behaviours an endpoint shares: exit 0 all match.
    Probe(probe::ProbeArgs),
    /// Read a OneLogin + Asana setup, read-only, and name the known pitfalls: exit 0 none, 1
    /// some, 2 could not read.
    Doctor(doctor::DoctorArgs),
    /// Try random histories against the fakes and a reference model; write failures as scenarios.
    Explore(explore::ExploreArgs),
    /// Measure throughput and latency of the fakes against a same-stack baseline.
    Bench(bench::BenchArgs),
    /// Record a SCIM client's traffic to a SCIM server as HAR, through a proxy, secrets redacted.
    Record(record::RecordArgs),
    /// Ask each fake whether it is up (`GET /__admin/health`): exit 0 all healthy, 1 not.
    Health(health::HealthArgs),
    /// Send a HAR file's SCIM exchanges again and compare each answer with the recorded one: exit
    /// 0 all match, 1 a difference, 2 the file cannot be read; or write it as a scenario.
    Replay(replay::ReplayArgs),
    /// Print the JSON Schema of scenario or fixture files, for editors and validators.
    Schema(schema::SchemaArgs),
}

/// What a command prints its results as (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// A failure that is the user's input, not the harness: exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// The PEM of a `--ca-cert FILE`, read once for any command that takes one.
pub fn read_ca_cert(path: Option<&std::path::PathBuf>) -> Result<Option<String>, BadInput> {
    path.map(|path| {
        std::fs::read_to_string(path)
            .map_err(|e| BadInput(format!("--ca-cert {}: {e}", path.display())))
    })
    .transpose()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Run(args) => run::run(args).await,
            Command::Probe(args) => probe::run(args).await,
            Command::Doctor(args) => doctor::run(args).await,
            Command::Explore(args) => explore::run(args),
            Command::Bench(args) => bench::run(args).await,
            Command::Health(args) => health::run(args).await,
            Command::Record(args) => record::run(args).await,
            Command::Schema(args) => schema::run(args),
            Command::Replay(args) => replay::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) if e.is::<BadInput>() => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(e) if e.is::<reach::Unreachable>() => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
