//! Apps and their provisioning settings: the Asana app's Configuration, Provisioning and
//! Parameters tabs, and which connector provisions.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::sso::SsoConfig;
use super::users::OneLoginUser;

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
