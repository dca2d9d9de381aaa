//! `asana-harness serve`: both fakes and the provisioning worker, for people, on fixed ports,
//! with the wall clock.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use fake_asana::{FakeAsana, Fixture, Profile, Scope};
use fake_onelogin::FakeOneLogin;
use serde_json::json;

use crate::BadInput;

/// The demo organization, built in so that `serve` works from any directory.
const DEMO_FIXTURE: &str = include_str!("../fixtures/demo.yaml");

/// The OneLogin API credential `serve` starts with: fixed so that documented commands work as
/// written. Demo secrets for servers on your own machine.
const DEMO_CLIENT_ID: &str = "demo-client-id";
const DEMO_CLIENT_SECRET: &str = "demo-client-secret";

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address of the fake Asana; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7480")]
    asana_addr: SocketAddr,
    /// Address of the fake OneLogin; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7481")]
    onelogin_addr: SocketAddr,
    /// `asana` (every fidelity switch as Asana behaves) or `rfc` (plain RFC 7643/7644).
    #[arg(long, default_value = "asana", value_parser = parse_profile)]
    profile: Profile,
    /// Seed the fake Asana from this fixture instead of the demo organization.
    #[arg(long)]
    fixture: Option<PathBuf>,
    /// Write the URLs and secrets as JSON here before announcing readiness.
    #[arg(long)]
    credentials_out: Option<PathBuf>,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let fixture = match &args.fixture {
        Some(path) => Fixture::load(path).map_err(|e| BadInput(e.to_string()))?,
        None => Fixture::parse(DEMO_FIXTURE, "the built-in demo")
            .context("the built-in demo fixture")?,
    };
    let asana = FakeAsana::builder()
        .profile(args.profile)
        .fixture(fixture)
        .bind(args.asana_addr)
        .await
        .map_err(|e| BadInput(e.to_string()))?;
    let mut onelogin = FakeOneLogin::builder()
        .asana_scim_url(asana.scim_url())
        .api_credential(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        .bind(args.onelogin_addr)
        .await
        .map_err(|e| BadInput(format!("cannot bind {}: {e}", args.onelogin_addr)))?;
    onelogin.spawn_worker();

    // The fixture's first service account is the one to use; a fixture without one gets one.
    let token = match asana.seeded_service_accounts().first() {
        Some(sa) => sa.token.clone(),
        None => {
            asana
                .create_service_account("OneLogin provisioning", Scope::Scim)
                .token
        }
    };
    let creds = onelogin.api_credentials().clone();
    let credentials = json!({
        "asana": {
            "base_url": asana.base_url(),
            "scim_url": asana.scim_url(),
            "service_account_token": token,
        },
        "onelogin": {
            "base_url": onelogin.uri(),
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "asana_app_id": onelogin.asana_app_id(),
        }
    });
    if let Some(path) = &args.credentials_out {
        write_atomically(path, &serde_json::to_vec_pretty(&credentials)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }

    let profile = match args.profile {
        Profile::Asana => "asana",
        Profile::Rfc => "rfc",
    };
    println!("The harness is ready: a fake Asana ({profile} profile) and a fake OneLogin.");
    println!();
    println!("Asana");
    println!("  SCIM base URL:          {}", asana.scim_url());
    println!("  REST base URL:          {}", asana.base_url());
    println!("  Admin API:              {}/__admin", asana.uri());
    println!("  Service account token:  {token}");
    println!("OneLogin");
    println!(
        "  API:                    {}  (client credentials {} / {})",
        onelogin.uri(),
        creds.client_id,
        creds.client_secret
    );
    println!(
        "  Asana app:              {}/__admin/apps/{}/provisioning",
        onelogin.uri(),
        onelogin.asana_app_id()
    );
    println!(
        "  Provisioning tasks:     {}/__admin/provisioning/tasks",
        onelogin.uri()
    );
    println!();
    println!("Next: paste the service account token into the Asana app and press Enable:");
    println!(
        "  curl -s -X PUT -d '{{\"token\":\"{token}\",\"enabled\":true}}' {}/__admin/apps/{}/provisioning",
        onelogin.uri(),
        onelogin.asana_app_id()
    );
    println!(
        "  curl -s -X POST {}/__admin/apps/{}/enable",
        onelogin.uri(),
        onelogin.asana_app_id()
    );
    println!("Stop with Ctrl-C.");

    shutdown_signal().await;
    tracing::info!("shutting down");
    onelogin.shutdown().await;
    asana.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so a reader never
/// sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
