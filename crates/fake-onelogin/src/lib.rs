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
//! - `store`: the data, and the rules that turn directory changes into tasks (see its module
//!   documentation for the trigger table, superseding and approvals).
//! - `engine`: runs the queue through the provisioner; the Enable test.
//! - `oauth`: client credentials and access tokens on the harness clock.
//! - `http`: OAuth, `/api/2`, `/__admin`, in OneLogin's error shapes.
//!
//! Architecture invariant: the store never waits on the network. The engine claims a task under
//! the lock, releases it for the HTTP calls, and takes it again to record the result.

pub mod directory;
pub mod model;
pub mod tools;

mod engine;
mod http;
mod idp;
mod oauth;
mod outbound;
mod sso;
mod start_error;
mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use harness_clock::Clock;
use harness_provisioner::{Provisioner, RetryPolicy};
use harness_server::{Listener, Server};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use model::{
    ApiScope, ApiStatus, App, Approvals, Connector, IssuerForm, Mapping, OnDelete, OnSuspend,
    OneLoginUser, Parameters, ProvisioningConfig, ProvisioningState, SchemaUrns,
    SignatureAlgorithm, SignatureElement, SsoConfig, State, Task, TaskAction, TaskStatus,
    default_asana_config,
};
pub use outbound::{OutboundExchange, TaskRun};
pub use sso::{PASSWORD, PostForm, SsoError};
pub use start_error::StartError;
pub use store::retention::Retention;
pub use store::sso::SsoRefusal;
pub use store::{StoreError, UserChanges};

/// The account id tokens report; a fake has one account.
pub const ACCOUNT_ID: u64 = 80_010;
/// The Asana connector's id in OneLogin's catalog (the value is the harness's).
pub const ASANA_CONNECTOR_ID: u64 = 60_866;
pub(crate) struct AppState {
    store: RwLock<store::Store>,
    clock: Clock,
    tokens: oauth::Tokens,
    rng: Mutex<StdRng>,
    outbound: outbound::Outbound,
    /// One queue run at a time.
    run_lock: tokio::sync::Mutex<()>,
    provisioner: Provisioner,
    /// Wakes the background worker, when there is one.
    work: Notify,
    /// Counts finished task runs, so callers can wait for the queue without sleeping.
    progress: tokio::sync::watch::Sender<u64>,
    /// Bumped whenever the store is taken for writing, so a saver knows to save.
    changes: tokio::sync::watch::Sender<u64>,
    /// When set, `/__admin` and `/admin` require it.
    admin_token: Option<String>,
    initial: State,
    /// `http://host:port`: the base of the IdP's issuer and endpoints.
    origin: String,
    /// Signing keys in memory, people's OneLogin sessions, and the pool signing runs on.
    idp: sso::Idp,
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    fn store(&self) -> RwLockReadGuard<'_, store::Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The store for writing. Marks a change: a saver waiting on `changes` snapshots once the
    /// guard is dropped (its read lock waits for it).
    fn store_mut(&self) -> RwLockWriteGuard<'_, store::Store> {
        let guard = self.store.write().unwrap_or_else(|e| e.into_inner());
        self.changes.send_modify(|n| *n += 1);
        guard
    }

    /// The credential scope behind an access token, while the token is live: what both API
    /// versions authorize by.
    fn token_scope(&self, token: &str) -> Option<model::ApiScope> {
        let grant = self.tokens.check(token, self.clock.now())?;
        self.store().credential(&grant.client_id).map(|c| c.scope)
    }

    /// Lets go of what the retention no longer keeps before a list is read, so that a log
    /// nobody wrote to for days shows its age (checked under the read lock first).
    fn sweep(&self) {
        let now = self.clock.now();
        if self.store().sweep_due(now) {
            self.store_mut().sweep(now);
        }
    }

    /// Something may have become runnable.
    fn kick(&self) {
        self.work.notify_one();
    }
}

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
    directory: Option<directory::Directory>,
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
    pub fn directory(mut self, directory: directory::Directory) -> Self {
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

    /// Also answers requests addressed (`Host`) to these names (a CI or compose service).
    /// Otherwise a fake bound to loopback answers only loopback names, and one bound beyond it
    /// also its address and the machine's name: a guard against DNS rebinding
    /// (`harness_server::host`).
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
        let (mut store, asana_app_id) = match self.state {
            Some(state) => {
                let mut store = store::Store::restore(state).map_err(StartError::State)?;
                let id = store
                    .apps()
                    .find(|a| a.connector_id == ASANA_CONNECTOR_ID)
                    .map(|a| a.id);
                let id = id.unwrap_or_else(|| {
                    store.add_app(
                        "Asana",
                        ASANA_CONNECTOR_ID,
                        default_asana_config(&self.asana_scim_url),
                        now,
                    )
                });
                (store, id)
            }
            None => {
                let mut store = store::Store::new();
                let id = store.add_app(
                    "Asana",
                    ASANA_CONNECTOR_ID,
                    default_asana_config(&self.asana_scim_url),
                    now,
                );
                if let Some(directory) = &self.directory {
                    directory
                        .apply(&mut store, now)
                        .map_err(StartError::Directory)?;
                }
                (store, id)
            }
        };
        store.set_retention(self.retention, now);
        if let Some((key, cert)) = self.idp_key {
            harness_saml::SigningKey::from_pem(&key, &cert)
                .map_err(|e| StartError::IdpKey(e.to_string()))?;
            let has = store
                .app(asana_app_id)
                .is_some_and(|a| !a.sso.certificates.is_empty());
            if !has {
                store
                    .add_certificate(asana_app_id, cert, key, now)
                    .map_err(|e| StartError::IdpKey(e.to_string()))?;
            }
        }
        if let Some(form) = self.issuer_form {
            let mut sso = store.app(asana_app_id).expect("made above").sso.clone();
            sso.issuer_form = form;
            let set = store.set_sso(asana_app_id, sso, now);
            set.map_err(|e| StartError::State(e.to_string()))?;
        }
        let credentials = match self.credential {
            Some(fixed) => {
                if store.credential(&fixed.client_id).is_none() {
                    store.add_credential(model::ApiCredential {
                        name: "harness".into(),
                        client_id: fixed.client_id.clone(),
                        secret_sha256: oauth::sha256_hex(&fixed.client_secret),
                        scope: ApiScope::ManageAll,
                    });
                }
                fixed
            }
            None => {
                let (credential, secret) =
                    oauth::new_credential(&mut rng, "harness", ApiScope::ManageAll);
                store.add_credential(credential.clone());
                ApiCredentials {
                    client_id: credential.client_id,
                    client_secret: secret,
                }
            }
        };
        let client = match &self.ca_certificate {
            None => Provisioner::default_client(&self.retry),
            Some(pem) => {
                Provisioner::client_trusting(&self.retry, pem).map_err(StartError::Certificate)?
            }
        };
        let provisioner = Provisioner::new(
            client,
            clock.clone(),
            self.retry,
            self.seed.unwrap_or(0x5eed),
        );
        let app = Arc::new(AppState {
            initial: store.snapshot(),
            store: RwLock::new(store),
            clock,
            tokens: oauth::Tokens::default(),
            rng: Mutex::new(rng),
            outbound: outbound::Outbound::new(self.journal_capacity),
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

    /// The Asana app's SSO tab.
    pub fn sso(&self) -> SsoConfig {
        self.app
            .store()
            .app(self.asana_app_id)
            .expect("the Asana app exists")
            .sso
            .clone()
    }

    /// Changes the Asana app's SSO settings (ACS URL, audience, signature algorithm and element,
    /// issuer form); its certificates change only through [`rotate_idp_certificate`](Self::rotate_idp_certificate).
    pub fn configure_sso(&self, change: impl FnOnce(&mut SsoConfig)) -> Result<(), StoreError> {
        let mut next = self.sso();
        change(&mut next);
        let now = self.app.clock.now();
        self.app.store_mut().set_sso(self.asana_app_id, next, now)
    }

    /// The Asana app's signing certificate in use, PEM (made now if it has none): what an admin
    /// downloads from the SSO tab and uploads to Asana.
    pub fn idp_certificate_pem(&self) -> String {
        idp::ensure_certificate(&self.app, self.asana_app_id).expect("the Asana app exists");
        self.sso().certificates[0].certificate.clone()
    }

    /// Makes the Asana app's signing key now, on a blocking thread, unless it has one: `serve`
    /// calls it at start so that readiness never waits on RSA key generation, and the first
    /// sign-in rarely does. A sign-in that comes first makes the key itself; only one is kept.
    pub fn prepare_idp_key(&self) -> JoinHandle<()> {
        let app = self.app.clone();
        let id = self.asana_app_id;
        tokio::task::spawn_blocking(move || {
            if let Err(e) = idp::ensure_certificate(&app, id) {
                tracing::error!(error = %e, "cannot make the IdP signing key");
            }
        })
    }

    /// Makes a new signing certificate and puts it in use; the old one stays listed.
    pub fn rotate_idp_certificate(&self) -> u64 {
        idp::rotate(&self.app, self.asana_app_id, None).expect("the Asana app exists")
    }

    /// The form the SSO endpoint would post to sign `user_id` in to Asana.
    pub fn assertion_form(
        &self,
        user_id: u64,
        in_response_to: Option<String>,
        relay_state: Option<String>,
    ) -> Result<PostForm, SsoError> {
        idp::assertion(
            &self.app,
            self.asana_app_id,
            user_id,
            in_response_to,
            relay_state,
            None,
        )
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
