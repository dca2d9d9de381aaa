//! API credentials (Developers > API Credentials) and OneLogin's scopes.

use serde::{Deserialize, Serialize};

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
