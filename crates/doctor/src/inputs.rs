//! What the admin gives the doctor. Asana's Security tab has no API (fidelity/saml §1.2), and
//! OneLogin's API does not show the app's deletion policy (fidelity/onelogin §3.4), so those
//! values come by hand; a check that needs one that was left out says so.

use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Inputs {
    /// OneLogin's API origin, e.g. `https://acme.onelogin.com`.
    pub onelogin_url: String,
    /// An API credential with read scope ("Read All").
    pub client_id: String,
    pub client_secret: String,
    /// The Asana app's id in OneLogin.
    pub app_id: u64,
    /// Asana's SCIM base URL, e.g. `https://app.asana.com/api/1.0/scim`.
    pub asana_scim_url: String,
    /// The token OneLogin's Provisioning tab holds: a service account's.
    pub asana_token: String,
    pub asana_security: AsanaSecurity,
    /// The Provisioning tab's "When users are deleted in OneLogin" choice, given by hand.
    pub deletion_policy: Option<DeletionPolicy>,
}

/// Asana's Admin Console > Security > SAML authentication, as the admin reads it off the page.
#[derive(Debug, Clone, Default)]
pub struct AsanaSecurity {
    /// "Sign-in page URL".
    pub sign_in_url: Option<String>,
    /// "X.509 certificate", PEM.
    pub certificate: Option<String>,
    /// Required for all members, optional, or off.
    pub saml_mode: Option<SamlMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SamlMode {
    Off,
    Optional,
    Required,
}

/// What OneLogin does in Asana when a person is deleted in OneLogin (fidelity/onelogin §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletionPolicy {
    Delete,
    Suspend,
    DoNothing,
}
