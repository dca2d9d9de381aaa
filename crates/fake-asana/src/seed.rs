//! Fixtures: an Asana side described in YAML (or JSON), to seed a fake with a customer's
//! organization, directory and service accounts.
//!
//! ```yaml
//! organizations:
//!   - name: Acme Corp
//!     domains: [acme.test]
//!     users:
//!       - { email: grace@acme.test, name: Grace Hopper, title: Rear Admiral }
//!     teams:
//!       - { name: Engineering, members: [grace@acme.test] }
//!     service_accounts:
//!       - { name: OneLogin provisioning, scope: scim }
//! ```

use std::path::Path;

use harness_scim::{EnterpriseUser, MultiValue, Name, User};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::{Gid, Scope};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The organizations; a scenario's expectations look at the first.
    pub organizations: Vec<OrganizationFixture>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationFixture {
    /// The organization's name.
    pub name: String,
    /// Its email domains: a user on another domain is a guest. A domain belongs to one
    /// organization.
    pub domains: Vec<String>,
    /// Whether the organization has view-only licenses, which makes SCIM `userType` visible.
    #[serde(default)]
    pub view_only_licenses: bool,
    /// Its members.
    #[serde(default)]
    pub users: Vec<UserFixture>,
    /// Its teams.
    #[serde(default)]
    pub teams: Vec<TeamFixture>,
    /// Its service accounts.
    #[serde(default)]
    pub service_accounts: Vec<ServiceAccountFixture>,
}

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

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountFixture {
    /// The name Asana's console shows.
    pub name: String,
    /// `scim` (User provisioning only, the default) or `full` (SCIM and the REST API).
    #[serde(default = "scim")]
    pub scope: Scope,
    /// A fixed token (a customer's, or a stable one for docs); minted when absent.
    #[serde(default)]
    pub token: Option<String>,
}

fn scim() -> Scope {
    Scope::Scim
}

/// A service account a fixture created, with its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededServiceAccount {
    pub id: Gid,
    pub organization: Gid,
    pub name: String,
    pub scope: Scope,
    pub token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read fixture {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid fixture {path}: {message}")]
    Parse { path: String, message: String },
    #[error("fixture does not fit together: {0}")]
    Inconsistent(String),
}

impl Fixture {
    /// One organization, "Acme Corp" on `acme.test`, with nobody in it yet.
    pub fn default_organization() -> Fixture {
        Fixture {
            organizations: vec![OrganizationFixture {
                name: "Acme Corp".into(),
                domains: vec!["acme.test".into()],
                view_only_licenses: false,
                users: Vec::new(),
                teams: Vec::new(),
                service_accounts: Vec::new(),
            }],
        }
    }

    /// Parses YAML (JSON is YAML too). `origin` names the source in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Fixture, FixtureError> {
        let fixture: Fixture = serde_saphyr::from_str(text).map_err(|e| FixtureError::Parse {
            path: origin.to_owned(),
            message: e.to_string(),
        })?;
        if fixture.organizations.is_empty() {
            return Err(FixtureError::Parse {
                path: origin.to_owned(),
                message: "organizations is empty".into(),
            });
        }
        Ok(fixture)
    }

    pub fn load(path: &Path) -> Result<Fixture, FixtureError> {
        let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Fixture::parse(&text, &path.display().to_string())
    }

    /// Builds a store from the fixture; returns it and the service accounts it created.
    pub(crate) fn build(
        &self,
        seed: Option<u64>,
        now: Timestamp,
    ) -> Result<(Store, Vec<SeededServiceAccount>), FixtureError> {
        let bad = FixtureError::Inconsistent;
        let mut store = Store::new(seed);
        let mut accounts = Vec::new();
        for org in &self.organizations {
            let gid = store
                .create_organization(&org.name, &org.domains, org.view_only_licenses)
                .map_err(|e| bad(e.to_string()))?;
            for u in &org.users {
                let user = User {
                    user_name: u.email.clone(),
                    name: u.name.as_ref().map(|n| {
                        Box::new(Name {
                            formatted: Some(n.as_str().into()),
                            ..Name::default()
                        })
                    }),
                    emails: vec![MultiValue {
                        value: Some(u.email.as_str().into()),
                        primary: Some(true),
                        kind: Some("work".into()),
                        display: None,
                    }],
                    title: u.title.as_deref().map(Into::into),
                    active: Some(true),
                    enterprise: u.department.as_ref().map(|d| {
                        Box::new(EnterpriseUser {
                            department: Some(d.as_str().into()),
                            ..EnterpriseUser::default()
                        })
                    }),
                    ..User::default()
                };
                user.validate()
                    .map_err(|e| bad(format!("user {}: {}", u.email, e.detail)))?;
                let user_gid = store
                    .seed_user(gid, user, now)
                    .map_err(|e| bad(e.to_string()))?;
                if u.deprovisioned {
                    store.deprovision_seeded(gid, user_gid, now);
                }
            }
            for t in &org.teams {
                store
                    .seed_team(gid, &t.name, &t.members, now)
                    .map_err(|e| bad(e.to_string()))?;
            }
            for sa in &org.service_accounts {
                let (record, token) = store
                    .create_service_account(gid, &sa.name, sa.scope, now, sa.token.clone())
                    .map_err(|e| bad(e.to_string()))?;
                accounts.push(SeededServiceAccount {
                    id: record.gid,
                    organization: gid,
                    name: sa.name.clone(),
                    scope: sa.scope,
                    token,
                });
            }
        }
        Ok((store, accounts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yaml_and_reports_unknown_keys_with_a_location() {
        let f = Fixture::parse(
            "organizations:\n  - name: Acme\n    domains: [acme.test]\n    users:\n      - { email: a@acme.test, name: A }\n",
            "inline",
        )
        .unwrap();
        assert_eq!(f.organizations[0].users[0].email, "a@acme.test");
        let err = Fixture::parse(
            "organizations:\n  - name: Acme\n    domain: [acme.test]\n",
            "bad.yaml",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("bad.yaml") && text.contains("domain"),
            "{text}"
        );
    }

    #[test]
    fn builds_users_teams_and_fixed_tokens() {
        let f = Fixture::parse(
            r#"
organizations:
  - name: Acme
    domains: [acme.test]
    users:
      - { email: a@acme.test, name: Ada Lovelace }
      - { email: b@acme.test, deprovisioned: true }
    teams:
      - { name: Eng, members: [a@acme.test] }
    service_accounts:
      - { name: idp, scope: full, token: "customer-token" }
"#,
            "inline",
        )
        .unwrap();
        let (store, accounts) = f.build(Some(1), harness_clock::DEFAULT_EPOCH).unwrap();
        assert_eq!(accounts[0].token, "customer-token");
        assert!(
            store
                .authenticate(&crate::token::TokenDigest::of("customer-token"))
                .is_some()
        );
        let org = store.default_org().unwrap();
        assert_eq!(store.teams(org).next().unwrap().members.len(), 1);
        assert!(
            store
                .resolve_user(org, "b@acme.test")
                .unwrap()
                .deprovisioned
                .is_some()
        );
        let broken = Fixture::parse(
            "organizations:\n  - name: A\n    domains: [a.test]\n    teams: [{ name: T, members: [nobody@a.test] }]\n",
            "x",
        )
        .unwrap();
        assert!(broken.build(None, harness_clock::DEFAULT_EPOCH).is_err());
    }
}
