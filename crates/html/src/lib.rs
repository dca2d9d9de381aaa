//! What both fakes' admin sides share. Server-rendered HTML for the admin consoles (escaping and
//! one page frame: no templates and no JavaScript build; pages are strings, forms post, and every
//! control is a real `<button>`, `<input>` or `<select>` with a label, so the consoles work from
//! the keyboard), the Bearer parser and admin token check, the bounded request log, HAR output
//! for the journals, and the pool that keeps XML and RSA work off the async workers. And what
//! keeps a web page the developer visits from driving the fakes: JSON-only admin writes (here)
//! and the consoles' CSRF tokens ([`csrf`]); the `Host` guard against DNS rebinding is
//! `harness_server::host`.

mod cpu;
pub mod csrf;
pub mod har;
pub mod health;
mod log;

use axum::http::{HeaderValue, Method};

pub use cpu::CpuPool;
pub use log::BoundedLog;

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

/// The token of an `Authorization: Bearer <token>` header: the scheme in any case, the token
/// without surrounding spaces; a token with whitespace inside is no token. One parser for every
/// API of both fakes, so they cannot disagree on what a bearer header is.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && !token.contains(char::is_whitespace))
    .then_some(token)
}

/// The value of cookie `name` in `Cookie` header values (`a=1; b=2`): one reader for both
/// fakes' sign-in sessions.
pub fn cookie<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
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

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A console page: the product's name, a navigation bar (`(href, label)`, the current one
/// marked), a title and the body.
pub fn page(product: &str, nav: &[(&str, &str)], current: &str, title: &str, body: &str) -> String {
    let links: String = nav
        .iter()
        .map(|(href, label)| {
            let here = if *href == current {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<a href=\"{}\"{here}>{}</a>", escape(href), escape(label))
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} · {product}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><strong>{product}</strong> <nav>{links}</nav></header>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
        product = escape(product),
    )
}

/// A notice shown above a page's content: `ok` (green) or an error (red).
pub fn notice(ok: bool, message: &str) -> String {
    let class = if ok { "ok" } else { "error" };
    format!(
        "<p class=\"notice {class}\" role=\"status\">{}</p>",
        escape(message)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1e1f21}\
header{background:#2d2e30;color:#fff;padding:.6rem 1rem}header a{color:#fff;margin-right:1rem}\
header a[aria-current]{text-decoration:underline;font-weight:bold}\
main{padding:1rem 1.5rem;max-width:72rem}table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}\
form.inline{display:inline}fieldset{margin:.8rem 0;border:1px solid #ccc}\
label{margin-right:.6rem}input,select,button{font:inherit;margin:.15rem .3rem .15rem 0}\
button{cursor:pointer}.notice{padding:.5rem .8rem;border-radius:4px}.ok{background:#e3f5e9}\
.error{background:#fde8e8}.status-connected{color:#137333}.status-failed{color:#b3261e}\
.status-disabled{color:#666}dialog{border:1px solid #888;border-radius:6px;padding:1rem 1.5rem}\
code{background:#f3f3f3;padding:.1rem .3rem;word-break:break-all}.tabs a{margin-right:1rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_many_headers_and_pairs() {
        let headers = ["theme=dark", "a=1; asana_session=abc ;b=2"];
        assert_eq!(cookie(headers, "asana_session"), Some("abc"));
        assert_eq!(cookie(headers, "theme"), Some("dark"));
        assert_eq!(cookie(headers, "missing"), None);
        assert_eq!(cookie(["asana_session"], "asana_session"), None);
    }

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
    fn bearer_parsing() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer   abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
        assert_eq!(bearer("Bearer a b"), None);
    }

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
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

    #[test]
    fn the_frame_marks_the_current_page() {
        let html = page(
            "Asana",
            &[("/admin/a", "A"), ("/admin/b", "B")],
            "/admin/b",
            "B <title>",
            "<p>x</p>",
        );
        assert!(html.contains("<a href=\"/admin/b\" aria-current=\"page\">B</a>"));
        assert!(html.contains("<h1>B &lt;title&gt;</h1>"));
        assert!(html.starts_with("<!doctype html>"));
    }
}
