//! Every file under `scenarios/` as its own test, named by its path. Scenarios tagged
//! `transcript` also pin their redacted HTTP transcript (both hops) as an insta snapshot.

use std::path::{Path, PathBuf};

use harness_scenario::{Outcome, RunOptions, report};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = harness_scenario::discover(&[root.join("scenarios")])
        .expect("the scenario library is readable");
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let root = root.clone();
            Trial::test(name.clone(), move || run_one(&root, &path, &name))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn run_one(root: &Path, path: &Path, name: &str) -> Result<(), Failed> {
    let mut loaded = harness_scenario::load_file(path).map_err(|e| e.to_string())?;
    loaded.path = name.to_owned();
    let transcript = loaded.scenario.tags.iter().any(|t| t == "transcript");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let report = runtime.block_on(harness_scenario::run(
        &loaded,
        &RunOptions {
            transcript,
            ..RunOptions::default()
        },
    ));
    match report.outcome {
        Outcome::Passed => {}
        Outcome::Failed => return Err(report::human(&report).into()),
        Outcome::Skipped => {
            return Err(format!(
                "skipped with no external target: {}",
                report::human(&report)
            )
            .into());
        }
    }
    if let Some(text) = report.transcript {
        let snapshot = name
            .trim_start_matches("scenarios/")
            .trim_end_matches(".yaml")
            .replace('/', "__");
        insta::with_settings!({snapshot_path => root.join("tests/snapshots"), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(snapshot, text);
        });
    }
    Ok(())
}
