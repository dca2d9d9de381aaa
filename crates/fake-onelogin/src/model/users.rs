//! People and roles: OneLogin's users with their `status` and `state` codes, roles, and apps
//! given to a user directly.

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

/// An app given to one user directly, not through a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DirectAssignment {
    pub user_id: u64,
    pub app_id: u64,
}
