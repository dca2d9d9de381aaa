//! A fake Asana: SCIM 2.0, service accounts and the REST subset provisioning touches, faithful
//! to the real service's documented behaviour and quirks.
//!
//! ```no_run
//! # async fn demo() {
//! use fake_asana::{FakeAsana, Scope};
//! let asana = FakeAsana::start().await;              // 127.0.0.1, a free port
//! let sa = asana.create_service_account("OneLogin", Scope::Scim);
//! let users = harness_tls::client::new()
//!     .get(format!("{}/Users", asana.scim_url()))
//!     .bearer_auth(&sa.token)
//!     .send().await.unwrap();
//! assert_eq!(users.status(), 200);
//! # }
//! ```
//!
//! The map:
//! - [`config`]: fidelity switches (each citing the fact it reproduces), profiles, rate limits.
//! - [`model`]: the organization's records, as `/__admin/state` shows them.
//! - `store`: the records with their indices, and what Asana does on each write; its refusals
//!   are one [`StoreError`].
//! - `state`: what every handler reaches, shared.
//! - `token`: token minting, digests and constant-time comparison.
//! - `ratelimit`, `faults`, `journal`: per-token limits on the harness clock, injected faults,
//!   and the bounded, redacted request journal.
//! - `sso`: the SAML service provider's memory (requests sent, assertions used, sessions,
//!   the sign-in journal, whose vocabulary is [`signin`]) and the ACS decision; the rules of
//!   who may sign in are the store's.
//! - `http`: routing, the API middleware, SCIM / REST / admin / sign-in handlers, error bodies.
//! - [`seed`]: seed files (YAML fixtures); also reachable as `fixture`, the name other crates
//!   import it by.
//!
//! Architecture invariant: handlers parse and render; every decision about what Asana would do
//! lives in the store, under one lock per operation.

pub mod config;
pub mod model;
pub mod seed;

mod faults;
mod http;
mod journal;
mod ratelimit;
mod sso;
mod state;
mod store;
mod token;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use harness_clock::Clock;
use harness_server::{Listener, Server};
use tokio::net::TcpListener;

pub use config::{Config, ConfigError, Profile, RateLimits, Switch};
pub use faults::{FaultError, FaultSpec};
pub use journal::JournalEntry;
pub use model::{
    AuditEvent, DeprovisionVia, Gid, MAX_USER_EVENTS, Organization, SamlMode, SamlSettings, Scope,
    State, UserRecord,
};
/// The seed files' module under the name fixtures are known by in scenario files and crates.
pub use seed as fixture;
pub use seed::{Fixture, FixtureError, SeededServiceAccount};
pub use sso::{ACS_PATH, ENTITY_ID, MAX_SESSIONS, PASSWORD, SignIn, signin};
pub use store::StoreError;
pub use token::TokenDigest;

/// A running fake Asana. Dropping it stops the server.
pub struct FakeAsana {
    app: state::Shared,
    addr: SocketAddr,
    seeded: Vec<SeededServiceAccount>,
    server: Server,
}

/// Credentials of a service account created through the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountCredentials {
    pub id: Gid,
    pub name: String,
    pub scope: Scope,
    pub token: String,
}

/// Options for [`FakeAsana`].
#[derive(Clone)]
pub struct FakeAsanaBuilder {
    profile: Profile,
    fixture: Option<Fixture>,
    state: Option<State>,
    clock: Option<Clock>,
    seed: Option<u64>,
    rate_limits: Option<RateLimits>,
    journal_capacity: usize,
    admin_token: Option<String>,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
    allowed_hosts: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    #[error("cannot restore the saved state: {0}")]
    State(StoreError),
}

impl Default for FakeAsanaBuilder {
    fn default() -> Self {
        Self {
            profile: Profile::Asana,
            fixture: None,
            state: None,
            clock: None,
            seed: None,
            rate_limits: None,
            admin_token: None,
            journal_capacity: journal::DEFAULT_CAPACITY,
            tls: None,
            allowed_hosts: Vec::new(),
        }
    }
}

impl FakeAsanaBuilder {
    /// `asana` (default) or `rfc`.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Seeds organizations, users, teams and service accounts. Without one, the fake has a
    /// single empty organization, "Acme Corp" on `acme.test`.
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = Some(fixture);
        self
    }

    /// Starts from a saved state (`GET /__admin/state`, or `serve --state`) instead of a
    /// fixture. Tokens come back as digests: the same tokens keep working.
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// The clock for rate limits, timestamps and fault delays. Default: the system clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Serves HTTPS with this configuration (see `harness_tls::Ca::server_config`); the
    /// URLs become `https://`.
    pub fn tls(mut self, config: std::sync::Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Makes minted tokens reproducible.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    /// Requires this token on the admin API and console (Bearer, or Basic with it as password).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    pub fn journal_capacity(mut self, capacity: usize) -> Self {
        self.journal_capacity = capacity.max(1);
        self
    }

    /// Also answers requests addressed (`Host`) to these names (a CI or compose service).
    /// Otherwise a fake bound to loopback answers only loopback names, and one bound beyond it
    /// also its address and the machine's name: a guard against DNS rebinding
    /// (`harness_server::host`).
    pub fn allow_hosts<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.allowed_hosts.extend(names.into_iter().map(Into::into));
        self
    }

    /// Starts on `127.0.0.1` and a free port. Panics if that fails, as a test helper should.
    pub async fn start(self) -> FakeAsana {
        self.try_start()
            .await
            .expect("the fake Asana could not start")
    }

    /// Starts on `127.0.0.1` and a free port, reporting a bad fixture instead of panicking.
    pub async fn try_start(self) -> Result<FakeAsana, StartError> {
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("valid address");
        self.bind(addr).await
    }

    pub async fn bind(self, addr: SocketAddr) -> Result<FakeAsana, StartError> {
        let listener = harness_server::bind(addr).await.map_err(bind_error)?;
        self.serve(listener)
    }

    /// Serves on a listener the caller bound (so tests and `serve` choose the socket).
    pub fn serve(self, listener: TcpListener) -> Result<FakeAsana, StartError> {
        let listener = Listener::new(listener, self.tls).map_err(bind_error)?;
        let addr = listener.addr();
        let clock = self.clock.unwrap_or_default();
        let (store, seeded) = match self.state {
            Some(state) => (
                store::Store::restore(state, self.seed).map_err(StartError::State)?,
                Vec::new(),
            ),
            None => self
                .fixture
                .unwrap_or_else(Fixture::default_organization)
                .build(self.seed, clock.now())?,
        };
        let mut config = Config::new(self.profile);
        if let Some(limits) = self.rate_limits {
            config.rate_limit = limits;
        }
        let app = Arc::new(state::AppState {
            start: RwLock::new(state::Start {
                state: store.snapshot(),
                config,
            }),
            store: RwLock::new(store),
            config: RwLock::new(config),
            clock,
            limiter: Default::default(),
            faults: faults::Faults::new(self.seed),
            journal: journal::Journal::with_capacity(self.journal_capacity),
            sp: sso::Sp::new(self.journal_capacity),
            cpu: harness_server::CpuPool::for_this_machine(),
            scim_base: format!("{}/api/1.0/scim", listener.origin()),
            origin: listener.origin(),
            seed: self.seed,
            changes: tokio::sync::watch::channel(0).0,
            admin_token: self.admin_token,
        });
        let front = http::front(app.clone());
        let server = listener.serve("fake Asana", front, &self.allowed_hosts, http::misdirected);
        Ok(FakeAsana {
            app,
            addr,
            seeded,
            server,
        })
    }
}

fn bind_error(e: harness_server::BindError) -> StartError {
    StartError::Bind {
        addr: e.addr,
        source: e.source,
    }
}

impl FakeAsana {
    /// A fake with the defaults: `asana` profile, one empty organization, the system clock.
    pub async fn start() -> FakeAsana {
        FakeAsanaBuilder::default().start().await
    }

    pub fn builder() -> FakeAsanaBuilder {
        FakeAsanaBuilder::default()
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn uri(&self) -> String {
        self.app.origin.clone()
    }

    /// The REST base, `…/api/1.0`, as Asana's SDKs call their host.
    pub fn base_url(&self) -> String {
        format!("{}/api/1.0", self.app.origin)
    }

    /// The SCIM base, `…/api/1.0/scim`.
    pub fn scim_url(&self) -> String {
        self.app.scim_base().to_owned()
    }

    /// Creates a service account in the default organization and returns its token.
    pub fn create_service_account(&self, name: &str, scope: Scope) -> ServiceAccountCredentials {
        let now = self.app.clock.now();
        let mut store = self.app.store_mut();
        let org = store
            .default_org()
            .expect("a fake always has an organization");
        let (sa, token) = store
            .create_service_account(org, name, scope, now, None)
            .expect("a minted token is new");
        ServiceAccountCredentials {
            id: sa.gid,
            name: sa.name,
            scope,
            token,
        }
    }

    /// Deauthorizes a service account: its token stops working at once.
    pub fn deauthorize_service_account(&self, id: Gid) -> bool {
        self.app.store_mut().delete_service_account(id).is_ok()
    }

    /// Whether a token would be accepted now.
    pub fn accepts_token(&self, token: &str) -> bool {
        self.app
            .store()
            .authenticate(&token::TokenDigest::of(token))
            .is_some()
    }

    /// Ticks whenever the fake's data may have changed: what a saver waits on.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.app.changes.subscribe()
    }

    /// The service accounts the fixture created, with their tokens.
    pub fn seeded_service_accounts(&self) -> &[SeededServiceAccount] {
        &self.seeded
    }

    /// Every organization, user, team and service account (tokens as digests only).
    pub fn state(&self) -> State {
        self.app.store().snapshot()
    }

    /// The default organization's records.
    pub fn organization(&self) -> Organization {
        let state = self.state();
        state
            .organizations
            .into_iter()
            .next()
            .expect("a fake always has an organization")
    }

    /// A user of the default organization by userName (any case), guests and deprovisioned
    /// users included.
    pub fn user(&self, user_name: &str) -> Option<UserRecord> {
        let store = self.app.store();
        let org = store.default_org()?;
        store.resolve_user(org, user_name).cloned()
    }

    pub fn config(&self) -> Config {
        self.app.config()
    }

    /// Changes switches, profile or rate limits.
    pub fn configure(&self, change: impl FnOnce(&mut Config)) {
        change(&mut self.app.config.write().unwrap_or_else(|e| e.into_inner()));
    }

    /// Makes the records and configuration as they are now what `POST /__admin/reset` returns
    /// to, for a starter that configures the fake after binding it (switches have no builder
    /// method).
    pub fn mark_start(&self) {
        let start = state::Start {
            state: self.app.store().snapshot(),
            config: self.app.config(),
        };
        *self.app.start.write().unwrap_or_else(|e| e.into_inner()) = start;
    }

    /// Adds a fault; see [`FaultSpec`].
    pub fn inject_fault(&self, fault: FaultSpec) -> Result<(), FaultError> {
        fault.validate()?;
        self.app.faults.add(fault);
        Ok(())
    }

    /// The SCIM and REST exchanges so far (bounded, secrets redacted).
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.app.journal.entries()
    }

    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    /// The ACS URL an IdP posts to, `…/-/saml/consume`.
    pub fn acs_url(&self) -> String {
        format!("{}{}", self.app.origin, sso::ACS_PATH)
    }

    /// The SP-initiated sign-in URL of the default organization, `…/a/<domain>`.
    pub fn sign_on_url(&self) -> String {
        let domain = self
            .organization()
            .domains
            .first()
            .cloned()
            .unwrap_or_default();
        format!("{}/a/{domain}", self.app.origin)
    }

    /// Sets the default organization's SAML settings, checked as the Security tab checks them.
    pub fn set_saml(&self, settings: SamlSettings) -> Result<(), StoreError> {
        let mut store = self.app.store_mut();
        let org = store
            .default_org()
            .expect("a fake always has an organization");
        store.set_saml_settings(org, settings)
    }

    /// Every sign-in attempt so far (bounded), oldest first.
    pub fn sign_ins(&self) -> Vec<SignIn> {
        self.app.sp.sign_ins()
    }

    /// Stops the server and waits for open connections to finish.
    pub async fn shutdown(mut self) {
        self.stop().await;
    }

    /// Stops the server, then waits for requests in flight: the caller bounds the wait (`serve`
    /// on SIGTERM) and can still read the state afterwards.
    pub async fn stop(&mut self) {
        self.server.stop().await;
    }
}
