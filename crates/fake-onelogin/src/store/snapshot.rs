//! The whole store as `GET|PUT /__admin/state` shows it: a snapshot, and a restore that refuses
//! what the fake could not have produced.

use super::{FIRST_ID, Store, StoreError};
use crate::model::*;

impl Store {
    // -- whole state ---------------------------------------------------------------------------

    pub fn snapshot(&self) -> State {
        State {
            version: STATE_VERSION,
            next_id: self.next_id,
            users: self.users.values().cloned().collect(),
            roles: self.roles.values().cloned().collect(),
            apps: self.apps.values().cloned().collect(),
            direct_assignments: self
                .direct
                .iter()
                .map(|&(user_id, app_id)| DirectAssignment { user_id, app_id })
                .collect(),
            tasks: self.tasks.values().cloned().collect(),
            links: {
                let mut links: Vec<Link> = self.links.values().cloned().collect();
                links.sort_by_key(|l| (l.user_id, l.app_id));
                links
            },
            credentials: self.credentials.values().cloned().collect(),
        }
    }

    /// Rebuilds a store from a snapshot, refusing what the fake could not have produced. An
    /// in-progress task (a crash mid-run) comes back approved: it runs again, and a task is only
    /// in progress after its approval, so no approval is skipped.
    pub fn restore(state: State) -> Result<Store, StoreError> {
        if state.version > STATE_VERSION {
            return Err(StoreError::NewerState(state.version));
        }
        let mut store = Store::new();
        let mut max = state.next_id.max(FIRST_ID);
        store.restore_users(state.users, &mut max)?;
        for app in state.apps {
            max = max.max(app.id + 1);
            store.apps.insert(app.id, app);
        }
        store.restore_roles(state.roles, state.direct_assignments, &mut max)?;
        store.restore_tasks(state.tasks, &mut max)?;
        for link in state.links {
            store.links.insert((link.user_id, link.app_id), link);
        }
        for c in state.credentials {
            store.credentials.insert(c.client_id.clone(), c);
        }
        store.next_id = max;
        store.rebuild_history();
        Ok(store)
    }

    /// Users, with their email and username indices: each unique.
    fn restore_users(&mut self, users: Vec<OneLoginUser>, max: &mut u64) -> Result<(), StoreError> {
        for user in users {
            *max = (*max).max(user.id + 1);
            if self
                .by_email
                .insert(user.email.to_lowercase(), user.id)
                .is_some()
            {
                return Err(inconsistent(format!("duplicate email {}", user.email)));
            }
            if self
                .by_username
                .insert(user.username.to_lowercase(), user.id)
                .is_some()
            {
                return Err(inconsistent(format!(
                    "duplicate username {}",
                    user.username
                )));
            }
            self.users.insert(user.id, user);
        }
        Ok(())
    }

    /// Roles and apps given directly: every user and app they name exists.
    fn restore_roles(
        &mut self,
        roles: Vec<Role>,
        direct: Vec<DirectAssignment>,
        max: &mut u64,
    ) -> Result<(), StoreError> {
        for role in roles {
            *max = (*max).max(role.id + 1);
            if let Some(u) = role.users.iter().find(|u| !self.users.contains_key(u)) {
                return Err(inconsistent(format!(
                    "role {} lists unknown user {u}",
                    role.name
                )));
            }
            if let Some(a) = role.apps.iter().find(|a| !self.apps.contains_key(a)) {
                return Err(inconsistent(format!(
                    "role {} lists unknown app {a}",
                    role.name
                )));
            }
            self.roles.insert(role.id, role);
        }
        for d in direct {
            if !self.users.contains_key(&d.user_id) || !self.apps.contains_key(&d.app_id) {
                return Err(inconsistent(format!(
                    "a direct assignment names unknown user {} or app {}",
                    d.user_id, d.app_id
                )));
            }
            self.direct.insert((d.user_id, d.app_id));
        }
        Ok(())
    }

    /// Tasks, with their indices: at most one open task per user and app. An in-progress task
    /// (a crash mid-run) comes back approved.
    fn restore_tasks(&mut self, tasks: Vec<Task>, max: &mut u64) -> Result<(), StoreError> {
        for mut task in tasks {
            *max = (*max).max(task.id + 1);
            if !self.apps.contains_key(&task.app_id) {
                return Err(inconsistent(format!(
                    "task {} is for unknown app {}",
                    task.id, task.app_id
                )));
            }
            if task.status == TaskStatus::InProgress {
                task.status = TaskStatus::Approved;
            }
            self.last_tasks.insert((task.user_id, task.app_id), task.id);
            if task.status.is_open()
                && self
                    .open_tasks
                    .insert((task.user_id, task.app_id), task.id)
                    .is_some()
            {
                return Err(inconsistent(format!(
                    "two open tasks for user {} and app {}",
                    task.user_id, task.app_id
                )));
            }
            let id = task.id;
            self.tasks.insert(id, task);
            self.index_status(id);
        }
        Ok(())
    }
}

fn inconsistent(message: String) -> StoreError {
    StoreError::Inconsistent(message)
}
