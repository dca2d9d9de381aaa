//! Fixtures and whole-state operations: members and teams added as an admin would, snapshots,
//! and a restore that refuses what the fake could not have produced.

use std::sync::Arc;

use harness_scim::User;
use jiff::Timestamp;

use super::org::Org;
use super::{FIRST_GID, Store, StoreError, TokenOwner};
use crate::model::*;

impl Store {
    // -- fixtures and whole-state operations ---------------------------------------------------

    /// Adds a member directly, as an admin invite would (fixtures and `PUT /__admin/state`).
    pub fn seed_user(&mut self, org: Gid, user: User, now: Timestamp) -> Result<Gid, StoreError> {
        let o = self.org(org)?;
        if o.by_user_name.contains_key(&user.user_name.to_lowercase()) {
            return Err(StoreError::DuplicateUser(user.user_name));
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
    ) -> Result<Gid, StoreError> {
        let o = self.org(org)?;
        let members = members
            .iter()
            .map(|m| {
                o.resolve_user(m).ok_or_else(|| StoreError::NoTeamMember {
                    team: name.to_owned(),
                    member: m.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if o.by_team_name.contains_key(&name.to_lowercase()) {
            return Err(StoreError::DuplicateTeam(name.to_owned()));
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
    pub fn restore(state: State, seed: Option<u64>) -> Result<Store, StoreError> {
        if state.version > STATE_VERSION {
            return Err(StoreError::StateTooNew {
                version: state.version,
                supported: STATE_VERSION,
            });
        }
        let mut store = Store::new(seed);
        let mut max_gid = state.next_gid.0.max(FIRST_GID);
        for info in state.organizations {
            let org_gid = info.gid;
            if store.orgs.contains_key(&org_gid) {
                return Err(StoreError::DuplicateOrganization(org_gid));
            }
            let org = store.restore_org(info, &mut max_gid)?;
            max_gid = max_gid.max(org_gid.0 + 1);
            store.orgs.insert(org_gid, org);
        }
        store.next_gid = max_gid;
        Ok(store)
    }

    /// One organization's records with their indices, its tokens added to the store's;
    /// `max_gid` grows past every gid it holds.
    fn restore_org(&mut self, info: Organization, max_gid: &mut u64) -> Result<Org, StoreError> {
        let org_gid = info.gid;
        let mut org = Org::new(Organization {
            users: Vec::new(),
            teams: Vec::new(),
            service_accounts: Vec::new(),
            personal_access_tokens: Vec::new(),
            ..info.clone()
        });
        for user in info.users {
            *max_gid = (*max_gid).max(user.gid.0 + 1);
            user.scim.validate().map_err(|e| StoreError::InvalidUser {
                gid: user.gid,
                detail: e.detail,
            })?;
            if org
                .by_user_name
                .insert(user.scim.user_name.to_lowercase(), user.gid)
                .is_some()
            {
                return Err(StoreError::DuplicateUserName(user.scim.user_name.clone()));
            }
            org.users.insert(user.gid, user);
        }
        for team in info.teams {
            *max_gid = (*max_gid).max(team.gid.0 + 1);
            if let Some(m) = team.members.iter().find(|m| !org.users.contains_key(m)) {
                return Err(StoreError::UnknownTeamMember {
                    team: team.name.clone(),
                    member: *m,
                });
            }
            if org
                .by_team_name
                .insert(team.name.to_lowercase(), team.gid)
                .is_some()
            {
                return Err(StoreError::DuplicateTeam(team.name.clone()));
            }
            org.teams.insert(team.gid, team);
        }
        for sa in info.service_accounts {
            *max_gid = (*max_gid).max(sa.gid.0 + 1);
            self.tokens.insert(
                sa.token_digest,
                TokenOwner::ServiceAccount {
                    org: org_gid,
                    account: sa.gid,
                },
            );
            org.service_accounts.insert(sa.gid, sa);
        }
        for pat in info.personal_access_tokens {
            *max_gid = (*max_gid).max(pat.gid.0 + 1);
            if !org.users.contains_key(&pat.user) {
                return Err(StoreError::UnknownTokenOwner {
                    token: pat.gid,
                    user: pat.user,
                });
            }
            self.tokens.insert(
                pat.token_digest,
                TokenOwner::Personal {
                    org: org_gid,
                    user: pat.user,
                },
            );
            org.pats.insert(pat.gid, pat);
        }
        Ok(org)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Profile};
    use crate::store::WriteContext;
    use crate::token::TokenDigest;

    #[test]
    fn snapshot_and_restore_keep_tokens_and_indices() {
        let cfg = Config::new(Profile::Asana);
        let now = harness_clock::DEFAULT_EPOCH;
        let mut store = Store::new(Some(1));
        let org = store
            .create_organization("Acme", &["acme.test".into()], false)
            .unwrap();
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
        assert!(
            Store::restore(newer, None)
                .err()
                .unwrap()
                .to_string()
                .contains("newer")
        );
    }
}
