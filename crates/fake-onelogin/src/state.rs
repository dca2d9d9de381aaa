//! The shared state every handler, the engine and the handle get: the store behind its lock,
//! the clock, tokens, the outbound journal, the provisioner, the worker's signals, and the
//! identity provider's memory.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use harness_clock::Clock;
use harness_provisioner::Provisioner;
use rand::rngs::StdRng;
use tokio::sync::Notify;

use crate::inbound::Inbound;
use crate::model::{ApiScope, State};
use crate::outbound::Outbound;
use crate::sso::Idp;
use crate::store::Store;
use crate::tokens::Tokens;

pub(crate) struct AppState {
    pub(crate) store: RwLock<Store>,
    pub(crate) clock: Clock,
    pub(crate) tokens: Tokens,
    pub(crate) rng: Mutex<StdRng>,
    pub(crate) outbound: Outbound,
    /// The API calls answered, for `/__admin/api-requests`.
    pub(crate) inbound: Inbound,
    /// One queue run at a time.
    pub(crate) run_lock: tokio::sync::Mutex<()>,
    pub(crate) provisioner: Provisioner,
    /// Wakes the background worker, when there is one.
    pub(crate) work: Notify,
    /// Counts finished task runs, so callers can wait for the queue without sleeping.
    pub(crate) progress: tokio::sync::watch::Sender<u64>,
    /// Bumped whenever the store is taken for writing, so a saver knows to save.
    pub(crate) changes: tokio::sync::watch::Sender<u64>,
    /// When set, `/__admin` and `/admin` require it.
    pub(crate) admin_token: Option<String>,
    /// What `POST /__admin/reset` goes back to: the directory and every app's settings
    /// (provisioning, approvals, deletion policy, mappings, SSO) as the fake started.
    pub(crate) start: RwLock<State>,
    /// `http://host:port`: the base of the IdP's issuer and endpoints.
    pub(crate) origin: String,
    /// Signing keys in memory, people's OneLogin sessions, and the pool signing runs on.
    pub(crate) idp: Idp,
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    pub(crate) fn start(&self) -> State {
        self.start.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The store for writing. Marks a change: a saver waiting on `changes` snapshots once the
    /// guard is dropped (its read lock waits for it).
    pub(crate) fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        let guard = self.store.write().unwrap_or_else(|e| e.into_inner());
        self.changes.send_modify(|n| *n += 1);
        guard
    }

    /// The credential scope behind an access token, while the token is live: what both API
    /// versions authorize by.
    pub(crate) fn token_scope(&self, token: &str) -> Option<ApiScope> {
        let grant = self.tokens.check(token, self.clock.now())?;
        self.store().credential(&grant.client_id).map(|c| c.scope)
    }

    /// Lets go of what the retention no longer keeps before a list is read, so that a log
    /// nobody wrote to for days shows its age (checked under the read lock first).
    pub(crate) fn sweep(&self) {
        let now = self.clock.now();
        if self.store().sweep_due(now) {
            self.store_mut().sweep(now);
        }
    }

    /// Something may have become runnable.
    pub(crate) fn kick(&self) {
        self.work.notify_one();
    }
}
