//! Which headers cross the proxy: everything end to end, nothing that belongs to one connection
//! (RFC 9110 §7.6.1), and the few the proxy must set itself.

use axum::http::{HeaderMap, HeaderName, header};

/// The hop-by-hop fields RFC 9110 §7.6.1 names, plus `Proxy-Connection` and `Keep-Alive`, which
/// clients still send and which mean the same.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "proxy-connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authenticate",
    "proxy-authorization",
];

/// Whether `name` belongs to one connection only: listed above, or named in `Connection`.
fn hop_by_hop(name: &HeaderName, connection: &[String]) -> bool {
    HOP_BY_HOP.contains(&name.as_str()) || connection.iter().any(|c| c == name.as_str())
}

/// The names a message's `Connection` header lists (lowercase): hop-by-hop too.
fn listed_in_connection(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The client's headers as the upstream gets them. `Host` is the upstream's (the client named
/// the proxy) and `Content-Length` is recomputed from the body, so both are left to the HTTP
/// client. `Accept-Encoding` is dropped so that answers come uncompressed: a capture must be
/// readable, and the client then gets an identity body, which every client accepts.
pub fn upstream_request(headers: &HeaderMap) -> HeaderMap {
    let connection = listed_in_connection(headers);
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let own = [
            header::HOST,
            header::CONTENT_LENGTH,
            header::ACCEPT_ENCODING,
        ];
        if hop_by_hop(name, &connection) || own.contains(name) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The upstream's headers as the client gets them: all but hop-by-hop ones and
/// `Content-Length`, which the server sets from the body it sends.
pub fn client_response(headers: &HeaderMap) -> HeaderMap {
    let connection = listed_in_connection(headers);
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if hop_by_hop(name, &connection) || name == header::CONTENT_LENGTH {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn hop_by_hop_and_connection_named_headers_stay_behind() {
        let sent = map(&[
            ("host", "127.0.0.1:9"),
            ("connection", "keep-alive, X-Trace"),
            ("x-trace", "1"),
            ("keep-alive", "timeout=5"),
            ("te", "trailers"),
            ("authorization", "Bearer t"),
            ("content-type", "application/scim+json"),
            ("content-length", "2"),
            ("accept-encoding", "gzip"),
            ("accept", "application/scim+json"),
        ]);
        let out = upstream_request(&sent);
        let names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["authorization", "content-type", "accept"]);
    }

    #[test]
    fn the_answer_keeps_its_end_to_end_headers() {
        let got = map(&[
            ("content-type", "application/scim+json"),
            ("location", "https://x/Users/1"),
            ("retry-after", "30"),
            ("etag", "W/\"1\""),
            ("transfer-encoding", "chunked"),
            ("content-length", "10"),
        ]);
        let out = client_response(&got);
        let names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["content-type", "location", "retry-after", "etag"]);
    }
}
