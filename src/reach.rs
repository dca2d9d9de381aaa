//! `run --asana-scim-url`: whether anything answers at the endpoint, asked once before a
//! scenario starts, so a wrong URL is one message (exit 3) rather than every scenario failing
//! with the same connection error.

use std::time::Duration;

/// The endpoint did not accept a connection: nothing was run. Exit 3.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot reach {url} (--asana-scim-url): {reason}; nothing was run. Check that the endpoint \
     is up and the URL is right, or change --asana-scim-url"
)]
pub struct Unreachable {
    pub url: String,
    pub reason: String,
}

/// How long a connection may take before the endpoint counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (and closes) one TCP connection to the URL's host and port.
pub async fn check(url: &str) -> Result<(), Unreachable> {
    let unreachable = |reason: String| Unreachable {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| unreachable(format!("not a URL ({e})")))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| unreachable("the URL names no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| unreachable(format!("no port for the scheme {:?}", parsed.scheme())))?;
    let at = format!("{host}:{port}");
    match tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect((host, port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(format!("connecting to {at}: {e}"))),
        Err(_) => Err(unreachable(format!(
            "connecting to {at}: no answer in {} s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}
