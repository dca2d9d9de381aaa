//! `asana-harness doctor`: reads a OneLogin + Asana setup, read-only, and names the known
//! pitfalls it finds (`harness_doctor`). Exit 0 clean, 1 pitfalls found, 2 could not read.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use harness_doctor::{AsanaSecurity, DeletionPolicy, Inputs, SamlMode};

use crate::{BadInput, Format};

#[derive(clap::Args)]
pub struct DoctorArgs {
    /// OneLogin's API origin, e.g. https://acme.onelogin.com
    #[arg(long, env = "ONELOGIN_URL")]
    onelogin_url: String,
    /// An API credential's client id (Read All is enough).
    #[arg(long, env = "ONELOGIN_CLIENT_ID")]
    onelogin_client_id: String,
    /// That credential's client secret.
    #[arg(long, env = "ONELOGIN_CLIENT_SECRET", hide_env_values = true)]
    onelogin_client_secret: String,
    /// The Asana app's id in OneLogin (in the app's address in the admin console).
    #[arg(long, env = "ONELOGIN_APP_ID")]
    app_id: u64,
    /// Asana's SCIM base URL, e.g. https://app.asana.com/api/1.0/scim
    #[arg(long, env = "ASANA_SCIM_URL")]
    asana_scim_url: String,
    /// The service account token OneLogin's Provisioning tab holds.
    #[arg(long, env = "ASANA_TOKEN", hide_env_values = true)]
    asana_token: String,
    /// Asana's Security tab, "Sign-in page URL" (Asana has no API for it).
    #[arg(long, env = "ASANA_SIGN_IN_URL")]
    asana_sign_in_url: Option<String>,
    /// Asana's Security tab, the X.509 certificate uploaded there (a PEM file).
    #[arg(long, env = "ASANA_CERTIFICATE")]
    asana_certificate: Option<PathBuf>,
    /// Asana's Security tab: is SAML required of members, optional, or off?
    #[arg(long, env = "ASANA_SAML", value_enum)]
    asana_saml: Option<SamlArg>,
    /// OneLogin's Provisioning tab, "When users are deleted in OneLogin" (not in OneLogin's API).
    #[arg(long, env = "ONELOGIN_DELETION_POLICY", value_enum)]
    onelogin_deletion_policy: Option<DeletionArg>,
    /// `human` (default) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SamlArg {
    Required,
    Optional,
    Off,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DeletionArg {
    Delete,
    Suspend,
    DoNothing,
}

pub async fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let certificate = match &args.asana_certificate {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --asana-certificate {}", path.display()))
                .map_err(|e| BadInput(format!("{e:#}")))?,
        ),
        None => None,
    };
    let inputs = Inputs {
        onelogin_url: args.onelogin_url,
        client_id: args.onelogin_client_id,
        client_secret: args.onelogin_client_secret,
        app_id: args.app_id,
        asana_scim_url: args.asana_scim_url,
        asana_token: args.asana_token,
        asana_security: AsanaSecurity {
            sign_in_url: args.asana_sign_in_url,
            certificate,
            saml_mode: args.asana_saml.map(|m| match m {
                SamlArg::Required => SamlMode::Required,
                SamlArg::Optional => SamlMode::Optional,
                SamlArg::Off => SamlMode::Off,
            }),
        },
        deletion_policy: args.onelogin_deletion_policy.map(|p| match p {
            DeletionArg::Delete => DeletionPolicy::Delete,
            DeletionArg::Suspend => DeletionPolicy::Suspend,
            DeletionArg::DoNothing => DeletionPolicy::DoNothing,
        }),
    };
    let client = harness_tls::client::new();
    let report = match harness_doctor::diagnose(&client, &inputs, jiff::Timestamp::now()).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("Nothing was judged: check the address and the credential, then run again.");
            return Ok(ExitCode::from(2));
        }
    };
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", harness_doctor::render(&report));
    }
    Ok(if report.problems().next().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
