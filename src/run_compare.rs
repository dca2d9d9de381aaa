//! `asana-harness run --compare`: the library against the fake Asana and against an external
//! endpoint, and the parity report between them (`harness_scenario::compare`).

use std::path::PathBuf;
use std::process::ExitCode;

use harness_scenario::compare::{
    Difference, SideBySide, by_switch, compare, relative_path, side_by_side,
};
use harness_scenario::report::ExchangeShape;
use harness_scenario::{Identities, Outcome, RunOptions, ScenarioReport, report};
use serde_json::json;

use crate::BadInput;

/// Where the fake Asana serves SCIM: Asana's own path.
const FAKE_SCIM_BASE: &str = "/api/1.0/scim";

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
    let external_base = reqwest::Url::parse(&url)
        .map_err(|e| {
            BadInput(format!(
                "--asana-scim-url {url} is not a URL ({e}): give the endpoint's SCIM base, such as https://app.asana.com/api/1.0/scim"
            ))
        })?
        .path()
        .to_owned();
    let fake = run_side(&c, c.fake.clone()).await?;
    let external = run_side(&c, c.external.clone()).await?;
    let mut differences: Vec<Difference> = Vec::new();
    let mut sequences: Vec<(&str, Vec<SideBySide>)> = Vec::new();
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
        // Reports keep the paths as sent; the two sides compare what each serves under its
        // own SCIM base.
        let fake_exchanges = relative(&f.exchanges, FAKE_SCIM_BASE);
        let external_exchanges = relative(&e.exchanges, &external_base);
        let found = compare(&f.path, &fake_exchanges, &external_exchanges);
        sequences.push((
            &f.path,
            side_by_side(&fake_exchanges, &external_exchanges, &found),
        ));
        differences.extend(found);
    }
    let counts = by_switch(&differences);
    let unexplained = counts.get("unexplained").copied().unwrap_or(0);
    if c.json {
        let body = json!({
            "target": {
                "scim_url": url,
                // What the compared paths are relative to, on each side.
                "scim_base": {"fake": FAKE_SCIM_BASE, "external": external_base},
                "domain": c.identities.as_ref().map(|i| i.domain.clone()),
                "run_id": c.identities.as_ref().map(|i| i.run_id.clone()),
            },
            "compared": compared,
            "not_compared": not_compared,
            "differences": differences,
            "by_switch": counts,
            "side_by_side": sequences
                .iter()
                .map(|(scenario, lines)| json!({"scenario": scenario, "exchanges": lines}))
                .collect::<Vec<_>>(),
            "fake": report::summarize(&fake),
            "external": report::summarize(&external),
        });
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        println!(
            "The fake Asana beside {url}: {compared} scenarios compared (paths relative to each side's SCIM base)\n"
        );
        for (scenario, lines) in &sequences {
            print_side_by_side(scenario, lines);
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

/// The exchanges with their paths relative to the SCIM base they were sent under.
fn relative(exchanges: &[ExchangeShape], base_path: &str) -> Vec<ExchangeShape> {
    exchanges
        .iter()
        .map(|e| ExchangeShape {
            path: relative_path(&e.path, base_path),
            ..e.clone()
        })
        .collect()
}

/// One scenario's sequences in two columns, each differing line marked with what differs and
/// the switch that explains it; a scenario with no difference is one line.
fn print_side_by_side(scenario: &str, lines: &[SideBySide]) {
    if lines.iter().all(|l| l.differences.is_empty()) {
        println!("SAME  {scenario}  ({} exchanges)", lines.len());
        return;
    }
    println!("DIFF  {scenario}");
    let column = |side: fn(&SideBySide) -> Option<&String>| {
        lines
            .iter()
            .filter_map(|l| side(l).map(String::len))
            .max()
            .unwrap_or(0)
            .max("(none)".len())
    };
    let width = column(|l| l.fake.as_ref());
    let external_width = column(|l| l.external.as_ref());
    println!("  {:>3}  {:<width$}  external", "#", "fake");
    for l in lines {
        let mut mark = String::new();
        let mut by_switch: Vec<(&str, Vec<&str>)> = Vec::new();
        for d in &l.differences {
            match by_switch.iter_mut().find(|(s, _)| *s == d.switch) {
                Some((_, whats)) => whats.push(&d.what),
                None => by_switch.push((d.switch, vec![&d.what])),
            }
        }
        for (i, (switch, whats)) in by_switch.iter().enumerate() {
            mark.push_str(if i == 0 { "  ≠ " } else { "; " });
            mark.push_str(&format!("{} — {switch}", whats.join(", ")));
        }
        let external = l.external.as_deref().unwrap_or("(none)");
        let line = format!(
            "  {:>3}  {:<width$}  {external:<external_width$}{mark}",
            l.exchange,
            l.fake.as_deref().unwrap_or("(none)"),
        );
        println!("{}", line.trim_end());
    }
    println!();
}
