//! What a person meets: OneLogin's login form and session, the portal that lists their apps
//! (IdP-initiated sign-in), the SAML endpoints (SSO over Redirect or POST, SLO, metadata).
//!
//! OneLogin's refusals are pages with a plain message; the admin API's assertion endpoint
//! (`/__admin/apps/{id}/sso/assertion`) makes the same form without a browser.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use harness_html::{escape, notice, page};
use harness_saml::{AuthnRequest, Binding};
use serde::Deserialize;

use crate::sso::{self, COOKIE, SsoError};
use crate::state::Shared;
use crate::store::sso::RefusalCode;

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/portal", get(portal))
        .route("/saml/metadata/{app}", get(metadata))
        .route(
            "/trust/saml2/http-post/sso/{app}",
            get(sso_redirect_binding).post(sso_post_binding),
        )
        .route("/trust/saml2/http-redirect/slo/{app}", get(slo))
}

const PRODUCT: &str = "OneLogin";

fn no_such_app() -> Response {
    refusal_page(
        StatusCode::NOT_FOUND,
        RefusalCode::NotFound,
        "Not found",
        "There is no such app.",
    )
}

fn refusal_page(status: StatusCode, reason: RefusalCode, title: &str, message: &str) -> Response {
    (
        status,
        Html(page(
            PRODUCT,
            &[],
            "",
            title,
            &format!(
                r#"<div id="refusal" data-reason="{reason}">{}</div>"#,
                notice(false, message)
            ),
        )),
    )
        .into_response()
}

/// The login form; `return` is where a login sends the person, checked as the login checks it
/// (the query is read leniently: a malformed one is no `return`, never an error).
async fn login_form(RawQuery(query): RawQuery) -> Html<String> {
    let return_to = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "return")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Html(login_page(safe_return(&return_to), ""))
}

fn login_page(return_to: &str, message: &str) -> String {
    let message = if message.is_empty() {
        String::new()
    } else {
        format!(
            r#"<div id="refusal" data-reason="{}">{}</div>"#,
            RefusalCode::CannotLogIn,
            notice(false, message)
        )
    };
    page(
        PRODUCT,
        &[],
        "",
        "Sign in to OneLogin",
        &format!(
            concat!(
                "{message}",
                r#"<form method="post" action="/login"><input type="hidden" name="return" value="{ret}">"#,
                r#"<label>Username or email <input name="username" autocomplete="username"></label> "#,
                r#"<label>Password <input name="password" type="password"></label> "#,
                r#"<button id="sign-in">Continue</button></form>"#
            ),
            message = message,
            ret = escape(return_to),
        ),
    )
}

/// The longest `return` a login follows: OneLogin's own (an AuthnRequest carried back) is far
/// shorter, and anything longer might not fit in a `Location` header.
const RETURN_LIMIT: usize = 8 * 1024;

/// Where a login sends the person: only a path on this host, anything else the portal.
/// Browsers read `\` as `/` and drop tabs and newlines from URLs, so `/\evil.example` or
/// `/<tab>/evil.example` would leave the host: a `return` is visible ASCII with no `\`, starts
/// with exactly one `/`, and fits in a header. Every value this returns is a valid `Location`.
fn safe_return(r: &str) -> &str {
    let same_origin = r.starts_with('/')
        && !r.starts_with("//")
        && r.len() <= RETURN_LIMIT
        && r.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if same_origin { r } else { "/portal" }
}

async fn login(State(app): State<Shared>, body: Bytes) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let who = field("username");
    // Untrimmed: a `return` with a newline or tab at either end is refused, not repaired.
    let return_to = form
        .iter()
        .find(|(k, _)| k == "return")
        .map_or("", |(_, v)| v.as_str());
    let return_to = safe_return(return_to);
    let logged_in = app.store().log_in(&who, &field("password"));
    let id = match logged_in {
        Ok(id) => id,
        Err(refusal) => {
            let page = login_page(return_to, &refusal.to_string());
            return (StatusCode::UNAUTHORIZED, Html(page)).into_response();
        }
    };
    let session = app.idp.open_session(id, app.clock.now());
    let mut response = Redirect::to(return_to).into_response();
    let secure = if app.origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax{secure}"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn logout(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers) {
        app.idp.close_session(&id);
    }
    Redirect::to("/login").into_response()
}

/// The signed-in person's user id, if their session stands and they can still sign in.
fn session_user(app: &Shared, headers: &HeaderMap) -> Option<u64> {
    let session = app.idp.session(&cookie(headers)?, app.clock.now())?;
    app.store()
        .session_stands(session.user)
        .then_some(session.user)
}

async fn portal(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let Some(user) = session_user(&app, &headers) else {
        return Redirect::to("/login?return=/portal").into_response();
    };
    let store = app.store();
    let me = store.user(user).expect("checked");
    let apps: String = store
        .portal_apps(user)
        .iter()
        .map(|a| {
            format!(
                r#"<li><a class="app" href="/trust/saml2/http-post/sso/{id}">{name}</a></li>"#,
                id = a.id,
                name = escape(&a.name)
            )
        })
        .collect();
    let apps = if apps.is_empty() {
        "<p>No apps are assigned to you.</p>".to_string()
    } else {
        format!(r#"<ul id="apps">{apps}</ul>"#)
    };
    Html(page(
        PRODUCT,
        &[],
        "",
        "My apps",
        &format!(
            r#"<p>Signed in as <strong>{}</strong>.</p>{apps}<form method="post" action="/logout"><button>Log out</button></form>"#,
            escape(&me.email)
        ),
    ))
    .into_response()
}

async fn metadata(State(app): State<Shared>, Path(app_id): Path<String>) -> Response {
    let Ok(app_id) = app_id.parse::<u64>() else {
        return no_such_app();
    };
    // The app's first key may be made here: on the CPU pool.
    let worker = app.clone();
    match app
        .idp
        .cpu
        .run(move || crate::sso::keys::ensure_certificate(&worker, app_id))
        .await
    {
        Some(Ok(())) => {}
        Some(Err(e)) => return sso_error(e),
        None => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let (form, certs): (_, Vec<harness_saml::Certificate>) = {
        let store = app.store();
        let a = store.app(app_id).expect("ensured");
        let certs = a.sso.certificates.iter();
        let certs = certs.filter_map(crate::model::IdpCertificate::parsed);
        (a.sso.issuer_form, certs.collect())
    };
    let refs: Vec<&harness_saml::Certificate> = certs.iter().collect();
    let xml = harness_saml::idp_metadata(
        &sso::issuer(form, &app.origin, app_id),
        &sso::sso_url(&app.origin, app_id),
        &sso::slo_url(&app.origin, app_id),
        &refs,
    );
    (
        [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
        xml,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct SamlParams {
    #[serde(rename = "SAMLRequest")]
    saml_request: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

async fn sso_redirect_binding(
    State(app): State<Shared>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_params(query.as_deref().unwrap_or("").as_bytes());
    off_workers(app, app_id, headers, params, Binding::Redirect).await
}

async fn sso_post_binding(
    State(app): State<Shared>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    off_workers(app, app_id, headers, parse_params(&body), Binding::Post).await
}

/// The SSO endpoint on the CPU pool: it reads an AuthnRequest, may make the app's first key,
/// and signs, none of which may stall the async workers.
async fn off_workers(
    app: Shared,
    app_id: String,
    headers: HeaderMap,
    params: SamlParams,
    binding: Binding,
) -> Response {
    let worker = app.clone();
    app.idp
        .cpu
        .run(move || sso_endpoint(&worker, &app_id, &headers, params, binding))
        .await
        .unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn parse_params(bytes: &[u8]) -> SamlParams {
    let mut p = SamlParams::default();
    for (k, v) in form_urlencoded::parse(bytes) {
        match &*k {
            "SAMLRequest" => p.saml_request = Some(v.into_owned()),
            "RelayState" => p.relay_state = Some(v.into_owned()),
            _ => {}
        }
    }
    p
}

/// SP-initiated (with a SAMLRequest) or IdP-initiated (without) sign-in.
fn sso_endpoint(
    app: &Shared,
    app_id: &str,
    headers: &HeaderMap,
    params: SamlParams,
    binding: Binding,
) -> Response {
    let found = app_id
        .parse::<u64>()
        .ok()
        .and_then(|id| Some((id, app.store().app(id)?.sso.audience.clone())));
    let Some((app_id, expected_issuer)) = found else {
        return no_such_app();
    };
    let request = match params.saml_request.as_deref() {
        None => None,
        Some(raw) => match AuthnRequest::decode(raw, binding) {
            Ok(r) => Some(r),
            Err(e) => {
                return refusal_page(
                    StatusCode::BAD_REQUEST,
                    RefusalCode::BadSamlRequest,
                    "Bad SAML request",
                    &format!("The app sent a SAML request OneLogin cannot read: {e}"),
                );
            }
        },
    };
    if let Some(r) = &request
        && r.issuer != expected_issuer
    {
        return refusal_page(
            StatusCode::BAD_REQUEST,
            RefusalCode::UnknownServiceProvider,
            "Unknown app",
            &format!(
                "The SAML request comes from {}, which is not this app's service provider ({expected_issuer}).",
                r.issuer
            ),
        );
    }
    let Some(user) = session_user(app, headers) else {
        // Sign in first, then come back; a POST-binding request comes back as a Redirect one.
        let mut back = form_urlencoded::Serializer::new(String::new());
        if let Some(r) = &request {
            back.append_pair("SAMLRequest", &r.encode(Binding::Redirect));
        }
        if let Some(relay) = &params.relay_state {
            back.append_pair("RelayState", relay);
        }
        let back = format!("/trust/saml2/http-post/sso/{app_id}?{}", back.finish());
        let login = format!(
            "/login?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("return", &back)
                .finish()
        );
        return Redirect::to(&login).into_response();
    };
    let authn_instant = cookie(headers)
        .and_then(|id| app.idp.session(&id, app.clock.now()))
        .map(|s| s.since);
    match crate::sso::assertion::assertion(
        app,
        app_id,
        user,
        request.map(|r| r.id),
        params.relay_state,
        authn_instant,
    ) {
        Ok(form) => Html(form.html()).into_response(),
        Err(e) => sso_error(e),
    }
}

/// A refused sign-in as a page: the store's refusal decides the code, the code the status.
fn sso_error(e: SsoError) -> Response {
    let code = e.code();
    let (status, title) = match code {
        RefusalCode::NoAppAccess | RefusalCode::CannotLogIn => {
            (StatusCode::FORBIDDEN, "You cannot sign in to this app")
        }
        RefusalCode::SsoNotConfigured => (StatusCode::CONFLICT, "SSO is not configured"),
        RefusalCode::UnknownServiceProvider | RefusalCode::BadSamlRequest => {
            (StatusCode::BAD_REQUEST, "Bad SAML request")
        }
        RefusalCode::NotFound => (StatusCode::NOT_FOUND, "Not found"),
    };
    refusal_page(status, code, title, &e.to_string())
}

/// Single logout: OneLogin's session ends (Asana never calls it: fidelity/saml §1).
async fn slo(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers) {
        app.idp.close_session(&id);
    }
    Html(page(
        PRODUCT,
        &[],
        "",
        "Signed out",
        "<p>You have been signed out of OneLogin.</p>",
    ))
    .into_response()
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    harness_server::cookie(values, COOKIE).map(str::to_owned)
}
