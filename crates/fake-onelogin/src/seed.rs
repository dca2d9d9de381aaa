//! Seed files: a OneLogin directory in YAML, users and roles, to seed a fake. The one format for every
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

use crate::model::OneLoginUser;
use crate::store::{Store, StoreError, UserChanges};

/// The one app a directory's roles may name: the Asana app.
pub const ASANA_APP: &str = "asana";

/// A directory file that does not parse, or does not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("invalid directory {origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("user {email}: {source}")]
    User { email: String, source: StoreError },
    #[error("role {role}: {source}")]
    Role { role: String, source: StoreError },
    #[error("role {role}: unknown app {app:?} (the only app is {ASANA_APP})")]
    UnknownApp { role: String, app: String },
    #[error("role {role}: no user {email}")]
    NoMember { role: String, email: String },
    #[error(transparent)]
    Store(#[from] StoreError),
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
        "items": { "type": "string", "enum": [ASANA_APP] },
    })
}

impl Directory {
    /// Parses YAML (or JSON); `origin` names the source in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Directory, DirectoryError> {
        serde_saphyr::from_str(text).map_err(|e| DirectoryError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })
    }

    pub(crate) fn apply(&self, store: &mut Store, now: Timestamp) -> Result<(), DirectoryError> {
        for u in &self.users {
            let username = u
                .username
                .clone()
                .unwrap_or_else(|| OneLoginUser::default_username(&u.email));
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
                .map_err(|source| DirectoryError::User {
                    email: u.email.clone(),
                    source,
                })?;
        }
        let asana = store
            .apps()
            .find(|a| a.connector_id == crate::ASANA_CONNECTOR_ID)
            .map(|a| a.id);
        for r in &self.roles {
            let role = store
                .create_role(&r.name)
                .map_err(|source| DirectoryError::Role {
                    role: r.name.clone(),
                    source,
                })?;
            let mut apps = Vec::new();
            for app in &r.apps {
                match asana.filter(|_| app == ASANA_APP) {
                    Some(id) => apps.push(id),
                    None => {
                        return Err(DirectoryError::UnknownApp {
                            role: r.name.clone(),
                            app: app.clone(),
                        });
                    }
                }
            }
            store.set_role_apps(role, &apps, now)?;
            let mut members = Vec::new();
            for email in &r.users {
                members.push(
                    store
                        .user_by_email(email)
                        .ok_or_else(|| DirectoryError::NoMember {
                            role: r.name.clone(),
                            email: email.clone(),
                        })?
                        .id,
                );
            }
            store.add_role_users(role, &members, now)?;
        }
        Ok(())
    }
}
