//! The fake OneLogin's data: users, roles, apps, tasks, links and API credentials, with the
//! indices that keep lookups cheap, and the reads every layer makes. The rules live beside it,
//! one concern a file:
//!
//! - `users`, `roles`: writes to users (and apps given directly) and to roles, each followed by
//!   a reconcile of what it touches.
//! - `reconcile`: the trigger table: what Asana should hold, and the task that closes the gap.
//! - `queue`: tasks through their states, approvals, claiming and completing.
//! - `sso`: the SSO tab's settings and certificates, and who gets an assertion.
//! - `import`: import from the target: its users linked to OneLogin's by SCIM Username.
//! - `events`: the event log behind `GET /api/1/events`.
//! - `retention`: what is let go: events and finished tasks past the retention or the cap.
//! - `snapshot`: the whole store as `GET|PUT /__admin/state` shows it.
//! - `error`: the one `StoreError`.
//!
//! Handlers parse; the store decides.

mod error;
pub(crate) mod events;
pub(crate) mod import;
pub(crate) mod queue;
mod reconcile;
pub(crate) mod retention;
mod roles;
mod snapshot;
pub(crate) mod sso;
mod users;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use jiff::Timestamp;

use crate::model::*;

pub use error::StoreError;
use error::invalid;

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

/// The first id the fake hands out.
pub const FIRST_ID: u64 = 100_001;

pub struct Store {
    users: BTreeMap<u64, OneLoginUser>,
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
    /// (user, app) given directly, besides roles.
    direct: BTreeSet<(u64, u64)>,
    /// The event log (`GET /api/1/events`), oldest first; not kept in the state file.
    events: VecDeque<events::Event>,
    event_seq: u64,
    /// Finished tasks no longer the newest of their user and app, in the order they became so.
    history: retention::History,
    retention: retention::Retention,
    next_id: u64,
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
            direct: BTreeSet::new(),
            events: VecDeque::new(),
            event_seq: 0,
            history: retention::History::default(),
            retention: retention::Retention::default(),
            next_id: FIRST_ID,
        }
    }

    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    // -- reads ---------------------------------------------------------------------------------

    pub fn user(&self, id: u64) -> Option<&OneLoginUser> {
        self.users.get(&id)
    }

    pub fn users(&self) -> impl Iterator<Item = &OneLoginUser> {
        self.users.values()
    }

    pub fn user_by_email(&self, email: &str) -> Option<&OneLoginUser> {
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

    /// Whether any of the user's roles grants the app, or it was given to them directly.
    pub fn has_access(&self, user: u64, app: u64) -> bool {
        self.direct.contains(&(user, app))
            || self
                .roles
                .values()
                .any(|r| r.users.contains(&user) && r.apps.contains(&app))
    }

    /// Whether the app was given to the user directly.
    pub fn assigned_directly(&self, user: u64, app: u64) -> bool {
        self.direct.contains(&(user, app))
    }

    /// Users with access to the app, by id.
    pub fn app_users(&self, app: u64) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .roles
            .values()
            .filter(|r| r.apps.contains(&app))
            .flat_map(|r| r.users.iter().copied())
            .chain(
                self.direct
                    .iter()
                    .filter(|(_, a)| *a == app)
                    .map(|(u, _)| *u),
            )
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// `provisioning_state` for a user and app, from the open task or what the target holds.
    pub fn provisioning_state(&self, user: u64, app: u64) -> ProvisioningState {
        if let Some(task) = self.open_task(user, app) {
            return if task.status == TaskStatus::Pending {
                ProvisioningState::Pending
            } else {
                ProvisioningState::Provisioning
            };
        }
        if self
            .last_task(user, app)
            .is_some_and(|t| t.status == TaskStatus::Failed)
        {
            return ProvisioningState::Failed;
        }
        match self.link(user, app).map(|l| l.state) {
            Some(Provisioned::Active) => ProvisioningState::Provisioned,
            Some(Provisioned::Suspended) => ProvisioningState::Suspended,
            Some(Provisioned::Deleted) => ProvisioningState::Deprovisioned,
            None => ProvisioningState::Unknown,
        }
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
                sso: SsoConfig::default(),
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

    /// Saves an app's provisioning settings, as the console's Save does. A new token or SCIM URL
    /// puts the API status back to disabled: the admin must press Enable again, as in OneLogin.
    /// The API status itself is set only by Enable and by provisioning.
    pub fn set_provisioning(
        &mut self,
        app: u64,
        mut config: ProvisioningConfig,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let a = self
            .apps
            .get_mut(&app)
            .ok_or_else(|| StoreError::NotFound(format!("app {app}")))?;
        let before = &a.provisioning;
        if config.token != before.token || config.scim_base_url != before.scim_base_url {
            config.api_status = ApiStatus::Disabled;
            config.api_error = None;
        } else {
            config.api_status = before.api_status;
            config.api_error.clone_from(&before.api_error);
        }
        a.provisioning = config;
        a.updated_at = now;
        Ok(())
    }

    /// Points every app that provisioned to `from` at `to`, keeping its connection status: the
    /// same target, restarted on another address.
    pub fn repoint_scim(&mut self, from: &str, to: &str, now: Timestamp) {
        for a in self
            .apps
            .values_mut()
            .filter(|a| a.provisioning.scim_base_url == from)
        {
            a.provisioning.scim_base_url = to.to_owned();
            a.updated_at = now;
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new token or SCIM URL needs Enable again; any other change keeps the connection, and no
    /// caller can set the API status by saving settings.
    #[test]
    fn a_new_token_or_url_disconnects_and_nothing_else_does() {
        let now = harness_clock::DEFAULT_EPOCH;
        let mut store = Store::new();
        let mut config = crate::default_asana_config("http://asana.test/scim");
        config.token = Some("t1".into());
        let app = store.add_app("Asana", 1, config, now);
        store.set_api_status(app, ApiStatus::Connected, None, now);
        let current = |store: &Store| store.app(app).unwrap().provisioning.clone();

        let mut next = current(&store);
        next.enabled = true;
        next.api_status = ApiStatus::Failed;
        store.set_provisioning(app, next, now).unwrap();
        assert_eq!(current(&store).api_status, ApiStatus::Connected);

        let mut next = current(&store);
        next.token = Some("t2".into());
        store.set_provisioning(app, next, now).unwrap();
        assert_eq!(current(&store).api_status, ApiStatus::Disabled);

        store.set_api_status(app, ApiStatus::Connected, None, now);
        store.repoint_scim("http://asana.test/scim", "http://elsewhere.test/scim", now);
        assert_eq!(
            current(&store).api_status,
            ApiStatus::Connected,
            "a restart keeps it"
        );
        let mut next = current(&store);
        next.scim_base_url = "http://other.test/scim".into();
        store.set_provisioning(app, next, now).unwrap();
        assert_eq!(current(&store).api_status, ApiStatus::Disabled);
    }
}
