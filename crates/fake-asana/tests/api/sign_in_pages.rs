//! What a browser (no `Accept: application/json`) sees of signing in: the ACS redirects home or
//! to a RelayState on this origin, the home page says who, how and until when, the login page
//! asks for one email at a time, and the Security tab's log explains a success.

use std::time::Duration;

use harness_saml::{AuthnRequest, Binding, encode_response};
use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;
use crate::sso::{IDP_SSO, fixture, response};

/// A browser that does not follow redirects, so each answer can be looked at.
fn browser() -> reqwest::Client {
    harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Required SAML with an eight-hour session, and Ada a member.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    let settings = json!({"mode": "required", "sign_in_url": IDP_SSO,
        "certificate": fixture("idp.cert.pem"), "session_timeout_hours": 8});
    let r = app.admin(Method::PUT, "/saml", Some(settings)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    app
}

/// Posts `saml_response` to the ACS as a browser's form post; the status, `Location` and the
/// session cookie set.
async fn post_as_browser(
    app: &TestApp,
    saml_response: &str,
    cookie: Option<&str>,
) -> (u16, String, String) {
    let mut request = browser()
        .post(app.asana.acs_url())
        .form(&[("SAMLResponse", saml_response)]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let session = header("set-cookie").split(';').next().unwrap().to_owned();
    (r.status().as_u16(), header("location"), session)
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let r = browser()
        .get(format!("{}{path}", app.asana.uri()))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_acs_sends_a_browser_home_where_it_sees_who_how_and_until_when() {
    let app = app().await;
    let answer = response(&app, "ada@acme.test", None, "_home1");
    let (status, location, session) = post_as_browser(&app, &encode_response(&answer), None).await;
    assert_eq!(status, 303);
    assert_eq!(location, "/-/home");
    assert!(session.starts_with("asana_session="), "{session}");

    let (status, home) = page(&app, "/-/home", &session).await;
    assert_eq!(status, 200, "{home}");
    assert!(home.contains("Signed in as <strong>ada@acme.test</strong>, with SAML single sign-on from the identity provider <code id=\"idp\">http://127.0.0.1:9/saml/metadata/1</code>."), "{home}");
    assert!(
        home.contains("Your session lasts until <time datetime=\"2026-01-01T17:00:00Z\">17:00 UTC</time>, in 8 hours."),
        "{home}"
    );
    app.clock.advance(Duration::from_secs(3 * 3600 + 30 * 60));
    let (_, later) = page(&app, "/-/home", &session).await;
    assert!(later.contains("17:00 UTC</time>, in 4 hours."), "{later}");

    // Without a session, home is the login page.
    let (status, _) = page(&app, "/-/home", "asana_session=nothing").await;
    assert_eq!(status, 303);
}

/// Starts an SP-initiated sign-in with `relay`, answers it, and returns where the ACS sends the
/// browser.
async fn land_after_start(app: &TestApp, relay: &str, id: &str) -> (u16, String) {
    let start = format!(
        "{}/a/acme.test?{}",
        app.asana.uri(),
        form_urlencoded::Serializer::new(String::new())
            .append_pair("RelayState", relay)
            .finish()
    );
    let r = browser().get(start).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let query = location.split_once('?').unwrap().1;
    let (_, saml_request) = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "SAMLRequest")
        .unwrap();
    let request = AuthnRequest::decode(&saml_request, Binding::Redirect).unwrap();
    let answer = response(app, "ada@acme.test", Some(&request.id), id);
    let (status, location, _) =
        post_as_browser(app, &encode_response(&answer), Some(&cookie)).await;
    (status, location)
}

#[tokio::test]
async fn relay_state_is_followed_only_to_a_page_of_this_origin() {
    let app = app().await;
    assert_eq!(
        land_after_start(&app, "/0/123/list", "_r1").await,
        (303, "/0/123/list".to_owned())
    );
    assert_eq!(
        land_after_start(&app, "https://evil.test/", "_r2").await,
        (303, "/-/home".to_owned())
    );
    assert_eq!(
        land_after_start(&app, "//evil.test/x", "_r3").await,
        (303, "/-/home".to_owned())
    );
}

#[tokio::test]
async fn the_login_page_asks_for_one_email_at_a_time() {
    let app = TestApp::new().await;
    let email_fields = |html: &str| html.matches("type=\"email\"").count();
    let (status, first) = page(&app, "/-/login", "").await;
    assert_eq!(status, 200);
    assert_eq!(email_fields(&first), 1, "{first}");
    assert!(first.contains("<label for=\"e\">Email</label>"), "{first}");
    assert!(!first.contains("type=\"password\""), "{first}");

    // A guest's email (off every organization's domains) leads to the password step, with the
    // email kept.
    let (_, guest) = page(&app, "/-/login?e=cleo%40agency.test", "").await;
    assert_eq!(email_fields(&guest), 1, "{guest}");
    assert!(guest.contains("value=\"cleo@agency.test\""), "{guest}");
    assert!(guest.contains("type=\"password\""), "{guest}");
    assert!(guest.contains("Enter your password."), "{guest}");

    let (_, chosen) = page(&app, "/-/login?password", "").await;
    assert_eq!(email_fields(&chosen), 1, "{chosen}");
    assert!(chosen.contains("type=\"password\""), "{chosen}");
}

#[tokio::test]
async fn a_password_sign_in_lands_home_and_the_security_log_explains_it() {
    let app = TestApp::new().await;
    app.create_user("grace@acme.test", "Grace Hopper").await;
    let r = browser()
        .post(format!("{}/-/login", app.asana.uri()))
        .form(&[
            ("email", "grace@acme.test"),
            ("password", fake_asana::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/-/home");
    let set = r.headers()["set-cookie"].to_str().unwrap();
    let session = set.split(';').next().unwrap().to_owned();
    let (_, home) = page(&app, "/-/home", &session).await;
    assert!(
        home.contains("Signed in as <strong>grace@acme.test</strong>, with email and password."),
        "{home}"
    );

    app.clock.advance(Duration::from_secs(180));
    let (status, security) = page(&app, "/admin/security", "").await;
    assert_eq!(status, 200);
    assert!(
        security.contains("2026-01-01 09:00 UTC (3 minutes ago)</time></td><td>password</td><td>grace@acme.test</td><td>signed_in</td><td>-</td>"),
        "{security}"
    );
}
