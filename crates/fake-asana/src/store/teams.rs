//! SCIM groups, which are Asana teams: names unique per organization, members that must be
//! visible users of it.

use harness_scim::{Group, Member, PatchRequest};
use jiff::Timestamp;
use serde_json::json;

use super::{Store, StoreError, patch_options};
use crate::config::{Config, Switch};
use crate::model::*;

impl Store {
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

    pub fn create_team(
        &mut self,
        org: Gid,
        group: &Group,
        cfg: &Config,
        now: Timestamp,
    ) -> Result<Gid, StoreError> {
        let o = self.org(org)?;
        if o.by_team_name
            .contains_key(&group.display_name.to_lowercase())
        {
            return Err(StoreError::TeamNameTaken(group.display_name.clone()));
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
    ) -> Result<(), StoreError> {
        let o = self.org(org)?;
        let current = o.teams.get(&gid).ok_or(StoreError::TeamNotFound(gid))?;
        let renamed = current.name.to_lowercase() != group.display_name.to_lowercase();
        if renamed
            && o.by_team_name
                .contains_key(&group.display_name.to_lowercase())
        {
            return Err(StoreError::TeamNameTaken(group.display_name.clone()));
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

    /// PATCH: the operations applied to the team's name, external id and members, then
    /// written as a PUT.
    pub fn patch_team(
        &mut self,
        org: Gid,
        gid: Gid,
        patch: &PatchRequest,
        cfg: &Config,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let team = self.team(org, gid).ok_or(StoreError::TeamNotFound(gid))?;
        let mut resource = json!({
            "displayName": team.name,
            "members": team.members.iter().map(|m| json!({"value": m.to_string()})).collect::<Vec<_>>(),
        });
        if let Some(external) = &team.external_id {
            resource["externalId"] = json!(external);
        }
        patch.apply(&mut resource, patch_options(cfg))?;
        let mut group = Group::from_json(resource)?;
        group
            .members
            .dedup_by(|a: &mut Member, b: &mut Member| a.value == b.value);
        self.replace_team(org, gid, &group, cfg, now)
    }

    /// Whether SCIM may delete this team: Asana cannot (`team_delete_refused`, 405), checked
    /// after the id so that an unknown team is still a 404.
    pub fn check_team_delete(&self, org: Gid, gid: Gid, cfg: &Config) -> Result<(), StoreError> {
        if !cfg.on(Switch::TeamDeleteRefused) {
            return Ok(());
        }
        if self.team(org, gid).is_none() {
            return Err(StoreError::TeamNotFound(gid));
        }
        Err(StoreError::TeamDeleteRefused)
    }

    pub fn delete_team(&mut self, org: Gid, gid: Gid) -> Result<(), StoreError> {
        let o = self
            .orgs
            .get_mut(&org)
            .ok_or(StoreError::TeamNotFound(gid))?;
        let team = o.teams.remove(&gid).ok_or(StoreError::TeamNotFound(gid))?;
        o.by_team_name.remove(&team.name.to_lowercase());
        Ok(())
    }
}
