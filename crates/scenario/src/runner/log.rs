//! What the runner saw: the exchanges with the SCIM target (for the expectation on them and
//! failure reports, from the harness's side, so they work against an external endpoint too)
//! and the transcript of both hops. Each line is rendered in one place.

use serde_json::Value;

use crate::format::pattern::Pattern;

/// One HTTP exchange with the SCIM target.
#[derive(Debug, Clone)]
pub(crate) struct TargetExchange {
    method: String,
    path: String,
    query: Option<String>,
    /// `None`: the connection dropped or never answered.
    status: Option<u16>,
    /// The response body, redacted as transcripts are (ids, times, secrets): its shape, for
    /// `run --compare`.
    shape: Value,
}

impl TargetExchange {
    pub(crate) fn new(method: &str, url: &str, status: Option<u16>) -> TargetExchange {
        let (path, query) = split_url(url);
        TargetExchange {
            method: method.to_owned(),
            path,
            query,
            status,
            shape: Value::Null,
        }
    }

    /// The same, with the response body it got.
    pub(crate) fn answered(mut self, body: Option<&Value>) -> TargetExchange {
        self.shape = body
            .filter(|b| !b.is_null())
            .map_or(Value::Null, |b| crate::transcript::redact(b.clone()));
        self
    }

    /// What `run --compare` compares.
    pub(crate) fn shape(&self) -> crate::report::ExchangeShape {
        crate::report::ExchangeShape {
            method: self.method.clone(),
            path: crate::compare::normalize_path(&self.path),
            query: self.query.clone(),
            status: self.status,
            body: self.shape.clone(),
        }
    }

    pub(crate) fn matches(&self, pattern: &Pattern) -> bool {
        pattern.matches(&self.method, &self.path, self.query.as_deref(), self.status)
    }

    /// The path with its query, as sent.
    pub(crate) fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    pub(crate) fn line(&self) -> String {
        format!(
            "{} {} {}",
            self.method,
            self.target(),
            status_text(self.status)
        )
    }
}

/// A status as reports show it: `dropped` when no answer came.
fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "dropped".to_owned(), |s| s.to_string())
}

/// The exchanges so far, and where the previous expectation on them stopped.
#[derive(Debug, Default)]
pub(crate) struct ExchangeLog {
    entries: Vec<TargetExchange>,
    mark: usize,
}

impl ExchangeLog {
    pub(crate) fn push(&mut self, exchange: TargetExchange) {
        self.entries.push(exchange);
    }

    /// Every exchange's shape, in order, for `run --compare`.
    pub(crate) fn shapes(&self) -> Vec<crate::report::ExchangeShape> {
        self.entries.iter().map(TargetExchange::shape).collect()
    }

    /// The last few, for a failure report.
    pub(crate) fn recent(&self) -> Vec<String> {
        let from = self.entries.len().saturating_sub(12);
        self.entries[from..]
            .iter()
            .map(TargetExchange::line)
            .collect()
    }

    /// The exchanges since the start, or since the previous expectation marked them seen.
    pub(crate) fn since(&self, previous: bool) -> &[TargetExchange] {
        let from = if previous { self.mark } else { 0 };
        &self.entries[from..]
    }

    /// The next expectation on the exchanges may start after these.
    pub(crate) fn mark_seen(&mut self) {
        self.mark = self.entries.len();
    }
}

/// Which hop a transcript line belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hop {
    /// The harness's calls to OneLogin.
    OneLogin,
    /// OneLogin's SCIM calls to the target.
    Scim,
    /// A scenario's own SCIM or REST request.
    Scenario,
}

impl Hop {
    fn label(self) -> &'static str {
        match self {
            Hop::OneLogin => "onelogin ",
            Hop::Scim => "scim     ",
            Hop::Scenario => "scenario ",
        }
    }
}

/// One side of an exchange as it went over the wire: the `Content-Type` it declared (read
/// from the request built or the answer received, so a HAR shows what was really sent) and
/// its JSON body.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Message<'a> {
    pub content_type: Option<&'a str>,
    pub body: Option<&'a Value>,
}

/// A `Content-Type` header as it went, when it is text.
pub(crate) fn content_type(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The redacted transcript of both hops, and the same exchanges as HAR entries, each kept only
/// when asked for.
#[derive(Debug, Default)]
pub(crate) struct Transcript {
    keep: bool,
    lines: Vec<String>,
    har: Option<Vec<harness_server::har::HarEntry>>,
}

impl Transcript {
    pub(crate) fn new(keep: bool, har: bool) -> Self {
        Transcript {
            keep,
            lines: Vec::new(),
            har: har.then(Vec::new),
        }
    }

    /// A request and its answer: two transcript lines, and a HAR entry. `url` is absolute;
    /// bodies are redacted as transcripts are (ids, times, secrets).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn exchange(
        &mut self,
        hop: Hop,
        at: jiff::Timestamp,
        method: &str,
        url: &str,
        sent: Message<'_>,
        status: Option<u16>,
        answer: Message<'_>,
    ) {
        let (request, response) = (sent.body, answer.body);
        if let Some(har) = &mut self.har {
            let redacted = |v: Option<&Value>| {
                v.filter(|v| !v.is_null())
                    .map(|v| crate::transcript::redact(v.clone()).to_string())
            };
            har.push(harness_server::har::HarEntry {
                started: harness_server::har::started(&at.to_string()),
                method: method.to_owned(),
                // As sent: a scenario may write a path unencoded (spaces, quotes).
                url: reqwest::Url::parse(url).map_or_else(|_| url.to_owned(), String::from),
                request_mime: sent.content_type.map(str::to_owned),
                request_body: redacted(request),
                status,
                response_mime: answer.content_type.map(str::to_owned),
                response_body: redacted(response),
                comment: Some(hop.label().trim().to_owned()),
            });
        }
        if !self.keep {
            return;
        }
        let target = {
            let (path, query) = split_url(url);
            match query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            }
        };
        let target = target.as_str();
        let label = hop.label();
        self.lines.push(format!(
            "{label} → {method} {}{}",
            crate::transcript::path(target),
            crate::transcript::body(request)
        ));
        self.lines.push(format!(
            "{label} ← {}{}",
            status_text(status),
            crate::transcript::body(response)
        ));
    }

    pub(crate) fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Both hops as one HAR document, when kept.
    pub(crate) fn har(&self) -> Option<Value> {
        self.har
            .as_ref()
            .map(|entries| harness_server::har::har("asana-harness run", entries))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_and_lines_render() {
        assert_eq!(
            split_url("http://h:1/api/1.0/scim/Users?filter=x&"),
            ("/api/1.0/scim/Users".into(), Some("filter=x&".into()))
        );
        let e = TargetExchange::new("GET", "http://h:1/scim/Users?filter=x&", None);
        assert_eq!(e.line(), "GET /scim/Users?filter=x& dropped");
        assert!(e.matches(&Pattern::parse("GET /scim/Users dropped").unwrap()));
    }
}
