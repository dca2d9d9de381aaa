//! SCIM users: what SCIM may see (guests are invisible), and every write's Asana rules:
//! deprovision instead of delete, refuse reactivation, renames within the organization's
//! domains, re-adding a deprovisioned user.

use std::sync::Arc;

use harness_scim::{PatchRequest, User};

use super::org::{Org, hidden};
use super::{Created, Store, StoreError, WriteContext, patch_options};
use crate::config::{Config, Switch};
use crate::model::*;

impl Store {
    // -- users: reads --------------------------------------------------------------------------

    /// A user SCIM may see: guests are invisible when the switch says so.
    pub fn visible_user(&self, org: Gid, gid: Gid, cfg: &Config) -> Option<&UserRecord> {
        let user = self.orgs.get(&org)?.users.get(&gid)?;
        (!hidden(user, cfg)).then_some(user)
    }

    /// Looks a user up by userName, case-insensitively, through the index.
    pub fn user_by_name(&self, org: Gid, user_name: &str, cfg: &Config) -> Option<&UserRecord> {
        let o = self.orgs.get(&org)?;
        // The index is by lower case; a name already in lower case ASCII (as IdPs send
        // emails) is looked up as it is, without a lowered copy.
        let gid = if user_name
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            o.by_user_name.get(user_name)?
        } else {
            o.by_user_name.get(&user_name.to_lowercase())?
        };
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
    ) -> Result<(Gid, Created), StoreError> {
        let (org, cfg, now, actor) = ctx.parts();
        let o = self.org(org)?;
        let guest = o.check_user_name(&user.user_name, cfg)?;
        strip_server_fields(&mut user, o, cfg);
        if let Some(&existing) = o.by_user_name.get(&user.user_name.to_lowercase()) {
            let record = &o.users[&existing];
            if record.deprovisioned.is_some() && cfg.on(Switch::PostReprovisions) {
                self.org_mut(org)
                    .reprovision(existing, Some(user), actor, now);
                return Ok((existing, Created::Reprovisioned));
            }
            if cfg.on(Switch::DuplicatePostReturnsExisting) && !hidden(record, cfg) {
                return Ok((existing, Created::Existing));
            }
            return Err(StoreError::UserNameTaken(user.user_name));
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
    ) -> Result<(), StoreError> {
        let (org, cfg, now, actor) = ctx.parts();
        let o = self.org(org)?;
        let current = o
            .users
            .get(&gid)
            .filter(|u| !hidden(u, cfg))
            .ok_or(StoreError::UserNotFound(gid))?;
        // Compared the way the index keys are made, so a case-only change of a non-ASCII
        // userName ("ÉVA@…" to "éva@…") is not taken for a rename that conflicts with itself.
        let renamed = current.scim.user_name.to_lowercase() != user.user_name.to_lowercase();
        let guest = if renamed {
            if o.by_user_name.contains_key(&user.user_name.to_lowercase()) {
                return Err(StoreError::UserNameTaken(user.user_name));
            }
            let guest = o.check_user_name(&user.user_name, cfg)?;
            if guest && cfg.on(Switch::OffDomainUsersAreGuests) {
                // Asana allows a userName change only within the organization's domains.
                return Err(StoreError::RenameOffDomain(user.user_name));
            }
            guest
        } else {
            current.guest
        };
        let deprovisioned = current.deprovisioned.is_some();
        if deprovisioned && user.active == Some(true) && cfg.on(Switch::ReactivationRefused) {
            return Err(StoreError::ReactivationRefused);
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

    /// PATCH: the operations applied to the user as stored, then written as a PUT. Under
    /// `name_parts_ignored_in_patch` the name parts keep their stored values.
    pub fn patch_user(
        &mut self,
        ctx: &WriteContext,
        gid: Gid,
        patch: &PatchRequest,
    ) -> Result<(), StoreError> {
        let cfg = ctx.cfg;
        let current = self
            .visible_user(ctx.org, gid, cfg)
            .ok_or(StoreError::UserNotFound(gid))?;
        let mut resource = current.scim.to_json();
        patch.apply(&mut resource, patch_options(cfg))?;
        let mut user = User::from_json(resource)?;
        if cfg.on(Switch::NamePartsIgnoredInPatch) {
            let old = current.scim.name.clone().unwrap_or_default();
            let name = user.name.get_or_insert_with(Default::default);
            name.given_name = old.given_name;
            name.family_name = old.family_name;
            if *name == Default::default() {
                user.name = None;
            }
        }
        self.replace_user(ctx, gid, user, DeprovisionVia::ScimPatch)
    }

    /// SCIM DELETE: deprovision (Asana) or remove (RFC).
    pub fn delete_user(&mut self, ctx: &WriteContext, gid: Gid) -> Result<(), StoreError> {
        let (org, cfg, now, actor) = ctx.parts();
        let o = self.org(org)?;
        o.users
            .get(&gid)
            .filter(|u| !hidden(u, cfg))
            .ok_or(StoreError::UserNotFound(gid))?;
        let o = self.org_mut(org);
        if cfg.on(Switch::DeleteDeprovisions) {
            o.deprovision(gid, DeprovisionVia::ScimDelete, actor, now);
        } else {
            o.remove_user(gid);
        }
        Ok(())
    }

    /// `POST /workspaces/{gid}/removeUser`: with a service account token, the same as SCIM
    /// DELETE (fidelity/asana §1.6, [C] OAS removeUserForWorkspace).
    pub fn remove_user_from_workspace(
        &mut self,
        ctx: &WriteContext,
        reference: &str,
    ) -> Result<Gid, StoreError> {
        let (org, cfg, now, actor) = ctx.parts();
        let gid = self
            .org(org)?
            .resolve_user(reference)
            .ok_or_else(|| StoreError::NoUser {
                reference: reference.to_owned(),
                org,
            })?;
        let o = self.org_mut(org);
        if cfg.on(Switch::DeleteDeprovisions) {
            o.deprovision(gid, DeprovisionVia::RestRemoveUser, actor, now);
        } else {
            o.remove_user(gid);
        }
        Ok(gid)
    }

    pub fn user(&self, org: Gid, gid: Gid) -> Option<&UserRecord> {
        self.orgs.get(&org)?.users.get(&gid).map(|u| &**u)
    }
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

#[cfg(test)]
mod tests {
    use super::super::org::EXAMINED;
    use super::*;
    use crate::config::Profile;

    /// A userName lookup examines one record whatever the organization's size: an index, not a
    /// scan. (Counted, not timed, so the check holds on any machine.)
    #[test]
    fn user_name_lookup_costs_the_same_with_a_thousand_or_a_million_users() {
        let cfg = Config::new(Profile::Asana);
        let now = harness_clock::DEFAULT_EPOCH;
        for size in [1_000usize, 1_000_000] {
            let mut store = Store::new(Some(1));
            let org = store
                .create_organization("Acme", &["acme.test".into()], false)
                .unwrap();
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
}
