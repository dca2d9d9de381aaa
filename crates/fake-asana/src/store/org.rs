//! One organization: its records, the indices that make lookups O(1), and the rules that
//! depend on its domains (guests, renames) and on what SCIM may see.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use harness_scim::Group;
use jiff::Timestamp;

use super::error::StoreError;
use crate::config::{Config, Switch};
use crate::model::*;

pub(super) struct Org {
    pub(super) info: Organization,
    /// Behind a pointer: records are hundreds of bytes, and B-tree nodes that sequential gids
    /// leave about half full would hold that much again empty. Shared, so snapshots and the
    /// reset state cost a pointer per user; writes go through `Arc::make_mut` (see
    /// PERFORMANCE.md).
    pub(super) users: BTreeMap<Gid, Arc<UserRecord>>,
    /// Lower-cased userName → user. userName is unique and case-insensitive
    /// (fidelity/asana §5.11).
    pub(super) by_user_name: HashMap<String, Gid>,
    pub(super) teams: BTreeMap<Gid, TeamRecord>,
    pub(super) by_team_name: HashMap<String, Gid>,
    pub(super) service_accounts: BTreeMap<Gid, ServiceAccountRecord>,
    pub(super) pats: BTreeMap<Gid, PersonalAccessTokenRecord>,
}

#[cfg(test)]
thread_local! {
    /// How many user records reads have examined: lets a test prove a lookup is indexed.
    pub(super) static EXAMINED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Every read path passes each record it examines through here.
pub(super) fn hidden(user: &UserRecord, cfg: &Config) -> bool {
    #[cfg(test)]
    EXAMINED.with(|n| n.set(n.get() + 1));
    user.guest && cfg.on(Switch::OffDomainUsersAreGuests)
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
    pub(super) fn new(info: Organization) -> Self {
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

    pub(super) fn on_domain(&self, email: &str) -> bool {
        email.rsplit_once('@').is_some_and(|(_, d)| {
            self.info
                .domains
                .iter()
                .any(|od| od.eq_ignore_ascii_case(d))
        })
    }

    /// Applies the userName rules; returns whether the user would be a guest.
    pub(super) fn check_user_name(
        &self,
        user_name: &str,
        cfg: &Config,
    ) -> Result<bool, StoreError> {
        if cfg.on(Switch::UsernameMustBeEmail) && !is_email(user_name) {
            return Err(StoreError::NotAnEmail(user_name.to_owned()));
        }
        let guest = is_email(user_name) && !self.on_domain(user_name);
        if guest && cfg.on(Switch::RejectOffDomainUsers) {
            return Err(StoreError::OffDomain(user_name.to_owned()));
        }
        Ok(guest)
    }

    pub(super) fn resolve_user(&self, reference: &str) -> Option<Gid> {
        if let Ok(gid) = reference.parse::<Gid>() {
            return self.users.contains_key(&gid).then_some(gid);
        }
        self.by_user_name.get(&reference.to_lowercase()).copied()
    }

    pub(super) fn member_gids(&self, group: &Group, cfg: &Config) -> Result<Vec<Gid>, StoreError> {
        let mut out = Vec::with_capacity(group.members.len());
        for m in &group.members {
            let gid = m
                .value
                .parse::<Gid>()
                .ok()
                .filter(|g| self.users.get(g).is_some_and(|u| !hidden(u, cfg)))
                .ok_or_else(|| StoreError::NotAMember(m.value.clone()))?;
            if !out.contains(&gid) {
                out.push(gid);
            }
        }
        Ok(out)
    }

    pub(super) fn deprovision(
        &mut self,
        gid: Gid,
        via: DeprovisionVia,
        actor: &str,
        now: Timestamp,
    ) {
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
        user.record(UserEvent {
            at: now,
            event: AuditEvent::UserDeprovisioned,
            actor: actor.to_owned(),
        });
        // A deprovisioned user leaves the organization's teams.
        for team in self.teams.values_mut() {
            team.members.retain(|m| *m != gid);
        }
    }

    /// Adds a deprovisioned member back, as Asana's audit log records it
    /// (`user_reprovisioned`, fidelity/asana §1.6): active, without the deprovision record,
    /// with `scim` as its new attributes when the re-adding carries them.
    pub(super) fn reprovision(
        &mut self,
        gid: Gid,
        scim: Option<harness_scim::User>,
        actor: &str,
        now: Timestamp,
    ) {
        let record = Arc::make_mut(self.users.get_mut(&gid).expect("indexed"));
        if let Some(user) = scim {
            record.scim = user;
        }
        record.scim.active = Some(true);
        record.deprovisioned = None;
        record.updated_at = now;
        record.record(UserEvent {
            at: now,
            event: AuditEvent::UserReprovisioned,
            actor: actor.to_owned(),
        });
    }

    pub(super) fn remove_user(&mut self, gid: Gid) {
        if let Some(user) = self.users.remove(&gid) {
            self.by_user_name
                .remove(&user.scim.user_name.to_lowercase());
            for team in self.teams.values_mut() {
                team.members.retain(|m| *m != gid);
            }
        }
    }

    pub(super) fn snapshot(&self) -> Organization {
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
}
