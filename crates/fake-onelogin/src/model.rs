//! The fake OneLogin's records, as `GET /__admin/state` shows them and `PUT` restores them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A OneLogin user's `status` (fidelity/onelogin §3.2, [C] S12/S13), written as OneLogin's
/// number everywhere: the API, the state file, the console's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub enum UserStatus {
    Unactivated = 0,
    /// The only status that can log in.
    Active = 1,
    Suspended = 2,
    Locked = 3,
    PasswordExpired = 4,
    AwaitingPasswordReset = 5,
    PasswordPending = 7,
    SecurityQuestionsRequired = 8,
}

/// A number OneLogin gives no user status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a user status (0-5, 7, 8)")]
pub struct UnknownStatus(pub u8);

impl UserStatus {
    pub const ALL: [UserStatus; 8] = [
        UserStatus::Unactivated,
        UserStatus::Active,
        UserStatus::Suspended,
        UserStatus::Locked,
        UserStatus::PasswordExpired,
        UserStatus::AwaitingPasswordReset,
        UserStatus::PasswordPending,
        UserStatus::SecurityQuestionsRequired,
    ];

    /// OneLogin's number.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Only Active users can log in (fidelity/onelogin §3.2, status 1).
    pub fn can_log_in(self) -> bool {
        self == UserStatus::Active
    }

    /// As OneLogin names the status.
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Unactivated => "Unactivated",
            UserStatus::Active => "Active",
            UserStatus::Suspended => "Suspended",
            UserStatus::Locked => "Locked",
            UserStatus::PasswordExpired => "Password expired",
            UserStatus::AwaitingPasswordReset => "Awaiting password reset",
            UserStatus::PasswordPending => "Password pending",
            UserStatus::SecurityQuestionsRequired => "Security questions required",
        }
    }
}

impl From<UserStatus> for u8 {
    fn from(s: UserStatus) -> u8 {
        s.code()
    }
}

impl TryFrom<u8> for UserStatus {
    type Error = UnknownStatus;

    fn try_from(code: u8) -> Result<Self, UnknownStatus> {
        UserStatus::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(UnknownStatus(code))
    }
}

/// A OneLogin user's `state`, written as OneLogin's number (0-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
#[repr(u8)]
pub enum UserState {
    Unapproved = 0,
    Approved = 1,
    Rejected = 2,
    Unlicensed = 3,
}

/// A number OneLogin gives no user state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a user state (0-3)")]
pub struct UnknownState(pub u8);

impl UserState {
    pub const ALL: [UserState; 4] = [
        UserState::Unapproved,
        UserState::Approved,
        UserState::Rejected,
        UserState::Unlicensed,
    ];

    /// OneLogin's number.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<UserState> for u8 {
    fn from(s: UserState) -> u8 {
        s.code()
    }
}

impl TryFrom<u8> for UserState {
    type Error = UnknownState;

    fn try_from(code: u8) -> Result<Self, UnknownState> {
        UserState::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(UnknownState(code))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneLoginUser {
    pub id: u64,
    pub username: String,
    pub email: String,
    #[serde(default)]
    pub firstname: String,
    #[serde(default)]
    pub lastname: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    pub status: UserStatus,
    pub state: UserState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl OneLoginUser {
    /// The username of a user given none: the email's local part. The console's New user form
    /// and directory files both default it so; the API requires one.
    pub fn default_username(email: &str) -> String {
        email.split('@').next().unwrap_or_default().to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub apps: Vec<u64>,
    #[serde(default)]
    pub users: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct App {
    pub id: u64,
    pub connector_id: u64,
    pub name: String,
    pub provisioning: ProvisioningConfig,
    /// The SSO tab (fidelity/saml §2).
    #[serde(default)]
    pub sso: SsoConfig,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

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

/// The Asana app's Configuration, Provisioning and Parameters tabs (fidelity/onelogin §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningConfig {
    /// Where SCIM goes. OneLogin's Asana connector has no URL field; the harness lets it point
    /// anywhere, and defaults it to the fake Asana.
    pub scim_base_url: String,
    /// The Asana service account token pasted into "Service Account Token".
    #[serde(default)]
    pub token: Option<String>,
    pub api_status: ApiStatus,
    #[serde(default)]
    pub api_error: Option<String>,
    /// "Enable provisioning for Asana".
    pub enabled: bool,
    pub require_approval: Approvals,
    /// "When users are deleted in OneLogin, or the user's app access is removed".
    pub on_delete: OnDelete,
    /// "When users are suspended in OneLogin".
    pub on_suspend: OnSuspend,
    pub parameters: Parameters,
    /// Which OneLogin app provisions: the Asana connector, or the generic SCIM app.
    #[serde(default)]
    pub connector: Connector,
    /// The schema URNs the app's SCIM template names.
    #[serde(default)]
    pub schema_urns: SchemaUrns,
}

/// The Asana app as OneLogin shows it before anyone touches it: no token, API disabled,
/// provisioning off, no approvals, Delete on delete, Suspend on suspend, Email for both
/// parameters (fidelity/onelogin §1); OneLogin's Asana connector with its own schema URNs.
pub fn default_asana_config(scim_base_url: &str) -> ProvisioningConfig {
    ProvisioningConfig {
        scim_base_url: scim_base_url.to_owned(),
        token: None,
        api_status: ApiStatus::Disabled,
        api_error: None,
        enabled: false,
        require_approval: Approvals::default(),
        on_delete: OnDelete::Delete,
        on_suspend: OnSuspend::Suspend,
        parameters: Parameters {
            name_id: Mapping::Email,
            scim_username: Mapping::Email,
        },
        connector: Connector::Asana,
        schema_urns: SchemaUrns::Onelogin,
    }
}

pub use harness_provisioner::SchemaUrns;

/// The OneLogin app that provisions Asana, and so what it can do.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Connector {
    /// OneLogin's Asana connector. With OneLogin, Asana supports create, import and deactivate
    /// only: no profile updates and no team creation ([C] fidelity/asana §1.7, fidelity/onelogin §4,
    /// HC-SCIM). A change of a provisioned user's attributes sends nothing and is recorded as a
    /// skipped update.
    #[default]
    Asana,
    /// OneLogin's generic SCIM v2 app: sends updates (PUT) and deletes, and discovers groups when
    /// it is enabled (fidelity/onelogin §4, S6, S7).
    Scim,
}

impl Connector {
    /// Whether the app sends profile changes of a provisioned user.
    pub fn updates_profiles(self) -> bool {
        matches!(self, Connector::Scim)
    }

    /// Whether Enable also discovers the target's groups.
    pub fn discovers_groups(self) -> bool {
        matches!(self, Connector::Scim)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiStatus {
    Disabled,
    Connected,
    /// The label is a guess ([U] fidelity/onelogin §1.1): OneLogin only shows an icon.
    Failed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    pub update: bool,
    #[serde(default)]
    pub delete: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    Delete,
    Suspend,
    DoNothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnSuspend {
    Suspend,
    DoNothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// SAML NameID (Subject): Email by default (fidelity/onelogin §1.3, [C] S1).
    pub name_id: Mapping,
    /// SCIM Username: Email by default; what `userName` carries.
    pub scim_username: Mapping,
}

/// Which OneLogin attribute a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mapping {
    Email,
    Username,
    /// The user's External ID: one of OneLogin's other attributes a parameter can take. An
    /// empty one gives an empty value, which Asana refuses (SCIM) and OneLogin will not sign.
    ExternalId,
}

impl Mapping {
    /// The user's value for this mapping; `None` when the attribute is empty.
    pub fn value_of(self, user: &OneLoginUser) -> Option<&str> {
        let v = match self {
            Mapping::Email => user.email.as_str(),
            Mapping::Username => user.username.as_str(),
            Mapping::ExternalId => user.external_id.as_deref().unwrap_or(""),
        };
        (!v.trim().is_empty()).then_some(v)
    }

    pub fn label(self) -> &'static str {
        match self {
            Mapping::Email => "Email",
            Mapping::Username => "Username",
            Mapping::ExternalId => "External ID",
        }
    }
}

/// `provisioning_state` of a user's app on `GET /api/2/users/{id}/apps`: from the open task, or
/// what the target holds. OneLogin documents only "unknown" ([I] fidelity/onelogin §2); the other
/// values are the harness's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProvisioningState {
    Pending,
    Provisioning,
    Failed,
    Provisioned,
    Suspended,
    Deprovisioned,
    Unknown,
}

impl ProvisioningState {
    /// As the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            ProvisioningState::Pending => "Pending",
            ProvisioningState::Provisioning => "Provisioning",
            ProvisioningState::Failed => "Failed",
            ProvisioningState::Provisioned => "Provisioned",
            ProvisioningState::Suspended => "Suspended",
            ProvisioningState::Deprovisioned => "Deprovisioned",
            ProvisioningState::Unknown => "Unknown",
        }
    }
}

/// One provisioning task in Users > Provisioning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub app_id: u64,
    pub user_id: u64,
    pub action: TaskAction,
    /// What caused it, in words: "added to role Asana users", "user deleted", ...
    pub reason: String,
    pub status: TaskStatus,
    /// Why it failed or was skipped.
    #[serde(default)]
    pub error: Option<String>,
    /// Whether the app required an admin's approval for this action when the task was made.
    pub requires_approval: bool,
    /// The user's mapped attributes when the task was made (a deleted user has none later).
    pub payload: Payload,
    /// HTTP requests sent for it, over every run, retries included. (`attempts` in state files
    /// written before it was named for what it counts.)
    #[serde(default, alias = "attempts")]
    pub requests: u32,
    #[serde(default)]
    pub scim_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    Create,
    Update,
    /// PUT `active:false`: the suspended-user policy, or the deleted-user policy "Suspend".
    Suspend,
    /// PUT `active:true` after an unsuspension.
    Reactivate,
    /// DELETE.
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Pending,
    Approved,
    Denied,
    InProgress,
    Provisioned,
    Failed,
    Skipped,
}

impl TaskStatus {
    /// Waiting to run (or for a person).
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Pending | TaskStatus::Approved)
    }
}

/// The mapped attributes a task sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub user_name: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
}

/// What the target has for a user, as far as OneLogin knows: changed only by tasks that
/// succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provisioned {
    Active,
    Suspended,
    Deleted,
}

/// An app given to one user directly, not through a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DirectAssignment {
    pub user_id: u64,
    pub app_id: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub app_id: u64,
    pub user_id: u64,
    pub state: Provisioned,
    #[serde(default)]
    pub scim_id: Option<String>,
    /// The payload last sent, to tell a real attribute change from noise.
    pub payload: Payload,
}

/// An API credential (Developers > API Credentials), with OneLogin's scopes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiCredential {
    pub name: String,
    pub client_id: String,
    /// SHA-256 of the client secret, hex.
    pub secret_sha256: String,
    pub scope: ApiScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    AuthenticationOnly,
    ReadUsers,
    ManageUsers,
    ReadAll,
    ManageAll,
}

impl ApiScope {
    pub fn can_read_users(self) -> bool {
        !matches!(self, ApiScope::AuthenticationOnly)
    }

    pub fn can_manage_users(self) -> bool {
        matches!(self, ApiScope::ManageUsers | ApiScope::ManageAll)
    }

    pub fn can_read_all(self) -> bool {
        matches!(self, ApiScope::ReadAll | ApiScope::ManageAll)
    }

    pub fn can_manage_all(self) -> bool {
        matches!(self, ApiScope::ManageAll)
    }
}

/// The whole fake, for `GET|PUT /__admin/state`. Access tokens are not kept: they live ten
/// hours and a client simply asks for a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub next_id: u64,
    pub users: Vec<OneLoginUser>,
    pub roles: Vec<Role>,
    pub apps: Vec<App>,
    /// Apps given to a user directly (the user's Applications tab), besides roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub direct_assignments: Vec<DirectAssignment>,
    pub tasks: Vec<Task>,
    pub links: Vec<Link>,
    pub credentials: Vec<ApiCredential>,
}

pub const STATE_VERSION: u32 = 1;
