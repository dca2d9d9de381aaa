//! The runner's state: the fakes, the clock, what is bound, what was seen. Private behind the
//! few calls steps make: requests to either fake (each kept in the transcript as it should be),
//! the queue settled, names bound, the clock moved.

use std::collections::BTreeMap;

use fake_asana::FakeAsana;
use fake_onelogin::FakeOneLogin;
use harness_clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::bindings::Bindings;
use super::browser::SsoMemory;
use super::log::{ExchangeLog, Hop, Message, TargetExchange, Transcript, content_type};
use super::options::{ExternalTarget, RunOptions};
use super::outcome::{Halt, Skip, fail, mismatch};
use crate::format::Duration;
use crate::report::StepFailure;

/// The fixture IdP key pair every scenario's OneLogin signs with (`fixtures/saml`).
const IDP_KEY: &str = include_str!("../../../../fixtures/saml/idp.key.pem");
const IDP_CERTIFICATE: &str = include_str!("../../../../fixtures/saml/idp.cert.pem");

/// Where a run's Asana is: the fake it started, or an external endpoint's URLs.
pub(crate) struct AsanaSide {
    pub(crate) fake: Option<FakeAsana>,
    pub(crate) scim_url: String,
    pub(crate) rest_url: String,
}

/// One scenario's world, driven a step at a time.
pub(crate) struct Runner {
    asana: Option<FakeAsana>,
    onelogin: FakeOneLogin,
    client: reqwest::Client,
    clock: Clock,
    external: Option<ExternalTarget>,
    scim_url: String,
    rest_url: String,
    /// OneLogin's API access token.
    token: String,
    bindings: Bindings,
    /// The exchanges with the SCIM target, from the harness's side.
    exchanges: ExchangeLog,
    /// The newest outbound exchange of the fake OneLogin already collected.
    outbound_seen: u64,
    transcript: Transcript,
    /// Sign-ins so far, and the browser client.
    sso: SsoMemory,
    /// Against an external endpoint: (resource, id, name) of what this run created there.
    created: Vec<(&'static str, String, String)>,
}

impl Runner {
    /// The HTTP client, trusting `--ca-cert` when given.
    pub(super) fn client_for(options: &RunOptions) -> Result<reqwest::Client, Halt> {
        let ca_cert = options.external.as_ref().and_then(|t| t.ca_cert.as_ref());
        let Some(pem) = ca_cert else {
            return Ok(harness_tls::client::new());
        };
        Ok(reqwest::Certificate::from_pem(pem.as_bytes())
            .and_then(|ca| {
                harness_tls::client::builder()
                    .add_root_certificate(ca)
                    .build()
            })
            .map_err(|e| fail(format!("--ca-cert: {e}")))?)
    }

    /// Starts the fake OneLogin, pointed at `asana`, and signs in to its API.
    pub(super) async fn launch(
        options: &RunOptions,
        seed: u64,
        clock: Clock,
        client: reqwest::Client,
        asana: AsanaSide,
    ) -> Result<Runner, Halt> {
        let mut onelogin = FakeOneLogin::builder();
        if let Some(pem) = options.external.as_ref().and_then(|t| t.ca_cert.clone()) {
            onelogin = onelogin.ca_certificate(pem);
        }
        let onelogin = onelogin
            .clock(clock.clone())
            .seed(seed)
            // A fixed IdP key: runs repeat, and no run waits for a key to be made.
            .idp_key(IDP_KEY, IDP_CERTIFICATE)
            .asana_scim_url(asana.scim_url.clone())
            .start()
            .await;
        let token = Runner::access_token(&client, &onelogin).await?;
        let bindings = Bindings::new(BTreeMap::from([
            (
                "asana",
                json!({"scim_url": asana.scim_url, "base_url": asana.rest_url}),
            ),
            (
                "onelogin",
                json!({"base_url": onelogin.uri(), "asana_app_id": onelogin.asana_app_id()}),
            ),
        ]));
        Ok(Runner {
            asana: asana.fake,
            onelogin,
            client,
            clock,
            external: options.external.clone(),
            scim_url: asana.scim_url,
            rest_url: asana.rest_url,
            token,
            bindings,
            exchanges: ExchangeLog::default(),
            outbound_seen: 0,
            transcript: Transcript::new(options.transcript, options.har),
            sso: SsoMemory::default(),
            created: Vec::new(),
        })
    }

    pub(super) async fn stop(self) {
        self.onelogin.shutdown().await;
        if let Some(a) = self.asana {
            a.shutdown().await;
        }
    }

    // -- what steps read and change ----------------------------------------------------------

    pub(crate) fn onelogin(&self) -> &FakeOneLogin {
        &self.onelogin
    }

    /// The fake Asana, when the run has one (not against an external endpoint).
    pub(crate) fn fake_asana(&self) -> Option<&FakeAsana> {
        self.asana.as_ref()
    }

    /// The fake Asana, or a skip: `what` needs its admin side.
    pub(crate) fn asana(&self, what: &str) -> Result<&FakeAsana, Halt> {
        self.asana.as_ref().ok_or_else(|| {
            Halt::Skipped(Skip(format!(
                "{what} needs the fake Asana's admin side, which an external endpoint does not have"
            )))
        })
    }

    pub(crate) fn external(&self) -> Option<&ExternalTarget> {
        self.external.as_ref()
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub(crate) fn scim_url(&self) -> &str {
        &self.scim_url
    }

    pub(crate) fn rest_url(&self) -> &str {
        &self.rest_url
    }

    pub(crate) fn bindings(&self) -> &Bindings {
        &self.bindings
    }

    pub(crate) fn bindings_mut(&mut self) -> &mut Bindings {
        &mut self.bindings
    }

    pub(crate) fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.clock.advance(by.0);
    }

    pub(crate) fn exchanges(&self) -> &ExchangeLog {
        &self.exchanges
    }

    pub(crate) fn exchanges_mut(&mut self) -> &mut ExchangeLog {
        &mut self.exchanges
    }

    pub(crate) fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    pub(crate) fn transcript_mut(&mut self) -> &mut Transcript {
        &mut self.transcript
    }

    pub(crate) fn sso_mut(&mut self) -> &mut SsoMemory {
        &mut self.sso
    }

    /// What this run created on an external endpoint: (resource, id, name).
    pub(crate) fn created(&self) -> &[(&'static str, String, String)] {
        &self.created
    }

    // -- the fake OneLogin ---------------------------------------------------------------------

    /// A call to the fake OneLogin (API or admin), expecting `expect`.
    pub(crate) async fn ol(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        expect: StatusCode,
    ) -> Result<Value, StepFailure> {
        let (status, reply) = self.ol_any(method.clone(), path, body).await?;
        if status != expect {
            return Err(mismatch(
                format!("OneLogin answered {method} {path} with {status}"),
                expect.to_string(),
                format!("{status} {reply}"),
            ));
        }
        Ok(reply)
    }

    /// A call to the fake OneLogin, whatever it answers.
    pub(crate) async fn ol_any(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), StepFailure> {
        let (mut sent_type, mut response) = self.ol_send(&method, path, body.as_ref()).await?;
        // OneLogin's tokens live ten hours; after the clock moves, get a new one, as SDKs do.
        if response.status() == StatusCode::UNAUTHORIZED && path.starts_with("/api/") {
            self.token = Runner::access_token(&self.client, &self.onelogin).await?;
            (sent_type, response) = self.ol_send(&method, path, body.as_ref()).await?;
        }
        let status = response.status();
        let answer_type = content_type(response.headers());
        let bytes = response.bytes().await.unwrap_or_default();
        let reply: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        // Hop 1 is what changed OneLogin; the runner's reads for expectations are not part of it.
        if method != Method::GET && path != "/__admin/provisioning/run" {
            let url = format!("{}{path}", self.onelogin.uri());
            self.transcript.exchange(
                Hop::OneLogin,
                self.clock.now(),
                method.as_str(),
                &url,
                Message {
                    content_type: sent_type.as_deref(),
                    body: body.as_ref(),
                },
                Some(status.as_u16()),
                Message {
                    content_type: answer_type.as_deref(),
                    body: Some(&reply),
                },
            );
        }
        Ok((status, reply))
    }

    /// The answer, and the `Content-Type` the request went with.
    async fn ol_send(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(Option<String>, reqwest::Response), StepFailure> {
        let url = format!("{}{path}", self.onelogin.uri());
        let mut request = if path.starts_with("/__admin") {
            self.admin_request(method.clone(), &url)
        } else {
            self.client.request(method.clone(), url)
        };
        if path.starts_with("/api/") {
            request = request.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let request = request
            .build()
            .map_err(|e| fail(format!("{method} {path} cannot be sent: {e}")))?;
        let sent_type = content_type(request.headers());
        let response = self.client.execute(request).await.map_err(|e| {
            fail(format!(
                "the fake OneLogin did not answer {method} {path}: {e}"
            ))
        })?;
        Ok((sent_type, response))
    }

    /// Processes OneLogin's queue until nothing is runnable, then collects the SCIM calls made.
    pub(crate) async fn settle(&mut self) -> Result<(), StepFailure> {
        self.ol(
            Method::POST,
            "/__admin/provisioning/run",
            None,
            StatusCode::OK,
        )
        .await?;
        for entry in self.onelogin.outbound_requests() {
            if entry.seq <= self.outbound_seen {
                continue;
            }
            self.outbound_seen = entry.seq;
            let e = &entry.exchange;
            let exchange =
                TargetExchange::new(&e.method, &e.url, e.status).answered(e.response_body.as_ref());
            self.transcript.exchange(
                Hop::Scim,
                entry.at,
                &e.method,
                &e.url,
                Message {
                    content_type: e.request_content_type.as_deref(),
                    body: e.request_body.as_ref(),
                },
                e.status,
                Message {
                    content_type: e.response_content_type.as_deref(),
                    body: e.response_body.as_ref(),
                },
            );
            self.note_created(&e.method, &e.url, e.status, e.response_body.as_ref());
            self.exchanges.push(exchange);
        }
        Ok(())
    }

    /// A OneLogin API access token, by client credentials.
    async fn access_token(
        client: &reqwest::Client,
        onelogin: &FakeOneLogin,
    ) -> Result<String, StepFailure> {
        let creds = onelogin.api_credentials();
        let response = client
            .post(format!("{}/auth/oauth2/v2/token", onelogin.uri()))
            .basic_auth(&creds.client_id, Some(&creds.client_secret))
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .map_err(|e| fail(format!("the fake OneLogin did not answer: {e}")))?;
        let body: Value = response
            .json()
            .await
            .map_err(|e| fail(format!("token response: {e}")))?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("no access token in {body}")))
    }

    // -- the fake Asana's admin API ------------------------------------------------------------

    /// A request to either fake's admin API (`url` in full). Declared JSON even without a
    /// body: both fakes refuse an admin write that is not, since a page on another site cannot
    /// send that header.
    pub(crate) fn admin_request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
    }

    /// A call to the fake Asana's admin API; `what` names the step in a skip.
    pub(crate) async fn asana_admin(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        what: &str,
    ) -> Result<Value, Halt> {
        let uri = self.asana(what)?.uri();
        let mut request = self.admin_request(method.clone(), &format!("{uri}/__admin{path}"));
        if let Some(b) = &body {
            request = request.json(b);
        }
        let response = request
            .send()
            .await
            .map_err(|e| fail(format!("the fake Asana did not answer: {e}")))?;
        let status = response.status();
        let reply: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(fail(format!(
                "the fake Asana refused {method} /__admin{path}: {status} {reply}"
            ))
            .into());
        }
        Ok(reply)
    }

    /// Remembers a user or group an external endpoint created (a 201 to a POST on its
    /// collection), so the report can list it.
    pub(crate) fn note_created(
        &mut self,
        method: &str,
        url: &str,
        status: Option<u16>,
        body: Option<&Value>,
    ) {
        if self.external.is_none() || method != "POST" || status != Some(201) {
            return;
        }
        let path = url.split('?').next().unwrap_or(url).trim_end_matches('/');
        let resource = if path.ends_with("/Users") {
            "User"
        } else if path.ends_with("/Groups") {
            "Group"
        } else {
            return;
        };
        let Some(id) = body.and_then(|b| b["id"].as_str()) else {
            return;
        };
        let body = body.expect("it has an id");
        let name = body["userName"]
            .as_str()
            .or(body["displayName"].as_str())
            .unwrap_or_default();
        if !self.created.iter().any(|(_, i, _)| i == id) {
            self.created
                .push((resource, id.to_owned(), name.to_owned()));
        }
    }
}
