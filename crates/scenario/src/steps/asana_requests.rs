//! Requests a scenario makes to Asana's SCIM or REST API as any client would, and the
//! expectation on the exchanges with the SCIM target (the provisioner's and these).

use reqwest::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::action::{Action, Binding, CheckError, References};
use crate::format::pattern::Pattern;
use crate::report::StepFailure;
use crate::runner::bindings::Bound;
use crate::runner::log::{Hop, Message, TargetExchange, content_type};
use crate::runner::outcome::{Halt, fail, mismatch};
use crate::runner::state::Runner;

/// A request straight to the SCIM or REST API, as any client would make it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    /// The HTTP method, in any case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, ...
    pub method: String,
    /// Relative to the SCIM base (`/Users`) or the REST base (`/users/me`).
    pub path: String,
    /// The bearer token; `${sa.token}` names a service account's. Absent: no Authorization.
    #[serde(default)]
    pub token: Option<String>,
    /// A JSON body (written as YAML); strings may hold `${name.field}`.
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw body, for malformed input.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// The status the response must have.
    #[serde(default)]
    pub expect_status: Option<u16>,
    /// Every key here must be in the response, with the same value (recursively).
    #[serde(default)]
    pub expect_body: Option<Value>,
    /// Binds the response body for `${name.field}` in later steps.
    #[serde(rename = "as", default)]
    pub bind: Option<String>,
}

/// The HTTP exchanges with the SCIM target: requests the provisioner made, and the scenario's
/// own `scim_request` / `rest_request` steps. A pattern is `METHOD PATH [STATUS]`; `*` in the
/// path matches anything; STATUS may be `dropped`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeExpectation {
    /// These happened, in this order (other exchanges may come between).
    #[serde(default)]
    pub sequence: Vec<Pattern>,
    /// None of these happened.
    #[serde(default)]
    pub absent: Vec<Pattern>,
    /// `start` (default) or `previous`: since the previous `expect_exchanges`.
    #[serde(default)]
    pub since: Since,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Since {
    #[default]
    Start,
    Previous,
}

// Each step's own type (transparent, without doc comments: the schema shows the payload's).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ScimRequest(pub HttpRequest);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct RestRequest(pub HttpRequest);

impl HttpRequest {
    fn references(&self) -> References<'_> {
        let mut r = References::default();
        r.templates.extend(
            [
                Some(&self.path),
                self.token.as_ref(),
                self.raw_body.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(|t| t.as_str().into()),
        );
        for body in [&self.body, &self.expect_body].into_iter().flatten() {
            r.templates.push(body.to_string().into());
        }
        r
    }

    fn check(&self) -> Result<(), CheckError> {
        if self.body.is_some() && self.raw_body.is_some() {
            return Err(CheckError::TwoBodies);
        }
        self.method()?;
        Ok(())
    }

    fn method(&self) -> Result<Method, CheckError> {
        Method::from_bytes(self.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| CheckError::NotAMethod(self.method.clone()))
    }

    /// Sends the request to `base` and checks and binds its answer.
    async fn send(&self, r: &mut Runner, base: &str) -> Result<(), StepFailure> {
        let path = r.bindings().interpolate(&self.path)?;
        let method = self.method().map_err(|_| fail("bad method"))?;
        let url = format!("{base}{path}");
        let wire = self.exchange(r, &method, &url).await?;
        let (status, reply) = (wire.status, wire.reply);
        r.note_created(method.as_str(), &url, status, Some(&reply));
        r.exchanges_mut()
            .push(TargetExchange::new(method.as_str(), &url, status).answered(Some(&reply)));
        let now = r.now();
        r.transcript_mut().exchange(
            Hop::Scenario,
            now,
            method.as_str(),
            &url,
            Message {
                content_type: wire.sent_type.as_deref(),
                body: self.body.as_ref(),
            },
            status,
            Message {
                content_type: wire.answer_type.as_deref(),
                body: Some(&reply),
            },
        );
        self.expect_answer(r, &method, &path, status, &reply)?;
        if let Some(name) = &self.bind {
            r.bindings_mut().insert(name.clone(), Bound::Body(reply));
        }
        Ok(())
    }

    /// The request sent and what came back.
    async fn exchange(&self, r: &Runner, method: &Method, url: &str) -> Result<Wire, StepFailure> {
        let mut builder = r.client().request(method.clone(), url);
        if let Some(t) = &self.token {
            builder = builder.bearer_auth(r.bindings().interpolate(t)?);
        }
        if let Some(b) = &self.body {
            let body = serde_json::to_vec(&r.bindings().interpolate_json(b)?).expect("JSON");
            builder = builder
                .header("content-type", "application/scim+json")
                .body(body);
        } else if let Some(raw) = &self.raw_body {
            builder = builder
                .header("content-type", "application/scim+json")
                .body(r.bindings().interpolate(raw)?);
        }
        let request = builder
            .build()
            .map_err(|e| fail(format!("{method} {url} cannot be sent: {e}")))?;
        let mut wire = Wire {
            sent_type: content_type(request.headers()),
            status: None,
            answer_type: None,
            reply: Value::Null,
        };
        let Ok(response) = r.client().execute(request).await else {
            return Ok(wire);
        };
        wire.status = Some(response.status().as_u16());
        wire.answer_type = content_type(response.headers());
        let bytes = response.bytes().await.unwrap_or_default();
        if !bytes.is_empty() {
            wire.reply = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)));
        }
        Ok(wire)
    }

    /// `expect_status` and `expect_body`, where given.
    fn expect_answer(
        &self,
        r: &Runner,
        method: &Method,
        path: &str,
        status: Option<u16>,
        reply: &Value,
    ) -> Result<(), StepFailure> {
        if let Some(expected) = self.expect_status
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
        if let Some(expected) = &self.expect_body {
            let expected = r.bindings().interpolate_json(expected)?;
            if let Some(where_) = first_difference(&expected, reply, "") {
                return Err(mismatch(
                    format!("{method} {path}: the body differs at {where_}"),
                    expected.to_string(),
                    reply.to_string(),
                ));
            }
        }
        Ok(())
    }

    fn binds(&self) -> Option<Binding<'_>> {
        self.bind.as_deref().map(Binding::Value)
    }
}

impl Action for ScimRequest {
    const NAME: &'static str = "scim_request";

    fn references(&self) -> References<'_> {
        self.0.references()
    }

    fn binds(&self) -> Option<Binding<'_>> {
        self.0.binds()
    }

    fn check(&self) -> Result<(), CheckError> {
        self.0.check()
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let base = r.scim_url().to_owned();
        Ok(self.0.send(r, &base).await?)
    }
}

impl Action for RestRequest {
    const NAME: &'static str = "rest_request";

    fn references(&self) -> References<'_> {
        self.0.references()
    }

    fn binds(&self) -> Option<Binding<'_>> {
        self.0.binds()
    }

    fn check(&self) -> Result<(), CheckError> {
        self.0.check()
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let base = r.rest_url().to_owned();
        Ok(self.0.send(r, &base).await?)
    }
}

impl Action for ExchangeExpectation {
    const NAME: &'static str = "expect_exchanges";
    const EXPECTATION: bool = true;

    /// The sequence in order, none of the absent, since the start or the previous expectation.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let log = r.exchanges_mut();
        let window = log.since(self.since == Since::Previous);
        let shown = || {
            window
                .iter()
                .map(TargetExchange::line)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut at = 0;
        for pattern in &self.sequence {
            match window[at..].iter().position(|x| x.matches(pattern)) {
                Some(i) => at += i + 1,
                None => {
                    let all: Vec<String> = self.sequence.iter().map(Pattern::to_string).collect();
                    return Err(mismatch(
                        "the exchanges with the SCIM target",
                        format!("{pattern} (in order: {})", all.join(", ")),
                        shown(),
                    )
                    .into());
                }
            }
        }
        for pattern in &self.absent {
            if let Some(hit) = window.iter().find(|x| x.matches(pattern)) {
                return Err(mismatch(
                    "the exchanges with the SCIM target",
                    format!("no {pattern}"),
                    format!("{}\n(all: {})", hit.line(), shown()),
                )
                .into());
            }
        }
        log.mark_seen();
        Ok(())
    }
}

/// Where `expected` is not contained in `actual` (objects by key, arrays element by element),
/// if anywhere.
fn first_difference(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(k, v)| {
            first_difference(v, a.get(k).unwrap_or(&Value::Null), &format!("{at}.{k}"))
        }),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]"))),
        (e, a) if e == a => None,
        _ => Some(if at.is_empty() {
            "the top".into()
        } else {
            at.trim_start_matches('.').to_owned()
        }),
    }
}

/// One exchange of a scenario's own request, as it went over the wire.
struct Wire {
    /// The `Content-Type` the request declared.
    sent_type: Option<String>,
    /// `None` when the connection dropped.
    status: Option<u16>,
    answer_type: Option<String>,
    /// The body, JSON or text.
    reply: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets() {
        assert_eq!(
            first_difference(&json!({"a": 1}), &json!({"a": 1, "b": 2}), ""),
            None
        );
        assert_eq!(
            first_difference(
                &json!({"a": {"b": [1, 2]}}),
                &json!({"a": {"b": [1, 3]}}),
                ""
            ),
            Some("a.b[1]".into())
        );
    }
}
