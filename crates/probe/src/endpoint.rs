//! The endpoint under test and the few requests every check is made of.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The SCIM endpoint to check, and how to reach it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub scim_url: String,
    pub token: String,
    /// An email domain of the organization, for probe users. Off-domain users become guests.
    pub domain: String,
}

/// Why a check saw no behaviour to compare: its text is the check's observation.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no answer ({0})")]
    NoAnswer(#[from] reqwest::Error),
    /// A probe user or team the check needs was not created.
    #[error("the probe {0} was not created")]
    NotCreated(&'static str),
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) body: Value,
}

/// Creates a probe user and returns its id: the first step of every check that changes one.
pub(crate) async fn create_user(
    client: &reqwest::Client,
    t: &Endpoint,
    tok: Option<&str>,
    email: &str,
) -> Result<String, ProbeError> {
    let created = call(client, t, Method::POST, "/Users", tok, Some(user(email))).await?;
    created.body["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or(ProbeError::NotCreated("user"))
}

/// Best-effort cleanup of a probe user (`id` as the create response gave it, possibly absent):
/// a check's result never depends on it.
pub(crate) async fn remove_user(
    client: &reqwest::Client,
    t: &Endpoint,
    tok: Option<&str>,
    id: &Value,
) {
    if let Some(id) = id.as_str() {
        let _ = call(
            client,
            t,
            Method::DELETE,
            &format!("/Users/{id}"),
            tok,
            None,
        )
        .await;
    }
}

pub(crate) async fn call(
    client: &reqwest::Client,
    t: &Endpoint,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Reply, ProbeError> {
    let mut request = client.request(
        method,
        format!("{}{path}", t.scim_url.trim_end_matches('/')),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(b) = body {
        request = request
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let response = request.send().await?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let bytes = response.bytes().await.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

/// The shape of an error body, in words.
pub(crate) fn error_form(body: &Value) -> &'static str {
    if body.pointer("/errors/0/message").is_some() {
        "Asana REST error body"
    } else if body.get("schemas").is_some() && body.get("status").is_some() {
        "SCIM error body"
    } else {
        "other body"
    }
}

/// A probe user's email: unique per run and side, so reruns do not collide.
pub(crate) fn probe_email(t: &Endpoint, side: u8, tag: &str) -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("harness-probe-{tag}-{side}-{nonce}@{}", t.domain)
}

pub(crate) fn user(email: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"formatted": "Harness Probe"},
        "emails": [{"primary": true, "value": email}],
        "active": true
    })
}

pub(crate) fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}
