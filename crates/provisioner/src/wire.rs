//! One exchange with a SCIM target and what it came to: the body read (JSON, or the start of
//! its text), the target's own words for a refusal, a connection failure in words.

use serde::Serialize;
use serde_json::{Value, json};

/// What OneLogin declares its SCIM bodies as, and accepts back (RFC 7644 §3.1).
pub(crate) const SCIM_MEDIA_TYPE: &str = "application/scim+json";

/// A `Content-Type` as it came, when it is text.
pub(crate) fn content_type(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// One HTTP exchange the provisioner made, for journals and transcripts. The token is never
/// recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    /// `None` when no response came (connection refused, reset, timed out).
    pub status: Option<u16>,
    /// The `Content-Type` sent with the body (`application/scim+json`, as OneLogin sends it);
    /// `None` when there was no body.
    pub request_content_type: Option<String>,
    pub request_body: Option<Value>,
    /// The `Content-Type` the target answered with, as it came; `None` without an answer or
    /// the header.
    pub response_content_type: Option<String>,
    pub response_body: Option<Value>,
    pub error: Option<String>,
}

impl Exchange {
    /// A request as sent, before any answer: a body goes as SCIM.
    pub(crate) fn sent(method: &str, url: &str, body: Option<&Value>) -> Self {
        Exchange {
            method: method.to_owned(),
            url: url.to_owned(),
            status: None,
            request_content_type: body.map(|_| SCIM_MEDIA_TYPE.to_owned()),
            request_body: body.cloned(),
            response_content_type: None,
            response_body: None,
            error: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{detail}")]
pub struct Failure {
    /// The HTTP status of the last answer, if there was one.
    pub status: Option<u16>,
    /// The target's own explanation (SCIM `detail`, Asana's `errors[0].message`) or ours.
    pub detail: String,
    /// The target refused the token: the connection itself is broken.
    pub unauthorized: bool,
}

/// The target answered something the provisioner cannot use.
pub(crate) fn garbage(detail: &str) -> Failure {
    Failure {
        status: None,
        detail: format!("unexpected answer from the SCIM target: {detail}"),
        unauthorized: false,
    }
}

/// The response body as JSON, or its first 2,000 characters as a string when it is not JSON;
/// and, when the body was cut off, that failure in words.
pub(crate) fn parse_body(bytes: Result<&[u8], &reqwest::Error>) -> (Value, Option<String>) {
    match bytes {
        Ok([]) => (Value::Null, None),
        Ok(b) => (
            serde_json::from_slice(b).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(b).chars().take(2000).collect())
            }),
            None,
        ),
        Err(e) => (
            Value::Null,
            Some(format!("the response body was cut off: {e}")),
        ),
    }
}

/// The target's own words: a SCIM error's `detail`, Asana's `errors[0].message`, or the text.
pub(crate) fn error_detail(status: u16, body: &Value) -> String {
    if let Some(d) = body.get("detail").and_then(Value::as_str) {
        return d.to_owned();
    }
    if let Some(m) = body.pointer("/errors/0/message").and_then(Value::as_str) {
        return m.to_owned();
    }
    match body {
        Value::String(s) if !s.trim().is_empty() => format!("HTTP {status}: {}", s.trim()),
        Value::Null => format!("HTTP {status} with an empty body"),
        other => format!("HTTP {status}: {}", json!(other)),
    }
}

pub(crate) fn connection_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the SCIM target did not answer in time".to_owned()
    } else if e.is_connect() {
        format!("cannot connect to the SCIM target: {}", root_cause(e))
    } else {
        format!(
            "the connection to the SCIM target failed: {}",
            root_cause(e)
        )
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
