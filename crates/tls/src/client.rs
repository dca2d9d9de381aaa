//! Every HTTP client in the harness starts here. reqwest is built without a crypto provider
//! of its own (its default, aws-lc-rs, compiles a C library that dominated a cold build), so
//! the process-wide rustls provider must be ring before the first client is built; building
//! clients anywhere else would panic the first time one reached HTTPS.

use std::sync::Once;

/// Installs ring as the process's rustls provider, once. A provider someone else installed
/// first is kept: rustls allows one per process.
pub fn install_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A reqwest client builder with the harness's TLS provider installed. On a system whose CA
/// roots cannot be loaded (a minimal container without a bundle, `SSL_CERT_FILE` pointing
/// nowhere) the builder trusts only the roots its caller adds (`--ca-cert`, a test's CA), and
/// says so once in the log: plain HTTP and those targets work, and any other HTTPS target fails
/// its handshake with the TLS reason, instead of every client failing to build.
#[allow(clippy::disallowed_methods)] // the one place allowed to call it
pub fn builder() -> reqwest::ClientBuilder {
    install_provider();
    let builder = reqwest::Client::builder();
    if system_roots_load() {
        builder
    } else {
        builder.tls_certs_only(Vec::new())
    }
}

/// Whether this system's CA roots load, asked once per process.
#[allow(clippy::disallowed_methods)] // the probe is a plain client build, never used
fn system_roots_load() -> bool {
    static LOADS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LOADS.get_or_init(|| match reqwest::Client::builder().build() {
        Ok(_) => true,
        Err(e) => {
            let reason = std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string());
            tracing::warn!(
                "no CA certificates could be loaded from this system ({reason}): HTTPS reaches only \
                 servers whose CA is given (--ca-cert); install a CA bundle (Debian's \
                 ca-certificates) or point SSL_CERT_FILE at one"
            );
            false
        }
    })
}

/// A reqwest client with defaults: build one and clone it.
pub fn new() -> reqwest::Client {
    builder()
        .build()
        .expect("a default reqwest client builds once a provider is installed")
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_client_reaches_an_https_server_of_ours() {
        use crate::Ca;
        let ca = Ca::generate().unwrap();
        let config = ca.server_config(&["127.0.0.1"]).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "over tls" }));
        tokio::spawn(crate::serve(
            listener,
            router,
            config,
            std::future::pending(),
        ));
        let ca_cert = reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap();
        let client = super::builder()
            .add_root_certificate(ca_cert)
            .build()
            .unwrap();
        let body = client
            .get(format!("https://{addr}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(body, "over tls");
    }
}
