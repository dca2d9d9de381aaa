//! Asana's sign-in pages: SP-initiated starts (`/a/{domain}`, `/-/login`), the ACS
//! (`/-/saml/consume`), password sign-in, and the page that shows who is signed in.
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
use crate::sso::{ACS_PATH, COOKIE, SignedIn};

/// A posted SAMLResponse larger than this is refused unread (the verifier's own limit is lower).
const ACS_BODY_LIMIT: usize = 1024 * 1024;

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/a/{domain}", get(start_for_domain))
        .route("/-/login", get(login_page).post(password_sign_in))
        .route(ACS_PATH, post(consume))
        .route("/-/home", get(home))
        .route("/-/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginQuery {
    /// The email typed into Asana's login page.
    e: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

async fn start_for_domain(
    State(app): State<Shared>,
    Path(domain): Path<String>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let org = app.store().org_by_domain(&domain);
    match org {
        Some(org) => start(&app, org, q.relay_state),
        None => login_form(
            StatusCode::NOT_FOUND,
            &format!("No Asana organization has the domain {domain}."),
        ),
    }
}

/// `GET /-/login`: the login form, or, given an email (`?e=`) of an organization with SAML on,
/// the redirect to its IdP.
async fn login_page(State(app): State<Shared>, Query(q): Query<LoginQuery>) -> Response {
    let Some(email) = q.e.filter(|e| !e.trim().is_empty()) else {
        return login_form(StatusCode::OK, "");
    };
    let org = {
        let store = app.store();
        email
            .rsplit_once('@')
            .and_then(|(_, d)| store.org_by_domain(d))
    };
    match org {
        Some(org) => start(&app, org, q.relay_state),
        // Off the organization's domains: a guest, who signs in with a password.
        None => login_form(StatusCode::OK, "Enter your password."),
    }
}

/// Redirects to the organization's IdP with a new AuthnRequest, or explains why not.
fn start(app: &Shared, org: Gid, relay_state: Option<String>) -> Response {
    let settings = app.store().saml_settings(org).cloned().unwrap_or_default();
    let Some(sign_in_url) = settings
        .sign_in_url
        .filter(|_| settings.mode != SamlMode::Off)
    else {
        return login_form(
            StatusCode::OK,
            "SAML is off for this organization: sign in with email and password.",
        );
    };
    let request = app.sp.authn_request(
        org,
        &app.origin,
        &sign_in_url,
        relay_state.clone(),
        app.clock.now(),
    );
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("SAMLRequest", &request.encode(Binding::Redirect));
    if let Some(relay) = &relay_state {
        query.append_pair("RelayState", relay);
    }
    let separator = if sign_in_url.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{sign_in_url}{separator}{}", query.finish())).into_response()
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
    let result = {
        let store = app.store();
        app.sp
            .password(&store, &field("email"), &field("password"), now)
    };
    outcome(&headers, result)
}

/// The ACS.
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
            return outcome(&parts.headers, Err(refusal));
        }
    };
    let mut saml_response = String::new();
    for (k, v) in form_urlencoded::parse(&bytes) {
        if k == "SAMLResponse" {
            saml_response = v.into_owned();
        }
    }
    let cfg = app.config();
    let result = {
        let mut store = app.store_mut();
        app.sp
            .consume(&mut store, &cfg, &app.origin, &saml_response, now)
    };
    outcome(&parts.headers, result)
}

/// The signed-in page, with its cookie; or the refusal, 403.
fn outcome(headers: &HeaderMap, result: Result<SignedIn, Refusal>) -> Response {
    let json = wants_json(headers);
    match result {
        Ok(signed_in) => {
            let s = &signed_in.session;
            let mut response = if json {
                axum::Json(json!({
                    "outcome": "signed_in",
                    "user": {"gid": s.user.to_string(), "email": s.email},
                    "via": s.via,
                    "session_expires_at": s.expires,
                    "admission": signed_in.admission.label(),
                    "relay_state": signed_in.relay_state,
                }))
                .into_response()
            } else {
                let relay = signed_in
                    .relay_state
                    .as_deref()
                    .map(|r| format!("<p>Continue to <code>{}</code>.</p>", escape(r)))
                    .unwrap_or_default();
                let admission = signed_in
                    .admission
                    .label()
                    .map(|l| format!("<p>Your account was {}.</p>", escape(l)))
                    .unwrap_or_default();
                Html(page(
                    "Asana",
                    &[],
                    "",
                    "Signed in",
                    &format!(
                        r#"<p id="signed-in" data-email="{email}">You are signed in to Asana as <strong>{email}</strong> ({via}).</p>{admission}<p>Your session lasts until {expires}.</p>{relay}<form method="post" action="/-/logout"><button>Log out</button></form>"#,
                        email = escape(&s.email),
                        via = s.via,
                        expires = s.expires,
                    ),
                ))
                .into_response()
            };
            let cookie = format!(
                "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
                signed_in.session_id
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(refusal) => {
            if json {
                return (
                    StatusCode::FORBIDDEN,
                    axum::Json(json!({
                        "outcome": "refused",
                        "reason": refusal.reason.code(),
                        "message": refusal.message,
                    })),
                )
                    .into_response();
            }
            (
                StatusCode::FORBIDDEN,
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
    }
}

/// Who is signed in, by the session cookie.
async fn home(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let session = cookie(&headers).and_then(|id| {
        let store = app.store();
        app.sp.session(&id, &store, app.clock.now())
    });
    match (session, wants_json(&headers)) {
        (Some(s), true) => axum::Json(json!({
            "signed_in": true,
            "user": {"gid": s.user.to_string(), "email": s.email},
            "via": s.via,
            "session_expires_at": s.expires,
        }))
        .into_response(),
        (None, true) => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"signed_in": false})),
        )
            .into_response(),
        (Some(s), false) => Html(page(
            "Asana",
            &[],
            "",
            "My tasks",
            &format!(
                r#"<p id="signed-in" data-email="{e}">Signed in as <strong>{e}</strong>.</p>"#,
                e = escape(&s.email)
            ),
        ))
        .into_response(),
        (None, false) => Redirect::to("/-/login").into_response(),
    }
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers) {
        app.sp.sign_out(&id);
    }
    let mut response = Redirect::to("/-/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("asana_session=; Path=/; Max-Age=0"),
    );
    response
}

fn login_form(status: StatusCode, message: &str) -> Response {
    let message = if message.is_empty() {
        String::new()
    } else {
        notice(true, message)
    };
    let body = format!(
        concat!(
            "{message}",
            r#"<form method="get" action="/-/login"><label>Email <input name="e" type="email"></label> <button>Continue</button></form>"#,
            r#"<h2>Or with a password</h2><form method="post" action="/-/login">"#,
            r#"<label>Email <input name="email" type="email"></label> "#,
            r#"<label>Password <input name="password" type="password"></label> <button>Log in</button></form>"#,
        ),
        message = message
    );
    (
        status,
        Html(page("Asana", &[], "", "Log in to Asana", &body)),
    )
        .into_response()
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    harness_html::cookie(values, COOKIE).map(str::to_owned)
}
