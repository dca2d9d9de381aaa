//! The consoles' guard against cross-site form posts: a token per browser, double-submitted.
//!
//! A page the developer visits could post a form to `/admin/...` on loopback, and the browser
//! would send it. So the first console page a browser gets sets a random token as a cookie
//! (`HttpOnly; SameSite=Strict`), every POST form of every console page carries the same token
//! as the hidden field `csrf`, and a post whose field is not the cookie's token is refused with
//! 403 before any handler runs. Another site can make a browser send the cookie but cannot read
//! it, nor the page, so it cannot write the field. Cookies are not kept apart by port, so a page
//! served elsewhere on the same host could plant a cookie of its choosing and post the same
//! value: a token is therefore a random nonce with a MAC under a key this process made at
//! start, and a cookie the fakes did not issue is no token.
//!
//! One middleware for both consoles: it adds the field to every `<form method="post">` of the
//! HTML a console answers, so no handler knows about tokens and no form can forget one.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::{notice, page};

/// The cookie that holds a browser's token.
pub const COOKIE: &str = "harness_csrf";
/// The form field that repeats it.
pub const FIELD: &str = "csrf";
/// Console forms are small; this bounds what is read before the token is checked.
const FORM_LIMIT: usize = 1024 * 1024;
/// 128 random bits and a 128-bit MAC of them, as hex.
const TOKEN_LEN: usize = 64;
const NONCE_HEX: usize = 32;

/// The key tokens are MACed with: made once per process.
static KEY: std::sync::LazyLock<[u8; 32]> = std::sync::LazyLock::new(rand::random);

/// The MAC of a nonce (its hex), as hex: the first 128 bits of HMAC-SHA-256.
fn mac(nonce: &str) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&*KEY).expect("any key length");
    m.update(nonce.as_bytes());
    m.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `token` is one this process issued.
fn issued(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token.bytes().all(|b| b.is_ascii_hexdigit())
        && bool::from(
            mac(&token[..NONCE_HEX])
                .as_bytes()
                .ct_eq(&token.as_bytes()[NONCE_HEX..]),
        )
}

/// What the guard needs to know about one console.
#[derive(Debug, Clone, Copy)]
pub struct Csrf {
    /// The fake serves HTTPS: the cookie is `Secure`.
    pub secure: bool,
    /// The console's name and navigation, for the page that refuses a post.
    pub product: &'static str,
    pub nav: &'static [(&'static str, &'static str)],
}

/// The middleware (`axum::middleware::from_fn_with_state(csrf, protect)` on a console's
/// router): checks every post, and puts the token in every post form it answers.
pub async fn protect(State(csrf): State<Csrf>, request: Request, next: Next) -> Response {
    let token = token_in(request.headers());
    let request = if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        request
    } else {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
            let refused = csrf.refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The form is larger than a console form can be.",
            );
            return stamp(csrf, token, refused).await;
        };
        if !field_matches(&bytes, token.as_deref()) {
            let refused = csrf.refusal(
                StatusCode::FORBIDDEN,
                "This form has expired (or was not sent from this console). Reload the page and try again.",
            );
            return stamp(csrf, token, refused).await;
        }
        Request::from_parts(parts, Body::from(bytes))
    };
    let response = next.run(request).await;
    stamp(csrf, token, response).await
}

impl Csrf {
    fn refusal(&self, status: StatusCode, message: &str) -> Response {
        let body = format!(
            r#"<div id="refusal" data-reason="csrf">{}</div>"#,
            notice(false, message)
        );
        let html = page(self.product, self.nav, "", "Form expired", &body);
        (status, Html(html)).into_response()
    }
}

/// The browser's token, if its cookie holds one this process issued.
fn token_in(headers: &HeaderMap) -> Option<String> {
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    harness_server::cookie(values, COOKIE)
        .filter(|t| issued(t))
        .map(str::to_owned)
}

/// Whether the form's `csrf` field is the cookie's token; constant-time, so the comparison
/// tells nothing about how much of a guess was right.
fn field_matches(form: &Bytes, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return false;
    };
    let field = form_urlencoded::parse(form)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    field
        .is_some_and(|f| f.len() == token.len() && bool::from(f.as_bytes().ct_eq(token.as_bytes())))
}

fn new_token() -> String {
    // `rand`'s thread generator is a CSPRNG seeded from the operating system.
    let nonce = format!("{:032x}", rand::random::<u128>());
    let mac = mac(&nonce);
    nonce + &mac
}

/// Puts the token in every post form of an HTML response, and sets the cookie when the browser
/// has none yet. Anything that is not HTML passes untouched.
async fn stamp(csrf: Csrf, token: Option<String>, response: Response) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be read",
        )
            .into_response();
    };
    let Ok(html) = String::from_utf8(bytes.to_vec()) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let fresh = token.is_none();
    let token = token.unwrap_or_else(new_token);
    if fresh {
        let secure = if csrf.secure { "; Secure" } else { "" };
        let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            parts.headers.append(header::SET_COOKIE, v);
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(with_token(&html, &token)))
}

/// `html` with the hidden field right after the opening tag of every `<form method="post">`.
/// Text a page shows is escaped, so only the page's own markup starts with `<form`.
pub fn with_token(html: &str, token: &str) -> String {
    let field = format!(r#"<input type="hidden" name="{FIELD}" value="{token}">"#);
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let after = &rest[start + "<form".len()..];
        let Some(end) = after.find('>') else {
            break;
        };
        let attributes = &after[..end];
        let tag_end = start + "<form".len() + end + 1;
        out.push_str(&rest[..tag_end]);
        let is_form_tag = attributes.starts_with([' ', '\n', '\t']);
        if is_form_tag && attributes.to_ascii_lowercase().contains(r#"method="post""#) {
            out.push_str(&field);
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    const CSRF: Csrf = Csrf {
        secure: false,
        product: "Console",
        nav: &[],
    };

    fn console() -> Router {
        let form = r#"<form method="post" action="/x"><button>Go</button></form><form method="get" action="/s"></form><form class="inline" method="post" action="/y"></form><p>&lt;form method="post"&gt;</p>"#;
        Router::new()
            .route(
                "/",
                get(move || async move { Html(form) }).post(|body: Bytes| async move { body }),
            )
            .layer(axum::middleware::from_fn_with_state(CSRF, protect))
    }

    fn post(cookie: Option<&str>, body: &str) -> Request {
        let mut r = Request::post("/").header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.body(Body::from(body.to_owned())).unwrap()
    }

    async fn text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn the_field_goes_into_post_forms_only() {
        let html = r#"<form method="post" action="/a"></form><form action="/b" method="get"></form><FORM METHOD="POST"><formula>"#;
        let out = with_token(html, "t0");
        assert_eq!(
            out,
            r#"<form method="post" action="/a"><input type="hidden" name="csrf" value="t0"></form><form action="/b" method="get"></form><FORM METHOD="POST"><formula>"#
        );
    }

    #[tokio::test]
    async fn a_page_sets_the_cookie_and_carries_its_token() {
        let response = console()
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict"),
            "{cookie}"
        );
        let token = cookie
            .strip_prefix("harness_csrf=")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        assert_eq!(token.len(), 64);
        assert!(issued(&token));
        let html = text(response).await;
        let field = format!(r#"<input type="hidden" name="csrf" value="{token}">"#);
        assert_eq!(html.matches(&field).count(), 2, "{html}");

        // A browser that has the cookie keeps it: no new one, the same token.
        let again = console()
            .oneshot(
                Request::get("/")
                    .header("cookie", format!("harness_csrf={token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(again.headers().get(header::SET_COOKIE).is_none());
        assert!(text(again).await.contains(&field));
    }

    #[tokio::test]
    async fn a_post_needs_the_cookies_token_in_the_form() {
        let token = new_token();
        let cookie = format!("harness_csrf={token}");
        let mut other = new_token();
        other.replace_range(..1, if other.starts_with('0') { "1" } else { "0" });
        // A pair a page elsewhere on the host could plant: well-formed, but not issued here.
        let planted = format!("{}{}", "a".repeat(32), "b".repeat(32));
        let planted_cookie = format!("harness_csrf={planted}");
        let cases = [
            (None, format!("a=1&csrf={token}")),
            (Some(cookie.as_str()), "a=1".to_owned()),
            (Some(cookie.as_str()), format!("a=1&csrf={other}")),
            (Some("harness_csrf=short"), "a=1&csrf=short".to_owned()),
            (Some(planted_cookie.as_str()), format!("a=1&csrf={planted}")),
        ];
        for (cookie, body) in cases {
            let response = console().oneshot(post(cookie, &body)).await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{cookie:?} {body}"
            );
            assert!(text(response).await.contains("Reload the page"));
        }
        let ok = console()
            .oneshot(post(Some(&cookie), &format!("a=1&csrf={token}")))
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(text(ok).await, format!("a=1&csrf={token}"));
    }

    #[tokio::test]
    async fn the_cookie_is_secure_over_https() {
        let router = Router::new()
            .route("/", get(|| async { Html("<p>") }))
            .layer(axum::middleware::from_fn_with_state(
                Csrf {
                    secure: true,
                    ..CSRF
                },
                protect,
            ));
        let response = router
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.ends_with("; Secure"), "{cookie}");
    }
}
