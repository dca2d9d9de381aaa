//! The fake's data: organizations, their users, teams and service accounts, with the indices
//! that keep every lookup a client makes O(1) (userName, team name, token).
//!
//! The store decides what Asana would do with each write (deprovision instead of delete,
//! refuse reactivation, guests, ...) by reading the [`Config`]; the HTTP layer only parses and
//! renders, and no switch is read outside this module and the config's. All methods are synchronous and short: the caller holds one lock for one operation,
//! which is what makes "64 concurrent POSTs, exactly one 201" hold.
//!
//! - `org`: one organization's records and indices, and its domain and visibility rules.
//! - `auth`: tokens, service accounts and personal access tokens.
//! - `users`, `teams`: SCIM users and groups (Asana teams), reads and writes.
//! - `state`: seeding, snapshot and restore.
//! - `saml`: SAML settings and who may sign in.
//! - `dialect`: the switches that only shape a SCIM answer, as a [`ScimDialect`].
//! - `error`: [`StoreError`], every way the store refuses.

mod auth;
mod dialect;
mod error;
mod org;
pub(crate) mod saml;
mod state;
mod teams;
mod users;

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::config::{Config, Switch};
use crate::model::*;
use crate::token::TokenDigest;
use org::Org;

pub use dialect::{GroupPatchAnswer, ScimDialect};
pub use error::StoreError;

/// A domain as the store keeps it: lower case, without surrounding spaces or a trailing dot
/// (`ACME.test.` is `acme.test`), or `None` if it is no domain name.
fn normalize_domain(domain: &str) -> Option<String> {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !d.is_empty()
        && !d.starts_with('.')
        && !d.contains("..")
        && d.chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    valid.then_some(d)
}

/// Who a request acts as, resolved from its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    ServiceAccount {
        org: Gid,
        account: Gid,
        scope: Scope,
    },
    /// A personal access token of an ordinary member.
    Personal { org: Gid, user: Gid },
}

impl Principal {
    pub fn org(&self) -> Gid {
        match *self {
            Principal::ServiceAccount { org, .. } | Principal::Personal { org, .. } => org,
        }
    }

    /// How records and the journal name this principal: never the token.
    pub fn actor(&self) -> String {
        match self {
            Principal::ServiceAccount { account, .. } => format!("service_account:{account}"),
            Principal::Personal { user, .. } => format!("user:{user}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum TokenOwner {
    ServiceAccount { org: Gid, account: Gid },
    Personal { org: Gid, user: Gid },
}

/// What every write needs besides its own arguments: whose organization, under which
/// behaviour, when, and on whose behalf (for the deprovision and audit records).
pub struct WriteContext<'a> {
    pub org: Gid,
    pub cfg: &'a Config,
    pub now: Timestamp,
    pub actor: String,
}

impl WriteContext<'_> {
    fn parts(&self) -> (Gid, &Config, Timestamp, &str) {
        (self.org, self.cfg, self.now, &self.actor)
    }
}

/// Whether a create made a new user or found one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    Reprovisioned,
    Existing,
}

pub struct Store {
    orgs: BTreeMap<Gid, Org>,
    tokens: HashMap<TokenDigest, TokenOwner>,
    next_gid: u64,
    rng: StdRng,
}

/// The first id the fake hands out: 16 digits, like newer Asana gids.
pub const FIRST_GID: u64 = 1_200_000_000_000_001;

impl Store {
    /// An empty store. `seed` makes minted tokens reproducible; `None` draws from the OS.
    pub fn new(seed: Option<u64>) -> Self {
        Store {
            orgs: BTreeMap::new(),
            tokens: HashMap::new(),
            next_gid: FIRST_GID,
            rng: match seed {
                Some(s) => StdRng::seed_from_u64(s),
                None => StdRng::from_os_rng(),
            },
        }
    }

    fn gid(&mut self) -> Gid {
        let g = Gid(self.next_gid);
        self.next_gid += 1;
        g
    }

    // -- organizations -------------------------------------------------------------------------

    /// A new organization. Refused when another organization already holds one of `domains`:
    /// an Asana domain belongs to one organization, and sign-in chooses it by domain.
    pub fn create_organization(
        &mut self,
        name: &str,
        domains: &[String],
        view_only: bool,
    ) -> Result<Gid, StoreError> {
        let mut lowered = domains
            .iter()
            .map(|d| normalize_domain(d).ok_or_else(|| StoreError::InvalidDomain(d.clone())))
            .collect::<Result<Vec<String>, StoreError>>()?;
        lowered.sort();
        lowered.dedup();
        for domain in &lowered {
            if let Some(holder) = self.org_by_domain(domain) {
                return Err(StoreError::DomainTaken {
                    domain: domain.clone(),
                    holder: self.orgs[&holder].info.name.clone(),
                });
            }
        }
        let gid = self.gid();
        let info = Organization {
            gid,
            name: name.to_owned(),
            domains: lowered,
            view_only_licenses: view_only,
            users: Vec::new(),
            teams: Vec::new(),
            service_accounts: Vec::new(),
            personal_access_tokens: Vec::new(),
            saml: SamlSettings::default(),
        };
        self.orgs.insert(gid, Org::new(info));
        Ok(gid)
    }

    pub fn organizations(&self) -> impl Iterator<Item = &Organization> {
        self.orgs.values().map(|o| &o.info)
    }

    pub fn organization(&self, org: Gid) -> Option<&Organization> {
        self.orgs.get(&org).map(|o| &o.info)
    }

    /// An organization with all its records (users, teams, service accounts), as state shows it.
    pub fn organization_records(&self, org: Gid) -> Option<Organization> {
        self.orgs.get(&org).map(Org::snapshot)
    }

    /// The first organization: the one the library and `serve` talk about by default.
    pub fn default_org(&self) -> Option<Gid> {
        self.orgs.keys().next().copied()
    }

    fn org_mut(&mut self, org: Gid) -> &mut Org {
        self.orgs
            .get_mut(&org)
            .expect("callers check that the organization exists")
    }

    fn org(&self, org: Gid) -> Result<&Org, StoreError> {
        self.orgs.get(&org).ok_or(StoreError::NoOrganization(org))
    }
}

/// How a PATCH treats a `replace` whose filter matches nothing.
fn patch_options(cfg: &Config) -> harness_scim::patch::PatchOptions {
    harness_scim::patch::PatchOptions {
        create_on_unmatched_replace: cfg.on(Switch::CreateOnUnmatchedReplace),
    }
}
