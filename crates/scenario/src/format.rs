//! The scenario file format: YAML, one scenario per file, steps as an externally tagged list so
//! that every error can name its line.
//!
//! ```yaml
//! name: create waits for approval
//! tags: [approval-gating]
//! given:
//!   asana: { service_accounts: [{ as: sa, scope: scim }] }
//!   onelogin:
//!     users: [{ as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace }]
//!     roles: [{ as: asana-users, apps: [asana] }]
//!     asana_app: { token: "${sa.token}", enabled: true, require_approval: [create] }
//! steps:
//!   # - step_name: { ... }, the steps of `crate::steps`
//! ```
//!
//! Unknown keys are errors everywhere, so a typo cannot silently test the wrong thing. The same
//! types derive the file's JSON Schema (`crate::schema`), so the doc comments here and on the
//! steps are what an editor shows for each step and field.

pub mod directory;
pub(crate) mod duration;
pub(crate) mod fields;
pub(crate) mod pattern;
pub mod settings;
pub(crate) mod template;
pub mod vocabulary;

use std::collections::BTreeMap;

use fields::SwitchName;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;
use settings::Profile;

pub use duration::Duration;
pub use pattern::Pattern;
pub use template::references;

/// The steps: one enum, each family's payloads and behaviour in its own file.
pub use crate::steps::Step;
use crate::steps::asana::{GivenServiceAccount, RateLimit};
use crate::steps::onelogin_app::AppSettings;
use crate::steps::onelogin_directory::{AppName, NewUser};
use fields::switch_values;

/// One story from the KB article: a `given` that sets up both fakes, and steps in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Names the scenario in reports.
    pub name: String,
    /// What the scenario shows, in a sentence or two.
    #[serde(default)]
    pub description: Option<String>,
    /// Labels for `run --filter`; `transcript` also pins the redacted HTTP exchange as a snapshot.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Seeds tokens, retry jitter and fault probabilities. Default: derived from the name.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Both fakes as the story starts.
    #[serde(default)]
    pub given: Given,
    /// Actions and expectations, in order: `- step_name: { ... }`.
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Spanned<Step>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// The fake Asana: its organization, people, service accounts and switches.
    #[serde(default)]
    pub asana: AsanaGiven,
    /// The fake OneLogin: its directory and the Asana app's settings.
    #[serde(default)]
    pub onelogin: OneLoginGiven,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsanaGiven {
    /// A fake-Asana fixture file (organizations, users, teams, service accounts), relative to the
    /// scenario file or the working directory.
    #[serde(default)]
    pub fixture: Option<String>,
    /// `asana` (every fidelity switch at Asana's value, the default) or `rfc` (plain RFC 7644).
    #[serde(default)]
    pub profile: Option<Profile>,
    /// The organization's name, when no fixture gives one.
    #[serde(default)]
    pub organization: Option<String>,
    /// The organization's email domains. Default `acme.test`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Asana members before the story begins.
    #[serde(default)]
    pub users: Vec<UserFixture>,
    /// Asana teams before the story begins.
    #[serde(default)]
    pub teams: Vec<TeamFixture>,
    /// Service accounts, named with `as:` for `${name.token}`.
    #[serde(default)]
    pub service_accounts: Vec<GivenServiceAccount>,
    /// Fidelity switches by name; an unknown name is an error at its line.
    #[serde(default)]
    #[schemars(schema_with = "switch_values")]
    pub switches: BTreeMap<SwitchName, bool>,
    /// The fake Asana's rate limits.
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneLoginGiven {
    /// A OneLogin directory file (users and roles, in the format `serve --fixture` reads too),
    /// relative to the scenario file or the working directory; what is written inline comes
    /// after it.
    #[serde(default)]
    pub fixture: Option<String>,
    /// OneLogin users before the story begins.
    #[serde(default)]
    pub users: Vec<NewUser>,
    /// OneLogin roles before the story begins.
    #[serde(default)]
    pub roles: Vec<GivenRole>,
    /// The Asana app's settings, set before the roles (so role members get tasks).
    #[serde(default)]
    pub asana_app: Option<AppSettings>,
}

/// Why a OneLogin directory file cannot be a scenario's `given`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GivenError {
    #[error("role {role}: unknown app {app:?} (the only app is asana)")]
    UnknownApp { role: String, app: String },
}

/// The users and roles of a OneLogin directory file, as a scenario's `given` writes them.
pub fn given_of(
    directory: directory::Directory,
) -> Result<(Vec<NewUser>, Vec<GivenRole>), GivenError> {
    let users = directory
        .users
        .into_iter()
        .map(|u| NewUser {
            name: u.alias,
            email: u.email,
            username: u.username,
            firstname: Some(u.firstname),
            lastname: Some(u.lastname),
            title: u.title,
            department: u.department,
            status: None,
        })
        .collect();
    let roles = directory
        .roles
        .into_iter()
        .map(|r| {
            let apps = r
                .apps
                .iter()
                .map(|a| match a.as_str() {
                    "asana" => Ok(AppName::Asana),
                    other => Err(GivenError::UnknownApp {
                        role: r.name.clone(),
                        app: other.to_owned(),
                    }),
                })
                .collect::<Result<_, _>>()?;
            Ok(GivenRole {
                name: r.alias.unwrap_or_else(|| r.name.clone()),
                display_name: Some(r.name),
                apps,
                users: r.users,
            })
        })
        .collect::<Result<_, GivenError>>()?;
    Ok((users, roles))
}

/// A OneLogin role: the apps it grants and its members.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GivenRole {
    /// The name later steps use (`role: asana-users`).
    #[serde(rename = "as")]
    pub name: String,
    /// The role's name in OneLogin; default: the `as` name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `asana` is the only app.
    #[serde(default)]
    pub apps: Vec<AppName>,
    /// Members: users' `as:` names or emails.
    #[serde(default)]
    pub users: Vec<String>,
}

// The fake Asana's fixture users and teams, as a scenario's `given` writes them inline; each
// maps to the fake's own type. No doc comments: the schema has none for them.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserFixture {
    /// The member's email, which is their SCIM `userName`.
    pub email: String,
    /// Full name, as Asana shows it.
    #[serde(default)]
    pub name: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// Starts out deprovisioned, as a user removed before the story begins.
    #[serde(default)]
    pub deprovisioned: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamFixture {
    /// The team's name.
    pub name: String,
    /// Emails or gids of existing users.
    #[serde(default)]
    pub members: Vec<String>,
}

impl From<&UserFixture> for fake_asana::fixture::UserFixture {
    fn from(u: &UserFixture) -> Self {
        fake_asana::fixture::UserFixture {
            email: u.email.clone(),
            name: u.name.clone(),
            title: u.title.clone(),
            department: u.department.clone(),
            deprovisioned: u.deprovisioned,
        }
    }
}

impl From<&TeamFixture> for fake_asana::fixture::TeamFixture {
    fn from(t: &TeamFixture) -> Self {
        fake_asana::fixture::TeamFixture {
            name: t.name.clone(),
            members: t.members.clone(),
        }
    }
}
