//! The proxy's one handler: every request, whatever its method and path, goes to the upstream
//! as it came (headers per `headers`), and the upstream's answer goes back as it came; the
//! exchange is written to the capture before the client gets its answer.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::entry::{Answer, Exchange, NoAnswer};
use crate::headers;
use crate::recorder::Recorder;

/// What every request is forwarded with.
pub struct Proxy {
    pub client: reqwest::Client,
    /// The upstream's base URL, without a trailing slash: a request's path and query follow it.
    pub base: String,
    /// The largest request body accepted.
    pub max_body: usize,
    pub recorder: Arc<Recorder>,
}

/// The largest answer read: far beyond any page of users, short of exhausting memory.
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// Forwards one request and records the exchange.
pub async fn handle(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (started, clock) = (jiff::Timestamp::now(), Instant::now());
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let url = format!("{}{path}", proxy.base);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > proxy.max_body) {
        return too_large(proxy.max_body);
    }
    let Ok(body) = axum::body::to_bytes(body, proxy.max_body).await else {
        return too_large(proxy.max_body);
    };
    let sent = proxy
        .client
        .request(parts.method.clone(), &url)
        .headers(headers::upstream_request(&parts.headers))
        .body(body.clone())
        .send()
        .await;
    let answer = match sent {
        Ok(response) => read(response, MAX_ANSWER).await,
        Err(e) => Err(reason(&e)),
    };
    let text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // What the client gets back, taken from the answer as it moves into the record (the body
    // is not copied).
    let (mut client, mut failure) = (None, String::new());
    let exchange = Exchange {
        started,
        millis: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        method: parts.method.to_string(),
        url: url.clone(),
        request_mime: text(header::CONTENT_TYPE),
        request_body: (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
        authorization: text(header::AUTHORIZATION),
        answer: answer
            .map(|(recorded, headers, bytes)| {
                client = Some((recorded.status, headers, bytes));
                recorded
            })
            .inspect_err(|no_answer| failure = no_answer.0.clone()),
    };
    let recorder = proxy.recorder.clone();
    // The file is written off the async workers, and before the answer leaves: a client that
    // has its answer finds the exchange in the capture.
    let _ = tokio::task::spawn_blocking(move || recorder.record(&exchange)).await;
    match client {
        Some((status, headers, bytes)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, headers, bytes).into_response()
        }
        None => bad_gateway(&url, &failure),
    }
}

/// The upstream's answer: as recorded, and as the client gets it (headers and raw bytes).
async fn read(
    mut response: reqwest::Response,
    max_body: usize,
) -> Result<(Answer, HeaderMap, Bytes), NoAnswer> {
    let status = response.status().as_u16();
    let headers = headers::client_response(response.headers());
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| reason(&e))? {
        if bytes.len() + chunk.len() > max_body {
            return Err(NoAnswer(format!(
                "the answer is longer than {max_body} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    let recorded = Answer {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (n.as_str().to_owned(), value)
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    Ok((recorded, headers, Bytes::from(bytes)))
}

/// A reqwest error with its causes: "error sending request: ... Connection refused".
fn reason(e: &reqwest::Error) -> NoAnswer {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    NoAnswer(text)
}

fn too_large(max: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "asana-harness record: the request body is over {max} bytes; nothing was forwarded\n"
        ),
    )
        .into_response()
}

fn bad_gateway(url: &str, reason: &str) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "asana-harness record: no answer from the upstream {url}: {reason}. Check that it is \
             up and that --to is right.\n"
        ),
    )
        .into_response()
}
