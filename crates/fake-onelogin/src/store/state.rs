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
        for user in state.users {
            max = max.max(user.id + 1);
            if store
                .by_email
                .insert(user.email.to_lowercase(), user.id)
                .is_some()
            {
                return Err(inconsistent(format!("duplicate email {}", user.email)));
            }
            if store
                .by_username
                .insert(user.username.to_lowercase(), user.id)
                .is_some()
            {
                return Err(inconsistent(format!(
                    "duplicate username {}",
                    user.username
                )));
            }
            store.users.insert(user.id, user);
        }
        for app in state.apps {
            max = max.max(app.id + 1);
            store.apps.insert(app.id, app);
        }
        for role in state.roles {
            max = max.max(role.id + 1);
            if let Some(u) = role.users.iter().find(|u| !store.users.contains_key(u)) {
                return Err(inconsistent(format!(
                    "role {} lists unknown user {u}",
                    role.name
                )));
            }
            if let Some(a) = role.apps.iter().find(|a| !store.apps.contains_key(a)) {
                return Err(inconsistent(format!(
                    "role {} lists unknown app {a}",
                    role.name
                )));
            }
            store.roles.insert(role.id, role);
        }
        for d in state.direct_assignments {
            if !store.users.contains_key(&d.user_id) || !store.apps.contains_key(&d.app_id) {
                return Err(inconsistent(format!(
                    "a direct assignment names unknown user {} or app {}",
                    d.user_id, d.app_id
                )));
            }
            store.direct.insert((d.user_id, d.app_id));
        }
        for mut task in state.tasks {
            max = max.max(task.id + 1);
            if !store.apps.contains_key(&task.app_id) {
                return Err(inconsistent(format!(
                    "task {} is for unknown app {}",
                    task.id, task.app_id
                )));
            }
            if task.status == TaskStatus::InProgress {
                task.status = TaskStatus::Approved;
            }
            store
                .last_tasks
                .insert((task.user_id, task.app_id), task.id);
            if task.status.is_open()
                && store
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
            store.tasks.insert(id, task);
            store.index_status(id);
        }
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
}

fn inconsistent(message: String) -> StoreError {
    StoreError::Inconsistent(message)
}
