//! Import from the target (fidelity/asana §1.7 [C]: Asana supports import with OneLogin): the
//! target's users matched to OneLogin users by SCIM Username, the matched ones linked so that
//! later changes and deletes reach them without a create. Nothing in the target changes:
//! unmatched users are listed and left alone.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::reconcile::payload_of;
use super::{Store, StoreError};
use crate::model::*;

/// What an import found and did, as `POST /__admin/apps/{id}/import` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Users read from the target.
    pub read: usize,
    /// OneLogin users now linked to their target user.
    pub linked: Vec<Imported>,
    /// Already linked before (by a create or an earlier import).
    pub already_linked: usize,
    /// Target users no OneLogin user's SCIM Username matches: listed, not touched.
    pub unmatched: Vec<String>,
    /// Matched OneLogin users who do not have the app: not linked, so nothing reaches them.
    pub matched_without_app: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imported {
    pub user_id: u64,
    pub user_name: String,
    pub scim_id: String,
    /// `false` for a user the target has deprovisioned.
    pub active: bool,
}

impl Store {
    /// The settings an import reads the target with: refused until the app has a token and a
    /// SCIM URL.
    pub fn import_source(&self, app: u64) -> Result<ProvisioningConfig, StoreError> {
        let config = &self
            .apps
            .get(&app)
            .ok_or_else(|| StoreError::NotFound(format!("no app {app}")))?
            .provisioning;
        if config.token.is_none() || config.scim_base_url.trim().is_empty() {
            return Err(StoreError::Conflict(
                "paste the Service Account Token and press Enable before importing".into(),
            ));
        }
        Ok(config.clone())
    }

    /// Links the app's users to the target's, by SCIM Username (the Parameters tab's mapping).
    pub fn import_users(
        &mut self,
        app: u64,
        target_users: &[Value],
        now: Timestamp,
    ) -> Result<ImportReport, StoreError> {
        let a = self
            .apps
            .get(&app)
            .ok_or_else(|| StoreError::NotFound(format!("app {app}")))?;
        let parameters = a.provisioning.parameters;
        let by_name: std::collections::HashMap<String, u64> = self
            .users
            .values()
            .map(|u| (payload_of(u, &parameters).user_name.to_lowercase(), u.id))
            .collect();
        let mut report = ImportReport {
            read: target_users.len(),
            ..ImportReport::default()
        };
        for t in target_users {
            let (Some(name), Some(scim_id)) = (t["userName"].as_str(), t["id"].as_str()) else {
                continue;
            };
            let active = t["active"].as_bool().unwrap_or(true);
            let Some(&user) = by_name.get(&name.to_lowercase()) else {
                report.unmatched.push(name.to_owned());
                continue;
            };
            if !self.has_access(user, app) {
                report.matched_without_app.push(name.to_owned());
                continue;
            }
            if let Some(link) = self.links.get_mut(&(user, app)) {
                if link.scim_id.is_none() {
                    link.scim_id = Some(scim_id.to_owned());
                }
                report.already_linked += 1;
                continue;
            }
            self.link_imported((user, app), scim_id, active, &parameters, now);
            report.linked.push(Imported {
                user_id: user,
                user_name: name.to_owned(),
                scim_id: scim_id.to_owned(),
                active,
            });
        }
        Ok(report)
    }

    /// Links a matched user to the target's: a create waiting for them, or one that failed
    /// ("already exists"), is no longer needed.
    fn link_imported(
        &mut self,
        (user, app): (u64, u64),
        scim_id: &str,
        active: bool,
        parameters: &Parameters,
        now: Timestamp,
    ) {
        let payload = payload_of(&self.users[&user], parameters);
        self.links.insert(
            (user, app),
            Link {
                app_id: app,
                user_id: user,
                state: if active {
                    Provisioned::Active
                } else {
                    Provisioned::Deleted
                },
                scim_id: Some(scim_id.to_owned()),
                payload,
            },
        );
        // A create that waits, or failed ("already exists"), is no longer needed.
        let stale: Vec<u64> = [
            self.open_tasks.get(&(user, app)).copied(),
            self.last_task(user, app)
                .filter(|t| t.status == TaskStatus::Failed)
                .map(|t| t.id),
        ]
        .into_iter()
        .flatten()
        .filter(|id| self.tasks[id].action == TaskAction::Create)
        .collect();
        for id in stale {
            self.close(
                id,
                TaskStatus::Skipped,
                Some("superseded: imported from the target (linked to the existing user)".into()),
                now,
            );
        }
    }
}
