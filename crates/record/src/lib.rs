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

/// The largest request body forwarded: SCIM messages are a few kilobytes, a bulk request a few
/// hundred; a larger body is answered 413 and not forwarded.
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

/// How long an upstream may take to accept a connection, and to answer in full: beyond them
/// the client gets a 502 and the capture says why, rather than the proxy waiting forever.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// One client for every exchange: the system's roots plus `ca_cert`, no redirects followed
/// (a redirect is the upstream's answer, forwarded as such), no cookies kept.
fn client(ca_cert: Option<&str>) -> Result<reqwest::Client, RecordError> {
    let mut builder = harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(ANSWER_TIMEOUT);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::{HeaderMap, Uri};
    use serde_json::{Value, json};

    /// An upstream that answers what it received, and redirects `/redirect`; it counts calls.
    async fn upstream(calls: Arc<AtomicUsize>) -> SocketAddr {
        let echo = move |method: axum::http::Method, uri: Uri, headers: HeaderMap, body: String| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if uri.path().ends_with("/redirect") {
                    let to = [(axum::http::header::LOCATION, "/elsewhere")];
                    return (axum::http::StatusCode::FOUND, to, String::new());
                }
                let names: Vec<&str> = headers.keys().map(|n| n.as_str()).collect();
                let seen = json!({"method": method.as_str(), "uri": uri.to_string(),
                    "host": headers["host"].to_str().unwrap(), "names": names, "body": body});
                let etag = [(axum::http::header::ETAG, "\"v1\"")];
                (axum::http::StatusCode::ACCEPTED, etag, seen.to_string())
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = axum::Router::new().fallback(echo);
        tokio::spawn(async move { axum::serve(listener, router).await });
        addr
    }

    async fn recording(to: String, har: PathBuf) -> Recording {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let options = Options {
            to,
            har,
            ca_cert: None,
            pseudonymize: false,
            max_body: 64,
        };
        start(listener, options).unwrap()
    }

    #[tokio::test]
    async fn requests_go_upstream_as_sent_less_what_belongs_to_one_connection() {
        let dir = tempfile::tempdir().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let up = upstream(calls.clone()).await;
        let har = dir.path().join("c.har");
        let proxy = recording(format!("http://{up}/api/1.0/scim/"), har.clone()).await;
        let client = harness_tls::client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let answer = client
            .post(format!("{}/Users?filter=a%20b", proxy.origin()))
            .header("connection", "x-hop")
            .header("x-hop", "1")
            .header("keep-alive", "timeout=5")
            .header("authorization", "Bearer some-credential-1")
            .header("x-custom", "kept")
            .body("{\"a\":1}")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 202, "{:?}", answer.text().await);
        assert_eq!(answer.headers()["etag"], "\"v1\"");
        let seen: Value = answer.json().await.unwrap();
        assert_eq!(seen["method"], "POST");
        assert_eq!(seen["uri"], "/api/1.0/scim/Users?filter=a%20b");
        assert_eq!(seen["host"], up.to_string(), "Host is the upstream's");
        assert_eq!(seen["body"], "{\"a\":1}");
        let names: Vec<&str> = seen["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"authorization") && names.contains(&"x-custom"),
            "{names:?}"
        );
        for hop in ["x-hop", "keep-alive"] {
            assert!(!names.contains(&hop), "{hop} crossed: {names:?}");
        }

        // A redirect is the upstream's answer: forwarded, never followed.
        let moved = client
            .get(format!("{}/redirect", proxy.origin()))
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), 302);
        assert_eq!(moved.headers()["location"], "/elsewhere");
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        // Over the body limit: 413, nothing forwarded, nothing recorded.
        let big = client
            .post(format!("{}/Users", proxy.origin()))
            .body(vec![b'x'; 65])
            .send()
            .await
            .unwrap();
        assert_eq!(big.status(), 413);
        assert!(big.text().await.unwrap().contains("over 64 bytes"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        proxy.stop().await;
        let doc: Value = serde_json::from_slice(&std::fs::read(&har).unwrap()).unwrap();
        let entries = doc["log"]["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0]["request"]["url"],
            format!("http://{up}/api/1.0/scim/Users?filter=a%20b")
        );
        assert_eq!(entries[1]["response"]["status"], 302);
        assert_eq!(entries[1]["response"]["redirectURL"], "/elsewhere");
        assert!(!doc.to_string().contains("some-credential-1"));
    }

    #[test]
    fn a_base_url_is_http_or_https_without_query() {
        assert_eq!(
            base("https://app.asana.com/api/1.0/scim/").unwrap(),
            "https://app.asana.com/api/1.0/scim"
        );
        for bad in ["ftp://x/scim", "not a url", "https://x/scim?a=b"] {
            assert!(
                matches!(base(bad), Err(RecordError::Target { .. })),
                "{bad}"
            );
        }
    }
}
