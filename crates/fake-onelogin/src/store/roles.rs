//! Writes to roles: members and apps. Each change reconciles the users it touches.

use jiff::Timestamp;

use super::{Store, StoreError, invalid};
use crate::model::*;

impl Store {
    // -- roles ---------------------------------------------------------------------------------

    pub fn create_role(&mut self, name: &str) -> Result<u64, StoreError> {
        if name.trim().is_empty() {
            return Err(invalid("name", "is required"));
        }
        if self.role_by_name(name).is_some() {
            return Err(invalid("name", format!("a role named {name} exists")));
        }
        let id = self.id();
        self.roles.insert(
            id,
            Role {
                id,
                name: name.to_owned(),
                apps: Vec::new(),
                users: Vec::new(),
            },
        );
        Ok(id)
    }

    pub fn add_role_users(
        &mut self,
        role: u64,
        users: &[u64],
        now: Timestamp,
    ) -> Result<Vec<u64>, StoreError> {
        let r = self
            .roles
            .get(&role)
            .ok_or_else(|| StoreError::NotFound(format!("role {role}")))?;
        if let Some(missing) = users.iter().find(|u| !self.users.contains_key(u)) {
            return Err(invalid(
                "user_ids",
                format!("user {missing} does not exist"),
            ));
        }
        let name = r.name.clone();
        let added: Vec<u64> = users
            .iter()
            .copied()
            .filter(|u| !r.users.contains(u))
            .collect();
        let r = self.roles.get_mut(&role).expect("checked");
        r.users.extend(&added);
        for &user in &added {
            self.reconcile_user(user, &format!("added to role {name}"), now);
        }
        Ok(users.to_vec())
    }

    pub fn remove_role_users(
        &mut self,
        role: u64,
        users: &[u64],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let r = self
            .roles
            .get_mut(&role)
            .ok_or_else(|| StoreError::NotFound(format!("role {role}")))?;
        let name = r.name.clone();
        let removed: Vec<u64> = users
            .iter()
            .copied()
            .filter(|u| r.users.contains(u))
            .collect();
        r.users.retain(|u| !users.contains(u));
        for user in removed {
            self.reconcile_user(user, &format!("removed from role {name}"), now);
        }
        Ok(())
    }

    /// Sets the role's apps (the whole list, as OneLogin's API does).
    pub fn set_role_apps(
        &mut self,
        role: u64,
        apps: &[u64],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if let Some(missing) = apps.iter().find(|a| !self.apps.contains_key(a)) {
            return Err(invalid("app_ids", format!("app {missing} does not exist")));
        }
        let r = self
            .roles
            .get_mut(&role)
            .ok_or_else(|| StoreError::NotFound(format!("role {role}")))?;
        let name = r.name.clone();
        let before = std::mem::replace(&mut r.apps, apps.to_vec());
        r.apps.dedup();
        let users = r.users.clone();
        let changed: Vec<u64> = before
            .iter()
            .chain(apps)
            .copied()
            .filter(|a| before.contains(a) != apps.contains(a))
            .collect();
        for app in changed {
            let reason = if apps.contains(&app) {
                format!("role {name} was given the app")
            } else {
                format!("role {name} lost the app")
            };
            for &user in &users {
                self.reconcile(user, app, &reason, now);
            }
        }
        Ok(())
    }
}
