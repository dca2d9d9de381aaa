//! Reading a HAR 1.2 file into the SCIM exchanges it holds: the harness's own (`run --har`, the
//! fakes' journals as `?format=har`), `record`'s, or a browser's export (bodies in base64, extra
//! headers, cookies and timings, and pages' other requests, all of which are skipped).
//!
//! Only the fields HAR 1.2 requires are read (`request.method`, `request.url`,
//! `request.postData`, `response.status`, `response.content`), so any producer's file reads the
//! same. Headers are never read: a token in the file is never used.

use std::io::Read;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// The largest file read: a browser's export of a long session is a few megabytes; a file much
/// larger is not a recording of provisioning and would only cost memory to parse.
pub const MAX_HAR_BYTES: u64 = 64 * 1024 * 1024;

/// The path segments a SCIM base is followed by (RFC 7644 §3.2 endpoints).
const SCIM_ENDPOINTS: &[&str] = &[
    "Users",
    "Groups",
    "ServiceProviderConfig",
    "Schemas",
    "ResourceTypes",
];

/// Why a file is not a recording replay can read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} is larger than {limit} bytes: not a HAR of SCIM exchanges (export only the SCIM requests)"
    )]
    TooLarge { path: String, limit: u64 },
    #[error("{path} is not JSON: {message}")]
    NotJson { path: String, message: String },
    #[error("{path} is not a HAR 1.2 file: {what}")]
    NotHar { path: String, what: String },
    #[error(
        "{path} holds no SCIM exchange (no request to …/Users, …/Groups, …/ServiceProviderConfig, …/Schemas or …/ResourceTypes)"
    )]
    NoScim { path: String },
}

/// The SCIM exchanges of one HAR file, in the order they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The SCIM base the exchanges went to: `https://app.asana.com/api/1.0/scim`.
    pub base_url: String,
    pub exchanges: Vec<Exchange>,
    /// Entries that were not SCIM exchanges with that base (pages, scripts, OneLogin's API).
    pub skipped: usize,
}

/// One recorded SCIM exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: String,
    /// Relative to the SCIM base, without the query: `/Users/1200000000000004`.
    pub path: String,
    /// As sent (still URL-encoded).
    pub query: Option<String>,
    /// The request's declared content type; `None` when it declared none.
    pub request_type: Option<String>,
    /// The request body: JSON when it parses, else its text.
    pub request: Option<Value>,
    /// `None`: no answer was recorded (HAR status 0).
    pub status: Option<u16>,
    /// The answer: JSON when it parses, its text otherwise, `null` when empty.
    pub response: Value,
}

impl Exchange {
    /// `/Users?filter=...`: the path and query as the request named them.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// Reads and parses `path`, refusing a file over [`MAX_HAR_BYTES`] before reading it.
pub fn read_file(path: &Path) -> Result<Recording, ReadError> {
    let name = path.display().to_string();
    let io = |source| ReadError::Io {
        path: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let too_large = || ReadError::TooLarge {
        path: name.clone(),
        limit: MAX_HAR_BYTES,
    };
    if file.metadata().map_err(io)?.len() > MAX_HAR_BYTES {
        return Err(too_large());
    }
    // The size may change between the check and the read: the read is bounded too.
    let mut bytes = Vec::new();
    file.take(MAX_HAR_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_HAR_BYTES {
        return Err(too_large());
    }
    parse(&bytes, &name)
}

/// Parses a HAR document; `origin` names it in errors.
pub fn parse(bytes: &[u8], origin: &str) -> Result<Recording, ReadError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| ReadError::NotJson {
        path: origin.to_owned(),
        message: e.to_string(),
    })?;
    let not_har = |what: &str| ReadError::NotHar {
        path: origin.to_owned(),
        what: what.to_owned(),
    };
    let entries = doc["log"]["entries"]
        .as_array()
        .ok_or_else(|| not_har("no log.entries list"))?;
    let mut base_url: Option<String> = None;
    let mut exchanges = Vec::new();
    let mut skipped = 0;
    for (i, entry) in entries.iter().enumerate() {
        let request = &entry["request"];
        let (Some(method), Some(url)) = (request["method"].as_str(), request["url"].as_str())
        else {
            return Err(not_har(&format!(
                "entry {} has no request.method or request.url",
                i + 1
            )));
        };
        let Some((base, path, query)) = split_scim_url(url) else {
            skipped += 1;
            continue;
        };
        // The first SCIM base met is the recording's; another one is another service.
        if base_url.get_or_insert_with(|| base.clone()) != &base {
            skipped += 1;
            continue;
        }
        exchanges.push(Exchange {
            method: method.to_ascii_uppercase(),
            path,
            query,
            request_type: request["postData"]["mimeType"]
                .as_str()
                .filter(|m| !m.is_empty())
                .map(str::to_owned),
            request: request["postData"]["text"]
                .as_str()
                .filter(|t| !t.is_empty())
                .map(json_or_text),
            status: entry["response"]["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| *s != 0),
            response: content(&entry["response"]["content"]),
        });
    }
    match base_url {
        Some(base_url) => Ok(Recording {
            base_url,
            exchanges,
            skipped,
        }),
        None => Err(ReadError::NoScim {
            path: origin.to_owned(),
        }),
    }
}

/// `(base, path, query)` of a SCIM URL: the base is everything before the first SCIM endpoint
/// segment (`https://h/api/1.0/scim` of `https://h/api/1.0/scim/Users/12?x=1`).
pub fn split_scim_url(url: &str) -> Option<(String, String, Option<String>)> {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let (without_query, query) = match url.split_once('?') {
        Some((u, q)) => (u, Some(q.to_owned()).filter(|q| !q.is_empty())),
        None => (url, None),
    };
    let after_scheme = without_query.find("://").map_or(0, |i| i + 3);
    let path_start = without_query[after_scheme..]
        .find('/')
        .map(|i| i + after_scheme)?;
    let path = &without_query[path_start..];
    let mut offset = 0;
    for segment in path.split('/') {
        if SCIM_ENDPOINTS.contains(&segment) {
            let cut = path_start + offset - 1;
            return Some((
                without_query[..cut].to_owned(),
                without_query[cut..].to_owned(),
                query,
            ));
        }
        offset += segment.len() + 1;
    }
    None
}

/// A response's content: base64 decoded when the producer encoded it (browsers do for some
/// types), then JSON when it parses.
fn content(content: &Value) -> Value {
    let Some(text) = content["text"].as_str().filter(|t| !t.is_empty()) else {
        return Value::Null;
    };
    if content["encoding"].as_str() == Some("base64") {
        return match STANDARD.decode(text.trim()) {
            Ok(bytes) => json_or_text(&String::from_utf8_lossy(&bytes)),
            Err(_) => Value::String(text.to_owned()),
        };
    }
    json_or_text(text)
}

/// A body as JSON when it is JSON, else as its text.
pub(crate) fn json_or_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_base_is_what_comes_before_the_first_scim_endpoint() {
        assert_eq!(
            split_scim_url("https://app.asana.com/api/1.0/scim/Users/12?a=b"),
            Some((
                "https://app.asana.com/api/1.0/scim".into(),
                "/Users/12".into(),
                Some("a=b".into())
            ))
        );
        assert_eq!(
            split_scim_url("http://127.0.0.1:9/ServiceProviderConfig"),
            Some((
                "http://127.0.0.1:9".into(),
                "/ServiceProviderConfig".into(),
                None
            ))
        );
        assert_eq!(split_scim_url("http://h/api/2/users"), None);
        assert_eq!(split_scim_url("http://h/UsersX"), None);
    }

    #[test]
    fn browser_exports_are_read_and_other_requests_skipped() {
        let body = STANDARD.encode(r#"{"id":"7","userName":"ada@acme.test"}"#);
        let doc = json!({"log": {"version": "1.2", "entries": [
            {"request": {"method": "GET", "url": "https://app.asana.com/app.js", "headers": []},
             "response": {"status": 200, "content": {"mimeType": "text/javascript", "text": "x"}}},
            {"request": {"method": "post", "url": "https://app.asana.com/api/1.0/scim/Users",
                         "headers": [{"name": "Authorization", "value": "Bearer 2/secret"}],
                         "postData": {"mimeType": "application/scim+json", "text": "{\"userName\":\"ada@acme.test\"}"}},
             "response": {"status": 201, "content": {"mimeType": "application/json", "text": body, "encoding": "base64"}},
             "timings": {"wait": 12.5}},
            {"request": {"method": "GET", "url": "https://other.test/scim/Users"},
             "response": {"status": 200, "content": {"text": ""}}},
        ]}});
        let r = parse(doc.to_string().as_bytes(), "export.har").unwrap();
        assert_eq!(r.base_url, "https://app.asana.com/api/1.0/scim");
        assert_eq!(r.skipped, 2);
        assert_eq!(r.exchanges.len(), 1);
        let e = &r.exchanges[0];
        assert_eq!((e.method.as_str(), e.status), ("POST", Some(201)));
        assert_eq!(e.response["id"], "7");
        assert_eq!(e.request.as_ref().unwrap()["userName"], "ada@acme.test");
    }

    #[test]
    fn files_that_are_not_recordings_say_why() {
        let err = |text: &str| parse(text.as_bytes(), "f.har").unwrap_err().to_string();
        assert!(err("{").starts_with("f.har is not JSON"));
        assert_eq!(
            err("{}"),
            "f.har is not a HAR 1.2 file: no log.entries list"
        );
        assert!(err(r#"{"log":{"entries":[]}}"#).contains("holds no SCIM exchange"));
    }

    #[test]
    fn a_file_over_the_bound_is_refused_before_it_is_parsed() {
        let dir = std::env::temp_dir().join(format!("replay-bound-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.har");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_HAR_BYTES + 1).unwrap();
        let e = read_file(&path).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
