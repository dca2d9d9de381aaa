//! Where a browser lands after signing in: `/-/home`, which says who is signed in, how, and
//! until when.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use harness_html::{escape, page, time};
use jiff::Timestamp;
use serde_json::json;

use super::Shared;
use super::sso::{HOME, cookie, wants_json};
use crate::sso::signin::Via;
use crate::sso::{COOKIE, Session};

pub(super) fn router() -> Router<Shared> {
    Router::new().route(HOME, get(home))
}

/// Who is signed in, by the session cookie.
async fn home(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let now = app.clock.now();
    let session = cookie(&headers, COOKIE).and_then(|id| {
        let store = app.store();
        app.sp.session(&id, &store, now)
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
        (Some(s), false) => {
            Html(page("Asana", &[], "", "Home", &home_page(&s, now))).into_response()
        }
        (None, false) => Redirect::to("/-/login").into_response(),
    }
}

/// The signed-in person, how they signed in, whether the sign-in added them, and until when.
fn home_page(s: &Session, now: Timestamp) -> String {
    let how = match (s.via, &s.issuer) {
        (Via::Saml, Some(issuer)) => format!(
            "with SAML single sign-on from the identity provider <code id=\"idp\">{}</code>",
            escape(issuer)
        ),
        (Via::Saml, None) => "with SAML single sign-on".to_owned(),
        (Via::Password, _) => "with email and password".to_owned(),
    };
    let admission = s
        .admission
        .label()
        .map(|l| format!("<p id=\"admission\">Your account was {}.</p>", escape(l)))
        .unwrap_or_default();
    format!(
        "<p id=\"signed-in\" data-email=\"{e}\" data-via=\"{via}\">Signed in as <strong>{e}</strong>, {how}.</p>\
         {admission}<p id=\"session-expires\">Your session lasts {until}.</p>\
         <form method=\"post\" action=\"/-/logout\"><button id=\"log-out\">Log out</button></form>",
        e = escape(&s.email),
        via = s.via,
        until = time::until(s.expires, now),
    )
}
