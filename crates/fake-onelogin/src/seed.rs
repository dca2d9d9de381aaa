//! Seed files: a OneLogin directory in YAML, users and roles, to seed a fake. The one format
//! for every directory file: the `serve` demo, customer reproductions, and scenario fixtures (which may
//! name users and roles with `as:` for their steps). Also the rest of what a fake starts with:
//! a saved state or a directory, the signing key given, the API credential.
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

use rand::rngs::StdRng;

use crate::ApiCredentials;
use crate::model::{ApiCredential, ApiScope, OneLoginUser, State, default_asana_config};
use crate::start_error::StartError;
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

/// The store a fake starts with, and its Asana app: a saved state (given the Asana app if it
/// has none), or the Asana app with the directory's users and roles.
pub(crate) fn initial_store(
    state: Option<State>,
    directory: Option<&Directory>,
    asana_scim_url: &str,
    now: Timestamp,
) -> Result<(Store, u64), StartError> {
    let add_asana = |store: &mut Store| {
        store.add_app(
            "Asana",
            crate::ASANA_CONNECTOR_ID,
            default_asana_config(asana_scim_url),
            now,
        )
    };
    if let Some(state) = state {
        let mut store = Store::restore(state).map_err(StartError::State)?;
        let existing = store
            .apps()
            .find(|a| a.connector_id == crate::ASANA_CONNECTOR_ID)
            .map(|a| a.id);
        let id = existing.unwrap_or_else(|| add_asana(&mut store));
        return Ok((store, id));
    }
    let mut store = Store::new();
    let id = add_asana(&mut store);
    if let Some(directory) = directory {
        directory
            .apply(&mut store, now)
            .map_err(StartError::Directory)?;
    }
    Ok((store, id))
}

/// Signs with the given key unless the store already has a certificate (a saved state keeps
/// its own).
pub(crate) fn install_idp_key(
    store: &mut Store,
    app: u64,
    key: String,
    cert: String,
    now: Timestamp,
) -> Result<(), StartError> {
    harness_saml::SigningKey::from_pem(&key, &cert)
        .map_err(|e| StartError::IdpKey(e.to_string()))?;
    if store
        .app(app)
        .is_some_and(|a| !a.sso.certificates.is_empty())
    {
        return Ok(());
    }
    store
        .add_certificate(app, cert, key, now)
        .map_err(|e| StartError::IdpKey(e.to_string()))?;
    Ok(())
}

/// The Manage All credential the fake starts with: the one given (added unless the state has
/// it), or a new random one.
pub(crate) fn starting_credential(
    store: &mut Store,
    fixed: Option<ApiCredentials>,
    rng: &mut StdRng,
) -> ApiCredentials {
    if let Some(fixed) = fixed {
        if store.credential(&fixed.client_id).is_none() {
            store.add_credential(ApiCredential {
                name: "harness".into(),
                client_id: fixed.client_id.clone(),
                secret_sha256: crate::tokens::sha256_hex(&fixed.client_secret),
                scope: ApiScope::ManageAll,
            });
        }
        return fixed;
    }
    let (credential, secret) = crate::tokens::new_credential(rng, "harness", ApiScope::ManageAll);
    store.add_credential(credential.clone());
    ApiCredentials {
        client_id: credential.client_id,
        client_secret: secret,
    }
}
