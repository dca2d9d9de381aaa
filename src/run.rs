//! `asana-harness run`: scenario files, end to end, with a verdict people and CI can read.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use harness_scenario::{
    ExternalTarget, Identities, Loaded, Outcome, RunOptions, ScenarioReport, report,
};

use crate::{BadInput, Format};

#[derive(clap::Args)]
pub struct RunArgs {
    /// Scenario files or folders (searched for *.yaml). Default: scenarios/
    paths: Vec<PathBuf>,
    /// Also write JUnit XML here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// `human` (default) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Run only scenarios whose path, name or tags contain this text.
    #[arg(long)]
    filter: Option<String>,
    /// Send SCIM to this endpoint instead of the fake Asana (a real Asana, any SCIM server).
    #[arg(long, requires = "asana_token")]
    asana_scim_url: Option<String>,
    /// The bearer token for --asana-scim-url.
    #[arg(
        long,
        requires = "asana_scim_url",
        env = "ASANA_TOKEN",
        hide_env_values = true
    )]
    asana_token: Option<String>,
    /// Run the scenarios against the fake Asana and against --asana-scim-url, and report the two
    /// SCIM exchange sequences' differences, each with the fidelity switch that explains it.
    /// Exit 0 when every difference is explained.
    #[arg(long, requires = "asana_scim_url")]
    compare: bool,
    /// Trust this CA (PEM file) for --asana-scim-url, besides the system's roots: an endpoint
    /// on HTTPS with its own CA (`serve --tls`, a sandbox behind a corporate proxy).
    #[arg(long, requires = "asana_scim_url")]
    ca_cert: Option<PathBuf>,
    /// How many scenarios run at once. Default: twice the cores.
    #[arg(long)]
    jobs: Option<usize>,
    /// Write one HAR 1.2 file per scenario into this folder: both hops (the harness's calls to
    /// OneLogin, and OneLogin's SCIM calls), bodies redacted as transcripts are.
    #[arg(long)]
    har: Option<PathBuf>,
    /// Run only slice K of N (`--shard 2/4`): the files in path order, every Nth from the Kth,
    /// so a CI matrix splits the library with no other tool.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// The real organization's email domain: every member a scenario makes is rewritten into
    /// it (guests keep a domain that is not it), with the run id in the local part.
    #[arg(long, requires = "asana_scim_url")]
    domain: Option<String>,
    /// The per-run part of every rewritten email (default: a fresh one, printed). Give an
    /// earlier run's to replay it exactly.
    #[arg(long, requires = "domain")]
    run_id: Option<String>,
}

pub async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths.clone()
    };
    let files = harness_scenario::discover(&paths).map_err(|e| BadInput(e.to_string()))?;
    let identities = identities(&args)?;
    let loaded = match select(&args, &paths, load(&files, identities.as_ref())?)? {
        Some(loaded) => loaded,
        None => return Ok(ExitCode::from(1)),
    };
    let options = options(&args)?;
    if let Some(url) = &args.asana_scim_url {
        crate::reach::check(url).await?;
    }
    if args.compare {
        return run_compare(&args, loaded, identities, options).await;
    }
    let human = args.format == Format::Human;
    if human && let Some(url) = &args.asana_scim_url {
        match &identities {
            Some(i) => println!(
                "Against {url}, domain {}, run id {} (replay with --run-id {})\n",
                i.domain, i.run_id, i.run_id
            ),
            None => println!("Against {url} (no --domain: the scenarios' own emails)\n"),
        }
    }
    let reports = run_library(&args, loaded, options, human).await;
    let summary = report::summarize(&reports);
    print_reports(&args, &reports, &summary, identities.as_ref());
    write_files(&args, &reports)?;
    Ok(exit_code(&reports, &summary))
}

/// `--domain` and `--run-id`: the identities every email is rewritten to.
fn identities(args: &RunArgs) -> Result<Option<Identities>, BadInput> {
    let Some(domain) = &args.domain else {
        return Ok(None);
    };
    let domain = domain.trim().trim_start_matches('@').to_ascii_lowercase();
    if !domain.contains('.') || domain.contains(char::is_whitespace) {
        return Err(BadInput(format!(
            "--domain {domain:?} is not an email domain"
        )));
    }
    let run_id = args.run_id.clone().unwrap_or_else(Identities::new_run_id);
    if !Identities::valid_run_id(&run_id) {
        return Err(BadInput(format!(
            "--run-id {run_id:?}: use up to 32 letters, digits, - or _"
        )));
    }
    Ok(Some(Identities::new(domain, run_id)))
}

/// Every scenario file, loaded; any that does not load is bad input.
fn load(files: &[PathBuf], identities: Option<&Identities>) -> Result<Vec<Loaded>, BadInput> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match harness_scenario::load_file_as(file, identities) {
            Ok(l) => loaded.push(l),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(BadInput(errors.join("\n")));
    }
    Ok(loaded)
}

/// The scenarios `--filter` and `--shard` leave; `None` when a shard is empty (nothing to
/// check, exit 1), bad input when no scenario was found at all.
fn select(
    args: &RunArgs,
    paths: &[PathBuf],
    mut loaded: Vec<Loaded>,
) -> Result<Option<Vec<Loaded>>, BadInput> {
    let looked_at = loaded.len();
    if let Some(filter) = &args.filter {
        let text = filter.to_lowercase();
        loaded.retain(|l| {
            l.path.to_lowercase().contains(&text)
                || l.scenario.name.to_lowercase().contains(&text)
                || l.scenario
                    .tags
                    .iter()
                    .any(|t| t.to_lowercase().contains(&text))
        });
        if loaded.is_empty() {
            return Err(BadInput(format!(
                "no scenario matches --filter {filter} (looked at {looked_at} files in {}; it \
                 matches a file's path, a scenario's name or a tag)",
                joined(paths)
            )));
        }
    }
    let library = loaded.len();
    if let Some((k, n)) = args.shard {
        let mut i = 0;
        loaded.retain(|_| {
            i += 1;
            (i - 1) % n == k - 1
        });
        if args.format == Format::Human {
            println!("Shard {k}/{n}: {} of {library} scenarios\n", loaded.len());
        }
    }
    if loaded.is_empty() && args.shard.is_some() {
        eprintln!("nothing was checked: shard has no scenarios of the {library}");
        return Ok(None);
    }
    if loaded.is_empty() {
        return Err(BadInput(format!(
            "no scenarios found in {} (a scenario is a .yaml or .yml file)",
            joined(paths)
        )));
    }
    Ok(Some(loaded))
}

fn joined(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the scenarios' SCIM goes, and what the run keeps.
fn options(args: &RunArgs) -> Result<RunOptions, BadInput> {
    let ca_cert = crate::read_ca_cert(args.ca_cert.as_ref())?;
    Ok(RunOptions {
        external: args.asana_scim_url.clone().map(|scim_url| ExternalTarget {
            scim_url,
            token: args.asana_token.clone().unwrap_or_default(),
            ca_cert,
        }),
        transcript: false,
        har: args.har.is_some(),
        organization_domain: None,
    })
}

fn parallel(args: &RunArgs) -> usize {
    args.jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() * 2))
}

/// `--compare`: the same scenarios against the fake Asana and the endpoint.
async fn run_compare(
    args: &RunArgs,
    loaded: Vec<Loaded>,
    identities: Option<Identities>,
    options: RunOptions,
) -> anyhow::Result<ExitCode> {
    let files: Vec<PathBuf> = loaded.iter().map(|l| PathBuf::from(&l.path)).collect();
    let fake = RunOptions {
        external: None,
        organization_domain: identities.as_ref().map(|i| i.domain.clone()),
        ..options.clone()
    };
    crate::run_compare::run(crate::run_compare::Compare {
        files,
        identities,
        fake,
        external: options,
        parallel: parallel(args),
        json: args.format == Format::Json,
    })
    .await
}

/// Runs the scenarios, counting them off on a terminal.
async fn run_library(
    args: &RunArgs,
    loaded: Vec<Loaded>,
    options: RunOptions,
    human: bool,
) -> Vec<ScenarioReport> {
    let total = loaded.len();
    let progress = human && std::io::stderr().is_terminal();
    let done = Mutex::new(0usize);
    let reports = harness_scenario::run_all(loaded, options, parallel(args), move |r| {
        let mut n = done.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        if progress {
            eprint!("\r\x1b[2K[{}/{total}] {}", *n, r.path);
        }
    })
    .await;
    if progress {
        eprint!("\r\x1b[2K");
    }
    reports
}

fn print_reports(
    args: &RunArgs,
    reports: &[ScenarioReport],
    summary: &report::Summary,
    identities: Option<&Identities>,
) {
    if args.format == Format::Json {
        // An external run names where it went, so a report is never mistaken for another's.
        let target = args.asana_scim_url.as_ref().map(|url| {
            serde_json::json!({
                "scim_url": url,
                "domain": identities.map(|i| i.domain.clone()),
                "run_id": identities.map(|i| i.run_id.clone()),
            })
        });
        println!("{}", report::json_for(reports, target.as_ref()));
        return;
    }
    for r in reports {
        println!("{}", report::human(r));
    }
    println!();
    let created = report::created_lines(reports);
    if !created.is_empty() {
        println!();
        println!(
            "Created on {} by this run (nothing was deleted):",
            args.asana_scim_url.as_deref().unwrap_or("the endpoint")
        );
        for line in created {
            println!("  {line}");
        }
    }
    println!(
        "{} passed, {} failed, {} skipped",
        summary.passed, summary.failed, summary.skipped
    );
}

/// `--har` and `--junit`.
fn write_files(args: &RunArgs, reports: &[ScenarioReport]) -> anyhow::Result<()> {
    if let Some(dir) = &args.har {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for r in reports {
            if let Some(har) = &r.har {
                let name = format!(
                    "{}.har",
                    r.path
                        .trim_end_matches(".yaml")
                        .trim_start_matches("./")
                        .replace(['/', '\\'], "__")
                );
                let file = dir.join(name);
                std::fs::write(&file, serde_json::to_vec_pretty(har)?)
                    .with_context(|| format!("writing {}", file.display()))?;
            }
        }
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(reports))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn exit_code(reports: &[ScenarioReport], summary: &report::Summary) -> ExitCode {
    if reports.iter().any(|r| r.outcome == Outcome::Failed) {
        return ExitCode::from(1);
    }
    // A run in which nothing ran proves nothing: it must not pass as if it did.
    if summary.passed == 0 {
        eprintln!(
            "nothing was checked: all {} scenarios were skipped (see the reasons above)",
            summary.skipped
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// `K/N` with 1 ≤ K ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("{text:?} is not a shard: write K/N with 1 <= K <= N, such as 2/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}
