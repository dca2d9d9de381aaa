//! HTTPS for both fakes. Clients that insist on HTTPS (OneLogin's SDKs, most IdPs' SCIM
//! settings) need a server certificate they can verify: the harness makes a CA at start (or
//! loads one a run saved, so certificates repeat across restarts) and signs a loopback server
//! certificate with it; clients are given the CA's PEM.
//!
//! The TLS stack is rustls on ring, for servers and for every reqwest client ([`client`]), and
//! certificates come from rcgen (ECDSA P-256: made in microseconds, unlike RSA).

pub mod client;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot make a certificate: {0}")]
    Certificate(String),
    #[error("cannot read the CA in {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("cannot save the CA in {path}: {reason}")]
    Save { path: String, reason: String },
}

const CA_NAME: &str = "asana-harness test CA";
const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";

/// The harness's certificate authority.
pub struct Ca {
    cert_pem: String,
    key_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    name.push(DnType::OrganizationName, "asana-harness");
    params.distinguished_name = name;
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn cert_error(e: rcgen::Error) -> TlsError {
    TlsError::Certificate(e.to_string())
}

impl Ca {
    /// A new CA, with rcgen's default validity window (wide: a test CA never expires mid-run).
    pub fn generate() -> Result<Ca, TlsError> {
        let key = KeyPair::generate().map_err(cert_error)?;
        let cert = ca_params().self_signed(&key).map_err(cert_error)?;
        Ok(Ca {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            issuer: Issuer::new(ca_params(), key),
        })
    }

    /// The CA saved in `dir` (`ca.pem`, `ca-key.pem`), or a new one saved there: runs that
    /// share the folder share the CA, so clients configured once keep working.
    pub fn load_or_create(dir: &Path) -> Result<Ca, TlsError> {
        let (cert_path, key_path) = (dir.join(CA_FILE), dir.join(CA_KEY_FILE));
        if cert_path.exists() && key_path.exists() {
            let load = |p: &Path| {
                std::fs::read_to_string(p).map_err(|e| TlsError::Load {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })
            };
            let (cert_pem, key_pem) = (load(&cert_path)?, load(&key_path)?);
            let key = KeyPair::from_pem(&key_pem).map_err(|e| TlsError::Load {
                path: key_path.display().to_string(),
                reason: e.to_string(),
            })?;
            // The issuer is the CA's name and key: what a leaf needs to chain to the saved
            // certificate, which was made from the same parameters.
            return Ok(Ca {
                cert_pem,
                key_pem,
                issuer: Issuer::new(ca_params(), key),
            });
        }
        let ca = Ca::generate()?;
        let save = |p: &Path, text: &str| {
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(p, text))
                .map_err(|e| TlsError::Save {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })
        };
        save(&cert_path, &ca.cert_pem)?;
        save(&key_path, &ca.key_pem)?;
        Ok(ca)
    }

    /// The CA certificate, PEM: what clients are told to trust.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// A server configuration with a fresh certificate for `names` (DNS names or IP
    /// addresses), signed by this CA.
    pub fn server_config(&self, names: &[&str]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        self.leaf_config(names, false)
    }

    /// Like [`server_config`](Self::server_config), but the certificate's validity ended on
    /// 2000-01-02: a target whose certificate lapsed, which a client refuses whatever CA it
    /// trusts. The window is fixed in the past, so the refusal does not depend on when it runs.
    pub fn expired_server_config(
        &self,
        names: &[&str],
    ) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        self.leaf_config(names, true)
    }

    fn leaf_config(
        &self,
        names: &[&str],
        expired: bool,
    ) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let key = KeyPair::generate().map_err(cert_error)?;
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).map_err(cert_error)?;
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2000, 1, 2);
        }
        params
            .distinguished_name
            .push(DnType::CommonName, "asana-harness fake");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).map_err(cert_error)?;
        let chain = vec![CertificateDer::from(cert.der().to_vec())];
        let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes())
            .map_err(|e| TlsError::Certificate(e.to_string()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Certificate(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| TlsError::Certificate(e.to_string()))?;
        Ok(Arc::new(config))
    }
}

/// Serves `service` (a `Router`, or one wrapped as `harness-server`'s host guard wraps it) over
/// TLS on `listener` until `shutdown` resolves. A handshake that fails (a client that does not
/// trust the CA, plain HTTP to an HTTPS port) closes that connection only.
///
/// The future is boxed at the crate's edge: an async body counts as generic, so unboxed, every
/// caller would compile hyper's whole HTTP/1 and HTTP/2 server again.
pub fn serve<S>(
    listener: TcpListener,
    service: S,
    config: Arc<rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Boxed
where
    S: tower_service::Service<
            axum::http::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    Box::pin(accept_loop(listener, service, config, Box::pin(shutdown)))
}

/// A boxed future, as [`serve`] returns it.
pub type Boxed = Pin<Box<dyn Future<Output = ()> + Send>>;

async fn accept_loop<S>(
    listener: TcpListener,
    service: S,
    config: Arc<rustls::ServerConfig>,
    shutdown: Boxed,
) where
    S: tower_service::Service<
            axum::http::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::service::TowerToHyperService;

    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let mut shutdown = shutdown;
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let (acceptor, service) = (acceptor.clone(), service.clone());
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(e) => {
                    tracing::debug!(error = %e, "TLS handshake failed");
                    return;
                }
            };
            let service = TowerToHyperService::new(service);
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(tls), service)
                .await;
        });
    }
}
