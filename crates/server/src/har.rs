//! HTTP Archive (HAR 1.2) output for both fakes' journals and the scenario runner: the format a
//! browser's developer tools open. Only what the journals hold goes in: no timings beyond the
//! start, headers only as the content type, bodies as already redacted.

use serde_json::{Value, json};

/// One exchange, as a journal holds it.
#[derive(Debug, Clone, Default)]
pub struct HarEntry {
    /// RFC 3339, as the harness clock gave it.
    pub started: String,
    pub method: String,
    /// Absolute: `http://127.0.0.1:PORT/path?query`.
    pub url: String,
    /// The request's `Content-Type` as sent; `None` when it carried none.
    pub request_mime: Option<String>,
    pub request_body: Option<String>,
    /// `None`: no answer came (a dropped connection); HAR records status 0.
    pub status: Option<u16>,
    /// The answer's `Content-Type` as the server sent it; `None` when it sent none.
    pub response_mime: Option<String>,
    pub response_body: Option<String>,
    /// Which hop, or why it dropped.
    pub comment: Option<String>,
}

/// The HAR document for `entries`, created by `creator` (`"fake-asana"`, `"asana-harness run"`).
pub fn har(creator: &str, entries: &[HarEntry]) -> Value {
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": creator, "version": env!("CARGO_PKG_VERSION")},
            "pages": [],
            "entries": entries.iter().map(entry).collect::<Vec<_>>(),
        }
    })
}

/// The `mimeType` of a body whose message declared no `Content-Type`: HAR requires the field,
/// and a guess would misstate what went over the wire.
const UNDECLARED: &str = "";

/// One entry of [`har`]'s document, for a writer that appends entries one at a time.
pub fn entry(e: &HarEntry) -> Value {
    let query: Vec<Value> = e
        .url
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            json!({"name": name, "value": value})
        })
        .collect();
    let headers = |mime: Option<&String>| -> Vec<Value> {
        mime.map(|m| vec![json!({"name": "content-type", "value": m})])
            .unwrap_or_default()
    };
    let mut request = json!({
        "method": e.method,
        "url": e.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers(e.request_mime.as_ref()),
        "queryString": query,
        "headersSize": -1,
        "bodySize": e.request_body.as_ref().map_or(0, String::len),
    });
    if let Some(body) = &e.request_body {
        request["postData"] = json!({
            "mimeType": e.request_mime.as_deref().unwrap_or(UNDECLARED),
            "text": body,
        });
    }
    let body = e.response_body.as_deref().unwrap_or("");
    let mut out = json!({
        "startedDateTime": e.started,
        "time": 0,
        "request": request,
        "response": {
            "status": e.status.unwrap_or(0),
            "statusText": e.status.map_or("no response", reason),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": headers(e.response_mime.as_ref()),
            "content": {
                "size": body.len(),
                "mimeType": e.response_mime.as_deref().unwrap_or(UNDECLARED),
                "text": body,
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": if e.status.is_some() { body.len() as i64 } else { -1 },
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
    });
    if let Some(c) = &e.comment {
        out["comment"] = json!(c);
    }
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// A timestamp as HAR wants it: RFC 3339 with milliseconds.
pub fn started(rfc3339: &str) -> String {
    // jiff prints whole seconds without a fraction; HAR readers accept both, devtools prefer ms.
    match rfc3339.strip_suffix('Z') {
        Some(base) if !base.contains('.') => format!("{base}.000Z"),
        _ => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_has_every_field_har_1_2_requires() {
        let doc = har(
            "test",
            &[HarEntry {
                started: started("2026-01-01T09:00:00Z"),
                method: "GET".into(),
                url: "http://127.0.0.1:1/Users?filter=a&count=2".into(),
                status: Some(200),
                response_body: Some("{}".into()),
                ..HarEntry::default()
            }],
        );
        let e = &doc["log"]["entries"][0];
        assert_eq!(e["startedDateTime"], "2026-01-01T09:00:00.000Z");
        assert_eq!(
            e["request"]["queryString"][1],
            json!({"name": "count", "value": "2"})
        );
        assert_eq!(e["response"]["statusText"], "OK");
        for key in ["cache", "timings", "time"] {
            assert!(!e[key].is_null(), "{key}");
        }
    }

    #[test]
    fn content_types_are_the_ones_sent_never_a_guess() {
        let doc = har(
            "test",
            &[
                HarEntry {
                    method: "POST".into(),
                    url: "http://127.0.0.1:1/Users".into(),
                    request_mime: Some("application/scim+json".into()),
                    request_body: Some("{}".into()),
                    status: Some(201),
                    response_mime: Some("application/scim+json; charset=utf-8".into()),
                    response_body: Some("{}".into()),
                    ..HarEntry::default()
                },
                HarEntry {
                    method: "POST".into(),
                    url: "http://127.0.0.1:1/form".into(),
                    request_body: Some("a=b".into()),
                    status: Some(204),
                    ..HarEntry::default()
                },
            ],
        );
        let [scim, bare] = [0, 1].map(|i| &doc["log"]["entries"][i]);
        assert_eq!(
            scim["request"]["postData"]["mimeType"],
            "application/scim+json"
        );
        assert_eq!(
            scim["request"]["headers"],
            json!([{"name": "content-type", "value": "application/scim+json"}])
        );
        assert_eq!(
            scim["response"]["content"]["mimeType"],
            "application/scim+json; charset=utf-8"
        );
        assert_eq!(bare["request"]["postData"]["mimeType"], "");
        assert_eq!(bare["request"]["headers"], json!([]));
        assert_eq!(bare["response"]["content"]["mimeType"], "");
        assert_eq!(bare["response"]["headers"], json!([]));
    }
}
