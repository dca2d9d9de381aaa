//! The fake OneLogin's records, as `GET /__admin/state` shows them and `PUT` restores them,
//! one file per kind of record.

mod apps;
mod credentials;
mod sso;
mod tasks;
mod users;

use serde::{Deserialize, Serialize};

pub use apps::*;
pub use credentials::*;
pub use sso::*;
pub use tasks::*;
pub use users::*;

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
