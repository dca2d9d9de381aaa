//! What the runner saw: the exchanges with the SCIM target (for `expect_exchanges` and failure
//! reports, from the harness's side, so they work against an external endpoint too) and the
//! transcript of both hops. Each line is rendered in one place.

use serde_json::Value;

use super::outcome::mismatch;
use crate::format::{ExchangeExpectation, Pattern, Since};
use crate::report::StepFailure;

/// One HTTP exchange with the SCIM target.
#[derive(Debug, Clone)]
pub(super) struct TargetExchange {
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
    pub(super) fn new(method: &str, url: &str, status: Option<u16>) -> TargetExchange {
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
    pub(super) fn answered(mut self, body: Option<&Value>) -> TargetExchange {
        self.shape = body
            .filter(|b| !b.is_null())
            .map_or(Value::Null, |b| crate::transcript::redact(b.clone()));
        self
    }

    /// What `run --compare` compares.
    pub(super) fn shape(&self) -> crate::report::ExchangeShape {
        crate::report::ExchangeShape {
            method: self.method.clone(),
            path: crate::compare::normalize_path(&self.path),
            query: self.query.clone(),
            status: self.status,
            body: self.shape.clone(),
        }
    }

    fn matches(&self, pattern: &Pattern) -> bool {
        pattern.matches(&self.method, &self.path, self.query.as_deref(), self.status)
    }

    /// The path with its query, as sent.
    pub(super) fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    fn line(&self) -> String {
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

/// The exchanges so far, and where the previous `expect_exchanges` stopped.
#[derive(Debug, Default)]
pub(super) struct ExchangeLog {
    entries: Vec<TargetExchange>,
    mark: usize,
}

impl ExchangeLog {
    pub(super) fn push(&mut self, exchange: TargetExchange) {
        self.entries.push(exchange);
    }

    /// Every exchange's shape, in order, for `run --compare`.
    pub(super) fn shapes(&self) -> Vec<crate::report::ExchangeShape> {
        self.entries.iter().map(TargetExchange::shape).collect()
    }

    /// The last few, for a failure report.
    pub(super) fn recent(&self) -> Vec<String> {
        let from = self.entries.len().saturating_sub(12);
        self.entries[from..]
            .iter()
            .map(TargetExchange::line)
            .collect()
    }

    /// `expect_exchanges`: the sequence in order, none of the absent, since the start or the
    /// previous expectation.
    pub(super) fn expect(&mut self, e: &ExchangeExpectation) -> Result<(), StepFailure> {
        let from = if e.since == Since::Previous {
            self.mark
        } else {
            0
        };
        let window = &self.entries[from..];
        let shown = || {
            window
                .iter()
                .map(TargetExchange::line)
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
        self.mark = self.entries.len();
        Ok(())
    }
}

/// Which hop a transcript line belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Hop {
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

/// The redacted transcript of both hops, and the same exchanges as HAR entries, each kept only
/// when asked for.
#[derive(Debug, Default)]
pub(super) struct Transcript {
    keep: bool,
    lines: Vec<String>,
    har: Option<Vec<harness_server::har::HarEntry>>,
}

impl Transcript {
    pub(super) fn new(keep: bool, har: bool) -> Self {
        Transcript {
            keep,
            lines: Vec::new(),
            har: har.then(Vec::new),
        }
    }

    /// A request and its answer: two transcript lines, and a HAR entry. `url` is absolute;
    /// bodies are redacted as transcripts are (ids, times, secrets).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn exchange(
        &mut self,
        hop: Hop,
        at: jiff::Timestamp,
        method: &str,
        url: &str,
        request: Option<&Value>,
        status: Option<u16>,
        response: Option<&Value>,
    ) {
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
                request_mime: request.map(|_| "application/json".to_owned()),
                request_body: redacted(request),
                status,
                response_mime: Some("application/json".to_owned()),
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

    pub(super) fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Both hops as one HAR document, when kept.
    pub(super) fn har(&self) -> Option<Value> {
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
