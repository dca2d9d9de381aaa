//! The fakes' settings and states as scenario files spell them. The file format owns these
//! types (a fake can rename its own without changing the format); each maps to the fake's type
//! at the boundary, variant by variant, both ways.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a service account may call (fidelity/asana §2, [C3] ENTRA / HC-SA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// "Scoped permissions → User provisioning (SCIM)": SCIM only, no REST.
    Scim,
    /// "Full permissions": SCIM and the whole REST API.
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeprovisionVia {
    ScimDelete,
    ScimPatch,
    ScimPut,
    ScimPost,
    RestRemoveUser,
}

/// "Members must log in via SAML" (required), SAML or password (optional), or no SAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SamlMode {
    #[default]
    Off,
    Optional,
    Required,
}

/// A named set of switch values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Every switch at Asana's value.
    #[default]
    Asana,
    /// Every switch off: plain RFC 7643/7644.
    Rfc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiStatus {
    Disabled,
    Connected,
    /// The label is a guess ([U] fidelity/onelogin §1.1): OneLogin only shows an icon.
    Failed,
}

/// The OneLogin app that provisions Asana, and so what it can do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// Which OneLogin attribute a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mapping {
    Email,
    Username,
    /// The user's External ID: one of OneLogin's other attributes a parameter can take. An
    /// empty one gives an empty value, which Asana refuses (SCIM) and OneLogin will not sign.
    ExternalId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    Delete,
    Suspend,
    DoNothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnSuspend {
    Suspend,
    DoNothing,
}

/// `provisioning_state` of a user's app on `GET /api/2/users/{id}/apps`: from the open task, or
/// what the target holds. OneLogin documents only "unknown" ([I] fidelity/onelogin §2); the other
/// values are the harness's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// "SAML Signature Algorithm": SHA-1, SHA-256 and the longer SHA-2 digests. Older connectors
/// default to SHA-1 (fidelity/saml §2, [C]: vendor guides tell admins to switch to SHA-256);
/// that the Asana connector is one of them is the harness's reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// "SAML signature element" ([C] for custom connectors; a setting here, [I] fidelity/saml §2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureElement {
    #[default]
    Assertion,
    Response,
    Both,
}

/// The schema URNs a user body names, and the key its enterprise attributes go under: what the
/// app's SCIM JSON template says (fidelity/onelogin §1.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemaUrns {
    /// `urn:scim:schemas:core:2.0` and `urn:scim:schemas:extension:enterprise:2.0`: what real
    /// OneLogin traffic carries ([C] fidelity/onelogin §1.3, §4, S7). The enterprise attributes go
    /// under the extension's own URN: the harness's choice, as S7 shows only `schemas`.
    #[default]
    Onelogin,
    /// RFC 7643's URNs, for targets that insist on them (vendor guides paste these, S16).
    Rfc,
}

/// `From` both ways between each type here and the fake's type of the same meaning.
macro_rules! maps_to {
    ($($ours:ident = $krate:ident :: $theirs:ident { $($variant:ident),* $(,)? },)*) => {
        $(
            impl From<$ours> for $krate::$theirs {
                fn from(value: $ours) -> Self {
                    match value {
                        $($ours::$variant => $krate::$theirs::$variant,)*
                    }
                }
            }

            impl From<$krate::$theirs> for $ours {
                fn from(value: $krate::$theirs) -> Self {
                    match value {
                        $($krate::$theirs::$variant => $ours::$variant,)*
                    }
                }
            }
        )*
    };
}

maps_to! {
    Scope = fake_asana::Scope { Scim, Full },
    DeprovisionVia = fake_asana::DeprovisionVia { ScimDelete, ScimPatch, ScimPut, ScimPost, RestRemoveUser },
    SamlMode = fake_asana::SamlMode { Off, Optional, Required },
    Profile = fake_asana::Profile { Asana, Rfc },
    ApiStatus = fake_onelogin::ApiStatus { Disabled, Connected, Failed },
    Connector = fake_onelogin::Connector { Asana, Scim },
    Mapping = fake_onelogin::Mapping { Email, Username, ExternalId },
    OnDelete = fake_onelogin::OnDelete { Delete, Suspend, DoNothing },
    OnSuspend = fake_onelogin::OnSuspend { Suspend, DoNothing },
    ProvisioningState = fake_onelogin::ProvisioningState { Pending, Provisioning, Failed, Provisioned, Suspended, Deprovisioned, Unknown },
    TaskAction = fake_onelogin::TaskAction { Create, Update, Suspend, Reactivate, Delete },
    TaskStatus = fake_onelogin::TaskStatus { Pending, Approved, Denied, InProgress, Provisioned, Failed, Skipped },
    SignatureAlgorithm = fake_onelogin::SignatureAlgorithm { RsaSha1, RsaSha256, RsaSha384, RsaSha512 },
    SignatureElement = fake_onelogin::SignatureElement { Assertion, Response, Both },
    SchemaUrns = fake_onelogin::SchemaUrns { Onelogin, Rfc },
}
