//! A bounded journal of the API requests the fake answered, with secrets redacted.
//!
//! Tests and scenarios assert on it ("a DELETE happened, then nothing"); people read it to see
//! what their IdP really sent. It never holds a token: the `Authorization` header is replaced by
//! the principal it resolved to.

use axum::body::Bytes;
use axum::http::{HeaderValue, Method, Uri};
use harness_server::BoundedLog;
use harness_server::redact::{mentions_secret, redact};
use jiff::Timestamp;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::store::Principal;

pub const DEFAULT_CAPACITY: usize = 1000;
/// Bodies longer than this are cut, so one huge request cannot fill memory.
const BODY_LIMIT: usize = 16 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub at: Timestamp,
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    /// Path and query exactly as received.
    pub uri: String,
    pub status: u16,
    /// `service_account:<gid>`, `user:<gid>`, or absent when the token did not resolve.
    pub principal: Option<String>,
    pub content_type: Option<String>,
    pub user_agent: Option<String>,
    pub request_body: Option<Value>,
    /// The answer's `Content-Type` as sent; absent without an answer or the header.
    pub response_content_type: Option<String>,
    pub response_body: Option<Value>,
    /// A fault closed the connection instead of answering (`status` is then 0).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dropped: bool,
}

/// A method as the request line spelled it.
fn method_name<S: Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(method.as_str())
}

/// An exchange as the API middleware records it, made into a [`JournalEntry`] only when
/// someone reads the journal: the method and who made it as values, and the path, content type
/// and user agent copied into one string. One allocation per entry, not one per field, and
/// none that keeps the request's own read buffer alive.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub at: Timestamp,
    pub method: Method,
    pub status: u16,
    pub principal: Option<Principal>,
    /// A fault closed the connection instead of answering.
    pub dropped: bool,
    /// The answer's `Content-Type`, set when it is sent (a shared value, not a copy).
    pub response_type: Option<HeaderValue>,
    text: String,
    uri_len: usize,
    content_type: Option<std::ops::Range<usize>>,
    user_agent: Option<std::ops::Range<usize>>,
}

impl Exchange {
    pub fn new(
        at: Timestamp,
        method: Method,
        uri: &Uri,
        content_type: Option<&HeaderValue>,
        user_agent: Option<&HeaderValue>,
    ) -> Self {
        let content_type = content_type.and_then(|v| v.to_str().ok());
        let user_agent = user_agent.and_then(|v| v.to_str().ok());
        let mut text = String::with_capacity(
            uri.path().len()
                + uri.query().map_or(0, |q| q.len() + 1)
                + content_type.map_or(0, str::len)
                + user_agent.map_or(0, str::len),
        );
        text.push_str(uri.path_and_query().map_or(uri.path(), |p| p.as_str()));
        let uri_len = text.len();
        let mut push = |value: Option<&str>| {
            value.map(|v| {
                let start = text.len();
                text.push_str(v);
                start..text.len()
            })
        };
        let content_type = push(content_type);
        let user_agent = push(user_agent);
        Exchange {
            at,
            method,
            status: 0,
            principal: None,
            dropped: false,
            response_type: None,
            text,
            uri_len,
            content_type,
            user_agent,
        }
    }

    /// Path and query exactly as received.
    pub fn uri(&self) -> &str {
        &self.text[..self.uri_len]
    }
}

/// An exchange as recorded: bodies stay raw until someone reads the journal, so answering a
/// request never parses its own output again (it was a tenth of a SCIM read's cost). A body
/// that may hold a secret is redacted at once instead (`*_body`).
struct Entry {
    seq: u64,
    exchange: Exchange,
    request: Bytes,
    response: Bytes,
    request_body: Option<Value>,
    response_body: Option<Value>,
}

impl Entry {
    fn read(&self) -> JournalEntry {
        let e = &self.exchange;
        let text = |range: &Option<std::ops::Range<usize>>| {
            range.as_ref().map(|r| e.text[r.clone()].to_owned())
        };
        JournalEntry {
            seq: self.seq,
            at: e.at,
            method: e.method.clone(),
            uri: e.uri().to_owned(),
            status: e.status,
            principal: e.principal.as_ref().map(Principal::actor),
            content_type: text(&e.content_type),
            user_agent: text(&e.user_agent),
            request_body: self
                .request_body
                .clone()
                .or_else(|| body_for_journal(&self.request)),
            response_content_type: e
                .response_type
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            response_body: self
                .response_body
                .clone()
                .or_else(|| body_for_journal(&self.response)),
            dropped: e.dropped,
        }
    }
}

pub struct Journal {
    log: BoundedLog<Entry>,
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Journal {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            log: BoundedLog::new(capacity),
        }
    }

    #[cfg(test)]
    fn record(&self, exchange: Exchange) {
        self.record_raw(exchange, Bytes::new(), Bytes::new());
    }

    /// Records an exchange whose bodies are still bytes; they become JSON (redacted) when read.
    /// A body that might hold a secret is redacted now instead, so that the journal never holds
    /// a token, even unread.
    pub fn record_raw(&self, exchange: Exchange, request: Bytes, response: Bytes) {
        let (request, request_body) = held(request);
        let (response, response_body) = held(response);
        self.log.push(|seq| Entry {
            seq,
            exchange,
            request,
            response,
            request_body,
            response_body,
        });
    }

    pub fn entries(&self) -> Vec<JournalEntry> {
        self.log.read(Entry::read)
    }

    pub fn clear(&self) {
        self.log.clear();
    }
}

/// A body as an entry holds it: raw (bounded), or redacted now when it may hold a secret.
fn held(body: Bytes) -> (Bytes, Option<Value>) {
    if mentions_secret(&body) {
        (Bytes::new(), body_for_journal(&body))
    } else {
        (bounded(body), None)
    }
}

/// Keeps at most one byte past the limit (enough to know it was cut), in a buffer of its own so
/// that a big body's allocation is not held by the journal.
fn bounded(bytes: Bytes) -> Bytes {
    if bytes.len() > BODY_LIMIT {
        Bytes::copy_from_slice(&bytes[..=BODY_LIMIT])
    } else {
        bytes
    }
}

/// A body as the journal keeps it: JSON when it parses, otherwise (cut) text.
pub fn body_for_journal(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.len() <= BODY_LIMIT
        && let Ok(v) = serde_json::from_slice::<Value>(bytes)
    {
        return Some(redact(v));
    }
    let cut = &bytes[..bytes.len().min(BODY_LIMIT)];
    Some(Value::String(String::from_utf8_lossy(cut).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> Exchange {
        let mut e = Exchange::new(
            harness_clock::DEFAULT_EPOCH,
            Method::GET,
            &Uri::from_static("/"),
            None,
            None,
        );
        e.status = 200;
        e
    }

    #[test]
    fn the_journal_is_bounded_and_numbered() {
        let j = Journal::with_capacity(3);
        for _ in 0..5 {
            j.record(exchange());
        }
        let seqs: Vec<u64> = j.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
    }

    #[test]
    fn secrets_in_bodies_are_redacted() {
        let v =
            body_for_journal(br#"{"name":"x","token":"2/1/2:abc","nested":[{"password":"p"}]}"#)
                .unwrap();
        assert_eq!(v["token"], "[redacted]");
        assert_eq!(v["nested"][0]["password"], "[redacted]");
        assert_eq!(v["name"], "x");
        assert_eq!(
            body_for_journal(b"not json").unwrap(),
            Value::String("not json".into())
        );
    }

    #[test]
    fn bodies_stay_raw_until_read_unless_they_may_hold_a_secret() {
        let j = Journal::with_capacity(10);
        j.record_raw(
            exchange(),
            Bytes::from_static(br#"{"userName":"ada@acme.test"}"#),
            Bytes::from_static(br#"{"name":"sa","Token":"2/1/2:abc"}"#),
        );
        let held = j.log.read(|entry| {
            (
                entry.request.is_empty(),
                entry.response.is_empty(),
                entry.response_body.clone(),
            )
        });
        let (request_empty, response_empty, response_body) = &held[0];
        assert!(!request_empty, "plain bodies are kept as bytes");
        assert!(response_empty, "a secret is never held raw");
        assert_eq!(response_body.as_ref().unwrap()["Token"], "[redacted]");
        let read = &j.entries()[0];
        assert_eq!(
            read.request_body.as_ref().unwrap()["userName"],
            "ada@acme.test"
        );
        assert_eq!(read.response_body.as_ref().unwrap()["Token"], "[redacted]");
    }

    #[test]
    fn a_long_body_is_cut_in_a_buffer_of_its_own() {
        let long = Bytes::from(vec![b'x'; BODY_LIMIT * 4]);
        let j = Journal::with_capacity(1);
        j.record_raw(exchange(), long, Bytes::new());
        let Some(Value::String(text)) = j.entries()[0].request_body.clone() else {
            panic!("text");
        };
        assert_eq!(text.len(), BODY_LIMIT);
    }
}
