//! The fake's data: organizations, their users, teams and service accounts, with the indices
//! that keep every lookup a client makes O(1) (userName, team name, token).
//!
//! The store decides what Asana would do with each write (deprovision instead of delete,
//! refuse reactivation, guests, ...) by reading the [`Config`]; the HTTP layer only parses and
//! renders. All methods are synchronous and short: the caller holds one lock for one operation,
//! which is what makes "64 concurrent POSTs, exactly one 201" hold.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use harness_scim::{Group, ScimError, User};
use jiff::Timestamp;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::config::{Config, Switch};
use crate::model::*;
use crate::token::{self, TokenDigest};

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

struct Org {
    info: Organization,
    /// Behind a pointer: records are hundreds of bytes, and B-tree nodes that sequential gids
    /// leave about half full would hold that much again empty. Shared, so snapshots and the
    /// reset state cost a pointer per user; writes go through `Arc::make_mut` (see README,
    /// Performance).
    users: BTreeMap<Gid, Arc<UserRecord>>,
    /// Lower-cased userName → user. userName is unique and case-insensitive (asana-facts §5.11).
    by_user_name: HashMap<String, Gid>,
    teams: BTreeMap<Gid, TeamRecord>,
    by_team_name: HashMap<String, Gid>,
    service_accounts: BTreeMap<Gid, ServiceAccountRecord>,
    pats: BTreeMap<Gid, PersonalAccessTokenRecord>,
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

    pub fn create_organization(&mut self, name: &str, domains: &[String], view_only: bool) -> Gid {
        let gid = self.gid();
        let info = Organization {
            gid,
            name: name.to_owned(),
            domains: domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
            view_only_licenses: view_only,
            users: Vec::new(),
            teams: Vec::new(),
            service_accounts: Vec::new(),
            personal_access_tokens: Vec::new(),
        };
        self.orgs.insert(gid, Org::new(info));
        gid
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

    // -- tokens --------------------------------------------------------------------------------

    /// Resolves a bearer token. Deauthorized and rotated-away tokens are simply absent.
    /// Who holds the token with this digest. Takes the digest, not the token, so a request
    /// hashes its token once for both this and the rate limiter.
    pub fn authenticate(&self, digest: &TokenDigest) -> Option<Principal> {
        let (stored, owner) = self.tokens.get_key_value(digest)?;
        if !stored.matches(digest) {
            return None;
        }
        Some(match *owner {
            TokenOwner::ServiceAccount { org, account } => {
                let scope = self.orgs.get(&org)?.service_accounts.get(&account)?.scope;
                Principal::ServiceAccount {
                    org,
                    account,
                    scope,
                }
            }
            TokenOwner::Personal { org, user } => {
                // A deprovisioned user's tokens stop working with them.
                if !self.orgs.get(&org)?.users.get(&user)?.is_active() {
                    return None;
                }
                Principal::Personal { org, user }
            }
        })
    }

    /// Creates a service account; returns it and its token (shown only now). `fixed_token`
    /// lets a fixture reproduce a customer's exact token.
    pub fn create_service_account(
        &mut self,
        org: Gid,
        name: &str,
        scope: Scope,
        now: Timestamp,
        fixed_token: Option<String>,
    ) -> Result<(ServiceAccountRecord, String), String> {
        if !self.orgs.contains_key(&org) {
            return Err(format!("no organization {org}"));
        }
        let gid = self.gid();
        let token_gid = self.gid();
        let token = fixed_token.unwrap_or_else(|| token::mint(&mut self.rng, gid, token_gid));
        let digest = TokenDigest::of(&token);
        if self.tokens.contains_key(&digest) {
            return Err("that token is already in use".to_owned());
        }
        let record = ServiceAccountRecord {
            gid,
            name: name.to_owned(),
            scope,
            created_at: now,
            token_digest: digest,
        };
        self.tokens
            .insert(digest, TokenOwner::ServiceAccount { org, account: gid });
        self.org_mut(org)
            .service_accounts
            .insert(gid, record.clone());
        Ok((record, token))
    }

    pub fn service_accounts(&self) -> Vec<(Gid, ServiceAccountRecord)> {
        self.orgs
            .values()
            .flat_map(|o| {
                o.service_accounts
                    .values()
                    .map(move |sa| (o.info.gid, sa.clone()))
            })
            .collect()
    }

    /// Renames a service account (the console's Save Changes).
    pub fn rename_service_account(&mut self, account: Gid, name: &str) -> Result<(), String> {
        if name.trim().is_empty() {
            return Err("a service account needs a name".into());
        }
        for org in self.orgs.values_mut() {
            if let Some(sa) = org.service_accounts.get_mut(&account) {
                sa.name = name.trim().to_owned();
                return Ok(());
            }
        }
        Err(format!("no service account {account}"))
    }

    /// Deauthorizes a service account: its token stops working at once.
    pub fn delete_service_account(&mut self, account: Gid) -> bool {
        for org in self.orgs.values_mut() {
            if let Some(sa) = org.service_accounts.remove(&account) {
                self.tokens.remove(&sa.token_digest);
                return true;
            }
        }
        false
    }

    /// Issues a new token for a service account; the old one dies.
    pub fn rotate_service_account(
        &mut self,
        account: Gid,
    ) -> Option<(ServiceAccountRecord, String)> {
        let org_gid = self
            .orgs
            .values()
            .find(|o| o.service_accounts.contains_key(&account))?
            .info
            .gid;
        let token_gid = self.gid();
        let token = token::mint(&mut self.rng, account, token_gid);
        let digest = TokenDigest::of(&token);
        let sa = self.org_mut(org_gid).service_accounts.get_mut(&account)?;
        let old = std::mem::replace(&mut sa.token_digest, digest);
        let record = sa.clone();
        self.tokens.remove(&old);
        self.tokens.insert(
            digest,
            TokenOwner::ServiceAccount {
                org: org_gid,
                account,
            },
        );
        Some((record, token))
    }

    /// Mints a personal access token for an ordinary member, found by gid or email.
    pub fn create_personal_access_token(
        &mut self,
        org: Gid,
        user: &str,
        now: Timestamp,
    ) -> Result<(PersonalAccessTokenRecord, String), String> {
        let o = self
            .orgs
            .get(&org)
            .ok_or_else(|| format!("no organization {org}"))?;
        let user = o
            .resolve_user(user)
            .ok_or_else(|| format!("no user {user:?} in organization {org}"))?;
        let gid = self.gid();
        let token = token::mint(&mut self.rng, user, gid);
        let digest = TokenDigest::of(&token);
        let record = PersonalAccessTokenRecord {
            gid,
            user,
            created_at: now,
            token_digest: digest,
        };
        self.tokens
            .insert(digest, TokenOwner::Personal { org, user });
        self.org_mut(org).pats.insert(gid, record.clone());
        Ok((record, token))
    }

    fn org_mut(&mut self, org: Gid) -> &mut Org {
        self.orgs
            .get_mut(&org)
            .expect("callers check that the organization exists")
    }

    fn org(&self, org: Gid) -> Result<&Org, ScimError> {
        self.orgs
            .get(&org)
            .ok_or_else(|| ScimError::not_found("organization not found"))
    }

    // -- users: reads --------------------------------------------------------------------------

    /// A user SCIM may see: guests are invisible when the switch says so.
    pub fn visible_user(&self, org: Gid, gid: Gid, cfg: &Config) -> Option<&UserRecord> {
        let user = self.orgs.get(&org)?.users.get(&gid)?;
        (!hidden(user, cfg)).then_some(user)
    }

    /// Looks a user up by userName, case-insensitively, through the index.
    pub fn user_by_name(&self, org: Gid, user_name: &str, cfg: &Config) -> Option<&UserRecord> {
        let o = self.orgs.get(&org)?;
        let gid = o.by_user_name.get(&user_name.to_lowercase())?;
        o.users.get(gid).map(|u| &**u).filter(|u| !hidden(u, cfg))
    }

    /// Every visible user, in gid (creation) order.
    pub fn visible_users<'a>(
        &'a self,
        org: Gid,
        cfg: &'a Config,
    ) -> impl Iterator<Item = &'a UserRecord> + 'a {
        self.orgs.get(&org).into_iter().flat_map(move |o| {
            o.users
                .values()
                .map(|u| &**u)
                .filter(move |u| !hidden(u, cfg))
        })
    }

    /// Any user of the organization (REST sees guests and deprovisioned users too), by `me`-less
    /// reference: a gid or an email.
    pub fn resolve_user(&self, org: Gid, reference: &str) -> Option<&UserRecord> {
        let o = self.orgs.get(&org)?;
        o.users.get(&o.resolve_user(reference)?).map(|u| &**u)
    }

    /// Every user of the organization, guests and deprovisioned ones included, in gid order.
    pub fn resolve_all(&self, org: Gid) -> impl Iterator<Item = &UserRecord> {
        self.orgs
            .get(&org)
            .into_iter()
            .flat_map(|o| o.users.values().map(|u| &**u))
    }

    // -- users: writes -------------------------------------------------------------------------

    pub fn create_user(
        &mut self,
        ctx: &WriteContext,
        mut user: User,
    ) -> Result<(Gid, Created), ScimError> {
        let (org, cfg, now, actor) = ctx.parts();
        let o = self.org(org)?;
        let guest = o.check_user_name(&user.user_name, cfg)?;
        strip_server_fields(&mut user, o, cfg);
        if let Some(&existing) = o.by_user_name.get(&user.user_name.to_lowercase()) {
            let record = &o.users[&existing];
            if record.deprovisioned.is_some() && cfg.on(Switch::PostReprovisions) {
                let o = self.org_mut(org);
                let record = Arc::make_mut(o.users.get_mut(&existing).expect("indexed"));
                user.active = Some(true);
                record.scim = user;
                record.deprovisioned = None;
                record.updated_at = now;
                record.events.push(UserEvent {
                    at: now,
                    event: "user_reprovisioned".into(),
                    actor: actor.into(),
                });
                return Ok((existing, Created::Reprovisioned));
            }
            if cfg.on(Switch::DuplicatePostReturnsExisting) && !hidden(record, cfg) {
                return Ok((existing, Created::Existing));
            }
            return Err(ScimError::uniqueness(format!(
                "a user with userName {} already exists",
                user.user_name
            )));
        }
        let gid = self.gid();
        if user.active.is_none() {
            user.active = Some(true);
        }
        let inactive = user.active == Some(false);
        let record = UserRecord::new(gid, user, guest, now);
        let o = self.org_mut(org);
        o.by_user_name
            .insert(record.scim.user_name.to_lowercase(), gid);
        o.users.insert(gid, Arc::new(record));
        if inactive && cfg.on(Switch::DeactivationDeprovisions) {
            o.deprovision(gid, DeprovisionVia::ScimPost, actor, now);
        }
        Ok((gid, Created::New))
    }

    /// PUT, and the second half of PATCH: `user` is the complete new state.
    pub fn replace_user(
        &mut self,
        ctx: &WriteContext,
        gid: Gid,
        mut user: User,
        via: DeprovisionVia,
    ) -> Result<(), ScimError> {
        let (org, cfg, now, actor) = ctx.parts();
        let o = self.org(org)?;
        let current = o
            .users
            .get(&gid)
            .filter(|u| !hidden(u, cfg))
            .ok_or_else(|| user_not_found(gid))?;
        // Compared the way the index keys are made, so a case-only change of a non-ASCII
        // userName ("ÉVA@…" to "éva@…") is not taken for a rename that conflicts with itself.
        let renamed = current.scim.user_name.to_lowercase() != user.user_name.to_lowercase();
        let guest = if renamed {
            if o.by_user_name.contains_key(&user.user_name.to_lowercase()) {
                return Err(ScimError::uniqueness(format!(
                    "a user with userName {} already exists",
                    user.user_name
                )));
            }
            let guest = o.check_user_name(&user.user_name, cfg)?;
            if guest && cfg.on(Switch::OffDomainUsersAreGuests) {
                // Asana allows a userName change only within the organization's domains.
                return Err(ScimError::invalid_value(format!(
                    "userName {} is not on one of the organization's domains",
                    user.user_name
                )));
            }
            guest
        } else {
            current.guest
        };
        let deprovisioned = current.deprovisioned.is_some();
        if deprovisioned && user.active == Some(true) && cfg.on(Switch::ReactivationRefused) {
            return Err(ScimError::new(
                400,
                Some(harness_scim::ScimType::Mutability),
                "Reactivating a deprovisioned user through SCIM is not supported; \
                 an admin must add the user back in Asana",
            ));
        }
        strip_server_fields(&mut user, o, cfg);
        let old_name = current.scim.user_name.to_lowercase();
        let deactivating = !deprovisioned && user.active == Some(false);
        if deprovisioned && cfg.on(Switch::ReactivationRefused) {
            user.active = Some(false);
        }
        let o = self.org_mut(org);
        let record = Arc::make_mut(o.users.get_mut(&gid).expect("checked above"));
        record.scim = user;
        record.guest = guest;
        record.updated_at = now;
        if deprovisioned && record.scim.active == Some(true) {
            // Only reachable with reactivation allowed (the rfc profile).
            record.deprovisioned = None;
        }
        if renamed {
            let new_name = record.scim.user_name.to_lowercase();
            o.by_user_name.remove(&old_name);
            o.by_user_name.insert(new_name, gid);
        }
        if deactivating && cfg.on(Switch::DeactivationDeprovisions) {
            o.deprovision(gid, via, actor, now);
        }
        Ok(())
    }

    /// SCIM DELETE: deprovision (Asana) or remove (RFC).
    pub fn delete_user(&mut self, ctx: &WriteContext, gid: Gid) -> Result<(), ScimError> {
        let (org, cfg, now, actor) = ctx.parts();
        let o = self.org(org)?;
        o.users
            .get(&gid)
            .filter(|u| !hidden(u, cfg))
            .ok_or_else(|| user_not_found(gid))?;
        let o = self.org_mut(org);
        if cfg.on(Switch::DeleteDeprovisions) {
            o.deprovision(gid, DeprovisionVia::ScimDelete, actor, now);
        } else {
            o.remove_user(gid);
        }
        Ok(())
    }

    /// `POST /workspaces/{gid}/removeUser`: with a service account token, the same as SCIM
    /// DELETE (asana-facts §1.6, [C] OAS removeUserForWorkspace).
    pub fn remove_user_from_workspace(
        &mut self,
        ctx: &WriteContext,
        reference: &str,
    ) -> Option<Gid> {
        let (org, cfg, now, actor) = ctx.parts();
        let gid = self.orgs.get(&org)?.resolve_user(reference)?;
        let o = self.org_mut(org);
        if cfg.on(Switch::DeleteDeprovisions) {
            o.deprovision(gid, DeprovisionVia::RestRemoveUser, actor, now);
        } else {
            o.remove_user(gid);
        }
        Some(gid)
    }

    // -- teams (SCIM groups) -------------------------------------------------------------------

    pub fn team(&self, org: Gid, gid: Gid) -> Option<&TeamRecord> {
        self.orgs.get(&org)?.teams.get(&gid)
    }

    pub fn team_by_name(&self, org: Gid, name: &str) -> Option<&TeamRecord> {
        let o = self.orgs.get(&org)?;
        o.teams.get(o.by_team_name.get(&name.to_lowercase())?)
    }

    pub fn teams(&self, org: Gid) -> impl Iterator<Item = &TeamRecord> {
        self.orgs
            .get(&org)
            .into_iter()
            .flat_map(|o| o.teams.values())
    }

    pub fn user(&self, org: Gid, gid: Gid) -> Option<&UserRecord> {
        self.orgs.get(&org)?.users.get(&gid).map(|u| &**u)
    }

    pub fn create_team(
        &mut self,
        org: Gid,
        group: &Group,
        cfg: &Config,
        now: Timestamp,
    ) -> Result<Gid, ScimError> {
        let o = self.org(org)?;
        if o.by_team_name
            .contains_key(&group.display_name.to_lowercase())
        {
            return Err(ScimError::uniqueness(format!(
                "a team named {} already exists",
                group.display_name
            )));
        }
        let members = o.member_gids(group, cfg)?;
        let gid = self.gid();
        let o = self.org_mut(org);
        o.by_team_name
            .insert(group.display_name.to_lowercase(), gid);
        o.teams.insert(
            gid,
            TeamRecord {
                gid,
                name: group.display_name.clone(),
                external_id: group.external_id.clone(),
                members,
                created_at: now,
                updated_at: now,
            },
        );
        Ok(gid)
    }

    pub fn replace_team(
        &mut self,
        org: Gid,
        gid: Gid,
        group: &Group,
        cfg: &Config,
        now: Timestamp,
    ) -> Result<(), ScimError> {
        let o = self.org(org)?;
        let current = o.teams.get(&gid).ok_or_else(|| team_not_found(gid))?;
        let renamed = current.name.to_lowercase() != group.display_name.to_lowercase();
        if renamed
            && o.by_team_name
                .contains_key(&group.display_name.to_lowercase())
        {
            return Err(ScimError::uniqueness(format!(
                "a team named {} already exists",
                group.display_name
            )));
        }
        let old_name = current.name.to_lowercase();
        let members = o.member_gids(group, cfg)?;
        let o = self.org_mut(org);
        let team = o.teams.get_mut(&gid).expect("checked above");
        team.name = group.display_name.clone();
        team.external_id = group.external_id.clone();
        team.members = members;
        team.updated_at = now;
        if renamed {
            o.by_team_name.remove(&old_name);
            o.by_team_name
                .insert(group.display_name.to_lowercase(), gid);
        }
        Ok(())
    }

    pub fn delete_team(&mut self, org: Gid, gid: Gid) -> Result<(), ScimError> {
        let o = self.orgs.get_mut(&org).ok_or_else(|| team_not_found(gid))?;
        let team = o.teams.remove(&gid).ok_or_else(|| team_not_found(gid))?;
        o.by_team_name.remove(&team.name.to_lowercase());
        Ok(())
    }

    // -- fixtures and whole-state operations ---------------------------------------------------

    /// Adds a member directly, as an admin invite would (fixtures and `PUT /__admin/state`).
    pub fn seed_user(&mut self, org: Gid, user: User, now: Timestamp) -> Result<Gid, String> {
        let o = self
            .orgs
            .get(&org)
            .ok_or_else(|| format!("no organization {org}"))?;
        if o.by_user_name.contains_key(&user.user_name.to_lowercase()) {
            return Err(format!("duplicate user {}", user.user_name));
        }
        let guest = !o.on_domain(&user.user_name);
        let gid = self.gid();
        let o = self.org_mut(org);
        o.by_user_name.insert(user.user_name.to_lowercase(), gid);
        o.users
            .insert(gid, Arc::new(UserRecord::new(gid, user, guest, now)));
        Ok(gid)
    }

    pub fn seed_team(
        &mut self,
        org: Gid,
        name: &str,
        members: &[String],
        now: Timestamp,
    ) -> Result<Gid, String> {
        let o = self
            .orgs
            .get(&org)
            .ok_or_else(|| format!("no organization {org}"))?;
        let members = members
            .iter()
            .map(|m| {
                o.resolve_user(m)
                    .ok_or_else(|| format!("team {name}: no user {m}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if o.by_team_name.contains_key(&name.to_lowercase()) {
            return Err(format!("duplicate team {name}"));
        }
        let gid = self.gid();
        let o = self.org_mut(org);
        o.by_team_name.insert(name.to_lowercase(), gid);
        o.teams.insert(
            gid,
            TeamRecord {
                gid,
                name: name.to_owned(),
                external_id: None,
                members,
                created_at: now,
                updated_at: now,
            },
        );
        Ok(gid)
    }

    pub fn deprovision_seeded(&mut self, org: Gid, gid: Gid, now: Timestamp) {
        if let Some(o) = self.orgs.get_mut(&org) {
            o.deprovision(gid, DeprovisionVia::ScimDelete, "fixture", now);
        }
    }

    pub fn snapshot(&self) -> State {
        State {
            version: STATE_VERSION,
            next_gid: Gid(self.next_gid),
            organizations: self.orgs.values().map(Org::snapshot).collect(),
        }
    }

    /// Rebuilds a store, indices and all, from a snapshot. Refuses inconsistent state (a
    /// duplicate userName, a team member that does not exist, a newer version) rather than
    /// loading something the fake could not have produced.
    pub fn restore(state: State, seed: Option<u64>) -> Result<Store, String> {
        if state.version > STATE_VERSION {
            return Err(format!(
                "state version {} is newer than this build understands ({STATE_VERSION})",
                state.version
            ));
        }
        let mut store = Store::new(seed);
        let mut max_gid = state.next_gid.0.max(FIRST_GID);
        for info in state.organizations {
            let org_gid = info.gid;
            if store.orgs.contains_key(&org_gid) {
                return Err(format!("duplicate organization {org_gid}"));
            }
            let mut org = Org::new(Organization {
                users: Vec::new(),
                teams: Vec::new(),
                service_accounts: Vec::new(),
                personal_access_tokens: Vec::new(),
                ..info.clone()
            });
            for user in info.users {
                max_gid = max_gid.max(user.gid.0 + 1);
                user.scim
                    .validate()
                    .map_err(|e| format!("user {}: {}", user.gid, e.detail))?;
                if org
                    .by_user_name
                    .insert(user.scim.user_name.to_lowercase(), user.gid)
                    .is_some()
                {
                    return Err(format!("duplicate userName {}", user.scim.user_name));
                }
                org.users.insert(user.gid, user);
            }
            for team in info.teams {
                max_gid = max_gid.max(team.gid.0 + 1);
                if let Some(m) = team.members.iter().find(|m| !org.users.contains_key(m)) {
                    return Err(format!("team {} lists unknown member {m}", team.name));
                }
                if org
                    .by_team_name
                    .insert(team.name.to_lowercase(), team.gid)
                    .is_some()
                {
                    return Err(format!("duplicate team {}", team.name));
                }
                org.teams.insert(team.gid, team);
            }
            for sa in info.service_accounts {
                max_gid = max_gid.max(sa.gid.0 + 1);
                store.tokens.insert(
                    sa.token_digest,
                    TokenOwner::ServiceAccount {
                        org: org_gid,
                        account: sa.gid,
                    },
                );
                org.service_accounts.insert(sa.gid, sa);
            }
            for pat in info.personal_access_tokens {
                max_gid = max_gid.max(pat.gid.0 + 1);
                if !org.users.contains_key(&pat.user) {
                    return Err(format!(
                        "personal access token {} belongs to unknown user {}",
                        pat.gid, pat.user
                    ));
                }
                store.tokens.insert(
                    pat.token_digest,
                    TokenOwner::Personal {
                        org: org_gid,
                        user: pat.user,
                    },
                );
                org.pats.insert(pat.gid, pat);
            }
            max_gid = max_gid.max(org_gid.0 + 1);
            store.orgs.insert(org_gid, org);
        }
        store.next_gid = max_gid;
        Ok(store)
    }
}

#[cfg(test)]
thread_local! {
    /// How many user records reads have examined: lets a test prove a lookup is indexed.
    static EXAMINED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Every read path passes each record it examines through here.
fn hidden(user: &UserRecord, cfg: &Config) -> bool {
    #[cfg(test)]
    EXAMINED.with(|n| n.set(n.get() + 1));
    user.guest && cfg.on(Switch::OffDomainUsersAreGuests)
}

fn user_not_found(gid: Gid) -> ScimError {
    ScimError::not_found(format!("User {gid} not found"))
}

fn team_not_found(gid: Gid) -> ScimError {
    ScimError::not_found(format!("Group {gid} not found"))
}

/// Drops what clients may not set, and what this organization does not store.
fn strip_server_fields(user: &mut User, org: &Org, cfg: &Config) {
    user.id = None;
    user.schemas.clear();
    if cfg.on(Switch::UserTypeOnlyInViewOnlyDomains) && !org.info.view_only_licenses {
        user.user_type = None;
    }
    if cfg.on(Switch::IgnoredAttributesDropped) {
        user.external_id = None;
        user.display_name = None;
        user.locale = None;
        user.timezone = None;
    }
}

/// A deliberately plain email check: one `@`, something before it, a dotted domain after it.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl Org {
    fn new(info: Organization) -> Self {
        Org {
            info,
            users: BTreeMap::new(),
            by_user_name: HashMap::new(),
            teams: BTreeMap::new(),
            by_team_name: HashMap::new(),
            service_accounts: BTreeMap::new(),
            pats: BTreeMap::new(),
        }
    }

    fn on_domain(&self, email: &str) -> bool {
        email.rsplit_once('@').is_some_and(|(_, d)| {
            self.info
                .domains
                .iter()
                .any(|od| od.eq_ignore_ascii_case(d))
        })
    }

    /// Applies the userName rules; returns whether the user would be a guest.
    fn check_user_name(&self, user_name: &str, cfg: &Config) -> Result<bool, ScimError> {
        if cfg.on(Switch::UsernameMustBeEmail) && !is_email(user_name) {
            return Err(ScimError::invalid_value(format!(
                "userName {user_name:?} must be an email address"
            )));
        }
        let guest = is_email(user_name) && !self.on_domain(user_name);
        if guest && cfg.on(Switch::RejectOffDomainUsers) {
            return Err(ScimError::invalid_value(format!(
                "email domain of {user_name} is not in the organization"
            )));
        }
        Ok(guest)
    }

    fn resolve_user(&self, reference: &str) -> Option<Gid> {
        if let Ok(gid) = reference.parse::<Gid>() {
            return self.users.contains_key(&gid).then_some(gid);
        }
        self.by_user_name.get(&reference.to_lowercase()).copied()
    }

    fn member_gids(&self, group: &Group, cfg: &Config) -> Result<Vec<Gid>, ScimError> {
        let mut out = Vec::with_capacity(group.members.len());
        for m in &group.members {
            let gid = m
                .value
                .parse::<Gid>()
                .ok()
                .filter(|g| self.users.get(g).is_some_and(|u| !hidden(u, cfg)))
                .ok_or_else(|| {
                    ScimError::invalid_value(format!(
                        "member {} is not a user of this organization",
                        m.value
                    ))
                })?;
            if !out.contains(&gid) {
                out.push(gid);
            }
        }
        Ok(out)
    }

    fn deprovision(&mut self, gid: Gid, via: DeprovisionVia, actor: &str, now: Timestamp) {
        let Some(user) = self.users.get_mut(&gid).map(Arc::make_mut) else {
            return;
        };
        if user.deprovisioned.is_some() {
            return;
        }
        user.scim.active = Some(false);
        user.updated_at = now;
        user.deprovisioned = Some(Box::new(Deprovision {
            at: now,
            via,
            actor: actor.to_owned(),
            tasks_project: format!(
                "{}'s tasks (deprovisioned {})",
                user.display_name(),
                now.strftime("%Y-%m-%d")
            ),
        }));
        user.events.push(UserEvent {
            at: now,
            event: "user_deprovisioned".into(),
            actor: actor.to_owned(),
        });
        // A deprovisioned user leaves the organization's teams.
        for team in self.teams.values_mut() {
            team.members.retain(|m| *m != gid);
        }
    }

    fn remove_user(&mut self, gid: Gid) {
        if let Some(user) = self.users.remove(&gid) {
            self.by_user_name
                .remove(&user.scim.user_name.to_lowercase());
            for team in self.teams.values_mut() {
                team.members.retain(|m| *m != gid);
            }
        }
    }

    fn snapshot(&self) -> Organization {
        Organization {
            users: self.users.values().cloned().collect(),
            teams: self.teams.values().cloned().collect(),
            service_accounts: self.service_accounts.values().cloned().collect(),
            personal_access_tokens: self.pats.values().cloned().collect(),
            ..self.info.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;

    #[test]
    fn email_check() {
        assert!(is_email("ada@acme.test"));
        for bad in [
            "ada",
            "ada@",
            "@acme.test",
            "ada@acme",
            "a@b@c.d",
            "a b@c.d",
            "ada@acme..test",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    /// A userName lookup examines one record whatever the organization's size: an index, not a
    /// scan. (Counted, not timed, so the check holds on any machine.)
    #[test]
    fn user_name_lookup_costs_the_same_with_a_thousand_or_a_million_users() {
        let cfg = Config::new(Profile::Asana);
        let now = harness_clock::DEFAULT_EPOCH;
        for size in [1_000usize, 1_000_000] {
            let mut store = Store::new(Some(1));
            let org = store.create_organization("Acme", &["acme.test".into()], false);
            for i in 0..size {
                let user = User {
                    user_name: format!("user{i}@acme.test"),
                    ..User::default()
                };
                store.seed_user(org, user, now).unwrap();
            }
            EXAMINED.with(|n| n.set(0));
            let found = store
                .user_by_name(org, &format!("USER{}@acme.test", size - 1), &cfg)
                .unwrap();
            assert_eq!(found.scim.user_name, format!("user{}@acme.test", size - 1));
            assert!(store.user_by_name(org, "nobody@acme.test", &cfg).is_none());
            assert_eq!(EXAMINED.with(|n| n.get()), 1, "with {size} users");
            // The scan path, for contrast, examines everyone.
            EXAMINED.with(|n| n.set(0));
            assert_eq!(store.visible_users(org, &cfg).count(), size);
            assert_eq!(EXAMINED.with(|n| n.get()), size);
        }
    }

    #[test]
    fn snapshot_and_restore_keep_tokens_and_indices() {
        let cfg = Config::new(Profile::Asana);
        let now = harness_clock::DEFAULT_EPOCH;
        let mut store = Store::new(Some(1));
        let org = store.create_organization("Acme", &["acme.test".into()], false);
        let (_, token) = store
            .create_service_account(org, "idp", Scope::Scim, now, None)
            .unwrap();
        let user = User::from_json(serde_json::json!({"userName": "ada@acme.test"})).unwrap();
        let ctx = WriteContext {
            org,
            cfg: &cfg,
            now,
            actor: "test".into(),
        };
        let (gid, _) = store.create_user(&ctx, user).unwrap();
        let restored = Store::restore(store.snapshot(), None).unwrap();
        assert!(restored.authenticate(&TokenDigest::of(&token)).is_some());
        assert_eq!(
            restored
                .user_by_name(org, "ADA@acme.test", &cfg)
                .unwrap()
                .gid,
            gid
        );
        assert_eq!(restored.snapshot(), store.snapshot());
        let mut newer = store.snapshot();
        newer.version = STATE_VERSION + 1;
        assert!(Store::restore(newer, None).err().unwrap().contains("newer"));
    }
}
