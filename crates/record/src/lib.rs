//! `asana-harness record`: a reverse proxy between any SCIM client (OneLogin, the provisioner, a
//! team's bridge) and any SCIM server (the real Asana, the fake), which forwards every exchange
//! unchanged and writes it to a HAR 1.2 capture, so that real traffic can be brought home and
//! replayed.
//!
//! The map:
//! - `forward`: the one handler; `headers`: which headers cross (RFC 9110 §7.6.1).
//! - `recorder`: the capture in progress; `entry`: one exchange as a HAR entry; `harfile`: the
//!   file, complete between exchanges.
//! - `secrets`: credentials blanked; `pseudonym`: people replaced consistently
//!   (`--pseudonymize`).

mod entry;
mod forward;
mod harfile;
mod headers;
mod pseudonym;
mod recorder;
mod secrets;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use recorder::CREATOR;

/// The largest request body forwarded (and answer read): SCIM messages are a few kilobytes, a
/// page of users a few hundred; this leaves room for any page a server sends.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// What a recording forwards to and where it writes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The upstream's base URL (`https://app.asana.com/api/1.0/scim`): a request's path and
    /// query are joined onto it.
    pub to: String,
    pub har: PathBuf,
    /// A CA (PEM) trusted besides the system's roots, for an upstream with its own CA.
    pub ca_cert: Option<String>,
    pub pseudonymize: bool,
    pub max_body: usize,
}

/// Why a recording could not start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(
        "--to {url:?} is not an http:// or https:// base URL ({reason}); give the SCIM base \
         URL, e.g. https://app.asana.com/api/1.0/scim"
    )]
    Target { url: String, reason: String },
    #[error("--ca-cert is not a PEM certificate: {0}")]
    Certificate(reqwest::Error),
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("cannot write the capture {path}: {source}")]
    Har {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen: {0}")]
    Listen(std::io::Error),
}

/// A recording proxy serving in the background.
#[derive(Debug)]
pub struct Recording {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Recording {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`: the base URL a SCIM client is given instead of the upstream's.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, then waits for exchanges in flight, whose entries are then written.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The upstream's base URL, checked, without a trailing slash.
fn base(to: &str) -> Result<String, RecordError> {
    let bad = |reason: &str| RecordError::Target {
        url: to.to_owned(),
        reason: reason.to_owned(),
    };
    let url = reqwest::Url::parse(to).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// One client for every exchange: the system's roots plus `ca_cert`, no redirects followed
/// (a redirect is the upstream's answer, forwarded as such), no cookies kept.
fn client(ca_cert: Option<&str>) -> Result<reqwest::Client, RecordError> {
    let mut builder = harness_tls::client::builder().redirect(reqwest::redirect::Policy::none());
    if let Some(pem) = ca_cert {
        let ca =
            reqwest::Certificate::from_pem(pem.as_bytes()).map_err(RecordError::Certificate)?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build().map_err(RecordError::Client)
}

/// Starts recording on `listener`: the capture file is created (empty) before this returns.
pub fn start(listener: TcpListener, options: Options) -> Result<Recording, RecordError> {
    let base = base(&options.to)?;
    let client = client(options.ca_cert.as_deref())?;
    let addr = listener.local_addr().map_err(RecordError::Listen)?;
    let comment = format!(
        "Recorded by {CREATOR}: a SCIM client's requests to http://{addr} forwarded to {base}; \
         entry URLs are the upstream's (upstream: {base})"
    );
    let recorder = recorder::Recorder::create(&options.har, &comment, options.pseudonymize)
        .map_err(|source| RecordError::Har {
            path: options.har.display().to_string(),
            source,
        })?;
    let proxy = Arc::new(forward::Proxy {
        client,
        base,
        max_body: options.max_body,
        recorder: Arc::new(recorder),
    });
    let router = axum::Router::new()
        .fallback(forward::handle)
        .with_state(proxy);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!("the recording proxy stopped: {e}");
        }
    });
    Ok(Recording {
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}
