//! A reference provisioner: turns provisioning tasks into SCIM calls the way OneLogin does, against
//! any SCIM 2.0 base URL (the fake Asana, another implementation, or a real Asana).
//!
//! What "the way OneLogin does" means here (fidelity/onelogin §4, from replays and logs of real
//! OneLogin traffic):
//! - `Content-Type: application/scim+json`, `Authorization: Bearer <token>`, an empty
//!   `User-Agent`; filters with `+` for spaces and a trailing `&`; PUT URLs ending in a bare `?`.
//! - Enable (connection test): `GET /Users?filter=userName eq "never-existing-user"`, which must
//!   answer a ListResponse.
//! - Bodies name OneLogin's own schema URNs (`urn:scim:schemas:core:2.0`), or RFC 7643's when
//!   the target needs them ([`SchemaUrns`]).
//! - Enable (Asana connector): the userName probe. The generic SCIM app also discovers groups:
//!   `GET /Groups?count=100&startIndex=1`.
//! - Create: look the userName up, then POST; if the user exists, adopt it with a PUT of the full
//!   body. Update: look up, then PUT the full body. Suspend: PUT with `active:false`. Reactivate:
//!   PUT with `active:true`. Delete: look up, then DELETE.
//! - Every write after the create addresses the user by the id the target gave when it was
//!   created or adopted ([`Task::scim_id`]), whatever the lookup finds: a renamed user (the
//!   lookup is by the new userName) and a guest (invisible to lookups) are still reached. Without
//!   a stored id the lookup's answer is used; when there is neither, the task fails with that
//!   reason and nothing is reported done that was not.
//! - Retries: a 429 waits exactly `Retry-After`; 5xx and connection errors back off exponentially
//!   with jitter from a seeded RNG, up to a cap and an attempt count; other 4xx fail at once; a
//!   401 fails at once and says so, so the caller can mark the connection failed. OneLogin's own
//!   retry policy is undocumented ([U] fidelity/onelogin §4), so the policy is configurable.
//!
//! All waiting goes through the [`Clock`]: with a manual clock, retries take no wall time.
//!
//! Architecture invariant: this crate knows nothing of OneLogin's HTTP API, its users or its
//! queue. It gets a [`Task`] and a [`Target`], and returns a [`Report`].

mod dialect;
mod retry;
mod wire;

use std::sync::Mutex;
use std::time::Duration;

use harness_clock::Clock;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use serde_json::Value;

pub use dialect::{SchemaUrns, UserPayload, user_body};
pub use retry::RetryPolicy;
pub use wire::{Exchange, Failure};
use wire::{SCIM_MEDIA_TYPE, garbage};

/// Where to provision: a SCIM base URL (no trailing slash needed), a bearer token, and the
/// schema URNs the target takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub base_url: String,
    pub token: String,
    pub schema_urns: SchemaUrns,
}

impl Target {
    /// A target that takes OneLogin's own schema URNs, as Asana does.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        Target {
            base_url: base_url.into(),
            token: token.into(),
            schema_urns: SchemaUrns::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Suspend,
    Reactivate,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub action: Action,
    pub user: UserPayload,
    /// The target's id for the user, as stored when it was created or adopted. A create ignores
    /// it (the user may have been deleted since); every other action writes to it.
    pub scim_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// Done. `scim_id` is the target's id for the user, when one is known.
    Provisioned {
        scim_id: Option<String>,
        note: Option<String>,
    },
    Failed(Failure),
}

/// Why a client trusting a given CA could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("not a PEM certificate: {0}")]
    NotCertificate(reqwest::Error),
    #[error("{0}")]
    Build(reqwest::Error),
}

/// What running a task did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub outcome: Outcome,
    /// HTTP requests sent for the task, retries included.
    pub requests: u32,
    pub exchanges: Vec<Exchange>,
}

/// The provisioner. Cheap to clone the client it holds; build one and share it.
pub struct Provisioner {
    client: reqwest::Client,
    clock: Clock,
    policy: RetryPolicy,
    rng: Mutex<StdRng>,
}

/// The userName OneLogin looks up when it tests a connection (fidelity/onelogin §4, S6).
pub const PROBE_USER_NAME: &str = "never-existing-user";

impl Provisioner {
    /// `seed` drives retry jitter, so a run with the same seed waits the same way.
    pub fn new(client: reqwest::Client, clock: Clock, policy: RetryPolicy, seed: u64) -> Self {
        Self {
            client,
            clock,
            policy,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    /// A client configured the way the provisioner needs: an empty User-Agent and a timeout.
    pub fn default_client(policy: &RetryPolicy) -> reqwest::Client {
        harness_tls::client::builder()
            .timeout(policy.request_timeout)
            .build()
            .expect("a plain HTTP client always builds")
    }

    /// The default client, also trusting the CA in `pem` (for a target on HTTPS with the
    /// harness's own CA, or a sandbox behind a corporate one).
    pub fn client_trusting(
        policy: &RetryPolicy,
        pem: &str,
    ) -> Result<reqwest::Client, ClientError> {
        let ca =
            reqwest::Certificate::from_pem(pem.as_bytes()).map_err(ClientError::NotCertificate)?;
        harness_tls::client::builder()
            .timeout(policy.request_timeout)
            .add_root_certificate(ca)
            .build()
            .map_err(ClientError::Build)
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Reads every user of the target, for OneLogin's import (fidelity/asana §1.7 [C]: Asana
    /// supports import with OneLogin).
    pub async fn list_users(
        &self,
        target: &Target,
    ) -> (Result<Vec<Value>, Failure>, Vec<Exchange>) {
        let mut run = Run::new(self, target);
        let result = run.all_users().await;
        (result, run.exchanges)
    }

    /// The connection test behind OneLogin's Enable button: the userName probe and, for the
    /// generic SCIM app, group discovery (fidelity/onelogin §4, S6). Either refused fails it.
    pub async fn test_connection(
        &self,
        target: &Target,
        discover_groups: bool,
    ) -> (Result<(), Failure>, Vec<Exchange>) {
        let mut run = Run::new(self, target);
        let mut result = run.lookup(PROBE_USER_NAME).await.map(|_| ());
        if result.is_ok() && discover_groups {
            result = run.discover_groups().await;
        }
        (result, run.exchanges)
    }

    /// Runs one task to its end: provisioned, or failed with the reason.
    pub async fn run(&self, target: &Target, task: &Task) -> Report {
        let mut run = Run::new(self, target);
        let outcome = match run.task(task).await {
            Ok(outcome) => outcome,
            Err(failure) => Outcome::Failed(failure),
        };
        Report {
            outcome,
            requests: run.requests,
            exchanges: run.exchanges,
        }
    }
}

/// What one try came to, when it is not a failure.
enum Next {
    Answer(Value),
    RetryAfter(Duration),
}

/// The state of one task's run: its exchanges and request count.
struct Run<'a> {
    p: &'a Provisioner,
    target: &'a Target,
    requests: u32,
    exchanges: Vec<Exchange>,
}

impl<'a> Run<'a> {
    fn new(p: &'a Provisioner, target: &'a Target) -> Self {
        Run {
            p,
            target,
            requests: 0,
            exchanges: Vec::new(),
        }
    }

    async fn task(&mut self, task: &Task) -> Result<Outcome, Failure> {
        let user = &task.user;
        let urns = self.target.schema_urns;
        // The lookup goes out as OneLogin's traffic shows it (S6, S7), for every action.
        let found = self.lookup(&user.user_name).await?;
        if task.action == Action::Create {
            return match found {
                None => {
                    let body = user_body(user, true, urns);
                    let created = self
                        .send(reqwest::Method::POST, "/Users", Some(body))
                        .await?;
                    let id = scim_id(&created)
                        .ok_or_else(|| garbage("POST /Users answered without an id"))?;
                    Ok(Outcome::Provisioned {
                        scim_id: Some(id),
                        note: None,
                    })
                }
                // The user already exists at the target: adopt it and bring it up to date.
                Some(id) => {
                    self.put(&id, user_body(user, true, urns)).await?;
                    Ok(Outcome::Provisioned {
                        scim_id: Some(id),
                        note: Some("adopted an existing user".into()),
                    })
                }
            };
        }
        // The id stored at create or adoption wins over the lookup: a rename or a guest still
        // reaches the same user, and no second user is ever made.
        let Some(id) = task.scim_id.clone().or(found) else {
            let what = match task.action {
                Action::Delete => "nothing was deleted",
                Action::Suspend => "nothing was suspended",
                _ => "nothing was changed",
            };
            return Err(Failure {
                status: None,
                detail: format!(
                    "{} was not found in the target and no id is stored for it; {what}",
                    user.user_name
                ),
                unauthorized: false,
            });
        };
        if task.action == Action::Delete {
            self.send(
                reqwest::Method::DELETE,
                &format!("/Users/{}", dialect::path_segment(&id)),
                None,
            )
            .await?;
        } else {
            let active = task.action != Action::Suspend;
            self.put(&id, user_body(user, active, urns)).await?;
        }
        Ok(Outcome::Provisioned {
            scim_id: Some(id),
            note: None,
        })
    }

    /// `GET /Groups?count=100&startIndex=1`: the generic SCIM app's group discovery, which must
    /// answer a ListResponse.
    async fn discover_groups(&mut self) -> Result<(), Failure> {
        let list = self
            .send(reqwest::Method::GET, "/Groups?count=100&startIndex=1", None)
            .await?;
        if list.get("totalResults").is_some_and(Value::is_u64) {
            Ok(())
        } else {
            Err(garbage(
                "group discovery did not answer a SCIM ListResponse",
            ))
        }
    }

    /// Every user of the target, a page of 100 at a time (`GET /Users?count=100&startIndex=N`,
    /// fidelity/onelogin §4, S6), until `totalResults` are read or a page comes back empty.
    async fn all_users(&mut self) -> Result<Vec<Value>, Failure> {
        const PAGE: usize = 100;
        /// A target that keeps paging forever is refused rather than followed.
        const MAX_PAGES: usize = 10_000;
        let mut users = Vec::new();
        for _ in 0..MAX_PAGES {
            let path = format!("/Users?count={PAGE}&startIndex={}", users.len() + 1);
            let list = self.send(reqwest::Method::GET, &path, None).await?;
            let total = list
                .get("totalResults")
                .and_then(Value::as_u64)
                .ok_or_else(|| garbage("the user list did not answer a SCIM ListResponse"))?;
            let page = list["Resources"].as_array().cloned().unwrap_or_default();
            let empty = page.is_empty();
            users.extend(page);
            if empty || users.len() as u64 >= total {
                return Ok(users);
            }
        }
        Err(garbage("the user list did not end after 10,000 pages"))
    }

    /// `GET /Users?filter=userName+eq+"…"&`: the target's id for the user, if any.
    async fn lookup(&mut self, user_name: &str) -> Result<Option<String>, Failure> {
        let path = format!("/Users?{}", dialect::user_name_filter(user_name));
        let list = self.send(reqwest::Method::GET, &path, None).await?;
        let resources = match (&list["Resources"], list.get("totalResults")) {
            (Value::Array(r), Some(t)) if t.is_u64() => r,
            (Value::Null, Some(t)) if t.as_u64() == Some(0) => return Ok(None),
            _ => {
                return Err(garbage(
                    "the user lookup did not answer a SCIM ListResponse",
                ));
            }
        };
        let matching = resources.iter().find(|r| {
            r.get("userName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(user_name))
        });
        match matching.or(resources.first()) {
            None => Ok(None),
            Some(r) => scim_id(r)
                .map(Some)
                .ok_or_else(|| garbage("a listed user has no id")),
        }
    }

    async fn put(&mut self, id: &str, body: Value) -> Result<Value, Failure> {
        // OneLogin's PUT URLs end in a bare `?` (fidelity/onelogin §4, S7).
        let path = format!("/Users/{}?", dialect::path_segment(id));
        self.send(reqwest::Method::PUT, &path, Some(body)).await
    }

    /// Sends one request, retrying as the policy says. Returns the parsed body of a 2xx.
    async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        let url = format!("{}{}", self.target.base_url.trim_end_matches('/'), path);
        let mut tries = 0u32;
        loop {
            tries += 1;
            self.requests += 1;
            let wait = match self
                .attempt(&method, &url, path, body.as_ref(), tries)
                .await?
            {
                Next::Answer(value) => return Ok(value),
                Next::RetryAfter(wait) => wait,
            };
            tracing::debug!(%method, %url, tries, wait_ms = wait.as_millis() as u64, "retrying");
            self.p.clock.sleep(wait).await;
        }
    }

    /// One try: the request, its exchange journaled, and what comes next.
    async fn attempt(
        &mut self,
        method: &reqwest::Method,
        url: &str,
        path: &str,
        body: Option<&Value>,
        tries: u32,
    ) -> Result<Next, Failure> {
        let mut request = self
            .p
            .client
            .request(method.clone(), url)
            .bearer_auth(&self.target.token)
            .header(reqwest::header::USER_AGENT, "")
            .header(reqwest::header::ACCEPT, SCIM_MEDIA_TYPE);
        if let Some(b) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, SCIM_MEDIA_TYPE)
                .body(serde_json::to_vec(b).expect("JSON serializes"));
        }
        let mut exchange = Exchange::sent(method.as_str(), url, body);
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let reason = wire::connection_error(&e);
                exchange.error = Some(reason.clone());
                self.exchanges.push(exchange);
                let failure = Failure {
                    status: None,
                    detail: reason,
                    unauthorized: false,
                };
                return self.backoff(tries, failure).map(Next::RetryAfter);
            }
        };
        let status = response.status().as_u16();
        let retry_after = retry::retry_after(response.headers());
        exchange.response_content_type = wire::content_type(response.headers());
        let bytes = response.bytes().await;
        exchange.status = Some(status);
        let (parsed, cut_off) = wire::parse_body(bytes.as_deref());
        exchange.error = cut_off;
        exchange.response_body = (!parsed.is_null()).then(|| parsed.clone());
        self.exchanges.push(exchange);
        if (200..300).contains(&status) {
            if bytes.is_err() {
                return Err(garbage("the response body was cut off"));
            }
            if parsed.is_string() {
                return Err(garbage(&format!(
                    "{method} {path} answered {status} with a body that is not JSON"
                )));
            }
            return Ok(Next::Answer(parsed));
        }
        self.refused(status, &parsed, retry_after, tries)
    }

    /// A status other than 2xx: retried after `Retry-After` (429) or a backoff (429 without
    /// it, 5xx) while tries remain; any other fails at once.
    fn refused(
        &self,
        status: u16,
        parsed: &Value,
        retry_after: Option<Duration>,
        tries: u32,
    ) -> Result<Next, Failure> {
        let failure = Failure {
            status: Some(status),
            detail: wire::error_detail(status, parsed),
            unauthorized: status == 401,
        };
        let wait = match status {
            429 => match retry_after {
                Some(wait) if tries < self.p.policy.max_attempts => wait,
                None => self.backoff(tries, failure)?,
                Some(_) => return Err(failure),
            },
            500..=599 => self.backoff(tries, failure)?,
            _ => return Err(failure),
        };
        Ok(Next::RetryAfter(wait))
    }

    /// The wait before the next try, or the failure when the attempts are used up.
    fn backoff(&self, tries: u32, failure: Failure) -> Result<Duration, Failure> {
        if tries >= self.p.policy.max_attempts {
            return Err(failure);
        }
        let mut rng = self.p.rng.lock().unwrap_or_else(|e| e.into_inner());
        Ok(self.p.policy.backoff(tries, &mut *rng))
    }
}

fn scim_id(resource: &Value) -> Option<String> {
    match resource.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        // Asana's documentation once showed a numeric id (fidelity/asana §1.5).
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
