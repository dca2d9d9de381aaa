//! A OneLogin directory file (users and roles) as the scenario format reads it: the same
//! shape `serve --fixture` seeds the fake OneLogin from, plus the `as:` names a scenario's steps
//! use. The format owns these types; `given_of` (in `format`) maps them to `given`.
//!
//! ```yaml
//! users:
//!   - { as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace, title: Analyst }
//! roles:
//!   - { name: Asana users, as: asana-users, apps: [asana], users: [ada@acme.test] }
//! ```

use schemars::JsonSchema;
use serde::Deserialize;

/// A directory file that does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid directory {origin}: {message}")]
pub struct DirectoryError {
    origin: String,
    message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// OneLogin users.
    #[serde(default)]
    pub users: Vec<DirectoryUser>,
    /// OneLogin roles, after the users (their members are named by email).
    #[serde(default)]
    pub roles: Vec<DirectoryRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryUser {
    /// The name a scenario's steps use for the user; the fake itself ignores it.
    #[serde(rename = "as", default)]
    pub alias: Option<String>,
    /// The user's email.
    pub email: String,
    /// Default: the email's local part.
    #[serde(default)]
    pub username: Option<String>,
    /// First name.
    #[serde(default)]
    pub firstname: String,
    /// Last name.
    #[serde(default)]
    pub lastname: String,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectoryRole {
    /// The role's name in OneLogin.
    pub name: String,
    /// The name a scenario's steps use for the role (default: `name`); the fake ignores it.
    #[serde(rename = "as", default)]
    pub alias: Option<String>,
    /// `asana` is the only app.
    #[serde(default)]
    #[schemars(schema_with = "asana_only")]
    pub apps: Vec<String>,
    /// Members' emails.
    #[serde(default)]
    pub users: Vec<String>,
}

/// The apps a role may grant: loading refuses any other name, so the schema does too.
fn asana_only(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": { "type": "string", "enum": ["asana"] },
    })
}

impl Directory {
    /// Parses YAML (or JSON); `origin` names the source in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Directory, DirectoryError> {
        serde_saphyr::from_str(text).map_err(|e| DirectoryError {
            origin: origin.to_owned(),
            message: e.to_string(),
        })
    }
}
