//! `asana-harness replay FILE.har`: a recording's SCIM exchanges sent again to a fresh fake Asana
//! (or `--against` an endpoint) and compared answer by answer; `--to-scenario` writes the
//! recording as a scenario instead (`harness_replay`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use fake_asana::Profile;
use harness_replay::{Target, report};

use crate::{BadInput, Format};

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// The HAR 1.2 file: from `record`, from `run --har`, or a browser's export.
    file: PathBuf,
    /// Replay against this SCIM base URL instead of a fresh fake Asana.
    #[arg(long, requires = "asana_token")]
    against: Option<String>,
    /// The bearer token for --against (never one from the file).
    #[arg(
        long,
        requires = "against",
        env = "ASANA_TOKEN",
        hide_env_values = true
    )]
    asana_token: Option<String>,
    /// Trust this CA (PEM file) for --against, besides the system's roots.
    #[arg(long, requires = "against")]
    ca_cert: Option<PathBuf>,
    /// The fresh fake Asana's profile: `asana` (default) or `rfc`.
    #[arg(long, default_value = "asana", conflicts_with = "against")]
    profile: Profile,
    /// Write the recording as a scenario file here instead of replaying it.
    #[arg(long, conflicts_with = "against")]
    to_scenario: Option<PathBuf>,
    /// `human` (default) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// The client for the target, trusting `--ca-cert` too.
fn client(ca_cert: Option<&PathBuf>) -> anyhow::Result<reqwest::Client> {
    let mut builder = harness_tls::client::builder();
    if let (Some(pem), Some(path)) = (crate::read_ca_cert(ca_cert)?, ca_cert) {
        let cert = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            BadInput(format!(
                "--ca-cert {}: not a PEM certificate: {e}",
                path.display()
            ))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    Ok(builder.build()?)
}

pub async fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let recording = harness_replay::read_file(&args.file).map_err(|e| BadInput(e.to_string()))?;
    if let Some(out) = &args.to_scenario {
        let source = args.file.file_name().map_or_else(
            || args.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let yaml = harness_replay::scenario::to_scenario(&recording, &source);
        std::fs::write(out, yaml).with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!(
            "wrote {} ({} SCIM exchanges as scim_request steps)",
            out.display(),
            recording.exchanges.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let client = client(args.ca_cert.as_ref())?;
    // The fake lives until the report is made.
    let (_fake, target, seeded, not_seeded) = match (&args.against, &args.asana_token) {
        (Some(url), Some(token)) => {
            let target = Target {
                scim_url: url.trim_end_matches('/').to_owned(),
                token: token.clone(),
            };
            let found = harness_replay::people::found(&recording);
            let names = found.into_iter().map(|p| p.user_name).collect();
            (None, target, Vec::new(), names)
        }
        _ => {
            let fresh = harness_replay::fresh_fake(&recording, args.profile).await?;
            let names = fresh.seeded.iter().map(|p| p.user_name.clone()).collect();
            (Some(fresh.fake), fresh.target, names, Vec::new())
        }
    };
    let (replayed, ids) = harness_replay::replay(&client, &target, &recording).await;
    // Only a fake in the rfc profile is known not to be Asana; an endpoint is read as the fake
    // in Asana's profile is, beside the recorded service.
    let asana = match (&args.against, args.profile) {
        (None, Profile::Rfc) => report::AsanaSide::Recorded,
        _ => report::AsanaSide::Replayed,
    };
    let lines = report::lines(&recording, &replayed, &ids, asana);
    let report = report::report(&recording, target.scim_url, seeded, not_seeded, lines);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Human => print!("{}", harness_replay::render::human(&report)),
    }
    Ok(if report.all_match() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
