//! The admin guard both fakes put before `/__admin` and the consoles: the admin token, and the
//! rule that an admin write is declared JSON. Each fake answers a refusal in its own format.

use axum::http::{HeaderValue, Method};

use crate::credentials::bearer;

/// Why an admin write without `Content-Type: application/json` is refused (415).
pub const JSON_REQUIRED: &str = "an admin request that changes the harness must carry `Content-Type: application/json`, even with no body: a web page on another site can make a browser send a form or text/plain anywhere, but never JSON without a CORS preflight (which the fakes never grant), so the header keeps the pages a developer visits from changing the harness";

/// Whether an admin request may go on as sent: reads (GET, HEAD, OPTIONS) always, anything
/// else only when declared `application/json` (parameters such as `; charset=utf-8` allowed).
/// One rule for both fakes' `/__admin`; each answers a refusal in its own error format.
pub fn admin_request_allowed(method: &Method, content_type: Option<&HeaderValue>) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether an `Authorization` header carries the admin token: `Bearer <token>` for scripts,
/// or HTTP Basic with the token as the password, which browsers prompt for. Constant-time.
pub fn admin_authorized(header: Option<&str>, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    let Some((scheme, value)) = header.and_then(|h| h.trim().split_once(' ')) else {
        return false;
    };
    let given = if let Some(t) = header.and_then(bearer) {
        t.to_owned()
    } else if scheme.eq_ignore_ascii_case("basic") {
        match decode_base64(value.trim()).and_then(|b| String::from_utf8(b).ok()) {
            Some(pair) => pair
                .split_once(':')
                .map(|(_, p)| p.to_owned())
                .unwrap_or_default(),
            None => return false,
        }
    } else {
        return false;
    };
    given.len() == token.len() && bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..chunk.len().max(1)]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_writes_must_be_declared_json() {
        let json = HeaderValue::from_static("application/json");
        let with_charset = HeaderValue::from_static("Application/JSON ; charset=utf-8");
        let text = HeaderValue::from_static("text/plain");
        let form = HeaderValue::from_static("application/x-www-form-urlencoded");
        let scim = HeaderValue::from_static("application/scim+json");
        assert!(admin_request_allowed(&Method::POST, Some(&json)));
        assert!(admin_request_allowed(&Method::PUT, Some(&with_charset)));
        assert!(!admin_request_allowed(&Method::POST, Some(&text)));
        assert!(!admin_request_allowed(&Method::POST, Some(&form)));
        assert!(!admin_request_allowed(&Method::DELETE, Some(&scim)));
        assert!(!admin_request_allowed(&Method::POST, None));
        assert!(admin_request_allowed(&Method::GET, None));
        assert!(admin_request_allowed(&Method::HEAD, Some(&text)));
        assert!(admin_request_allowed(&Method::OPTIONS, None));
    }

    #[test]
    fn the_admin_token_in_bearer_or_basic() {
        assert!(admin_authorized(Some("Bearer s3cret"), "s3cret"));
        // "admin:s3cret"
        assert!(admin_authorized(Some("Basic YWRtaW46czNjcmV0"), "s3cret"));
        assert!(!admin_authorized(Some("Bearer s3cre"), "s3cret"));
        assert!(!admin_authorized(Some("Basic !!"), "s3cret"));
        assert!(!admin_authorized(None, "s3cret"));
    }
}
