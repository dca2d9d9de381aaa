//! `asana-harness run --compare`: the library against the fake Asana and against an external
//! endpoint, and the parity report between them (`harness_scenario::compare`).

use std::path::PathBuf;
use std::process::ExitCode;

use harness_scenario::compare::{Difference, by_switch, compare};
use harness_scenario::{Identities, Outcome, RunOptions, ScenarioReport, report};
use serde_json::json;

use crate::BadInput;

pub struct Compare {
    pub files: Vec<PathBuf>,
    pub identities: Option<Identities>,
    pub fake: RunOptions,
    pub external: RunOptions,
    pub parallel: usize,
    pub json: bool,
}

async fn run_side(c: &Compare, options: RunOptions) -> anyhow::Result<Vec<ScenarioReport>> {
    let mut loaded = Vec::new();
    for file in &c.files {
        loaded.push(
            harness_scenario::load_file_as(file, c.identities.as_ref())
                .map_err(|e| BadInput(e.to_string()))?,
        );
    }
    Ok(harness_scenario::run_all(loaded, options, c.parallel, |_| {}).await)
}

pub async fn run(c: Compare) -> anyhow::Result<ExitCode> {
    let url = c
        .external
        .external
        .as_ref()
        .map(|t| t.scim_url.clone())
        .unwrap_or_default();
    let fake = run_side(&c, c.fake.clone()).await?;
    let external = run_side(&c, c.external.clone()).await?;
    let mut differences: Vec<Difference> = Vec::new();
    let mut compared = 0;
    let mut not_compared = Vec::new();
    for (f, e) in fake.iter().zip(&external) {
        // A scenario skipped on either side has nothing to put beside the other.
        if f.outcome == Outcome::Skipped || e.outcome == Outcome::Skipped {
            not_compared.push(json!({
                "scenario": f.path,
                "reason": e.skip_reason.clone().or(f.skip_reason.clone()),
            }));
            continue;
        }
        compared += 1;
        differences.extend(compare(&f.path, &f.exchanges, &e.exchanges));
    }
    let counts = by_switch(&differences);
    let unexplained = counts.get("unexplained").copied().unwrap_or(0);
    if c.json {
        let body = json!({
            "target": {
                "scim_url": url,
                "domain": c.identities.as_ref().map(|i| i.domain.clone()),
                "run_id": c.identities.as_ref().map(|i| i.run_id.clone()),
            },
            "compared": compared,
            "not_compared": not_compared,
            "differences": differences,
            "by_switch": counts,
            "fake": report::summarize(&fake),
            "external": report::summarize(&external),
        });
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        println!("The fake Asana beside {url}: {compared} scenarios compared\n");
        for d in &differences {
            println!(
                "DIFF  {} #{}  {}  fake: {}  external: {}  — {}",
                d.scenario,
                d.exchange,
                d.what,
                d.fake.as_deref().unwrap_or("(none)"),
                d.external.as_deref().unwrap_or("(none)"),
                d.switch.unwrap_or("unexplained")
            );
        }
        println!();
        if differences.is_empty() {
            println!("No differences: the fake's exchanges are the endpoint's.");
        } else {
            println!("Differences by fidelity switch:");
            for (switch, n) in &counts {
                println!("  {switch:<40} {n}");
            }
        }
        if !not_compared.is_empty() {
            println!(
                "{} scenarios not compared (skipped on one side)",
                not_compared.len()
            );
        }
    }
    if compared == 0 {
        eprintln!("nothing was checked: no scenario ran on both sides");
        return Ok(ExitCode::from(1));
    }
    Ok(if unexplained > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
