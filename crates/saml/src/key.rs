//! The identity provider's signing key and X.509 certificate, and the certificate a service
//! provider trusts.
//!
//! Keys are RSA-2048 with self-signed certificates, as OneLogin issues per account. They are
//! made once (at start, or by rotation) and otherwise loaded from PEM, so that a fixture or a
//! state file repeats a run exactly: generating a key is the one random act in SAML here.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use getrandom::SysRng;
use getrandom::rand_core::UnwrapErr;
use jiff::Timestamp;
use rsa::pkcs1v15::{Signature as Pkcs1Signature, SigningKey as Pkcs1SigningKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
use rsa::sha2::{Digest as _, Sha256, Sha384, Sha512};
use rsa::{PrivateKey, PublicKey};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::{DecodePem, Encode, EncodePem};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{EncodePublicKey, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate as X509, TbsCertificate};

use crate::algorithm::SignatureAlgorithm;

/// How long a generated certificate is valid: OneLogin's account certificates last years.
const CERT_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
const KEY_BITS: usize = 2048;

/// Why a key or certificate could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the private key is not an RSA key in PKCS#8 PEM: {0}")]
    PrivateKey(String),
    #[error("the certificate is not a PEM X.509 certificate with an RSA key: {0}")]
    Certificate(String),
    #[error("the certificate does not belong to the private key")]
    Mismatch,
    #[error("could not make a key: {0}")]
    Generate(String),
}

/// An RSA private key and its self-signed certificate. Cloning shares the key.
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<KeyInner>,
}

struct KeyInner {
    key: PrivateKey,
    certificate: Certificate,
}

impl fmt::Debug for SigningKey {
    /// Never prints the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("certificate", &self.inner.certificate.subject)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new RSA-2048 key and a certificate for `common_name`, valid from `now` for ten years.
    pub fn generate(common_name: &str, now: Timestamp) -> Result<Self, KeyError> {
        let key = PrivateKey::new(&mut UnwrapErr(SysRng), KEY_BITS)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let signer = Pkcs1SigningKey::<Sha256>::new(key.clone());
        let subject: Name = format!("CN={common_name},O=OneLogin")
            .parse()
            .map_err(|e: x509_cert::der::Error| KeyError::Generate(e.to_string()))?;
        let start =
            SystemTime::UNIX_EPOCH + Duration::from_secs(now.as_second().max(0).unsigned_abs());
        let validity = Validity::new(
            Time::try_from(start).map_err(|e| KeyError::Generate(e.to_string()))?,
            Time::try_from(start + CERT_LIFETIME).map_err(|e| KeyError::Generate(e.to_string()))?,
        );
        // A serial from the key itself: unique per key, and no second source of randomness.
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let digest = Sha256::digest(spki.as_bytes());
        let mut serial = [0u8; 16];
        serial.copy_from_slice(&digest[..16]);
        serial[0] &= 0x7f; // positive
        let serial = SerialNumber::new(&serial).map_err(|e| KeyError::Generate(e.to_string()))?;
        let spki_owned = x509_cert::spki::SubjectPublicKeyInfoOwned::try_from(spki.as_bytes())
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let builder = CertificateBuilder::new(SelfSigned(subject), serial, validity, spki_owned)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let cert: X509 = builder
            .build::<_, Pkcs1Signature>(&signer)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let der = cert
            .to_der()
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let certificate = Certificate::from_der(der)?;
        Ok(Self {
            inner: Arc::new(KeyInner { key, certificate }),
        })
    }

    /// A key and certificate saved earlier ([`key_pem`](Self::key_pem) and
    /// [`Certificate::pem`]).
    pub fn from_pem(key_pem: &str, certificate_pem: &str) -> Result<Self, KeyError> {
        let key = PrivateKey::from_pkcs8_pem(key_pem.trim())
            .map_err(|e| KeyError::PrivateKey(e.to_string()))?;
        let certificate = Certificate::from_pem(certificate_pem)?;
        if certificate.public != key.to_public_key() {
            return Err(KeyError::Mismatch);
        }
        Ok(Self {
            inner: Arc::new(KeyInner { key, certificate }),
        })
    }

    /// The private key as PKCS#8 PEM, for a state file or fixture.
    pub fn key_pem(&self) -> String {
        self.inner
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .unwrap_or_default()
    }

    pub fn certificate(&self) -> &Certificate {
        &self.inner.certificate
    }

    /// PKCS#1 v1.5 signature of `data` with the algorithm's digest: what every XML signature
    /// costs, and so the ceiling `bench sign-in` is stated against.
    pub fn sign(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Vec<u8> {
        let signed = match algorithm {
            SignatureAlgorithm::RsaSha1 => self.inner.key.pkcs1v15_sign::<sha1::Sha1>(data),
            SignatureAlgorithm::RsaSha256 => self.inner.key.pkcs1v15_sign::<Sha256>(data),
            SignatureAlgorithm::RsaSha384 => self.inner.key.pkcs1v15_sign::<Sha384>(data),
            SignatureAlgorithm::RsaSha512 => self.inner.key.pkcs1v15_sign::<Sha512>(data),
        };
        // Signing with a valid key and a supported digest cannot fail.
        signed.expect("PKCS#1 v1.5 signing with a checked RSA key")
    }
}

/// An X.509 certificate with an RSA public key: what a service provider is given to trust.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    public: PublicKey,
    subject: String,
    not_before: Timestamp,
    not_after: Timestamp,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("sha1", &self.sha1_fingerprint())
            .finish()
    }
}

impl Certificate {
    /// A `-----BEGIN CERTIFICATE-----` block; surrounding whitespace is ignored.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let cert = X509::from_pem(pem.trim().as_bytes())
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        let der = cert
            .to_der()
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        Self::from_der(der)
    }

    /// The base64 DER, as `<ds:X509Certificate>` and metadata carry it.
    pub fn from_base64(b64: &str) -> Result<Self, KeyError> {
        let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = STANDARD
            .decode(compact)
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        Self::from_der(der)
    }

    fn from_der(der: Vec<u8>) -> Result<Self, KeyError> {
        use x509_cert::der::Decode;
        let cert = X509::from_der(&der).map_err(|e| KeyError::Certificate(e.to_string()))?;
        let tbs = cert.tbs_certificate();
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        let public = PublicKey::from_public_key_der(&spki)
            .map_err(|e| KeyError::Certificate(format!("not an RSA key: {e}")))?;
        let validity = tbs.validity();
        Ok(Self {
            subject: tbs.subject().to_string(),
            not_before: to_timestamp(validity.not_before),
            not_after: to_timestamp(validity.not_after),
            public,
            der,
        })
    }

    pub fn pem(&self) -> String {
        use x509_cert::der::Decode;
        X509::from_der(&self.der)
            .and_then(|c| c.to_pem(LineEnding::LF))
            .unwrap_or_default()
    }

    /// The DER as one line of base64.
    pub fn base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn not_before(&self) -> Timestamp {
        self.not_before
    }

    pub fn not_after(&self) -> Timestamp {
        self.not_after
    }

    /// `AB:CD:...`, the SHA-1 fingerprint OneLogin's View Details shows.
    pub fn sha1_fingerprint(&self) -> String {
        use sha1::Digest as _;
        colon_hex(&sha1::Sha1::digest(&self.der))
    }

    pub fn sha256_fingerprint(&self) -> String {
        colon_hex(&Sha256::digest(&self.der))
    }

    pub(crate) fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> bool {
        match algorithm {
            SignatureAlgorithm::RsaSha1 => self
                .public
                .pkcs1v15_verify::<sha1::Sha1>(data, signature)
                .is_ok(),
            SignatureAlgorithm::RsaSha256 => self
                .public
                .pkcs1v15_verify::<Sha256>(data, signature)
                .is_ok(),
            SignatureAlgorithm::RsaSha384 => self
                .public
                .pkcs1v15_verify::<Sha384>(data, signature)
                .is_ok(),
            SignatureAlgorithm::RsaSha512 => self
                .public
                .pkcs1v15_verify::<Sha512>(data, signature)
                .is_ok(),
        }
    }
}

fn to_timestamp(time: Time) -> Timestamp {
    let secs = time.to_unix_duration().as_secs();
    Timestamp::from_second(i64::try_from(secs).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX)
}

fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// A self-signed certificate with no extensions, as OneLogin's SAML certificates are.
struct SelfSigned(Name);

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.0.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(Vec::new())
    }
}
