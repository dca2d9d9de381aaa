//! An app's SSO tab: where assertions go, how they are signed, and the signing certificates.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The app's SSO tab: where assertions go, how they are signed, with which certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SsoConfig {
    /// The service provider's ACS. OneLogin's Asana connector has Asana's built in
    /// (`https://app.asana.com/-/saml/consume`); the harness points it at the fake Asana.
    #[serde(default)]
    pub acs_url: Option<String>,
    /// The SP's entity id, the assertion's audience (fidelity/saml §1: `https://app.asana.com/`).
    #[serde(default = "SsoConfig::asana_entity_id")]
    pub audience: String,
    #[serde(default)]
    pub signature_algorithm: SignatureAlgorithm,
    #[serde(default)]
    pub signature_element: SignatureElement,
    /// Which Issuer (entity id) the IdP names itself by, in responses and metadata.
    #[serde(default)]
    pub issuer_form: IssuerForm,
    /// Signing certificates, the one in use first. A rotation puts a new one first and keeps
    /// the old one listed until it is removed, as OneLogin's certificate list does.
    #[serde(default)]
    pub certificates: Vec<IdpCertificate>,
}

/// The IdP's Issuer. OneLogin's is `https://app.onelogin.com/saml/metadata/<app id>` whatever
/// the account's subdomain: a name, never fetched (fidelity/saml §2, [C3]). The harness's
/// choice for tests that want the name to resolve: `local`, the fake's own
/// `{origin}/saml/metadata/<app id>`, where its metadata is served in either form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerForm {
    #[default]
    Onelogin,
    Local,
}

impl SsoConfig {
    pub const ASANA_ENTITY_ID: &'static str = "https://app.asana.com/";

    fn asana_entity_id() -> String {
        Self::ASANA_ENTITY_ID.to_owned()
    }
}

impl Default for SsoConfig {
    fn default() -> Self {
        SsoConfig {
            acs_url: None,
            audience: Self::asana_entity_id(),
            signature_algorithm: SignatureAlgorithm::default(),
            signature_element: SignatureElement::default(),
            issuer_form: IssuerForm::default(),
            certificates: Vec::new(),
        }
    }
}

/// "SAML Signature Algorithm": SHA-1, SHA-256 and the longer SHA-2 digests. Older connectors
/// default to SHA-1 (fidelity/saml §2, [C]: vendor guides tell admins to switch to SHA-256);
/// that the Asana connector is one of them is the harness's reading.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum SignatureAlgorithm {
    #[default]
    #[serde(rename = "rsa-sha1")]
    RsaSha1,
    #[serde(rename = "rsa-sha256")]
    RsaSha256,
    #[serde(rename = "rsa-sha384")]
    RsaSha384,
    #[serde(rename = "rsa-sha512")]
    RsaSha512,
}

impl SignatureAlgorithm {
    /// Each choice as the SSO tab names it: (form value, label, choice).
    pub const CHOICES: [(&'static str, &'static str, SignatureAlgorithm); 4] = [
        ("rsa-sha1", "SHA-1", SignatureAlgorithm::RsaSha1),
        ("rsa-sha256", "SHA-256", SignatureAlgorithm::RsaSha256),
        ("rsa-sha384", "SHA-384", SignatureAlgorithm::RsaSha384),
        ("rsa-sha512", "SHA-512", SignatureAlgorithm::RsaSha512),
    ];

    /// The signer's algorithm.
    pub fn saml(self) -> harness_saml::SignatureAlgorithm {
        match self {
            SignatureAlgorithm::RsaSha1 => harness_saml::SignatureAlgorithm::RsaSha1,
            SignatureAlgorithm::RsaSha256 => harness_saml::SignatureAlgorithm::RsaSha256,
            SignatureAlgorithm::RsaSha384 => harness_saml::SignatureAlgorithm::RsaSha384,
            SignatureAlgorithm::RsaSha512 => harness_saml::SignatureAlgorithm::RsaSha512,
        }
    }
}

/// "SAML signature element" ([C] for custom connectors; a setting here, [I] fidelity/saml §2).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SignatureElement {
    #[default]
    Assertion,
    Response,
    Both,
}

/// A signing certificate and its private key. The state file holds the key so that a run
/// started from it signs with the same certificate: keep such a file as a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdpCertificate {
    pub id: u64,
    /// PEM.
    pub certificate: String,
    /// PKCS#8 PEM.
    pub private_key: String,
    pub created_at: Timestamp,
}

impl IdpCertificate {
    /// The certificate, parsed: for its details and fingerprint, and for metadata. The store
    /// holds only certificates the harness made, so `None` means a hand-edited state file.
    pub fn parsed(&self) -> Option<harness_saml::Certificate> {
        harness_saml::Certificate::from_pem(&self.certificate).ok()
    }
}
