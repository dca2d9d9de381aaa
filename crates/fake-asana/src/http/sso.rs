//! Asana's sign-in pages: SP-initiated starts (`/a/{domain}`, `/-/login`), the ACS
//! (`/-/saml/consume`), and password sign-in. A browser signed in is redirected to its landing
//! page: `/-/home` (`home.rs`), or a RelayState only when it is a path on this origin, so the
//! ACS is never an open redirect.
//!
//! Pages are HTML for people and browsers; a client that sends `Accept: application/json` gets
//! the same outcome as JSON (`{"outcome", "reason", "message", ...}`), for scripts and tests.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use harness_html::{escape, notice, page};
use harness_saml::{Binding, Reason, Refusal};
use serde::Deserialize;
use serde_json::json;

use super::Shared;
use crate::model::{Gid, SamlMode};
use crate::sso::signin::Outcome;
use crate::sso::{
    ACS_PATH, Answer, BROWSER_COOKIE, COOKIE, PENDING_LIFETIME, SignedIn, random_hex,
};

/// A posted SAMLResponse larger than this is refused unread (the verifier's own limit is lower).
const ACS_BODY_LIMIT: usize = 1024 * 1024;

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/a/{domain}", get(start_for_domain))
        .route("/-/login", get(login_page).post(password_sign_in))
        .route(ACS_PATH, post(consume))
        .route("/-/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginQuery {
    /// The email typed into Asana's login page.
    e: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
    /// Present (`?password`): the password step, skipping the IdP (SAML optional lets
    /// members choose; SAML required refuses them at the next step).
    password: Option<String>,
}

async fn start_for_domain(
    State(app): State<Shared>,
    Path(domain): Path<String>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let org = app.store().org_by_domain(&domain);
    match org {
        Some(org) => start(&app, &headers, org, q.relay_state, None),
        None => login_form(
            StatusCode::NOT_FOUND,
            &format!("No Asana organization has the domain {domain}."),
            Step::Email,
        ),
    }
}

/// `GET /-/login`: the login form, or, given an email (`?e=`) of an organization with SAML on,
/// the redirect to its IdP.
async fn login_page(
    State(app): State<Shared>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let email = q.e.filter(|e| !e.trim().is_empty());
    if q.password.is_some() {
        return login_form(StatusCode::OK, "", Step::Password(email.as_deref()));
    }
    let Some(email) = email else {
        return login_form(StatusCode::OK, "", Step::Email);
    };
    let org = {
        let store = app.store();
        email
            .rsplit_once('@')
            .and_then(|(_, d)| store.org_by_domain(d))
    };
    match org {
        Some(org) => start(&app, &headers, org, q.relay_state, Some(&email)),
        // Off the organization's domains: a guest, who signs in with a password.
        None => login_form(
            StatusCode::OK,
            "Enter your password.",
            Step::Password(Some(&email)),
        ),
    }
}

/// Redirects to the organization's IdP with a new AuthnRequest, bound to this browser (whose
/// cookie is set here if it has none), or explains why not and asks for the password of
/// `email` (when typed) instead.
fn start(
    app: &Shared,
    headers: &HeaderMap,
    org: Gid,
    relay_state: Option<String>,
    email: Option<&str>,
) -> Response {
    let settings = app.store().saml_settings(org).cloned().unwrap_or_default();
    let Some(sign_in_url) = settings
        .sign_in_url
        .filter(|_| settings.mode != SamlMode::Off)
    else {
        return login_form(
            StatusCode::OK,
            "SAML is off for this organization: sign in with email and password.",
            Step::Password(email),
        );
    };
    let known = cookie(headers, BROWSER_COOKIE).filter(|b| is_token(b));
    let browser = known.clone().unwrap_or_else(random_hex);
    let request = match app.sp.authn_request(
        &app.origin,
        &sign_in_url,
        relay_state.clone(),
        &browser,
        app.clock.now(),
    ) {
        Ok(request) => request,
        Err(refusal) => return outcome(app, headers, Err(refusal)),
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("SAMLRequest", &request.encode(Binding::Redirect));
    if let Some(relay) = &relay_state {
        query.append_pair("RelayState", relay);
    }
    let separator = if sign_in_url.contains('?') { '&' } else { '?' };
    let mut response =
        Redirect::to(&format!("{sign_in_url}{separator}{}", query.finish())).into_response();
    if known.is_none() {
        set_cookie(&mut response, &browser_cookie(app, &browser));
    }
    response
}

/// `POST /-/login`: email and password.
async fn password_sign_in(State(app): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let now = app.clock.now();
    let previous = cookie(&headers, COOKIE);
    let browser = cookie(&headers, BROWSER_COOKIE);
    let result = {
        let store = app.store();
        app.sp.password(
            &store,
            &field("email"),
            &field("password"),
            previous.as_deref(),
            browser.as_deref(),
            now,
        )
    };
    outcome(&app, &headers, result)
}

/// The ACS. The body is read within a bound; the verification runs on the CPU pool, off the
/// async workers, so a costly response never stalls SCIM or the consoles.
async fn consume(State(app): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let now = app.clock.now();
    let bytes = match axum::body::to_bytes(body, ACS_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let refusal = Refusal::new(
                Reason::Malformed,
                format!("the posted form is larger than {ACS_BODY_LIMIT} bytes"),
            );
            app.sp.refuse_unread(&refusal, now);
            return outcome(&app, &parts.headers, Err(refusal));
        }
    };
    let worker = app.clone();
    let headers = parts.headers.clone();
    let result = app
        .cpu
        .run(move || {
            let saml_response = form_urlencoded::parse(&bytes)
                .filter(|(k, _)| k == "SAMLResponse")
                .last()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let browser = cookie(&headers, BROWSER_COOKIE);
            let previous = cookie(&headers, COOKIE);
            let acs_url = format!("{}{ACS_PATH}", worker.origin);
            let answer = Answer {
                saml_response: &saml_response,
                acs_url: &acs_url,
                browser: browser.as_deref(),
                previous_session: previous.as_deref(),
                config: worker.config(),
                now,
            };
            worker.sp.consume(worker.as_ref(), answer)
        })
        .await
        .unwrap_or_else(|| {
            Err(Refusal::new(
                Reason::Malformed,
                "the response could not be checked",
            ))
        });
    outcome(&app, &parts.headers, result)
}

/// Asana's home page, where a sign-in lands unless its RelayState names a page here.
pub(super) const HOME: &str = "/-/home";

/// Where a signed-in browser goes: the RelayState when it is a path on this origin
/// (`/0/123/list`), the home page otherwise. A scheme, a host (`//evil.test`, `/\evil.test`)
/// or a character a `Location` header cannot carry sends the browser home instead.
fn landing(relay_state: Option<&str>) -> &str {
    relay_state
        .filter(|r| {
            r.starts_with('/')
                && !r.starts_with("//")
                && !r.starts_with("/\\")
                && r.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        })
        .unwrap_or(HOME)
}

/// The signed-in answer with its session cookie, or the refusal. A browser is redirected (303,
/// as a POST-redirect-GET) to its landing page, which the cookie set here lets it see.
fn outcome(app: &Shared, headers: &HeaderMap, result: Result<SignedIn, Refusal>) -> Response {
    let json = wants_json(headers);
    match result {
        Ok(signed_in) => {
            let mut response = if json {
                signed_in_json(&signed_in)
            } else {
                Redirect::to(landing(signed_in.relay_state.as_deref())).into_response()
            };
            let secure = if app.tls() { "; Secure" } else { "" };
            set_cookie(
                &mut response,
                &format!(
                    "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
                    signed_in.session_id
                ),
            );
            response
        }
        Err(refusal) => refused_page(&refusal, json),
    }
}

/// The signed-in answer for scripts and tests (a harness addition: Asana answers a browser only).
fn signed_in_json(signed_in: &SignedIn) -> Response {
    let s = &signed_in.session;
    axum::Json(json!({
        "outcome": Outcome::SignedIn,
        "user": {"gid": s.user.to_string(), "email": s.email},
        "via": s.via,
        "session_expires_at": s.expires,
        "admission": signed_in.admission.label(),
        "relay_state": signed_in.relay_state,
    }))
    .into_response()
}

/// A refusal: 400 for a start the SAML bindings forbid, 503 when too many sign-ins are in
/// progress, 403 otherwise; as JSON or as a page.
fn refused_page(refusal: &Refusal, json: bool) -> Response {
    let status = match refusal.reason {
        Reason::RelayStateTooLong => StatusCode::BAD_REQUEST,
        Reason::TooManyPending => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::FORBIDDEN,
    };
    if json {
        return (
            status,
            axum::Json(json!({
                "outcome": Outcome::Refused,
                "reason": refusal.reason.code(),
                "message": refusal.message,
            })),
        )
            .into_response();
    }
    (
        status,
        Html(page(
            "Asana",
            &[],
            "",
            "You could not be signed in",
            &format!(
                r#"<div id="refusal" data-reason="{code}">{notice}<p>Reason: <code>{code}</code></p></div><p><a href="/-/login">Back to the login page</a></p>"#,
                code = refusal.reason.code(),
                notice = notice(false, &refusal.message),
            ),
        )),
    )
        .into_response()
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, COOKIE) {
        app.sp.sign_out(&id);
    }
    let mut response = Redirect::to("/-/login").into_response();
    let secure = if app.tls() { "; Secure" } else { "" };
    set_cookie(
        &mut response,
        &format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    );
    response
}

/// Which step of Asana's login a page shows: the email first (an organization with SAML sends
/// the browser on to its IdP), then the password, with the email when it is known.
#[derive(Clone, Copy)]
enum Step<'a> {
    Email,
    Password(Option<&'a str>),
}

/// The login page: one form per step, each with one Email field.
fn login_form(status: StatusCode, message: &str, step: Step<'_>) -> Response {
    let message = if message.is_empty() {
        String::new()
    } else {
        notice(true, message)
    };
    let form = match step {
        Step::Email => concat!(
            r#"<form method="get" action="/-/login"><label for="e">Email</label> "#,
            r#"<input id="e" name="e" type="email" autocomplete="username" required> "#,
            r#"<button id="continue">Continue</button></form>"#,
            "<p>Members of an organization that uses SAML go on to its identity provider; ",
            "everyone else is asked for a password next.</p>",
            r#"<p><a href="/-/login?password">Log in with a password instead</a></p>"#,
        )
        .to_owned(),
        Step::Password(email) => format!(
            concat!(
                r#"<form method="post" action="/-/login"><label for="email">Email</label> "#,
                r#"<input id="email" name="email" type="email" value="{email}" autocomplete="username" required> "#,
                r#"<label for="password">Password</label> "#,
                r#"<input id="password" name="password" type="password" autocomplete="current-password" required> "#,
                r#"<button id="log-in">Log in</button></form>"#,
                r#"<p><a href="/-/login">Use another email</a></p>"#,
            ),
            email = escape(email.unwrap_or("")),
        ),
    };
    (
        status,
        Html(page(
            "Asana",
            &[],
            "",
            "Log in to Asana",
            &format!("{message}{form}"),
        )),
    )
        .into_response()
}

pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    harness_server::cookie(values, name).map(str::to_owned)
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The browser cookie. The ACS is reached by a POST from the IdP's page, a cross-site request
/// where the two are on different sites: over HTTPS the cookie says `SameSite=None; Secure` so
/// it is sent; over plain HTTP (`None` needs `Secure`) it states no SameSite, and browsers'
/// default lets a fresh cookie ride a top-level POST (and both fakes on one host are one site).
fn browser_cookie(app: &Shared, browser: &str) -> String {
    let same_site = if app.tls() {
        "; SameSite=None; Secure"
    } else {
        ""
    };
    format!(
        "{BROWSER_COOKIE}={browser}; Path=/; HttpOnly; Max-Age={}{same_site}",
        PENDING_LIFETIME.as_secs()
    )
}

/// A cookie value this fake could have set: hex, 32 digits. Anything else is not trusted as a
/// browser's name.
fn is_token(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_origin_is_followed() {
        assert_eq!(landing(Some("/0/123/list?x=1")), "/0/123/list?x=1");
        for away in [
            "https://evil.test/",
            "//evil.test/",
            "/\\evil.test",
            "evil",
            "/a b",
            "/a\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(landing(Some(away)), HOME, "{away:?}");
        }
        assert_eq!(landing(None), HOME);
    }
}
