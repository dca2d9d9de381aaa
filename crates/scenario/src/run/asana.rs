//! The Asana side of a run: the fake's admin API (service accounts, switches, faults), and SCIM
//! or REST requests a scenario makes as any client would.

use fake_asana::{FakeAsana, Fixture};
use harness_clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::expect::subset;
use super::log::{Hop, TargetExchange};
use super::outcome::{Halt, Skip, fail, mismatch};
use super::runner::Runner;
use crate::format::*;
use crate::load::Loaded;
use crate::report::{CreatedResource, StepFailure};

impl Runner {
    /// The fake Asana's id of a service account a step names.
    pub(super) fn account_id(&self, name: &str) -> Result<String, StepFailure> {
        self.bindings
            .get(name)
            .and_then(|b| b["id"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("no service account is named {name}")))
    }

    /// `set_rate_limit`: the fake's per-token limits; `null` turns one off.
    pub(super) async fn set_rate_limit(&mut self, limits: &RateLimit) -> Result<(), Halt> {
        let body = rate_limit_json(limits);
        self.asana_admin(
            Method::PUT,
            "/config",
            Some(json!({"rate_limit": body})),
            "set_rate_limit",
        )
        .await?;
        Ok(())
    }

    pub(super) fn asana(&self, what: &str) -> Result<&FakeAsana, Halt> {
        self.asana.as_ref().ok_or_else(|| {
            Halt::Skipped(Skip(format!(
                "{what} needs the fake Asana's admin side, which an external endpoint does not have"
            )))
        })
    }

    pub(super) async fn asana_admin(
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

    pub(super) async fn new_service_account(
        &mut self,
        sa: &GivenServiceAccount,
    ) -> Result<Value, Halt> {
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

    pub(super) async fn http(
        &mut self,
        request: &HttpRequest,
        base: &str,
    ) -> Result<(), StepFailure> {
        let path = self.bindings.interpolate(&request.path)?;
        let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| fail("bad method"))?;
        let url = format!("{base}{path}");
        let mut builder = self.client.request(method.clone(), &url);
        if let Some(t) = &request.token {
            builder = builder.bearer_auth(self.bindings.interpolate(t)?);
        }
        if let Some(b) = &request.body {
            builder = builder
                .header("content-type", "application/scim+json")
                .body(serde_json::to_vec(&self.bindings.interpolate_json(b)?).expect("JSON"));
        } else if let Some(raw) = &request.raw_body {
            builder = builder
                .header("content-type", "application/scim+json")
                .body(self.bindings.interpolate(raw)?);
        }
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
        self.note_created(method.as_str(), &url, status, Some(&reply));
        self.exchanges
            .push(TargetExchange::new(method.as_str(), &url, status).answered(Some(&reply)));
        self.transcript.exchange(
            Hop::Scenario,
            self.clock.now(),
            method.as_str(),
            &url,
            request.body.as_ref(),
            status,
            Some(&reply),
        );
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
            let expected = self.bindings.interpolate_json(expected)?;
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

    /// Remembers a user or group an external endpoint created (a 201 to a POST on its
    /// collection), so the report can list it.
    pub(super) fn note_created(
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
        let Some(body) = body else { return };
        let Some(id) = body["id"].as_str() else {
            return;
        };
        let name = body["userName"]
            .as_str()
            .or(body["displayName"].as_str())
            .unwrap_or_default();
        if !self.created.iter().any(|(_, i, _)| i == id) {
            self.created
                .push((resource, id.to_owned(), name.to_owned()));
        }
    }

    /// What this run created on the external endpoint, each read back once for its final
    /// state. Nothing is deleted: the list is for the admin who cleans the sandbox.
    pub(super) async fn created_on_external(&mut self) -> Vec<CreatedResource> {
        let Some(target) = self.external.clone() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (resource, id, name) in self.created.clone() {
            let collection = if resource == "User" {
                "Users"
            } else {
                "Groups"
            };
            let url = format!("{}/{collection}/{id}", self.scim_url);
            let read = self
                .client
                .get(&url)
                .bearer_auth(&target.token)
                .send()
                .await;
            let final_state = match read {
                Ok(r) if r.status() == StatusCode::NOT_FOUND => "gone".to_owned(),
                Ok(r) if r.status().is_success() => {
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    match body["active"].as_bool() {
                        Some(true) => "active".to_owned(),
                        Some(false) => "inactive".to_owned(),
                        None if resource == "Group" => "present".to_owned(),
                        None => "unknown".to_owned(),
                    }
                }
                Ok(r) => format!("unknown (HTTP {})", r.status().as_u16()),
                Err(e) => format!("unknown ({e})"),
            };
            out.push(CreatedResource {
                resource,
                id,
                name,
                final_state,
            });
        }
        out
    }

    pub(super) async fn start_asana(
        loaded: &Loaded,
        clock: &Clock,
        seed: u64,
        organization_domain: Option<&str>,
    ) -> Result<FakeAsana, Halt> {
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
                } else if let Some(domain) = organization_domain {
                    f.organizations[0].domains = vec![domain.to_owned()];
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
        let asana = FakeAsana::builder()
            .profile(a.profile.unwrap_or_default())
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
