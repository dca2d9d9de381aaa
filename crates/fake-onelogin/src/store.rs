//! The fake OneLogin's data and the rules that turn directory changes into provisioning tasks.
//!
//! Triggers (onelogin-facts §1.2, §2, §7): every change that can alter what Asana should hold
//! for a user (role membership, a role's apps, the user's attributes or status, deletion) calls
//! [`Store::reconcile`] for that user and app. Reconciling compares what the target has (the
//! [`Link`], changed only by tasks that succeeded) with what it should have, and makes at most
//! one task:
//!
//! | target has | should have | task |
//! |---|---|---|
//! | nothing | active | create |
//! | active | active, attributes changed | update (generic SCIM app); a skipped update record (Asana connector) |
//! | active | suspended (status 2, policy Suspend) | suspend |
//! | suspended | active (unsuspended) | reactivate |
//! | active or suspended | removed (deleted or access lost) | per the deleted-user policy: delete, suspend, or a skipped record for Do Nothing |
//! | deleted | active again | create (Asana refuses to reactivate, as in life) |
//!
//! **Superseding.** A pair (user, app) has at most one open task (pending or approved). When a
//! later event needs the same action, the open task keeps its place and status and takes the new
//! attributes. When it needs a different action, or none, the open task is skipped with
//! "superseded" and the new task (if any) starts over, approval included. So a user deleted while
//! their create awaits approval ends with the create skipped and nothing sent: nothing was ever
//! provisioned. No path turns a pending task into an approved one except an approval.
//!
//! **Approvals.** Create, Update and Delete each have a checkbox. Deprovisioning (the deleted-user
//! policy's Delete or Suspend) is gated by Delete; suspension and reactivation after a status
//! change are gated by Update. OneLogin has no Suspend checkbox, and which one gates a suspend is
//! undocumented ([U] onelogin-facts §1.2): this is the harness's choice.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;

use crate::model::*;

/// Why a store call was refused; the HTTP layer renders it in OneLogin's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(String),
    /// A field is missing or invalid: 422 naming the field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The operation does not fit the current state (approving a denied task).
    #[error("{0}")]
    Conflict(String),
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// What a user write may change. `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub username: Option<String>,
    pub email: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub title: Option<Option<String>>,
    pub department: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub status: Option<u8>,
    pub state: Option<u8>,
}

pub struct Store {
    users: BTreeMap<u64, User>,
    by_email: HashMap<String, u64>,
    by_username: HashMap<String, u64>,
    roles: BTreeMap<u64, Role>,
    apps: BTreeMap<u64, App>,
    tasks: BTreeMap<u64, Task>,
    /// (user, app) → the open task, if any.
    open_tasks: HashMap<(u64, u64), u64>,
    /// (user, app) → the newest task, whatever its status.
    last_tasks: HashMap<(u64, u64), u64>,
    /// Approved tasks, oldest first: the queue, so that claiming is not a scan of history.
    approved: BTreeSet<u64>,
    /// Tasks being run.
    in_progress: HashSet<u64>,
    links: HashMap<(u64, u64), Link>,
    credentials: BTreeMap<String, ApiCredential>,
    next_id: u64,
}

pub const FIRST_ID: u64 = 100_001;

/// Why a profile change sends nothing under OneLogin's Asana connector (asana-facts §1.7, [C]
/// HC-SCIM).
pub const CONNECTOR_SENDS_NO_UPDATES: &str = "the Asana connector does not update profiles: with \
     OneLogin, Asana supports create, import and deactivate only; Asana keeps the old attributes";

/// What the target should hold for a user, after the app's policies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    Active(Payload),
    /// Suspended after a status change (policy Suspend).
    Suspended,
    /// The user is suspended but the policy says to do nothing.
    SuspensionIgnored,
    /// Deleted, or the app's access removed.
    Removed(OnDelete),
}

enum Decision {
    Nothing,
    Task(TaskAction),
    /// A record of what the policy chose not to do.
    Skip(TaskAction, String),
}

impl Store {
    pub fn new() -> Self {
        Store {
            users: BTreeMap::new(),
            by_email: HashMap::new(),
            by_username: HashMap::new(),
            roles: BTreeMap::new(),
            apps: BTreeMap::new(),
            tasks: BTreeMap::new(),
            open_tasks: HashMap::new(),
            last_tasks: HashMap::new(),
            approved: BTreeSet::new(),
            in_progress: HashSet::new(),
            links: HashMap::new(),
            credentials: BTreeMap::new(),
            next_id: FIRST_ID,
        }
    }

    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    // -- reads ---------------------------------------------------------------------------------

    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.get(&id)
    }

    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users.get(self.by_email.get(&email.to_lowercase())?)
    }

    pub fn role(&self, id: u64) -> Option<&Role> {
        self.roles.get(&id)
    }

    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    pub fn role_by_name(&self, name: &str) -> Option<&Role> {
        self.roles
            .values()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    pub fn app(&self, id: u64) -> Option<&App> {
        self.apps.get(&id)
    }

    pub fn apps(&self) -> impl Iterator<Item = &App> {
        self.apps.values()
    }

    pub fn task(&self, id: u64) -> Option<&Task> {
        self.tasks.get(&id)
    }

    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.values()
    }

    /// Whether a task is waiting to run or running.
    pub fn has_runnable(&self) -> bool {
        !self.approved.is_empty() || !self.in_progress.is_empty()
    }

    pub fn link(&self, user: u64, app: u64) -> Option<&Link> {
        self.links.get(&(user, app))
    }

    /// The newest task of a user and app.
    pub fn last_task(&self, user: u64, app: u64) -> Option<&Task> {
        self.tasks.get(self.last_tasks.get(&(user, app))?)
    }

    pub fn open_task(&self, user: u64, app: u64) -> Option<&Task> {
        self.tasks.get(self.open_tasks.get(&(user, app))?)
    }

    pub fn credential(&self, client_id: &str) -> Option<&ApiCredential> {
        self.credentials.get(client_id)
    }

    pub fn credentials(&self) -> impl Iterator<Item = &ApiCredential> {
        self.credentials.values()
    }

    /// The roles a user is in, by id.
    pub fn role_ids(&self, user: u64) -> Vec<u64> {
        self.roles
            .values()
            .filter(|r| r.users.contains(&user))
            .map(|r| r.id)
            .collect()
    }

    /// Whether any of the user's roles grants the app.
    pub fn has_access(&self, user: u64, app: u64) -> bool {
        self.roles
            .values()
            .any(|r| r.users.contains(&user) && r.apps.contains(&app))
    }

    /// Users with access to the app, by id.
    pub fn app_users(&self, app: u64) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .roles
            .values()
            .filter(|r| r.apps.contains(&app))
            .flat_map(|r| r.users.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    // -- setup ---------------------------------------------------------------------------------

    pub fn add_app(
        &mut self,
        name: &str,
        connector_id: u64,
        provisioning: ProvisioningConfig,
        now: Timestamp,
    ) -> u64 {
        let id = self.id();
        self.apps.insert(
            id,
            App {
                id,
                connector_id,
                name: name.to_owned(),
                provisioning,
                created_at: now,
                updated_at: now,
            },
        );
        id
    }

    pub fn add_credential(&mut self, credential: ApiCredential) {
        self.credentials
            .insert(credential.client_id.clone(), credential);
    }

    pub fn set_provisioning(
        &mut self,
        app: u64,
        config: ProvisioningConfig,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let a = self
            .apps
            .get_mut(&app)
            .ok_or_else(|| StoreError::NotFound(format!("app {app}")))?;
        a.provisioning = config;
        a.updated_at = now;
        Ok(())
    }

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
        let mut user = User {
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
            status: status::ACTIVE,
            state: state::APPROVED,
            created_at: now,
            updated_at: now,
        };
        apply_changes(&mut user, changes)?;
        self.by_email.insert(user.email.to_lowercase(), id);
        self.by_username.insert(user.username.to_lowercase(), id);
        self.users.insert(id, user);
        Ok(id)
    }

    fn check_unique(
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
            (b, status::SUSPENDED) if b != status::SUSPENDED => "user suspended",
            (status::SUSPENDED, a) if a != status::SUSPENDED => "user unsuspended",
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
        Ok(())
    }

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

    // -- provisioning: decisions ---------------------------------------------------------------

    fn reconcile_user(&mut self, user: u64, reason: &str, now: Timestamp) {
        let apps: Vec<u64> = self.apps.keys().copied().collect();
        for app in apps {
            self.reconcile(user, app, reason, now);
        }
    }

    fn reconcile_user_deleted(&mut self, user: u64, gone: &User, now: Timestamp) {
        let apps: Vec<u64> = self.apps.keys().copied().collect();
        for app in apps {
            let on_delete = self.apps[&app].provisioning.on_delete;
            let payload = payload_of(gone, &self.apps[&app].provisioning.parameters);
            self.decide(
                user,
                app,
                Want::Removed(on_delete),
                payload,
                "user deleted",
                now,
            );
        }
    }

    /// Compares what the app's target has for the user with what it should have, and queues the
    /// task that closes the gap. See the module documentation.
    pub fn reconcile(&mut self, user: u64, app: u64, reason: &str, now: Timestamp) {
        let Some(a) = self.apps.get(&app) else { return };
        let config = &a.provisioning;
        let Some(u) = self.users.get(&user) else {
            return;
        };
        let payload = payload_of(u, &config.parameters);
        let want = if !self.has_access(user, app) {
            Want::Removed(config.on_delete)
        } else if u.status == status::SUSPENDED {
            match config.on_suspend {
                OnSuspend::Suspend => Want::Suspended,
                OnSuspend::DoNothing => Want::SuspensionIgnored,
            }
        } else {
            Want::Active(payload.clone())
        };
        self.decide(user, app, want, payload, reason, now);
    }

    fn decide(
        &mut self,
        user: u64,
        app: u64,
        want: Want,
        payload: Payload,
        reason: &str,
        now: Timestamp,
    ) {
        // A failed task is judged against the target as it was; any later change supersedes it,
        // and what is needed now is decided afresh below. So a retry can never replay a stale
        // action (a create for someone who has since lost access).
        if let Some(failed) = self
            .last_task(user, app)
            .filter(|t| t.status == TaskStatus::Failed)
            .map(|t| t.id)
        {
            self.close(
                failed,
                TaskStatus::Skipped,
                Some(format!("superseded: {reason} after it failed")),
                now,
            );
        }
        let link = self.links.get(&(user, app));
        let has = link.map(|l| l.state);
        let decision = match (has, &want) {
            (None, Want::Active(_)) => Decision::Task(TaskAction::Create),
            (None, _) => Decision::Nothing,
            (Some(Provisioned::Active), Want::Active(p)) => {
                if link.is_none_or(|l| &l.payload == p) {
                    Decision::Nothing
                } else if self.apps[&app].provisioning.connector.updates_profiles() {
                    Decision::Task(TaskAction::Update)
                } else if self.last_task(user, app).is_some_and(|t| {
                    t.action == TaskAction::Update
                        && t.status == TaskStatus::Skipped
                        && &t.payload == p
                }) {
                    // Already recorded for these attributes: one record per change, not per event.
                    Decision::Nothing
                } else {
                    Decision::Skip(TaskAction::Update, CONNECTOR_SENDS_NO_UPDATES.into())
                }
            }
            (Some(Provisioned::Active), Want::Suspended) => Decision::Task(TaskAction::Suspend),
            (Some(Provisioned::Active), Want::SuspensionIgnored) => Decision::Skip(
                TaskAction::Suspend,
                "the app's suspended-user policy is Do Nothing".into(),
            ),
            (Some(Provisioned::Suspended), Want::Active(_)) => {
                Decision::Task(TaskAction::Reactivate)
            }
            (Some(Provisioned::Suspended), Want::Suspended | Want::SuspensionIgnored) => {
                Decision::Nothing
            }
            (
                Some(Provisioned::Active | Provisioned::Suspended),
                Want::Removed(OnDelete::Delete),
            ) => Decision::Task(TaskAction::Delete),
            (Some(Provisioned::Active), Want::Removed(OnDelete::Suspend)) => {
                Decision::Task(TaskAction::Suspend)
            }
            (Some(Provisioned::Suspended), Want::Removed(OnDelete::Suspend)) => Decision::Nothing,
            (
                Some(Provisioned::Active | Provisioned::Suspended),
                Want::Removed(OnDelete::DoNothing),
            ) => Decision::Skip(
                TaskAction::Delete,
                "the app's deleted-user policy is Do Nothing: the user stays in the target".into(),
            ),
            (Some(Provisioned::Deleted), Want::Active(_)) => Decision::Task(TaskAction::Create),
            (Some(Provisioned::Deleted), _) => Decision::Nothing,
        };
        // What a task carries: the current attributes for a create, and for anything under an app
        // that sends profile changes; otherwise what the target already has, so deactivating a
        // user under the Asana connector does not slip a profile change through its PUT.
        let payload = match (&decision, link) {
            (Decision::Task(action), Some(link))
                if *action != TaskAction::Create
                    && !self.apps[&app].provisioning.connector.updates_profiles() =>
            {
                link.payload.clone()
            }
            _ => payload,
        };
        let open = self.open_tasks.get(&(user, app)).copied();
        match (decision, open) {
            (Decision::Task(action), Some(open)) if self.tasks[&open].action == action => {
                // Same action still wanted: the open task keeps its place and takes the new data.
                let task = self.tasks.get_mut(&open).expect("indexed");
                task.payload = payload;
                task.updated_at = now;
            }
            (Decision::Task(action), open) => {
                let id = self.new_task(
                    user,
                    app,
                    action,
                    reason,
                    payload,
                    deprovisioning(&want),
                    now,
                );
                if let Some(open) = open {
                    self.close(
                        open,
                        TaskStatus::Skipped,
                        Some(format!("superseded by task {id} ({reason})")),
                        now,
                    );
                }
            }
            (Decision::Skip(action, why), open) => {
                if let Some(open) = open {
                    self.close(
                        open,
                        TaskStatus::Skipped,
                        Some(format!("superseded: {reason}")),
                        now,
                    );
                }
                let id = self.id();
                self.last_tasks.insert((user, app), id);
                self.tasks.insert(
                    id,
                    Task {
                        id,
                        app_id: app,
                        user_id: user,
                        action,
                        reason: reason.to_owned(),
                        status: TaskStatus::Skipped,
                        error: Some(why),
                        requires_approval: false,
                        payload,
                        requests: 0,
                        scim_id: self.links.get(&(user, app)).and_then(|l| l.scim_id.clone()),
                        created_at: now,
                        updated_at: now,
                    },
                );
            }
            (Decision::Nothing, Some(open)) => {
                let why = match has {
                    None => format!("superseded: {reason} before it ran; nothing was provisioned"),
                    Some(_) => format!("superseded: {reason}; the target already matches"),
                };
                self.close(open, TaskStatus::Skipped, Some(why), now);
            }
            (Decision::Nothing, None) => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn new_task(
        &mut self,
        user: u64,
        app: u64,
        action: TaskAction,
        reason: &str,
        payload: Payload,
        deprovisioning: bool,
        now: Timestamp,
    ) -> u64 {
        let config = &self.apps[&app].provisioning;
        let approvals = config.require_approval;
        let requires_approval = match action {
            TaskAction::Create => approvals.create,
            TaskAction::Delete => approvals.delete,
            TaskAction::Suspend if deprovisioning => approvals.delete,
            TaskAction::Update | TaskAction::Suspend | TaskAction::Reactivate => approvals.update,
        };
        let (status, error) = if !config.enabled {
            (
                TaskStatus::Skipped,
                Some("provisioning is disabled for this app".to_owned()),
            )
        } else if requires_approval {
            (TaskStatus::Pending, None)
        } else {
            (TaskStatus::Approved, None)
        };
        let id = self.id();
        self.tasks.insert(
            id,
            Task {
                id,
                app_id: app,
                user_id: user,
                action,
                reason: reason.to_owned(),
                status,
                error,
                requires_approval,
                payload,
                requests: 0,
                scim_id: self.links.get(&(user, app)).and_then(|l| l.scim_id.clone()),
                created_at: now,
                updated_at: now,
            },
        );
        if status.is_open() {
            self.open_tasks.insert((user, app), id);
        }
        self.last_tasks.insert((user, app), id);
        self.index_status(id);
        id
    }

    /// Keeps the queue indexes in step with a task's status: called after every change of it.
    fn index_status(&mut self, id: u64) {
        self.approved.remove(&id);
        self.in_progress.remove(&id);
        match self.tasks.get(&id).map(|t| t.status) {
            Some(TaskStatus::Approved) => {
                self.approved.insert(id);
            }
            Some(TaskStatus::InProgress) => {
                self.in_progress.insert(id);
            }
            _ => {}
        }
    }

    fn close(&mut self, id: u64, status: TaskStatus, error: Option<String>, now: Timestamp) {
        if let Some(task) = self.tasks.get_mut(&id) {
            task.status = status;
            task.error = error;
            task.updated_at = now;
            if self.open_tasks.get(&(task.user_id, task.app_id)) == Some(&id) {
                self.open_tasks.remove(&(task.user_id, task.app_id));
            }
        }
        self.index_status(id);
    }

    // -- provisioning: the queue ---------------------------------------------------------------

    pub fn approve(&mut self, id: u64, now: Timestamp) -> Result<&Task, StoreError> {
        self.transition(id, TaskStatus::Pending, TaskStatus::Approved, now)
    }

    pub fn deny(&mut self, id: u64, now: Timestamp) -> Result<&Task, StoreError> {
        let task = self.transition(id, TaskStatus::Pending, TaskStatus::Denied, now)?;
        let (user, app) = (task.user_id, task.app_id);
        self.open_tasks.remove(&(user, app));
        Ok(&self.tasks[&id])
    }

    /// Puts a failed task back in the queue. It was approved (or needed no approval) before it
    /// could fail, so a retry never skips an approval.
    pub fn retry(&mut self, id: u64, now: Timestamp) -> Result<&Task, StoreError> {
        let task = self
            .tasks
            .get(&id)
            .ok_or_else(|| StoreError::NotFound(format!("task {id}")))?;
        let pair = (task.user_id, task.app_id);
        if let Some(open) = self.open_tasks.get(&pair)
            && *open != id
        {
            return Err(StoreError::Conflict(format!(
                "task {open} is already open for this user; retry that instead"
            )));
        }
        self.transition(id, TaskStatus::Failed, TaskStatus::Approved, now)?;
        self.tasks.get_mut(&id).expect("exists").error = None;
        self.open_tasks.insert(pair, id);
        Ok(&self.tasks[&id])
    }

    fn transition(
        &mut self,
        id: u64,
        from: TaskStatus,
        to: TaskStatus,
        now: Timestamp,
    ) -> Result<&Task, StoreError> {
        let task = self
            .tasks
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("task {id}")))?;
        if task.status != from {
            return Err(StoreError::Conflict(format!(
                "task {id} is {}, not {}",
                serde_json::to_value(task.status)
                    .expect("serializes")
                    .as_str()
                    .unwrap_or_default(),
                serde_json::to_value(from)
                    .expect("serializes")
                    .as_str()
                    .unwrap_or_default(),
            )));
        }
        task.status = to;
        task.updated_at = now;
        self.index_status(id);
        Ok(&self.tasks[&id])
    }

    /// Takes the oldest approved task to run, marking it in progress, together with its app's
    /// configuration. Tasks that cannot run are closed with the reason instead.
    pub fn claim_next(&mut self, now: Timestamp) -> Option<(Task, ProvisioningConfig)> {
        loop {
            let id = *self.approved.first()?;
            let task = &self.tasks[&id];
            let config = self.apps[&task.app_id].provisioning.clone();
            if !config.enabled {
                self.close(
                    id,
                    TaskStatus::Skipped,
                    Some("provisioning is disabled for this app".into()),
                    now,
                );
                continue;
            }
            if config.api_status != ApiStatus::Connected || config.token.is_none() {
                let status = serde_json::to_value(config.api_status).expect("serializes");
                self.close(
                    id,
                    TaskStatus::Failed,
                    Some(format!(
                        "the app's API connection is not enabled (API status: {}); nothing was sent",
                        status.as_str().unwrap_or_default()
                    )),
                    now,
                );
                continue;
            }
            let task = self.tasks.get_mut(&id).expect("exists");
            task.status = TaskStatus::InProgress;
            task.updated_at = now;
            // In progress is no longer open: an event during the run is judged against what the
            // target had before it, and may queue a task of its own.
            let pair = (task.user_id, task.app_id);
            let task = task.clone();
            if self.open_tasks.get(&pair) == Some(&id) {
                self.open_tasks.remove(&pair);
            }
            self.index_status(id);
            return Some((task, config));
        }
    }

    /// Records a run's result; on success, the link now says what the target holds.
    pub fn complete(
        &mut self,
        id: u64,
        result: Result<Option<String>, (String, bool)>,
        requests: u32,
        now: Timestamp,
    ) {
        let Some(task) = self.tasks.get_mut(&id) else {
            return;
        };
        task.requests += requests;
        task.updated_at = now;
        let (user, app) = (task.user_id, task.app_id);
        match result {
            Ok(scim_id) => {
                task.status = TaskStatus::Provisioned;
                task.error = None;
                if scim_id.is_some() {
                    task.scim_id.clone_from(&scim_id);
                }
                let state = match task.action {
                    TaskAction::Create | TaskAction::Update | TaskAction::Reactivate => {
                        Provisioned::Active
                    }
                    TaskAction::Suspend => Provisioned::Suspended,
                    TaskAction::Delete => Provisioned::Deleted,
                };
                let payload = task.payload.clone();
                let scim_id = scim_id
                    .or_else(|| self.links.get(&(user, app)).and_then(|l| l.scim_id.clone()));
                self.links.insert(
                    (user, app),
                    Link {
                        app_id: app,
                        user_id: user,
                        state,
                        scim_id,
                        payload,
                    },
                );
                // An event that arrived while the task ran was judged against the old target
                // state; judge again now that it has changed, unless it already queued a task.
                if self.users.contains_key(&user) && !self.open_tasks.contains_key(&(user, app)) {
                    self.reconcile(user, app, "changed while provisioning", now);
                }
            }
            Err((error, unauthorized)) => {
                task.status = TaskStatus::Failed;
                task.error = Some(error.clone());
                if unauthorized && let Some(a) = self.apps.get_mut(&app) {
                    a.provisioning.api_status = ApiStatus::Failed;
                    a.provisioning.api_error = Some(error);
                }
            }
        }
        self.index_status(id);
    }

    pub fn set_api_status(&mut self, app: u64, status: ApiStatus, error: Option<String>) {
        if let Some(a) = self.apps.get_mut(&app) {
            a.provisioning.api_status = status;
            a.provisioning.api_error = error;
        }
    }

    // -- whole state ---------------------------------------------------------------------------

    pub fn snapshot(&self) -> State {
        State {
            version: STATE_VERSION,
            next_id: self.next_id,
            users: self.users.values().cloned().collect(),
            roles: self.roles.values().cloned().collect(),
            apps: self.apps.values().cloned().collect(),
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
    pub fn restore(state: State) -> Result<Store, String> {
        if state.version > STATE_VERSION {
            return Err(format!(
                "state version {} is newer than this build understands ({STATE_VERSION})",
                state.version
            ));
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
                return Err(format!("duplicate email {}", user.email));
            }
            if store
                .by_username
                .insert(user.username.to_lowercase(), user.id)
                .is_some()
            {
                return Err(format!("duplicate username {}", user.username));
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
                return Err(format!("role {} lists unknown user {u}", role.name));
            }
            if let Some(a) = role.apps.iter().find(|a| !store.apps.contains_key(a)) {
                return Err(format!("role {} lists unknown app {a}", role.name));
            }
            store.roles.insert(role.id, role);
        }
        for mut task in state.tasks {
            max = max.max(task.id + 1);
            if !store.apps.contains_key(&task.app_id) {
                return Err(format!(
                    "task {} is for unknown app {}",
                    task.id, task.app_id
                ));
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
                return Err(format!(
                    "two open tasks for user {} and app {}",
                    task.user_id, task.app_id
                ));
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
        Ok(store)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

fn deprovisioning(want: &Want) -> bool {
    matches!(want, Want::Removed(_))
}

/// The attributes a task sends, after the app's Parameters (SCIM Username from email or
/// username).
pub fn payload_of(user: &User, parameters: &Parameters) -> Payload {
    Payload {
        user_name: match parameters.scim_username {
            Mapping::Email => user.email.clone(),
            Mapping::Username => user.username.clone(),
        },
        email: user.email.clone(),
        given_name: user.firstname.clone(),
        family_name: user.lastname.clone(),
        title: user.title.clone(),
        department: user.department.clone(),
    }
}

fn apply_changes(user: &mut User, c: UserChanges) -> Result<(), StoreError> {
    if let Some(s) = c.status {
        if !status::is_valid(s) {
            return Err(invalid(
                "status",
                format!("{s} is not a user status (0-5, 7, 8)"),
            ));
        }
        user.status = s;
    }
    if let Some(s) = c.state {
        if !state::is_valid(s) {
            return Err(invalid("state", format!("{s} is not a user state (0-3)")));
        }
        user.state = s;
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
