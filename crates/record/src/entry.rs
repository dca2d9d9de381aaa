//! One exchange as the proxy saw it, and as the capture holds it: a HAR 1.2 entry built by
//! `harness_server::har`, with the upstream's URL, the answer's headers as received (the
//! harness's HAR holds only content types; a capture also needs `Location`, `Retry-After`,
//! `ETag`), the time it took, secrets blanked and, on request, people pseudonymized.

use serde_json::{Value, json};

use crate::pseudonym::Pseudonyms;
use crate::secrets::{REDACTED, Secrets};

/// An exchange as forwarded.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub started: jiff::Timestamp,
    /// From the request's arrival to the answer's last byte.
    pub millis: u64,
    pub method: String,
    /// The upstream's URL, as the request was sent to it.
    pub url: String,
    pub request_mime: Option<String>,
    /// `None` when the request had no body.
    pub request_body: Option<String>,
    /// The `Authorization` header, kept only to blank the credential wherever it reappears.
    pub authorization: Option<String>,
    /// The answer, or why none came.
    pub answer: Result<Answer, NoAnswer>,
}

/// Why no answer came, as the HTTP client said it (refused, reset, a TLS failure, too long).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct NoAnswer(pub String);

/// The upstream's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Its end-to-end headers, in order, as the client got them.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The HAR entry for `exchange`: secrets blanked first, then (with `pseudonyms`) people
/// learned from the exchange and replaced.
pub fn build(
    exchange: &Exchange,
    secrets: &mut Secrets,
    pseudonyms: Option<&mut Pseudonyms>,
) -> Value {
    if let Some(authorization) = &exchange.authorization {
        secrets.learn_authorization(authorization);
    }
    let mut url = secrets.text(&exchange.url);
    let mut request_body = exchange.request_body.as_deref().map(|b| secrets.body(b));
    let answer = exchange.answer.as_ref().ok();
    let mut response_body = answer.map(|a| secrets.body(&a.body));
    let mut headers: Vec<(String, String)> = answer
        .map(|a| {
            a.headers
                .iter()
                .map(|(n, v)| (n.clone(), header_value(n, v, secrets)))
                .collect()
        })
        .unwrap_or_default();
    let mut comment = exchange
        .answer
        .as_ref()
        .err()
        .map(|reason| format!("no answer from the upstream: {}", secrets.text(&reason.0)));
    if let Some(p) = pseudonyms {
        let bodies: Vec<&str> = [&request_body, &response_body]
            .into_iter()
            .filter_map(|b| b.as_deref())
            .collect();
        p.learn(&url, &bodies);
        url = p.url(&url);
        request_body = request_body.map(|b| p.body(&b));
        response_body = response_body.map(|b| p.body(&b));
        for (_, value) in &mut headers {
            *value = if value.contains("://") {
                p.url(value)
            } else {
                p.text(value)
            };
        }
        comment = comment.map(|c| p.text(&c));
    }
    let har_entry = harness_server::har::HarEntry {
        started: exchange
            .started
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        method: exchange.method.clone(),
        url,
        request_mime: exchange.request_mime.clone(),
        request_body,
        status: answer.map(|a| a.status),
        response_mime: answer
            .and_then(|a| a.header("content-type"))
            .map(str::to_owned),
        response_body,
        comment,
    };
    let mut entry = harness_server::har::entry(&har_entry);
    entry["time"] = json!(exchange.millis);
    entry["timings"]["wait"] = json!(exchange.millis);
    if answer.is_some() {
        let location = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone());
        entry["response"]["redirectURL"] = json!(location.unwrap_or_default());
        entry["response"]["headers"] = headers
            .into_iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
    }
    entry
}

/// A header's value as the capture holds it: cookies are sessions, so blanked.
fn header_value(name: &str, value: &str, secrets: &Secrets) -> String {
    if name.eq_ignore_ascii_case("set-cookie") {
        REDACTED.to_owned()
    } else {
        secrets.text(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "2/1200000000000101/1200000000000102:0123456789abcdef0123456789abcdef";

    fn exchange(answer: Result<Answer, NoAnswer>) -> Exchange {
        Exchange {
            started: "2026-12-02T09:00:00.25Z".parse().unwrap(),
            millis: 12,
            method: "POST".into(),
            url: "https://asana.test/api/1.0/scim/Users".into(),
            request_mime: Some("application/scim+json".into()),
            request_body: Some(r#"{"userName":"ada@acme.test","name":{"givenName":"Ada"}}"#.into()),
            authorization: Some(format!("Bearer {TOKEN}")),
            answer,
        }
    }

    fn created() -> Answer {
        Answer {
            status: 201,
            headers: vec![
                (
                    "content-type".into(),
                    "application/scim+json; charset=utf-8".into(),
                ),
                (
                    "location".into(),
                    "https://asana.test/api/1.0/scim/Users/12".into(),
                ),
                ("set-cookie".into(), "session=abc".into()),
            ],
            body: format!(r#"{{"id":"12","userName":"ada@acme.test","note":"{TOKEN}"}}"#),
        }
    }

    #[test]
    fn an_answer_keeps_its_headers_status_and_types_with_secrets_blanked() {
        let e = build(&exchange(Ok(created())), &mut Secrets::default(), None);
        assert_eq!(e["startedDateTime"], "2026-12-02T09:00:00.250Z");
        assert_eq!(e["time"], 12);
        assert_eq!(e["response"]["status"], 201);
        assert_eq!(
            e["request"]["postData"]["mimeType"],
            "application/scim+json"
        );
        assert_eq!(
            e["response"]["content"]["mimeType"],
            "application/scim+json; charset=utf-8"
        );
        assert_eq!(
            e["response"]["redirectURL"],
            "https://asana.test/api/1.0/scim/Users/12"
        );
        assert_eq!(
            e["response"]["headers"][2],
            json!({"name": "set-cookie", "value": REDACTED})
        );
        let text = e.to_string();
        assert!(
            !text.contains(TOKEN) && !text.contains("0123456789abcdef"),
            "{text}"
        );
        assert!(text.contains("ada@acme.test"), "people stay unless asked");
    }

    #[test]
    fn no_answer_is_status_zero_with_the_reason() {
        let e = build(
            &exchange(Err(NoAnswer("connection refused".into()))),
            &mut Secrets::default(),
            None,
        );
        assert_eq!(e["response"]["status"], 0);
        assert_eq!(
            e["comment"],
            "no answer from the upstream: connection refused"
        );
    }

    #[test]
    fn pseudonyms_reach_bodies_and_header_urls() {
        let mut answer = created();
        answer.headers[1].1 = "https://asana.test/Users?u=ada%40acme.test".into();
        let mut p = Pseudonyms::default();
        let e = build(&exchange(Ok(answer)), &mut Secrets::default(), Some(&mut p));
        let text = e.to_string();
        assert!(
            !text.contains("ada@acme.test") && !text.contains("ada%40acme"),
            "{text}"
        );
        assert!(!text.contains("\"Ada\""), "{text}");
        assert!(text.contains("person-1@example.invalid"), "{text}");
        assert_eq!(
            e["response"]["redirectURL"],
            "https://asana.test/Users?u=person-1%40example.invalid"
        );
    }
}
