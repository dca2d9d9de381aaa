//! Running one scenario: its own fake Asana and fake OneLogin on port 0, one manual clock, the
//! queue settled after every step, and a report that says precisely what happened.
//!
//! The runner talks to the fakes the way people and IdPs do: OneLogin's API and admin API over
//! HTTP, SCIM and REST over HTTP. It reads the fake Asana's records directly only for
//! expectations no client could observe (a deprovision record, a guest), and never for
//! actions.

use std::collections::BTreeMap;

use fake_asana::{FakeAsana, Fixture};
use fake_onelogin::FakeOneLogin;
use harness_clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::format::*;
use crate::load::Loaded;
use crate::report::{Outcome, ScenarioReport, StepFailure, StepReport};

/// Where SCIM goes when not to the fake Asana.
#[derive(Debug, Clone)]
pub struct ExternalTarget {
    pub scim_url: String,
    pub token: String,
}

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run against this SCIM endpoint in place of the fake Asana.
    pub external: Option<ExternalTarget>,
    /// Keep a redacted transcript of both hops.
    pub transcript: bool,
}

/// A step that could not run here: reported as skipped with the reason, never as passed.
struct Skip(String);

enum Halt {
    Failed(StepFailure),
    Skipped(Skip),
}

impl From<StepFailure> for Halt {
    fn from(f: StepFailure) -> Self {
        Halt::Failed(f)
    }
}

fn fail(message: impl Into<String>) -> StepFailure {
    StepFailure {
        message: message.into(),
        expected: None,
        actual: None,
    }
}

fn mismatch(
    message: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> StepFailure {
    StepFailure {
        message: message.into(),
        expected: Some(expected.into()),
        actual: Some(actual.into()),
    }
}

/// The seed a scenario runs with: its own, or one derived from its name.
pub fn seed_of(scenario: &Scenario) -> u64 {
    scenario.seed.unwrap_or_else(|| {
        scenario
            .name
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            })
    })
}

pub async fn run(loaded: &Loaded, options: &RunOptions) -> ScenarioReport {
    let scenario = &loaded.scenario;
    let seed = seed_of(scenario);
    let mut report = ScenarioReport {
        path: loaded.path.clone(),
        name: scenario.name.clone(),
        tags: scenario.tags.clone(),
        seed,
        outcome: Outcome::Passed,
        steps: Vec::new(),
        failure: None,
        skip_reason: None,
        transcript: None,
    };
    let mut runner = match Runner::start(loaded, options, seed).await {
        Ok(r) => r,
        Err(Halt::Skipped(Skip(reason))) => {
            report.outcome = Outcome::Skipped;
            report.skip_reason = Some(format!("given: {reason}"));
            return report;
        }
        Err(Halt::Failed(f)) => {
            report.outcome = Outcome::Failed;
            report.failure = Some(f.at(0, 0, 0, "given", Vec::new()));
            return report;
        }
    };
    for (i, spanned) in scenario.steps.iter().enumerate() {
        let step = &spanned.value;
        let (line, column) = (spanned.referenced.line(), spanned.referenced.column());
        let result = runner.step(step).await;
        let result = match result {
            Ok(()) if !step.is_expectation() => runner.settle().await.map_err(Halt::Failed),
            other => other,
        };
        match result {
            Ok(()) => report.steps.push(StepReport {
                index: i + 1,
                line,
                kind: step.kind(),
                outcome: Outcome::Passed,
                message: None,
            }),
            Err(Halt::Skipped(Skip(reason))) => {
                report.steps.push(StepReport {
                    index: i + 1,
                    line,
                    kind: step.kind(),
                    outcome: Outcome::Skipped,
                    message: Some(reason.clone()),
                });
                report.outcome = Outcome::Skipped;
                report.skip_reason = Some(format!(
                    "step {} ({}) at line {line}: {reason}",
                    i + 1,
                    step.kind()
                ));
                break;
            }
            Err(Halt::Failed(f)) => {
                report.steps.push(StepReport {
                    index: i + 1,
                    line,
                    kind: step.kind(),
                    outcome: Outcome::Failed,
                    message: Some(f.message.clone()),
                });
                report.outcome = Outcome::Failed;
                report.failure =
                    Some(f.at(i + 1, line, column, step.kind(), runner.recent_exchanges()));
                break;
            }
        }
    }
    if options.transcript {
        report.transcript = Some(runner.transcript.join("\n"));
    }
    runner.stop().await;
    report
}

/// One HTTP exchange with the SCIM target, from the harness's side.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    query: Option<String>,
    /// `None`: the connection dropped or never answered.
    status: Option<u16>,
}

impl Exchange {
    fn matches(&self, pattern: &Pattern) -> bool {
        pattern.matches(&self.method, &self.path, self.query.as_deref(), self.status)
    }

    fn line(&self) -> String {
        let status = self
            .status
            .map_or_else(|| "dropped".to_owned(), |s| s.to_string());
        match &self.query {
            Some(q) => format!("{} {}?{q} {status}", self.method, self.path),
            None => format!("{} {} {status}", self.method, self.path),
        }
    }
}

struct Runner {
    asana: Option<FakeAsana>,
    onelogin: FakeOneLogin,
    client: reqwest::Client,
    clock: Clock,
    external: Option<ExternalTarget>,
    scim_url: String,
    rest_url: String,
    /// OneLogin's API access token.
    token: String,
    bindings: BTreeMap<String, Value>,
    exchanges: Vec<Exchange>,
    outbound_seen: u64,
    mark: usize,
    transcript: Vec<String>,
    keep_transcript: bool,
}

impl Runner {
    async fn start(loaded: &Loaded, options: &RunOptions, seed: u64) -> Result<Runner, Halt> {
        let given = &loaded.scenario.given;
        let clock = Clock::manual();
        let client = reqwest::Client::new();
        let (asana, scim_url, rest_url) = match &options.external {
            Some(target) => {
                let a = &given.asana;
                if a.fixture.is_some()
                    || a.profile.is_some()
                    || !a.users.is_empty()
                    || !a.teams.is_empty()
                    || !a.switches.is_empty()
                    || a.rate_limit.is_some()
                {
                    return Err(Halt::Skipped(Skip(
                        "it seeds the fake Asana (fixture, profile, users, teams, switches or rate limits), which an external endpoint does not have".into(),
                    )));
                }
                let scim = target.scim_url.trim_end_matches('/').to_owned();
                let rest = scim.trim_end_matches("/scim").to_owned();
                (None, scim, rest)
            }
            None => {
                let asana = start_asana(loaded, &clock, seed).await?;
                let (scim, rest) = (asana.scim_url(), asana.base_url());
                (Some(asana), scim, rest)
            }
        };
        let onelogin = FakeOneLogin::builder()
            .clock(clock.clone())
            .seed(seed)
            .asana_scim_url(scim_url.clone())
            .start()
            .await;
        let token = access_token(&client, &onelogin).await?;
        let mut runner = Runner {
            asana,
            onelogin,
            client,
            clock,
            external: options.external.clone(),
            scim_url,
            rest_url,
            token,
            bindings: BTreeMap::new(),
            exchanges: Vec::new(),
            outbound_seen: 0,
            mark: 0,
            transcript: Vec::new(),
            keep_transcript: options.transcript,
        };
        runner.apply_given(given).await?;
        runner.settle().await?;
        Ok(runner)
    }

    async fn apply_given(&mut self, given: &Given) -> Result<(), Halt> {
        for sa in &given.asana.service_accounts {
            let binding = match &self.external {
                Some(t) => {
                    json!({"kind": "service_account", "id": null, "name": sa.name, "token": t.token})
                }
                None => self.new_service_account(sa).await?,
            };
            self.bindings.insert(sa.name.clone(), binding);
        }
        if let Some(app) = &given.onelogin.asana_app {
            self.configure_app(app).await?;
            if app.connected {
                let status = self.enable().await?;
                if status["api_status"] != "connected" {
                    return Err(fail(format!(
                        "given: the Asana app did not connect: {}",
                        status["api_error"]
                    ))
                    .into());
                }
            }
        }
        for user in &given.onelogin.users {
            self.create_user(user).await?;
        }
        for role in &given.onelogin.roles {
            let name = role
                .display_name
                .clone()
                .unwrap_or_else(|| role.name.clone());
            let body = self
                .ol(
                    Method::POST,
                    "/api/2/roles",
                    Some(json!({"name": name})),
                    StatusCode::CREATED,
                )
                .await?;
            let id = body["id"].as_u64().unwrap_or_default();
            self.bindings.insert(
                role.name.clone(),
                json!({"kind": "role", "id": id, "name": name}),
            );
            if !role.apps.is_empty() {
                let app = self.onelogin.asana_app_id();
                self.ol(
                    Method::PUT,
                    &format!("/api/2/roles/{id}/apps"),
                    Some(json!([app])),
                    StatusCode::OK,
                )
                .await?;
            }
            if !role.users.is_empty() {
                let mut ids = Vec::new();
                for u in &role.users {
                    ids.push(self.user_id(u).await?);
                }
                self.ol(
                    Method::POST,
                    &format!("/api/2/roles/{id}/users"),
                    Some(json!(ids)),
                    StatusCode::OK,
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn stop(self) {
        self.onelogin.shutdown().await;
        if let Some(a) = self.asana {
            a.shutdown().await;
        }
    }

    // -- plumbing ------------------------------------------------------------------------------

    /// A call to the fake OneLogin (API or admin), expecting `expect`.
    async fn ol(
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

    async fn ol_any(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), StepFailure> {
        let mut response = self.ol_send(&method, path, body.as_ref()).await?;
        // OneLogin's tokens live ten hours; after `advance_clock`, get a new one, as SDKs do.
        if response.status() == StatusCode::UNAUTHORIZED && path.starts_with("/api/") {
            self.token = access_token(&self.client, &self.onelogin).await?;
            response = self.ol_send(&method, path, body.as_ref()).await?;
        }
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        let reply: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        // Hop 1 is what changed OneLogin; the runner's reads for expectations are not part of it.
        if self.keep_transcript && method != Method::GET && path != "/__admin/provisioning/run" {
            self.transcript.push(format!(
                "onelogin  → {method} {}{}",
                crate::transcript::path(path),
                crate::transcript::body(body.as_ref())
            ));
            self.transcript.push(format!(
                "onelogin  ← {}{}",
                status.as_u16(),
                crate::transcript::body(Some(&reply))
            ));
        }
        Ok((status, reply))
    }

    async fn ol_send(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<reqwest::Response, StepFailure> {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.onelogin.uri()));
        if path.starts_with("/api/") {
            request = request.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        request.send().await.map_err(|e| {
            fail(format!(
                "the fake OneLogin did not answer {method} {path}: {e}"
            ))
        })
    }

    /// Processes OneLogin's queue until nothing is runnable, then collects the SCIM calls made.
    async fn settle(&mut self) -> Result<(), StepFailure> {
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
            let (path, query) = split_url(&entry.exchange.url);
            if self.keep_transcript {
                let e = &entry.exchange;
                let target = match &query {
                    Some(q) => format!("{path}?{q}"),
                    None => path.clone(),
                };
                self.transcript.push(format!(
                    "scim      → {} {}{}",
                    e.method,
                    crate::transcript::path(&target),
                    crate::transcript::body(e.request_body.as_ref())
                ));
                let status = e
                    .status
                    .map_or_else(|| "dropped".to_owned(), |s| s.to_string());
                self.transcript.push(format!(
                    "scim      ← {status}{}",
                    crate::transcript::body(e.response_body.as_ref())
                ));
            }
            self.exchanges.push(Exchange {
                method: entry.exchange.method.clone(),
                path,
                query,
                status: entry.exchange.status,
            });
        }
        Ok(())
    }

    fn recent_exchanges(&self) -> Vec<String> {
        let from = self.exchanges.len().saturating_sub(12);
        self.exchanges[from..].iter().map(Exchange::line).collect()
    }

    fn asana(&self, what: &str) -> Result<&FakeAsana, Halt> {
        self.asana.as_ref().ok_or_else(|| {
            Halt::Skipped(Skip(format!(
                "{what} needs the fake Asana's admin side, which an external endpoint does not have"
            )))
        })
    }

    async fn asana_admin(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        what: &str,
    ) -> Result<Value, Halt> {
        let uri = self.asana(what)?.uri();
        let mut request = self
            .client
            .request(method.clone(), format!("{uri}/__admin{path}"));
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

    /// Replaces every `${name.field}` with the bound value.
    fn interpolate(&self, text: &str) -> Result<String, StepFailure> {
        let mut out = text.to_owned();
        for reference in references(text) {
            let value = self
                .lookup(&reference)
                .ok_or_else(|| fail(format!("${{{reference}}} is not bound to a value")))?;
            let rendered = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            out = out.replace(&format!("${{{reference}}}"), &rendered);
        }
        Ok(out)
    }

    fn lookup(&self, reference: &str) -> Option<Value> {
        let mut parts = reference.split('.');
        let name = parts.next()?;
        let mut value = match name {
            "asana" => json!({"scim_url": self.scim_url, "base_url": self.rest_url}),
            "onelogin" => {
                json!({"base_url": self.onelogin.uri(), "asana_app_id": self.onelogin.asana_app_id()})
            }
            _ => self.bindings.get(name)?.clone(),
        };
        for part in parts {
            value = match value {
                Value::Object(mut m) => m.remove(part)?,
                Value::Array(mut a) => {
                    let i: usize = part.parse().ok()?;
                    (i < a.len()).then(|| a.swap_remove(i))?
                }
                _ => return None,
            };
        }
        Some(value)
    }

    fn interpolate_json(&self, value: &Value) -> Result<Value, StepFailure> {
        Ok(match value {
            Value::String(s) => Value::String(self.interpolate(s)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|v| self.interpolate_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), self.interpolate_json(v)?)))
                    .collect::<Result<_, StepFailure>>()?,
            ),
            other => other.clone(),
        })
    }

    async fn user_id(&mut self, reference: &str) -> Result<u64, StepFailure> {
        if let Some(id) = self.bindings.get(reference).and_then(|b| b["id"].as_u64()) {
            return Ok(id);
        }
        let users = self
            .ol(
                Method::GET,
                &format!("/api/2/users?email={reference}"),
                None,
                StatusCode::OK,
            )
            .await?;
        users[0]["id"]
            .as_u64()
            .ok_or_else(|| fail(format!("OneLogin has no user {reference}")))
    }

    fn role_id(&self, name: &str) -> Result<u64, StepFailure> {
        self.bindings
            .get(name)
            .and_then(|b| b["id"].as_u64())
            .ok_or_else(|| fail(format!("no role is named {name}")))
    }

    // -- actions -------------------------------------------------------------------------------

    async fn new_service_account(&mut self, sa: &GivenServiceAccount) -> Result<Value, Halt> {
        let scope = match sa.scope {
            Scope::Scim => "scim",
            Scope::Full => "full",
        };
        let mut body = json!({"name": sa.display_name.clone().unwrap_or_else(|| sa.name.clone()), "scope": scope});
        if let Some(t) = &sa.token {
            body["token"] = json!(t);
        }
        let reply = self
            .asana_admin(
                Method::POST,
                "/service-accounts",
                Some(body),
                "create_service_account",
            )
            .await?;
        Ok(
            json!({"kind": "service_account", "id": reply["id"], "name": reply["name"], "token": reply["token"]}),
        )
    }

    async fn create_user(&mut self, user: &NewUser) -> Result<(), StepFailure> {
        let username = user
            .username
            .clone()
            .unwrap_or_else(|| user.email.split('@').next().unwrap_or_default().to_owned());
        let mut body = json!({
            "email": user.email,
            "username": username,
            "firstname": user.firstname.clone().unwrap_or_default(),
            "lastname": user.lastname.clone().unwrap_or_default(),
        });
        if let Some(t) = &user.title {
            body["title"] = json!(t);
        }
        if let Some(d) = &user.department {
            body["department"] = json!(d);
        }
        let created = self
            .ol(
                Method::POST,
                "/api/2/users",
                Some(body),
                StatusCode::CREATED,
            )
            .await?;
        let id = created["id"].as_u64().unwrap_or_default();
        if let Some(status) = user.status {
            self.ol(
                Method::PUT,
                &format!("/api/2/users/{id}"),
                Some(json!({"status": status})),
                StatusCode::OK,
            )
            .await?;
        }
        if let Some(name) = &user.name {
            self.bindings.insert(
                name.clone(),
                json!({"kind": "user", "id": id, "email": user.email, "username": username}),
            );
        }
        Ok(())
    }

    async fn configure_app(&mut self, app: &AppSettings) -> Result<(), StepFailure> {
        let mut body = serde_json::Map::new();
        if let Some(t) = &app.token {
            body.insert("token".into(), json!(self.interpolate(t)?));
        }
        if let Some(u) = &app.scim_base_url {
            body.insert("scim_base_url".into(), json!(self.interpolate(u)?));
        }
        if let Some(e) = app.enabled {
            body.insert("enabled".into(), json!(e));
        }
        if let Some(actions) = &app.require_approval {
            body.insert(
                "require_approval".into(),
                json!({
                    "create": actions.contains(&ApprovalAction::Create),
                    "update": actions.contains(&ApprovalAction::Update),
                    "delete": actions.contains(&ApprovalAction::Delete),
                }),
            );
        }
        if let Some(p) = app.on_delete {
            body.insert("on_delete".into(), json!(p));
        }
        if let Some(p) = app.on_suspend {
            body.insert("on_suspend".into(), json!(p));
        }
        if let Some(c) = app.connector {
            body.insert("connector".into(), json!(c));
        }
        if let Some(u) = app.schema_urns {
            body.insert("schema_urns".into(), json!(u));
        }
        if let Some(params) = &app.parameters {
            let current = self.onelogin.asana_config().parameters;
            body.insert(
                "parameters".into(),
                json!({
                    "name_id": params.name_id.unwrap_or(current.name_id),
                    "scim_username": params.scim_username.unwrap_or(current.scim_username),
                }),
            );
        }
        let path = format!(
            "/__admin/apps/{}/provisioning",
            self.onelogin.asana_app_id()
        );
        self.ol(
            Method::PUT,
            &path,
            Some(Value::Object(body)),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    async fn enable(&mut self) -> Result<Value, StepFailure> {
        let path = format!("/__admin/apps/{}/enable", self.onelogin.asana_app_id());
        self.ol(Method::POST, &path, None, StatusCode::OK).await
    }

    /// The newest task of a user, optionally of one action and in one of some states.
    async fn find_task(
        &mut self,
        user: &str,
        action: Option<TaskAction>,
        states: &[&str],
    ) -> Result<Option<Value>, StepFailure> {
        let id = self.user_id(user).await?;
        let tasks = self
            .ol(
                Method::GET,
                &format!("/__admin/provisioning/tasks?user_id={id}"),
                None,
                StatusCode::OK,
            )
            .await?;
        let action = action.map(|a| serde_json::to_value(a).expect("serializes"));
        Ok(tasks
            .as_array()
            .into_iter()
            .flatten()
            .rev()
            .find(|t| {
                action.as_ref().is_none_or(|a| &t["action"] == a)
                    && (states.is_empty() || states.iter().any(|s| t["status"] == *s))
            })
            .cloned())
    }

    async fn tasks_of(&mut self, user: &str) -> String {
        let Ok(id) = self.user_id(user).await else {
            return "(unknown user)".into();
        };
        match self
            .ol(
                Method::GET,
                &format!("/__admin/provisioning/tasks?user_id={id}"),
                None,
                StatusCode::OK,
            )
            .await
        {
            Ok(tasks) => tasks
                .as_array()
                .into_iter()
                .flatten()
                .map(describe_task)
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => e.message,
        }
    }

    async fn decide(&mut self, task: &TaskRef, verb: &str, state: &str) -> Result<(), StepFailure> {
        let Some(found) = self.find_task(&task.user, task.action, &[state]).await? else {
            let tasks = self.tasks_of(&task.user).await;
            return Err(mismatch(
                format!("{verb}: {} has no {state} task", task.user),
                format!("a {state} task"),
                if tasks.is_empty() {
                    "no tasks".into()
                } else {
                    tasks
                },
            ));
        };
        self.ol(
            Method::POST,
            &format!("/__admin/provisioning/tasks/{}/{verb}", found["id"]),
            None,
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    async fn http(&mut self, request: &HttpRequest, base: &str) -> Result<(), StepFailure> {
        let path = self.interpolate(&request.path)?;
        let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| fail("bad method"))?;
        let url = format!("{base}{path}");
        let mut builder = self.client.request(method.clone(), &url);
        if let Some(t) = &request.token {
            builder = builder.bearer_auth(self.interpolate(t)?);
        }
        if let Some(b) = &request.body {
            builder = builder
                .header("content-type", "application/scim+json")
                .body(serde_json::to_vec(&self.interpolate_json(b)?).expect("JSON"));
        } else if let Some(raw) = &request.raw_body {
            builder = builder
                .header("content-type", "application/scim+json")
                .body(self.interpolate(raw)?);
        }
        let (path_only, query) = split_url(&url);
        let response = builder.send().await;
        let (status, reply) = match response {
            Ok(r) => {
                let status = r.status().as_u16();
                let bytes = r.bytes().await.unwrap_or_default();
                let reply = if bytes.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&bytes)
                        .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
                };
                (Some(status), reply)
            }
            Err(_) => (None, Value::Null),
        };
        self.exchanges.push(Exchange {
            method: method.to_string(),
            path: path_only,
            query,
            status,
        });
        if self.keep_transcript {
            self.transcript.push(format!(
                "scenario  → {method} {}{}",
                crate::transcript::path(&path),
                crate::transcript::body(request.body.as_ref())
            ));
            let shown = status.map_or_else(|| "dropped".to_owned(), |s| s.to_string());
            self.transcript.push(format!(
                "scenario  ← {shown}{}",
                crate::transcript::body(Some(&reply))
            ));
        }
        if let Some(expected) = request.expect_status
            && status != Some(expected)
        {
            return Err(mismatch(
                format!(
                    "{method} {path} answered {}",
                    status.map_or("nothing".into(), |s| s.to_string())
                ),
                expected.to_string(),
                format!(
                    "{} {reply}",
                    status.map_or("dropped".into(), |s| s.to_string())
                ),
            ));
        }
        if let Some(expected) = &request.expect_body {
            let expected = self.interpolate_json(expected)?;
            if let Err(where_) = subset(&expected, &reply, "") {
                return Err(mismatch(
                    format!("{method} {path}: the body differs at {where_}"),
                    expected.to_string(),
                    reply.to_string(),
                ));
            }
        }
        if let Some(name) = &request.bind {
            self.bindings.insert(name.clone(), reply);
        }
        Ok(())
    }

    async fn step(&mut self, step: &Step) -> Result<(), Halt> {
        match step {
            Step::CreateUser(u) => self.create_user(u).await?,
            Step::UpdateUser(u) => {
                let id = self.user_id(&u.user).await?;
                let mut body = serde_json::Map::new();
                for (k, v) in [
                    ("email", &u.email),
                    ("username", &u.username),
                    ("firstname", &u.firstname),
                    ("lastname", &u.lastname),
                    ("title", &u.title),
                    ("department", &u.department),
                ] {
                    if let Some(v) = v {
                        body.insert(k.into(), json!(v));
                    }
                }
                self.ol(
                    Method::PUT,
                    &format!("/api/2/users/{id}"),
                    Some(Value::Object(body)),
                    StatusCode::OK,
                )
                .await?;
            }
            Step::SuspendUser(u) | Step::UnsuspendUser(u) => {
                let id = self.user_id(&u.user).await?;
                let status = if matches!(step, Step::SuspendUser(_)) {
                    2
                } else {
                    1
                };
                self.ol(
                    Method::PUT,
                    &format!("/api/2/users/{id}"),
                    Some(json!({"status": status})),
                    StatusCode::OK,
                )
                .await?;
            }
            Step::DeleteUser(u) => {
                let id = self.user_id(&u.user).await?;
                self.ol(
                    Method::DELETE,
                    &format!("/api/2/users/{id}"),
                    None,
                    StatusCode::NO_CONTENT,
                )
                .await?;
            }
            Step::AddRoleUsers(r) | Step::RemoveRoleUsers(r) => {
                let role = self.role_id(&r.role)?;
                let mut ids = Vec::new();
                for u in &r.users {
                    ids.push(self.user_id(u).await?);
                }
                let path = format!("/api/2/roles/{role}/users");
                match step {
                    Step::AddRoleUsers(_) => {
                        self.ol(Method::POST, &path, Some(json!(ids)), StatusCode::OK)
                            .await?
                    }
                    _ => {
                        self.ol(
                            Method::DELETE,
                            &path,
                            Some(json!(ids)),
                            StatusCode::NO_CONTENT,
                        )
                        .await?
                    }
                };
            }
            Step::SetRoleApps(r) => {
                let role = self.role_id(&r.role)?;
                let apps: Vec<u64> = if r.apps.is_empty() {
                    vec![]
                } else {
                    vec![self.onelogin.asana_app_id()]
                };
                self.ol(
                    Method::PUT,
                    &format!("/api/2/roles/{role}/apps"),
                    Some(json!(apps)),
                    StatusCode::OK,
                )
                .await?;
            }
            Step::ConfigureApp(app) => self.configure_app(app).await?,
            Step::EnableApi(_) => {
                self.enable().await?;
            }
            Step::Approve(t) => self.decide(t, "approve", "pending").await?,
            Step::Deny(t) => self.decide(t, "deny", "pending").await?,
            Step::Retry(t) => self.decide(t, "retry", "failed").await?,
            Step::CreateServiceAccount(sa) => {
                let binding = self.new_service_account(sa).await?;
                self.bindings.insert(sa.name.clone(), binding);
            }
            Step::CreatePersonalAccessToken(p) => {
                let reply = self
                    .asana_admin(
                        Method::POST,
                        "/personal-access-tokens",
                        Some(json!({"user": p.user})),
                        "create_personal_access_token",
                    )
                    .await?;
                self.bindings.insert(p.name.clone(), json!({"kind": "personal_access_token", "token": reply["token"], "user": reply["user"]}));
            }
            Step::DeauthorizeServiceAccount(a) => {
                let uri = self.asana("deauthorize_service_account")?.uri();
                let id = self.bindings[&a.account]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let response = self
                    .client
                    .delete(format!("{uri}/__admin/service-accounts/{id}"))
                    .send()
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                if response.status() != StatusCode::NO_CONTENT {
                    return Err(fail(format!(
                        "deauthorizing {} answered {}",
                        a.account,
                        response.status()
                    ))
                    .into());
                }
            }
            Step::RotateServiceAccount(a) => {
                let id = self.bindings[&a.account]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let reply = self
                    .asana_admin(
                        Method::POST,
                        &format!("/service-accounts/{id}/rotate"),
                        None,
                        "rotate_service_account",
                    )
                    .await?;
                if let Some(b) = self.bindings.get_mut(&a.account) {
                    b["token"] = reply["token"].clone();
                }
            }
            Step::ScimRequest(r) => {
                let base = self.scim_url.clone();
                self.http(r, &base).await?;
            }
            Step::RestRequest(r) => {
                let base = self.rest_url.clone();
                self.http(r, &base).await?;
            }
            Step::SetSwitches(switches) => {
                self.asana_admin(
                    Method::PUT,
                    "/config",
                    Some(json!({"switches": switches})),
                    "set_switches",
                )
                .await?;
            }
            Step::SetRateLimit(limits) => {
                let body = rate_limit_json(limits);
                self.asana_admin(
                    Method::PUT,
                    "/config",
                    Some(json!({"rate_limit": body})),
                    "set_rate_limit",
                )
                .await?;
            }
            Step::InjectFault(f) => {
                let body = serde_json::to_value(f).expect("serializes");
                self.asana_admin(Method::POST, "/faults", Some(body), "inject_fault")
                    .await?;
            }
            Step::ClearFaults(_) => {
                self.asana_admin(Method::DELETE, "/faults", None, "clear_faults")
                    .await?;
            }
            Step::AdvanceClock(d) => self.clock.advance(d.0),
            Step::ExpectApiStatus(e) => self.expect_api_status(e).await?,
            Step::ExpectTask(e) => self.expect_task(e).await?,
            Step::ExpectNoTask(t) => {
                if let Some(found) = self.find_task(&t.user, t.action, &[]).await? {
                    return Err(mismatch(
                        format!("{} has a task", t.user),
                        "no task",
                        found.to_string(),
                    )
                    .into());
                }
            }
            Step::ExpectAsanaUser(e) => self.expect_asana_user(e).await?,
            Step::ExpectTeamMembers(e) => self.expect_team(e)?,
            Step::ExpectUserApp(e) => self.expect_user_app(e).await?,
            Step::ExpectExchanges(e) => self.expect_exchanges(e)?,
        }
        Ok(())
    }

    // -- expectations --------------------------------------------------------------------------

    async fn expect_api_status(&mut self, e: &ApiStatusExpectation) -> Result<(), StepFailure> {
        let path = format!(
            "/__admin/apps/{}/provisioning",
            self.onelogin.asana_app_id()
        );
        let config = self.ol(Method::GET, &path, None, StatusCode::OK).await?;
        let expected = serde_json::to_value(e.status).expect("serializes");
        if config["api_status"] != expected {
            return Err(mismatch(
                "the Asana app's API status",
                expected.to_string(),
                format!("{} (error: {})", config["api_status"], config["api_error"]),
            ));
        }
        if let Some(needle) = &e.error_contains {
            let error = config["api_error"].as_str().unwrap_or_default();
            if !error.contains(needle.as_str()) {
                return Err(mismatch(
                    "the Asana app's API error",
                    format!("containing {needle:?}"),
                    error,
                ));
            }
        }
        Ok(())
    }

    async fn expect_task(&mut self, e: &TaskExpectation) -> Result<(), StepFailure> {
        let Some(task) = self.find_task(&e.user, e.action, &[]).await? else {
            let all = self.tasks_of(&e.user).await;
            return Err(mismatch(
                format!(
                    "{} has no {} task",
                    e.user,
                    e.action.map_or("".into(), |a| json!(a)
                        .as_str()
                        .unwrap_or_default()
                        .to_owned())
                ),
                "a task",
                if all.is_empty() {
                    "no tasks".into()
                } else {
                    all
                },
            ));
        };
        let expected = serde_json::to_value(e.status).expect("serializes");

        if task["status"] != expected {
            return Err(mismatch(
                format!("the status of {}'s task", e.user),
                expected.as_str().unwrap_or_default(),
                describe_task(&task),
            ));
        }
        if let Some(needle) = &e.error_contains {
            let error = task["error"].as_str().unwrap_or_default();
            if !error.contains(needle.as_str()) {
                return Err(mismatch(
                    format!("the error of {}'s task", e.user),
                    format!("containing {needle:?}"),
                    describe_task(&task),
                ));
            }
        }
        if let Some(n) = e.requests
            && task["requests"] != json!(n)
        {
            return Err(mismatch(
                format!("the HTTP requests of {}'s task", e.user),
                n.to_string(),
                task["requests"].to_string(),
            ));
        }
        Ok(())
    }

    async fn expect_asana_user(&mut self, e: &AsanaUserExpectation) -> Result<(), Halt> {
        let Some(asana) = &self.asana else {
            return self.expect_external_user(e).await;
        };
        let record = asana.user(&e.user_name);
        let exists = e.exists.unwrap_or(true);
        let Some(record) = record else {
            if exists {
                return Err(mismatch(
                    format!("Asana user {}", e.user_name),
                    "exists",
                    "no such user in the organization",
                )
                .into());
            }
            return Ok(());
        };
        if !exists {
            return Err(mismatch(
                format!("Asana user {}", e.user_name),
                "does not exist",
                format!("exists (active: {})", record.is_active()),
            )
            .into());
        }
        if let Some(active) = e.active
            && record.is_active() != active
        {
            let how = record
                .deprovisioned
                .as_ref()
                .map(|d| {
                    format!(
                        " (deprovisioned via {})",
                        json!(d.via).as_str().unwrap_or("?")
                    )
                })
                .unwrap_or_default();
            return Err(mismatch(
                format!("Asana user {} active", e.user_name),
                active.to_string(),
                format!("{}{how}", record.is_active()),
            )
            .into());
        }
        if let Some(guest) = e.guest
            && record.guest != guest
        {
            return Err(mismatch(
                format!("Asana user {} is a guest", e.user_name),
                guest.to_string(),
                record.guest.to_string(),
            )
            .into());
        }
        if let Some(via) = &e.deprovisioned_via {
            let actual = record
                .deprovisioned
                .as_ref()
                .map(|d| json!(d.via).as_str().unwrap_or_default().to_owned())
                .unwrap_or_else(|| "not deprovisioned".into());
            if &actual != via {
                return Err(mismatch(
                    format!("how Asana user {} was deprovisioned", e.user_name),
                    via.clone(),
                    actual,
                )
                .into());
            }
        }
        let mut scim = serde_json::to_value(&record.scim).expect("serializes");
        if let Some(ext) = scim
            .as_object_mut()
            .and_then(|m| m.remove("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
        {
            scim["enterprise"] = ext;
        }
        scim["active"] = json!(record.is_active());
        check_fields(&e.fields, &scim, &e.user_name)?;
        Ok(())
    }

    /// Against an external endpoint, the user is looked up through SCIM with the first bound
    /// service account's token.
    /// The user's Asana app as OneLogin's API shows it: its provisioning state, and the Asana id
    /// OneLogin holds for the user.
    async fn expect_user_app(&mut self, e: &UserAppExpectation) -> Result<(), Halt> {
        let id = self.user_id(&e.user).await?;
        let apps = self
            .ol(
                Method::GET,
                &format!("/api/2/users/{id}/apps"),
                None,
                StatusCode::OK,
            )
            .await?;
        if let Some(expected) = &e.provisioning_state {
            let state = apps[0]["provisioning_state"]
                .as_str()
                .unwrap_or("(the user does not have the app)")
                .to_owned();
            if &state != expected {
                return Err(mismatch(
                    format!("{}'s Asana app provisioning_state", e.user),
                    expected.clone(),
                    state,
                )
                .into());
            }
        }
        if let Some(linked_to) = &e.linked_to {
            let held = apps[0]["scim_id"].as_str().map(str::to_owned);
            let expected = match linked_to {
                None => None,
                Some(user_name) => Some(self.asana_id_of(user_name).await?),
            };
            if held != expected {
                return Err(mismatch(
                    format!("the Asana id OneLogin holds for {}", e.user),
                    expected.map_or("none".into(), |id| {
                        format!("{id} ({})", linked_to.as_deref().unwrap_or_default())
                    }),
                    held.unwrap_or_else(|| "none".into()),
                )
                .into());
            }
        }
        Ok(())
    }

    /// The id of the Asana user with this userName: from the fake's records, or by a SCIM
    /// lookup on an external endpoint.
    async fn asana_id_of(&mut self, user_name: &str) -> Result<String, Halt> {
        if let Some(asana) = &self.asana {
            return asana
                .user(user_name)
                .map(|u| u.gid.to_string())
                .ok_or_else(|| {
                    mismatch(format!("Asana user {user_name}"), "exists", "no such user").into()
                });
        }
        self.external_user(user_name)
            .await?
            .and_then(|u| u["id"].as_str().map(str::to_owned))
            .ok_or_else(|| {
                mismatch(
                    format!("user {user_name}"),
                    "exists",
                    "not found by a userName lookup",
                )
                .into()
            })
    }

    /// The external endpoint's user with this userName, by the lookup every IdP makes.
    async fn external_user(&self, user_name: &str) -> Result<Option<Value>, StepFailure> {
        let token = self
            .external
            .as_ref()
            .map(|t| t.token.clone())
            .unwrap_or_default();
        let filter: String =
            form_urlencoded::byte_serialize(format!("userName eq \"{user_name}\"").as_bytes())
                .collect();
        let response = self
            .client
            .get(format!("{}/Users?filter={filter}", self.scim_url))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|err| fail(format!("the SCIM endpoint did not answer: {err}")))?;
        let list: Value = response.json().await.unwrap_or(Value::Null);
        Ok(list["Resources"]
            .as_array()
            .and_then(|r| r.first())
            .cloned())
    }

    async fn expect_external_user(&mut self, e: &AsanaUserExpectation) -> Result<(), Halt> {
        if e.guest.is_some() || e.deprovisioned_via.is_some() {
            return Err(Halt::Skipped(Skip(
                "guest and deprovisioned_via are records only the fake Asana keeps".into(),
            )));
        }
        let user = self.external_user(&e.user_name).await?;
        match (user, e.exists.unwrap_or(true)) {
            (None, true) => Err(mismatch(
                format!("user {}", e.user_name),
                "exists",
                "not found by a userName lookup",
            )
            .into()),
            (Some(u), false) => Err(mismatch(
                format!("user {}", e.user_name),
                "does not exist",
                u.to_string(),
            )
            .into()),
            (None, false) => Ok(()),
            (Some(u), true) => {
                if let Some(active) = e.active
                    && u["active"] != json!(active)
                {
                    return Err(mismatch(
                        format!("user {} active", e.user_name),
                        active.to_string(),
                        u["active"].to_string(),
                    )
                    .into());
                }
                check_fields(&e.fields, &u, &e.user_name)?;
                Ok(())
            }
        }
    }

    fn expect_team(&self, e: &TeamExpectation) -> Result<(), Halt> {
        let asana = self.asana("expect_team_members")?;
        let org = asana.organization();
        let team = org
            .teams
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(&e.team))
            .ok_or_else(|| fail(format!("Asana has no team {}", e.team)))?;
        let mut actual: Vec<String> = team
            .members
            .iter()
            .filter_map(|m| org.users.iter().find(|u| u.gid == *m))
            .map(|u| u.scim.user_name.to_lowercase())
            .collect();
        let mut expected: Vec<String> = e.members.iter().map(|m| m.to_lowercase()).collect();
        actual.sort();
        expected.sort();
        if actual != expected {
            return Err(mismatch(
                format!("members of team {}", e.team),
                expected.join(", "),
                actual.join(", "),
            )
            .into());
        }
        Ok(())
    }

    fn expect_exchanges(&mut self, e: &ExchangeExpectation) -> Result<(), StepFailure> {
        let from = if e.since == Since::Previous {
            self.mark
        } else {
            0
        };
        let window = &self.exchanges[from..];
        let shown = || {
            window
                .iter()
                .map(Exchange::line)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut at = 0;
        for pattern in &e.sequence {
            match window[at..].iter().position(|x| x.matches(pattern)) {
                Some(i) => at += i + 1,
                None => {
                    let all: Vec<String> = e.sequence.iter().map(Pattern::to_string).collect();
                    return Err(mismatch(
                        "the exchanges with the SCIM target",
                        format!("{pattern} (in order: {})", all.join(", ")),
                        shown(),
                    ));
                }
            }
        }
        for pattern in &e.absent {
            if let Some(hit) = window.iter().find(|x| x.matches(pattern)) {
                return Err(mismatch(
                    "the exchanges with the SCIM target",
                    format!("no {pattern}"),
                    format!("{}\n(all: {})", hit.line(), shown()),
                ));
            }
        }
        self.mark = self.exchanges.len();
        Ok(())
    }
}

/// A OneLogin API access token, by client credentials.
/// A OneLogin task as failure messages show it: `task 100023 create failed (why)`.
fn describe_task(t: &Value) -> String {
    format!(
        "task {} {} {}{}",
        t["id"],
        t["action"].as_str().unwrap_or("?"),
        t["status"].as_str().unwrap_or("?"),
        t["error"]
            .as_str()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    )
}

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

async fn start_asana(loaded: &Loaded, clock: &Clock, seed: u64) -> Result<FakeAsana, Halt> {
    let a = &loaded.scenario.given.asana;
    let mut fixture = match &a.fixture {
        Some(path) => {
            let resolved = crate::load::resolve(&loaded.base_dir, path)
                .ok_or_else(|| fail(format!("given: cannot find the fixture {path}")))?;
            Fixture::load(&resolved).map_err(|e| fail(format!("given: {e}")))?
        }
        None => {
            let mut f = Fixture::default_organization();
            if let Some(name) = &a.organization {
                f.organizations[0].name = name.clone();
            }
            if !a.domains.is_empty() {
                f.organizations[0].domains = a.domains.clone();
            }
            f
        }
    };
    fixture.organizations[0]
        .users
        .extend(a.users.iter().cloned());
    fixture.organizations[0]
        .teams
        .extend(a.teams.iter().cloned());
    let profile = match a.profile {
        Some(ProfileName::Rfc) => fake_asana::Profile::Rfc,
        _ => fake_asana::Profile::Asana,
    };
    let asana = FakeAsana::builder()
        .profile(profile)
        .fixture(fixture)
        .clock(clock.clone())
        .seed(seed)
        .try_start()
        .await
        .map_err(|e| fail(format!("given: {e}")))?;
    if !a.switches.is_empty() || a.rate_limit.is_some() {
        let mut failure = None;
        asana.configure(|c| {
            let mut body = json!({});
            if !a.switches.is_empty() {
                body["switches"] = json!(a.switches);
            }
            if let Some(limits) = &a.rate_limit {
                body["rate_limit"] = rate_limit_json(limits);
            }
            if let Err(e) = c.update(&body) {
                failure = Some(e);
            }
        });
        if let Some(e) = failure {
            return Err(fail(format!("given: {e}")).into());
        }
    }
    Ok(asana)
}

fn rate_limit_json(limits: &RateLimit) -> Value {
    let mut body = json!({});
    for (k, v) in [
        ("requests_per_minute", limits.requests_per_minute),
        ("concurrent_reads", limits.concurrent_reads),
        ("concurrent_writes", limits.concurrent_writes),
    ] {
        if let Some(v) = v {
            body[k] = json!(v);
        }
    }
    body
}

fn check_fields(
    fields: &BTreeMap<String, Value>,
    resource: &Value,
    who: &str,
) -> Result<(), StepFailure> {
    for (path, expected) in fields {
        let actual = path.split('.').try_fold(resource, |v, part| match v {
            Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            other => other.get(part),
        });
        let actual = actual.cloned().unwrap_or(Value::Null);
        if &actual != expected {
            return Err(mismatch(
                format!("{path} of Asana user {who}"),
                expected.to_string(),
                actual.to_string(),
            ));
        }
    }
    Ok(())
}

/// `expected` is contained in `actual`: objects by key, arrays element by element.
fn subset(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let here = format!("{at}.{k}");
                subset(v, a.get(k).unwrap_or(&Value::Null), &here)?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                subset(x, y, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        _ => Err(if at.is_empty() {
            "the top".into()
        } else {
            at.trim_start_matches('.').to_owned()
        }),
    }
}

/// Path and query of a URL, without scheme and host.
fn split_url(url: &str) -> (String, Option<String>) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_query = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    match path_and_query.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (path_and_query.to_owned(), None),
    }
}

/// A scenario being run step by step, for callers that choose the steps as they go (the
/// whole-system model test, `asana-harness explore`): each step settles the queue, as in a file.
pub struct Session {
    runner: Runner,
}

impl Session {
    pub async fn start(loaded: &Loaded, options: &RunOptions) -> Result<Session, String> {
        match Runner::start(loaded, options, seed_of(&loaded.scenario)).await {
            Ok(runner) => Ok(Session { runner }),
            Err(Halt::Failed(f)) => Err(f.message),
            Err(Halt::Skipped(Skip(why))) => Err(why),
        }
    }

    /// Runs one step (and, unless it is an expectation, lets the queue settle).
    pub async fn step(&mut self, step: &Step) -> Result<(), String> {
        let result = match self.runner.step(step).await {
            Ok(()) if !step.is_expectation() => self.runner.settle().await.map_err(Halt::Failed),
            other => other,
        };
        match result {
            Ok(()) => Ok(()),
            Err(Halt::Failed(f)) => Err(match (f.expected, f.actual) {
                (Some(e), Some(a)) => format!("{}: expected {e}, actual {a}", f.message),
                _ => f.message,
            }),
            Err(Halt::Skipped(Skip(why))) => Err(why),
        }
    }

    pub fn asana(&self) -> Option<&FakeAsana> {
        self.runner.asana.as_ref()
    }

    pub fn onelogin(&self) -> &FakeOneLogin {
        &self.runner.onelogin
    }

    pub async fn stop(self) {
        self.runner.stop().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_and_urls() {
        assert!(subset(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "").is_ok());
        assert_eq!(
            subset(
                &json!({"a": {"b": [1, 2]}}),
                &json!({"a": {"b": [1, 3]}}),
                ""
            ),
            Err("a.b[1]".into())
        );
        assert_eq!(
            split_url("http://h:1/api/1.0/scim/Users?filter=x&"),
            ("/api/1.0/scim/Users".into(), Some("filter=x&".into()))
        );
    }
}
