//! `asana-harness explore`: random histories against the fakes, checked against the reference
//! model; a failure is shrunk and written as a scenario file that `run` replays.

use std::path::PathBuf;
use std::process::ExitCode;

use harness_scenario::explore;

#[derive(clap::Args)]
pub struct ExploreArgs {
    /// How many histories to try.
    #[arg(long, default_value_t = 200)]
    cases: u32,
    /// The seed: the same seed tries the same histories.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The longest history, in operations.
    #[arg(long, default_value_t = 24)]
    length: usize,
    /// Where to write a failing history as a scenario file.
    #[arg(long, default_value = "explore-failures")]
    out: PathBuf,
}

pub fn run(args: ExploreArgs) -> anyhow::Result<ExitCode> {
    let ExploreArgs {
        cases,
        seed,
        length,
        out,
    } = args;
    match tokio::task::block_in_place(|| explore::explore(cases, length, seed)) {
        Ok(()) => {
            println!(
                "{cases} histories of up to {length} operations (seed {seed}) all matched the reference model."
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(found) => {
            let path = explore::write(&out, seed, &found)?;
            println!("A history broke an invariant: {}", found.reason);
            println!("Shrunk to {} operations: {:?}", found.ops.len(), found.ops);
            println!(
                "Written to {}; replay it with: asana-harness run {}",
                path.display(),
                path.display()
            );
            Ok(ExitCode::from(1))
        }
    }
}
