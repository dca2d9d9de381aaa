//! The state every handler reaches: the store, the configuration, the clock and the fake's
//! memories (journal, faults, rate limits, the SAML service provider), shared behind an `Arc`.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use harness_clock::Clock;

use crate::config::Config;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::model::State as Snapshot;
use crate::ratelimit::RateLimiter;
use crate::store::{Principal, ScimDialect, Store};

/// Everything a request handler can reach.
pub(crate) struct AppState {
    pub store: RwLock<Store>,
    pub config: RwLock<Config>,
    pub clock: Clock,
    pub limiter: Arc<RateLimiter>,
    pub faults: Faults,
    pub journal: Journal,
    /// The SAML service provider's requests, consumed assertions, sessions and sign-ins.
    pub sp: crate::sso::Sp,
    /// `http://host:port`, fixed once the listener is bound.
    pub origin: String,
    /// [`AppState::scim_base`].
    pub scim_base: String,
    /// What `POST /__admin/reset` goes back to.
    pub start: RwLock<Start>,
    pub seed: Option<u64>,
    /// Bumped whenever the store is taken for writing, so a saver knows to save.
    pub changes: tokio::sync::watch::Sender<u64>,
    /// When set, `/__admin` and `/admin` require it (`serve` off loopback).
    pub admin_token: Option<String>,
    /// Where SAML's XML and RSA work runs: never on the async workers that serve SCIM.
    pub cpu: harness_server::CpuPool,
}

impl crate::sso::StoreAccess for AppState {
    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store()
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store_mut()
    }
}

pub(crate) type Shared = Arc<AppState>;

/// The fake as it started (the fixture or restored state, the profile and its switches, the rate
/// limits): a reset returns to all of it, so a switch turned off in one test is on again in the
/// next.
#[derive(Clone)]
pub(crate) struct Start {
    pub state: Snapshot,
    pub config: Config,
}

impl AppState {
    pub fn config(&self) -> Config {
        *self.config.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn start(&self) -> Start {
        self.start.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The store for writing. Marks a change: a saver waiting on `changes` will snapshot once
    /// this guard is dropped (its read lock waits for it).
    pub fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        let guard = self.store.write().unwrap_or_else(|e| e.into_inner());
        self.changes.send_modify(|n| *n += 1);
        guard
    }

    /// The context of a write made by `principal` now.
    pub fn write_context<'a>(
        &self,
        principal: &Principal,
        cfg: &'a Config,
    ) -> crate::store::WriteContext<'a> {
        crate::store::WriteContext {
            org: principal.org(),
            cfg,
            now: self.clock.now(),
            actor: principal.actor(),
        }
    }

    /// Whether the fake serves HTTPS: its cookies are then `Secure`.
    pub fn tls(&self) -> bool {
        self.origin.starts_with("https://")
    }

    /// How SCIM answers are shaped under the current configuration.
    pub fn dialect(&self) -> ScimDialect {
        ScimDialect::of(&self.config())
    }

    /// `…/api/1.0/scim`, made once: every SCIM answer's locations start with it.
    pub fn scim_base(&self) -> &str {
        &self.scim_base
    }
}
