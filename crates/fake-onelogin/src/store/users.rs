//! Writes to users, and apps given to a user directly. Each write that can change what an app's
//! target should hold reconciles the user it touches.

use jiff::Timestamp;

use super::{Store, StoreError, UserChanges, invalid};
use crate::model::*;

impl Store {
    // -- users ---------------------------------------------------------------------------------

    /// Creates a user. Both username and email are required, as in OneLogin's v2 API.
    pub fn create_user(&mut self, changes: UserChanges, now: Timestamp) -> Result<u64, StoreError> {
        let username = changes
            .username
            .clone()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| invalid("username", "is required"))?;
        let email = changes
            .email
            .clone()
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| invalid("email", "is required"))?;
        self.check_unique(None, Some(&username), Some(&email))?;
        let id = self.id();
        let mut user = OneLoginUser {
            id,
            username,
            email,
            firstname: String::new(),
            lastname: String::new(),
            title: None,
            department: None,
            company: None,
            phone: None,
            external_id: None,
            status: UserStatus::Active,
            state: UserState::Approved,
            created_at: now,
            updated_at: now,
        };
        apply_changes(&mut user, changes)?;
        self.by_email.insert(user.email.to_lowercase(), id);
        self.by_username.insert(user.username.to_lowercase(), id);
        self.users.insert(id, user);
        Ok(id)
    }

    pub(super) fn check_unique(
        &self,
        me: Option<u64>,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(u) = username
            && self
                .by_username
                .get(&u.to_lowercase())
                .is_some_and(|id| Some(*id) != me)
        {
            return Err(invalid("username", format!("{u} is already taken")));
        }
        if let Some(e) = email
            && self
                .by_email
                .get(&e.to_lowercase())
                .is_some_and(|id| Some(*id) != me)
        {
            return Err(invalid("email", format!("{e} is already taken")));
        }
        Ok(())
    }

    /// Updates a user; a change of status or of a mapped attribute reaches the apps.
    pub fn update_user(
        &mut self,
        id: u64,
        changes: UserChanges,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let before = self
            .users
            .get(&id)
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?
            .clone();
        self.check_unique(
            Some(id),
            changes.username.as_deref(),
            changes.email.as_deref(),
        )?;
        let mut after = before.clone();
        apply_changes(&mut after, changes)?;
        after.updated_at = now;
        self.by_email.remove(&before.email.to_lowercase());
        self.by_username.remove(&before.username.to_lowercase());
        self.by_email.insert(after.email.to_lowercase(), id);
        self.by_username.insert(after.username.to_lowercase(), id);
        let reason = match (before.status, after.status) {
            (b, UserStatus::Suspended) if b != UserStatus::Suspended => "user suspended",
            (UserStatus::Suspended, a) if a != UserStatus::Suspended => "user unsuspended",
            _ => "user updated",
        };
        self.users.insert(id, after);
        self.reconcile_user(id, reason, now);
        Ok(())
    }

    /// Deletes a user: every app they could reach follows its deleted-user policy.
    pub fn delete_user(&mut self, id: u64, now: Timestamp) -> Result<(), StoreError> {
        let user = self
            .users
            .remove(&id)
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        self.by_email.remove(&user.email.to_lowercase());
        self.by_username.remove(&user.username.to_lowercase());
        self.reconcile_user_deleted(id, &user, now);
        for role in self.roles.values_mut() {
            role.users.retain(|u| *u != id);
        }
        let direct: Vec<(u64, u64)> = self
            .direct
            .range((id, 0)..=(id, u64::MAX))
            .copied()
            .collect();
        for pair in direct {
            self.direct.remove(&pair);
        }
        self.user_gone(id, now);
        Ok(())
    }

    // -- apps given directly -------------------------------------------------------------------

    /// Gives the app to one user directly (the user's Applications tab). A user who has it
    /// through a role too keeps it until both are gone. Returns whether anything changed.
    pub fn assign_app(&mut self, user: u64, app: u64, now: Timestamp) -> Result<bool, StoreError> {
        self.check_pair(user, app)?;
        let added = self.direct.insert((user, app));
        if added {
            self.record_event(
                super::events::EventType::AppAdded,
                super::events::About {
                    user: Some(user),
                    app: Some(app),
                    ..Default::default()
                },
                now,
            );
            self.reconcile(user, app, "app assigned directly", now);
        }
        Ok(added)
    }

    /// Takes a directly given app away; a role that grants it still does.
    pub fn unassign_app(
        &mut self,
        user: u64,
        app: u64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.check_pair(user, app)?;
        let removed = self.direct.remove(&(user, app));
        if removed {
            self.record_event(
                super::events::EventType::AppRemoved,
                super::events::About {
                    user: Some(user),
                    app: Some(app),
                    ..Default::default()
                },
                now,
            );
            self.reconcile(user, app, "app removed from the user", now);
        }
        Ok(removed)
    }

    fn check_pair(&self, user: u64, app: u64) -> Result<(), StoreError> {
        if !self.users.contains_key(&user) {
            return Err(StoreError::NotFound(format!("user {user}")));
        }
        if !self.apps.contains_key(&app) {
            return Err(StoreError::NotFound(format!("app {app}")));
        }
        Ok(())
    }
}

fn apply_changes(user: &mut OneLoginUser, c: UserChanges) -> Result<(), StoreError> {
    if let Some(s) = c.status {
        user.status = UserStatus::try_from(s).map_err(|e| invalid("status", e.to_string()))?;
    }
    if let Some(s) = c.state {
        user.state = UserState::try_from(s).map_err(|e| invalid("state", e.to_string()))?;
    }
    if let Some(u) = c.username {
        if u.trim().is_empty() {
            return Err(invalid("username", "must not be empty"));
        }
        user.username = u;
    }
    if let Some(e) = c.email {
        if !e.contains('@') {
            return Err(invalid("email", format!("{e} is not an email address")));
        }
        user.email = e;
    }
    if let Some(f) = c.firstname {
        user.firstname = f;
    }
    if let Some(l) = c.lastname {
        user.lastname = l;
    }
    if let Some(t) = c.title {
        user.title = t;
    }
    if let Some(d) = c.department {
        user.department = d;
    }
    if let Some(co) = c.company {
        user.company = co;
    }
    if let Some(p) = c.phone {
        user.phone = p;
    }
    if let Some(x) = c.external_id {
        user.external_id = x;
    }
    Ok(())
}
