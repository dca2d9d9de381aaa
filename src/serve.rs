//! `asana-harness serve`: both fakes and the provisioning worker, for people, on fixed ports,
//! with the wall clock.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use fake_asana::{FakeAsana, FakeAsanaBuilder, Fixture, Profile, Scope};
use fake_onelogin::seed::Directory;
use fake_onelogin::{FakeOneLogin, FakeOneLoginBuilder};
use serde_json::json;

use crate::BadInput;
use crate::banner::Banner;
use crate::logging::{LogFormat, init_logging};
use crate::secrets::{DEMO_TOKEN, SecretArgs, Secrets};
use crate::state::Saved;

/// How long requests in flight may take to finish once asked to stop. Docker and Podman kill a
/// container 10 s after SIGTERM; the harness promises to be gone within 5.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// The demo organization, built in so that `serve` works from any directory.
const DEMO_FIXTURE: &str = include_str!("../fixtures/demo.yaml");
/// The demo's OneLogin people and roles.
const DEMO_DIRECTORY: &str = include_str!("../fixtures/demo-onelogin.yaml");

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address of the fake Asana; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7480")]
    asana_addr: SocketAddr,
    /// Address of the fake OneLogin; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7481")]
    onelogin_addr: SocketAddr,
    /// `asana` (every fidelity switch as Asana behaves) or `rfc` (plain RFC 7643/7644).
    #[arg(long, default_value = "asana")]
    profile: Profile,
    /// Seed the fake Asana from this fixture instead of the demo organization.
    #[arg(long)]
    fixture: Option<PathBuf>,
    /// Keep both fakes' data in this file: restored on start, saved as it changes.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Write the URLs and secrets as JSON here before announcing readiness. Needed beyond
    /// loopback, where the secrets are minted at start and printed nowhere else.
    #[arg(long, env = "ASANA_HARNESS_CREDENTIALS_OUT")]
    credentials_out: Option<PathBuf>,
    #[command(flatten)]
    secrets: SecretArgs,
    /// `text` (default) or `json` logs on stderr; filter with RUST_LOG.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Serve both fakes over HTTPS, with certificates from a CA the harness makes at start.
    #[arg(long)]
    tls: bool,
    /// Keep the CA in this folder (`ca.pem`, `ca-key.pem`): loaded when there, made and saved
    /// when not, so clients configured once keep trusting it. Default: a new folder under the
    /// system's temporary directory.
    #[arg(long, requires = "tls")]
    tls_ca: Option<PathBuf>,
    /// Also answer requests addressed (`Host`) to this name, such as a CI or compose service
    /// name; repeatable. Both fakes answer only loopback names otherwise (and, listening beyond
    /// loopback, the address and the machine's name): a guard against DNS rebinding.
    #[arg(
        long = "allow-host",
        value_name = "NAME",
        env = "ASANA_HARNESS_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    allow_hosts: Vec<String>,
    /// Sign SAML with the key and certificate in this folder (`idp.key.pem`, `idp.cert.pem`;
    /// `fixtures/saml` holds the scenarios' pair) instead of a key made at start, so an SP
    /// configured once keeps trusting it. A restored `--state` keeps its own.
    #[arg(long)]
    idp_key: Option<PathBuf>,
    /// Days the fake OneLogin keeps finished provisioning tasks and events (default 7).
    #[arg(long, env = "ASANA_HARNESS_RETENTION_DAYS", default_value_t = 7)]
    retention_days: u32,
    /// The most finished provisioning tasks, and events, the fake OneLogin keeps (default 10000).
    #[arg(long, env = "ASANA_HARNESS_RETENTION_COUNT", default_value_t = 10_000)]
    retention_count: usize,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.log_format);
    // Before anything can say the harness is up (the credentials file, the banner).
    let shutdown = shutdown_signal();
    let secrets = decide_secrets(&args)?;
    let saved = match &args.state {
        Some(path) => crate::state::load(path)?,
        None => None,
    };
    let restored = saved.is_some();
    let previous_scim_url = saved.as_ref().and_then(|s| s.asana_scim_url.clone());
    let (asana, onelogin) = builders(&args, &secrets, saved)?;
    let (asana, onelogin, ca_path) = with_tls(&args, asana, onelogin)?;
    let (mut asana, onelogin) = start(&args, asana, onelogin, previous_scim_url).await?;
    let token = service_account_token(&mut asana, &secrets, restored)?;
    let started = Started {
        asana,
        onelogin,
        restored,
        ca_path,
    };
    announce(&args, &secrets, &started, &token)?;
    serve_until(shutdown, &args, started).await
}

/// Beyond loopback no fixed demo secret is served: each is given or minted, and minted ones
/// reach people only through the credentials file.
fn decide_secrets(args: &ServeArgs) -> anyhow::Result<Secrets> {
    let secrets = Secrets::decide(&args.secrets, [args.asana_addr, args.onelogin_addr])?;
    if secrets.minted && args.credentials_out.is_none() {
        return Err(BadInput(
            "serving beyond loopback mints fresh secrets (the admin token, the service account's \
             token, OneLogin's client secret) and prints none of them: give --credentials-out FILE \
             to receive them, or set ASANA_HARNESS_ADMIN_TOKEN, \
             ASANA_HARNESS_SERVICE_ACCOUNT_TOKEN, ASANA_HARNESS_ONELOGIN_CLIENT_ID and \
             ASANA_HARNESS_ONELOGIN_CLIENT_SECRET"
                .to_owned(),
        )
        .into());
    }
    Ok(secrets)
}

/// Both fakes configured from the flags, the secrets, and the saved state or a fixture.
fn builders(
    args: &ServeArgs,
    secrets: &Secrets,
    saved: Option<Saved>,
) -> anyhow::Result<(FakeAsanaBuilder, FakeOneLoginBuilder)> {
    let mut asana = FakeAsana::builder().profile(args.profile);
    let mut onelogin = FakeOneLogin::builder()
        .api_credential(&secrets.client_id, &secrets.client_secret)
        .retention(fake_onelogin::Retention::days(
            args.retention_days,
            args.retention_count,
        ));
    if let Some(token) = &secrets.admin_token {
        asana = asana.admin_token(token.clone());
        onelogin = onelogin.admin_token(token.clone());
    }
    if let Some(bad) = args
        .allow_hosts
        .iter()
        .find(|n| !harness_server::host::is_host_name(n))
    {
        return Err(BadInput(format!(
            "--allow-host {bad:?} is not a host name (a name or address, optionally with a port)"
        ))
        .into());
    }
    asana = asana.allow_hosts(args.allow_hosts.iter().cloned());
    onelogin = onelogin.allow_hosts(args.allow_hosts.iter().cloned());
    if let Some(dir) = &args.idp_key {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map_err(|e| BadInput(format!("--idp-key: cannot read {}: {e}", path.display())))
        };
        onelogin = onelogin.idp_key(read("idp.key.pem")?, read("idp.cert.pem")?);
    }
    match saved {
        Some(saved) => {
            asana = asana.state(saved.asana);
            onelogin = onelogin.state(saved.onelogin);
        }
        None => {
            let mut fixture = match &args.fixture {
                Some(path) => Fixture::load(path).map_err(|e| BadInput(e.to_string()))?,
                None => Fixture::parse(DEMO_FIXTURE, "the built-in demo")
                    .context("the built-in demo fixture")?,
            };
            secrets.apply_to(&mut fixture, args.fixture.is_none());
            asana = asana.fixture(fixture);
            if args.fixture.is_none() {
                let directory = Directory::parse(DEMO_DIRECTORY, "the built-in demo")
                    .map_err(anyhow::Error::msg)?;
                onelogin = onelogin.directory(directory);
            }
        }
    }
    Ok((asana, onelogin))
}

/// HTTPS: the CA's PEM is where clients are told to look (banner, credentials file).
fn with_tls(
    args: &ServeArgs,
    mut asana: FakeAsanaBuilder,
    mut onelogin: FakeOneLoginBuilder,
) -> anyhow::Result<(FakeAsanaBuilder, FakeOneLoginBuilder, Option<PathBuf>)> {
    if !args.tls {
        return Ok((asana, onelogin, None));
    }
    let dir = args.tls_ca.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("asana-harness-ca-{}", std::process::id()))
    });
    let ca = harness_tls::Ca::load_or_create(&dir).map_err(|e| BadInput(e.to_string()))?;
    let names = ["localhost", "127.0.0.1", "::1"];
    let mut extra: Vec<String> = Vec::new();
    for addr in [args.asana_addr, args.onelogin_addr] {
        if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
            extra.push(addr.ip().to_string());
        }
    }
    let mut all: Vec<&str> = names.to_vec();
    all.extend(extra.iter().map(String::as_str));
    let config = ca
        .server_config(&all)
        .map_err(|e| BadInput(e.to_string()))?;
    asana = asana.tls(config.clone());
    onelogin = onelogin.tls(config).ca_certificate(ca.cert_pem());
    Ok((asana, onelogin, Some(dir.join("ca.pem"))))
}

/// A fake that cannot listen: which one, where, and the flag that moves it.
fn taken(fake: &str, flag: &str, addr: &str, source: &std::io::Error) -> BadInput {
    BadInput(format!(
        "the {fake} cannot bind {addr}: {source}; stop what listens there or choose another \
         address with {flag} HOST:PORT (port 0 picks a free one)"
    ))
}

/// Binds both fakes, points a restored OneLogin at this fake Asana, and starts the worker.
async fn start(
    args: &ServeArgs,
    asana: FakeAsanaBuilder,
    onelogin: FakeOneLoginBuilder,
    previous_scim_url: Option<String>,
) -> anyhow::Result<(FakeAsana, FakeOneLogin)> {
    let asana = asana.bind(args.asana_addr).await.map_err(|e| match e {
        fake_asana::StartError::Bind { addr, source } => {
            taken("fake Asana", "--asana-addr", &addr, &source)
        }
        e => BadInput(e.to_string()),
    })?;
    let mut onelogin = onelogin
        .asana_scim_url(asana.scim_url())
        .bind(args.onelogin_addr)
        .await
        .map_err(|e| match e {
            fake_onelogin::StartError::Bind { addr, source } => {
                taken("fake OneLogin", "--onelogin-addr", &addr, &source)
            }
            e => BadInput(e.to_string()),
        })?;
    if let Some(previous) = previous_scim_url
        .as_ref()
        .filter(|p| **p != asana.scim_url())
    {
        onelogin.repoint_scim(previous, &asana.scim_url());
    }
    // The Asana connector knows Asana's ACS; here it is the fake Asana's (a restored state made
    // on other ports is pointed at this one). The signing key is made now, in the background,
    // if the state has none.
    let previous_origin = previous_scim_url
        .as_deref()
        .and_then(|u| u.split("/api/1.0").next())
        .map(str::to_owned);
    let acs = asana.acs_url();
    onelogin
        .configure_sso(|sso| {
            let stale = match (&sso.acs_url, &previous_origin) {
                (None, _) => true,
                (Some(current), Some(origin)) => current.starts_with(origin.as_str()),
                (Some(_), None) => false,
            };
            if stale {
                sso.acs_url = Some(acs);
            }
        })
        .map_err(|e| BadInput(e.to_string()))?;
    onelogin.mark_start();
    onelogin.prepare_idp_key();
    onelogin.spawn_worker();
    Ok((asana, onelogin))
}

/// The fixture's first service account is the one to use; after a restore, the token given
/// or the demo's when the state still accepts it; otherwise a new one.
fn service_account_token(
    asana: &mut FakeAsana,
    secrets: &Secrets,
    restored: bool,
) -> anyhow::Result<String> {
    if secrets.exposed && asana.accepts_token(DEMO_TOKEN) {
        return Err(BadInput(
            "this state accepts the demo service account's fixed token, which is never served \
             beyond loopback: rotate it (POST /__admin/service-accounts/{id}/rotate) on loopback \
             first, or start from a fresh state"
                .to_owned(),
        )
        .into());
    }
    Ok(match asana.seeded_service_accounts().first() {
        Some(sa) => sa.token.clone(),
        None if restored
            && secrets
                .service_account_token
                .as_deref()
                .is_some_and(|t| asana.accepts_token(t)) =>
        {
            secrets.service_account_token.clone().unwrap_or_default()
        }
        None if restored && secrets.service_account_token.is_some() => {
            return Err(BadInput(
                "the restored state has no service account with the token given \
                 (ASANA_HARNESS_SERVICE_ACCOUNT_TOKEN or --service-account-token)"
                    .to_owned(),
            )
            .into());
        }
        None if restored && asana.accepts_token(DEMO_TOKEN) => DEMO_TOKEN.to_owned(),
        None => {
            asana
                .create_service_account("OneLogin provisioning", Scope::Scim)
                .token
        }
    })
}

/// Both fakes up, and what the banner and the credentials file say about them.
struct Started {
    asana: FakeAsana,
    onelogin: FakeOneLogin,
    restored: bool,
    ca_path: Option<PathBuf>,
}

/// Saves the state, writes the credentials file and prints the banner.
fn announce(
    args: &ServeArgs,
    secrets: &Secrets,
    started: &Started,
    token: &str,
) -> anyhow::Result<()> {
    let Started {
        asana,
        onelogin,
        restored,
        ca_path,
    } = started;
    let creds = onelogin.api_credentials().clone();
    let credentials = json!({
        "asana": {
            "base_url": asana.base_url(),
            "scim_url": asana.scim_url(),
            "service_account_token": token,
            "acs_url": asana.acs_url(),
            "sign_on_url": asana.sign_on_url(),
        },
        "onelogin": {
            "base_url": onelogin.uri(),
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "asana_app_id": onelogin.asana_app_id(),
            "sso_url": onelogin.sso_url(),
            "metadata_url": onelogin.metadata_url(),
        },
        "tls_ca": ca_path.as_ref().map(|p| p.display().to_string()),
        "admin_token": secrets.admin_token,
    });
    if let Some(path) = &args.state {
        save(path, asana, onelogin);
    }
    if let Some(path) = &args.credentials_out {
        write_atomically(path, &serde_json::to_vec_pretty(&credentials)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    // Beyond loopback the banner names where the secrets are instead of printing them.
    let shown_token = match (&args.credentials_out, secrets.exposed) {
        (Some(path), true) => format!("(in {})", path.display()),
        (None, true) => "(as given)".to_owned(),
        (_, false) => token.to_owned(),
    };
    crate::banner::print(&Banner {
        profile: args.profile,
        state: args.state.as_deref(),
        restored: *restored,
        asana,
        onelogin,
        token: &shown_token,
        reveal: !secrets.exposed,
        ca_path: ca_path.as_deref(),
    });
    Ok(())
}

/// Saves on every change until asked to stop, then once more with the fakes stopped.
async fn serve_until(
    shutdown: impl std::future::Future<Output = ()>,
    args: &ServeArgs,
    started: Started,
) -> anyhow::Result<ExitCode> {
    let Started {
        mut asana,
        mut onelogin,
        ..
    } = started;
    let mut asana_changes = asana.changes();
    let mut onelogin_changes = onelogin.changes();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Ok(()) = asana_changes.changed() => {}
            Ok(()) = onelogin_changes.changed() => {}
        }
        if let Some(path) = &args.state {
            save(path, &asana, &onelogin);
        }
    }
    tracing::info!("shutting down");
    // Requests in flight get a grace period, then are cut: a container engine kills what has
    // not stopped some seconds after SIGTERM, and the state must be saved before that.
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        tokio::join!(onelogin.stop(), asana.stop())
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            grace_seconds = SHUTDOWN_GRACE.as_secs(),
            "requests still in flight after the grace period; stopping anyway"
        );
    }
    if let Some(path) = &args.state {
        crate::state::save(
            path,
            &Saved::new(asana.scim_url(), asana.state(), onelogin.state()),
        )
        .with_context(|| format!("saving {}", path.display()))?;
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn save(path: &Path, asana: &FakeAsana, onelogin: &FakeOneLogin) {
    if let Err(e) = crate::state::save(
        path,
        &Saved::new(asana.scim_url(), asana.state(), onelogin.state()),
    ) {
        tracing::error!(error = %e, path = %path.display(), "cannot save the state");
    }
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so a reader never
/// sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Registers for SIGTERM (what a container engine sends) and Ctrl-C now, and returns a future
/// that ends at the first of them. Registered before the banner says the harness is ready: a
/// signal sent the moment a script reads the banner would otherwise find no handler and kill
/// the process unsaved.
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = recv(&mut term) => {},
                () = recv(&mut interrupt) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
