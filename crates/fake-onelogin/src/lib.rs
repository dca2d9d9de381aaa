//! A fake OneLogin: the API v2 subset OneLogin's SDKs and scripts use, an Asana connector app
//! with its provisioning settings, and the provisioning queue with admin approval. Provisioning
//! goes through the reference provisioner to any SCIM base URL (the fake Asana by default).
//!
//! ```no_run
//! # async fn demo() {
//! use fake_asana::{FakeAsana, Scope};
//! use fake_onelogin::FakeOneLogin;
//! let asana = FakeAsana::start().await;
//! let onelogin = FakeOneLogin::builder().asana_scim_url(asana.scim_url()).start().await;
//! let sa = asana.create_service_account("OneLogin", Scope::Scim);
//! onelogin.configure_asana_app(|c| { c.token = Some(sa.token.clone()); c.enabled = true; });
//! onelogin.enable_api().await;
//! let ran = onelogin.run_provisioning().await;
//! # }
//! ```
//!
//! The map:
//! - [`model`]: users, roles, apps, provisioning settings, tasks, links, credentials.
//! - [`seed`]: seed files (users and roles), and what a fake starts with.
//! - `state`: what handlers, the engine and this handle share.
//! - `store`: the data, and every decision about it (see its module documentation for the
//!   trigger table, superseding and approvals).
//! - `engine`: runs the queue through the provisioner; the Enable test; Import.
//! - `sso`: the identity provider: keys, sessions, signed assertions.
//! - `tokens`: client credentials and access tokens on the harness clock.
//! - `http`: OAuth, OneLogin's API, `/__admin`, the console and sign-in pages, in OneLogin's
//!   shapes.
//!
//! Architecture invariant: the store never waits on the network. The engine claims a task under
//! the lock, releases it for the HTTP calls, and takes it again to record the result.

pub mod model;
pub mod seed;
pub mod tools;

mod engine;
mod http;
mod inbound;
mod outbound;
mod sso;
mod start_error;
mod state;
mod store;
mod tokens;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use harness_clock::Clock;
use harness_provisioner::{Provisioner, RetryPolicy};
use harness_server::{Listener, Server};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use state::{AppState, Shared};
use tokio::task::JoinHandle;

pub use model::{
    ApiScope, ApiStatus, App, Approvals, Connector, IssuerForm, Mapping, OnDelete, OnSuspend,
    OneLoginUser, Parameters, ProvisioningConfig, ProvisioningState, SchemaUrns,
    SignatureAlgorithm, SignatureElement, SsoConfig, State, Task, TaskAction, TaskStatus,
    UserState, UserStatus, default_asana_config,
};
pub use outbound::{OutboundExchange, TaskRun};
pub use sso::{PostForm, SsoError};
pub use start_error::StartError;
pub use store::events::EventType;
pub use store::retention::Retention;
pub use store::sso::{LoginRefusal, PASSWORD, RefusalCode, SsoRefusal};
pub use store::{StoreError, UserChanges};

/// The account id tokens report; a fake has one account.
pub const ACCOUNT_ID: u64 = 80_010;
/// The Asana connector's id in OneLogin's catalog (the value is the harness's).
pub const ASANA_CONNECTOR_ID: u64 = 60_866;
/// The API credential the fake starts with (scope Manage All), for clients and SDKs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// A running fake OneLogin. Dropping it stops the server and its worker.
pub struct FakeOneLogin {
    app: Shared,
    addr: SocketAddr,
    asana_app_id: u64,
    credentials: ApiCredentials,
    server: Server,
    worker: Option<JoinHandle<()>>,
}

#[derive(Clone)]
pub struct FakeOneLoginBuilder {
    clock: Option<Clock>,
    seed: Option<u64>,
    asana_scim_url: String,
    retry: RetryPolicy,
    journal_capacity: usize,
    credential: Option<ApiCredentials>,
    state: Option<State>,
    directory: Option<seed::Directory>,
    admin_token: Option<String>,
    idp_key: Option<(String, String)>,
    tls: Option<Arc<rustls::ServerConfig>>,
    /// A CA (PEM) the provisioner trusts besides the system's, for HTTPS targets.
    ca_certificate: Option<String>,
    allowed_hosts: Vec<String>,
    issuer_form: Option<IssuerForm>,
    retention: Retention,
}

impl Default for FakeOneLoginBuilder {
    fn default() -> Self {
        Self {
            clock: None,
            seed: None,
            // No default target: a fake that forgot its target must not reach a real service.
            asana_scim_url: String::new(),
            retry: RetryPolicy::default(),
            journal_capacity: 1000,
            credential: None,
            state: None,
            directory: None,
            admin_token: None,
            idp_key: None,
            tls: None,
            ca_certificate: None,
            allowed_hosts: Vec::new(),
            issuer_form: None,
            retention: Retention::default(),
        }
    }
}

impl FakeOneLoginBuilder {
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Makes credentials, tokens and retry jitter reproducible.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Where the Asana app provisions (its `scim_base_url`).
    pub fn asana_scim_url(mut self, url: impl Into<String>) -> Self {
        self.asana_scim_url = url.into();
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Starts with this Manage All credential instead of a random one (demos, fixed docs).
    pub fn api_credential(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credential = Some(ApiCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        });
        self
    }

    /// Starts from a saved state (`GET /__admin/state`, or `serve --state`): users, roles, the
    /// app's settings, the task queue with its pending approvals, credentials.
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// Requires this token on the admin API and console (Bearer, or Basic with it as password).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Seeds users and roles (ignored when starting from a state).
    pub fn directory(mut self, directory: seed::Directory) -> Self {
        self.directory = Some(directory);
        self
    }

    /// Signs SAML with this key and certificate (PEM) instead of one made on first use, so
    /// that runs repeat. A saved state that already has a certificate keeps its own.
    pub fn idp_key(
        mut self,
        private_key_pem: impl Into<String>,
        certificate_pem: impl Into<String>,
    ) -> Self {
        self.idp_key = Some((private_key_pem.into(), certificate_pem.into()));
        self
    }

    /// The Asana app's Issuer: OneLogin's own (the default) or the fake's local URL.
    pub fn issuer_form(mut self, form: IssuerForm) -> Self {
        self.issuer_form = Some(form);
        self
    }

    /// Serves HTTPS with this configuration (see `harness_tls::Ca::server_config`).
    pub fn tls(mut self, config: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Trusts this CA (PEM) when provisioning to an HTTPS target, besides the system's roots:
    /// a target whose certificate does not chain to either fails Enable with the TLS reason.
    pub fn ca_certificate(mut self, pem: impl Into<String>) -> Self {
        self.ca_certificate = Some(pem.into());
        self
    }

    pub fn journal_capacity(mut self, capacity: usize) -> Self {
        self.journal_capacity = capacity;
        self
    }

    /// Also answers requests addressed (`Host`) to these names (a CI or compose service); else
    /// loopback names only, or off loopback its address and name too (`harness_server::host`).
    pub fn allow_hosts<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.allowed_hosts.extend(names.into_iter().map(Into::into));
        self
    }

    /// Starts on a free port of 127.0.0.1; panics if it cannot (see [`try_start`](Self::try_start)).
    pub async fn start(self) -> FakeOneLogin {
        self.try_start()
            .await
            .unwrap_or_else(|e| panic!("the fake OneLogin could not start: {e}"))
    }

    pub async fn try_start(self) -> Result<FakeOneLogin, StartError> {
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("valid address");
        self.bind(addr).await
    }

    pub async fn bind(self, addr: SocketAddr) -> Result<FakeOneLogin, StartError> {
        let listener = harness_server::bind(addr).await.map_err(bind_error)?;
        self.serve(listener)
    }

    /// Serves on a listener the caller bound (so tests and `serve` choose the socket). A saved
    /// state or directory that does not fit together is an error, checked here once.
    pub fn serve(self, listener: TcpListener) -> Result<FakeOneLogin, StartError> {
        let listener = Listener::new(listener, self.tls).map_err(bind_error)?;
        let addr = listener.addr();
        let clock = self.clock.unwrap_or_default();
        let mut rng = match self.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        let now = clock.now();
        let (mut store, asana_app_id) = seed::initial_store(
            self.state,
            self.directory.as_ref(),
            &self.asana_scim_url,
            now,
        )?;
        store.set_retention(self.retention, now);
        if let Some((key, cert)) = self.idp_key {
            seed::install_idp_key(&mut store, asana_app_id, key, cert, now)?;
        }
        if let Some(form) = self.issuer_form {
            let mut sso = store.app(asana_app_id).expect("made above").sso.clone();
            sso.issuer_form = form;
            let set = store.set_sso(asana_app_id, sso, now);
            set.map_err(StartError::State)?;
        }
        let credentials = seed::starting_credential(&mut store, self.credential, &mut rng);
        let client = match &self.ca_certificate {
            None => Provisioner::default_client(&self.retry),
            Some(pem) => Provisioner::client_trusting(&self.retry, pem)
                .map_err(|e| StartError::Certificate(e.to_string()))?,
        };
        let provisioner = Provisioner::new(
            client,
            clock.clone(),
            self.retry,
            self.seed.unwrap_or(0x5eed),
        );
        let app = Arc::new(AppState {
            start: RwLock::new(store.snapshot()),
            store: RwLock::new(store),
            clock,
            tokens: tokens::Tokens::default(),
            rng: Mutex::new(rng),
            outbound: outbound::Outbound::new(self.journal_capacity),
            inbound: inbound::Inbound::new(self.journal_capacity),
            run_lock: tokio::sync::Mutex::new(()),
            provisioner,
            work: Notify::new(),
            progress: tokio::sync::watch::channel(0).0,
            changes: tokio::sync::watch::channel(0).0,
            admin_token: self.admin_token,
            origin: listener.origin(),
            idp: sso::Idp::default(),
        });
        let router = http::router(app.clone());
        let server = listener.serve(
            "fake OneLogin",
            router,
            &self.allowed_hosts,
            http::misdirected,
        );
        Ok(FakeOneLogin {
            app,
            addr,
            asana_app_id,
            credentials,
            server,
            worker: None,
        })
    }
}

fn bind_error(e: harness_server::BindError) -> StartError {
    StartError::Bind {
        addr: e.addr,
        source: e.source,
    }
}

impl FakeOneLogin {
    pub async fn start() -> FakeOneLogin {
        FakeOneLoginBuilder::default().start().await
    }

    pub fn builder() -> FakeOneLoginBuilder {
        FakeOneLoginBuilder::default()
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` when serving TLS): the API host, as OneLogin's SDKs
    /// take it.
    pub fn uri(&self) -> String {
        self.app.origin.clone()
    }

    /// The Manage All credential the fake starts with.
    pub fn api_credentials(&self) -> &ApiCredentials {
        &self.credentials
    }

    pub fn asana_app_id(&self) -> u64 {
        self.asana_app_id
    }

    /// The Asana app's provisioning settings.
    pub fn asana_config(&self) -> ProvisioningConfig {
        self.app
            .store()
            .app(self.asana_app_id)
            .expect("the Asana app exists")
            .provisioning
            .clone()
    }

    /// Makes the directory and app settings as they are now what `POST /__admin/reset` returns
    /// to (`serve` points the SSO connector at the fake Asana it bound first, then marks).
    pub fn mark_start(&self) {
        let now = self.app.store().snapshot();
        *self.app.start.write().unwrap_or_else(|e| e.into_inner()) = now;
    }

    /// Changes the Asana app's provisioning settings, as the admin console's Save does. A new
    /// token or URL puts the API status back to disabled until [`enable_api`](Self::enable_api).
    pub fn configure_asana_app(&self, change: impl FnOnce(&mut ProvisioningConfig)) {
        let now = self.app.clock.now();
        let mut store = self.app.store_mut();
        let mut next = store
            .app(self.asana_app_id)
            .expect("exists")
            .provisioning
            .clone();
        change(&mut next);
        store
            .set_provisioning(self.asana_app_id, next, now)
            .expect("exists");
        drop(store);
        self.app.kick();
    }

    /// Points apps that provisioned to `from` at `to` instead, keeping their connection status:
    /// the same fake Asana, restarted on another address.
    pub fn repoint_scim(&self, from: &str, to: &str) {
        let now = self.app.clock.now();
        self.app.store_mut().repoint_scim(from, to, now);
    }

    /// The Enable button: tests the connection and returns the resulting settings.
    pub async fn enable_api(&self) -> ProvisioningConfig {
        let app = engine::enable(&self.app, &self.app.provisioner, self.asana_app_id)
            .await
            .expect("exists");
        self.app.kick();
        app.provisioning
    }

    /// Ticks whenever the fake's data may have changed: what a saver waits on.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.app.changes.subscribe()
    }

    /// Processes the queue until nothing is runnable; returns what ran.
    pub async fn run_provisioning(&self) -> Vec<TaskRun> {
        engine::run_queue(&self.app, &self.app.provisioner).await
    }

    /// Provisions in the background whenever something becomes runnable, as OneLogin does.
    pub fn spawn_worker(&mut self) {
        if self.worker.is_some() {
            return;
        }
        let app = self.app.clone();
        self.worker = Some(tokio::spawn(async move {
            loop {
                app.work.notified().await;
                engine::run_queue(&app, &app.provisioner).await;
            }
        }));
        self.app.kick();
    }

    /// Waits, on the worker's progress and never on a timer, until no task is approved or in
    /// progress; without a worker (or a [`run_provisioning`](Self::run_provisioning)), forever.
    pub async fn settled(&self) {
        let mut progress = self.app.progress.subscribe();
        loop {
            if !self.app.store().has_runnable() {
                return;
            }
            if progress.changed().await.is_err() {
                return;
            }
        }
    }

    pub fn tasks(&self) -> Vec<Task> {
        self.app.store().tasks().cloned().collect()
    }

    pub fn task(&self, id: u64) -> Option<Task> {
        self.app.store().task(id).cloned()
    }

    pub fn user_by_email(&self, email: &str) -> Option<OneLoginUser> {
        self.app.store().user_by_email(email).cloned()
    }

    pub fn state(&self) -> State {
        self.app.store().snapshot()
    }

    /// The SCIM exchanges the fake made (Enable tests and tasks), oldest first.
    pub fn outbound_requests(&self) -> Vec<OutboundExchange> {
        self.app.outbound.entries()
    }

    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    pub async fn shutdown(mut self) {
        self.stop().await;
    }

    /// Stops the worker and the server, then waits for requests in flight: the caller bounds
    /// the wait (`serve` on SIGTERM) and can still read the state afterwards.
    pub async fn stop(&mut self) {
        self.stop_worker();
        self.server.stop().await;
    }

    fn stop_worker(&mut self) {
        if let Some(w) = self.worker.take() {
            w.abort();
        }
    }
}

/// The server stops when its handle drops; the worker is aborted here.
impl Drop for FakeOneLogin {
    fn drop(&mut self) {
        self.stop_worker();
    }
}
