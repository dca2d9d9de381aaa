//! A OneLogin directory in YAML: users and roles, to seed a fake. The one format for every
//! directory file: the `serve` demo, customer reproductions, and scenario fixtures (which may
//! name users and roles with `as:` for their steps).
//!
//! ```yaml
//! users:
//!   - { as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace, title: Analyst }
//! roles:
//!   - { name: Asana users, as: asana-users, apps: [asana], users: [ada@acme.test] }
//! ```

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::store::{Store, UserChanges};

/// A directory file that does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DirectoryError(String);

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
        serde_saphyr::from_str(text)
            .map_err(|e| DirectoryError(format!("invalid directory {origin}: {e}")))
    }

    pub(crate) fn apply(&self, store: &mut Store, now: Timestamp) -> Result<(), String> {
        for u in &self.users {
            let username = u
                .username
                .clone()
                .unwrap_or_else(|| u.email.split('@').next().unwrap_or_default().to_owned());
            store
                .create_user(
                    UserChanges {
                        username: Some(username),
                        email: Some(u.email.clone()),
                        firstname: Some(u.firstname.clone()),
                        lastname: Some(u.lastname.clone()),
                        title: Some(u.title.clone()),
                        department: Some(u.department.clone()),
                        ..UserChanges::default()
                    },
                    now,
                )
                .map_err(|e| format!("user {}: {e}", u.email))?;
        }
        let asana = store
            .apps()
            .find(|a| a.connector_id == crate::ASANA_CONNECTOR_ID)
            .map(|a| a.id);
        for r in &self.roles {
            let role = store
                .create_role(&r.name)
                .map_err(|e| format!("role {}: {e}", r.name))?;
            let mut apps = Vec::new();
            for app in &r.apps {
                match (app.as_str(), asana) {
                    ("asana", Some(id)) => apps.push(id),
                    _ => {
                        return Err(format!(
                            "role {}: unknown app {app:?} (the only app is asana)",
                            r.name
                        ));
                    }
                }
            }
            store
                .set_role_apps(role, &apps, now)
                .map_err(|e| e.to_string())?;
            let mut members = Vec::new();
            for email in &r.users {
                members.push(
                    store
                        .user_by_email(email)
                        .ok_or_else(|| format!("role {}: no user {email}", r.name))?
                        .id,
                );
            }
            store
                .add_role_users(role, &members, now)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
