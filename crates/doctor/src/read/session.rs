//! The requests of a run: each one sent, written down, and its answer kept; and what a read
//! that failed says (which read, which URL, why).

use serde::Serialize;
use serde_json::Value;

/// One request the doctor sent, and the status it got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    pub status: u16,
}

/// An answer kept as it came: checks decide what a status means (a 401 from Asana is a
/// finding about the token, not a failure to read).
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: u16,
    pub body: Value,
}

/// A read that failed, and why: the doctor cannot judge a setup it could not read (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("could not read {what} ({url}): {why}")]
pub struct ReadError {
    /// What was being read, in the admin's words ("OneLogin's Asana app").
    pub what: &'static str,
    pub url: String,
    pub why: ReadFailure,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    #[error("no answer: {0}")]
    Unreachable(String),
    #[error("answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the answer is not what the API documents: {0}")]
    Unexpected(String),
}

/// The requests of one run, each written down as it is sent.
pub(super) struct Session<'a> {
    pub(super) client: &'a reqwest::Client,
    pub(super) requests: Vec<SentRequest>,
}

impl Session<'_> {
    /// Sends a request and keeps whatever status and body came back (a body that is not JSON
    /// is kept as a string).
    pub(super) async fn send(
        &mut self,
        what: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<Response, ReadError> {
        let request = request
            .build()
            .map_err(|e| unreachable(what, String::new(), e))?;
        let (method, url) = (request.method().to_string(), request.url().to_string());
        let answer = self
            .client
            .execute(request)
            .await
            .map_err(|e| unreachable(what, url.clone(), e))?;
        let status = answer.status().as_u16();
        let text = answer
            .text()
            .await
            .map_err(|e| unreachable(what, url.clone(), e))?;
        self.requests.push(SentRequest {
            method,
            url,
            status,
        });
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Response { status, body })
    }

    /// A GET that must succeed: anything but 2xx is a failure to read.
    pub(super) async fn get_ok(
        &mut self,
        what: &'static str,
        url: String,
        bearer: &str,
    ) -> Result<Value, ReadError> {
        let r = self
            .send(what, self.client.get(&url).bearer_auth(bearer))
            .await?;
        success(what, url, r)
    }
}

pub(super) fn success(what: &'static str, url: String, r: Response) -> Result<Value, ReadError> {
    if (200..300).contains(&r.status) {
        return Ok(r.body);
    }
    let body = match r.body {
        Value::String(s) => s,
        other => other.to_string(),
    };
    Err(ReadError {
        what,
        url,
        why: ReadFailure::Refused {
            status: r.status,
            body,
        },
    })
}

fn unreachable(what: &'static str, url: String, e: reqwest::Error) -> ReadError {
    ReadError {
        what,
        url,
        why: ReadFailure::Unreachable(error_chain(&e)),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

pub(super) fn unexpected(what: &'static str, url: &str, why: impl Into<String>) -> ReadError {
    ReadError {
        what,
        url: url.to_owned(),
        why: ReadFailure::Unexpected(why.into()),
    }
}
