//! `asana-harness probe`: which of the behaviours the provisioner relies on does an endpoint
//! share with the fake Asana?

use std::process::ExitCode;

use harness_probe::{Endpoint, probe, render};

use crate::Format;

#[derive(clap::Args)]
pub struct ProbeArgs {
    /// The SCIM base URL, e.g. https://app.asana.com/api/1.0/scim
    #[arg(long)]
    scim_url: String,
    /// A service account token for it.
    #[arg(long, env = "ASANA_TOKEN", hide_env_values = true)]
    token: String,
    /// Also run the checks that create, change and deprovision probe users and a team.
    #[arg(long)]
    i_accept_side_effects: bool,
    /// An email domain of the organization, for probe users.
    #[arg(long, default_value = "acme.test")]
    domain: String,
    /// `human` (default) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub async fn run(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    let target = Endpoint {
        scim_url: args.scim_url,
        token: args.token,
        domain: args.domain,
    };
    let rows = probe(
        &harness_tls::client::new(),
        &target,
        args.i_accept_side_effects,
    )
    .await;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{}", render(&rows));
        if !args.i_accept_side_effects {
            println!("(read-only checks only; --i-accept-side-effects adds the ones that write)");
        }
    }
    Ok(if rows.iter().all(|r| r.matches) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
