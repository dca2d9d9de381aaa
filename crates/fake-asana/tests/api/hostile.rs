//! The ACS under attack, over HTTP: a pending sign-in cannot be hijacked or evicted, the tenant
//! comes from signed data only, cookies are renewed at every sign-in (and `Secure` over HTTPS),
//! and SCIM stays quick while hostile responses are posted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use harness_saml::{AuthnRequest, Binding, encode_response};
use harness_tls::Ca;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::sso::{app_with_saml, fixture, key, post_acs_as, reason, response, response_with};

/// A browser's first sign-in step: the redirect to the IdP, the AuthnRequest it carries, and
/// the cookie that names the browser.
struct Started {
    request_id: String,
    cookie: String,
}

async fn start(app: &TestApp, path: &str) -> Result<Started, (StatusCode, Value)> {
    let client = harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(format!("{}{path}", app.asana.uri()))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    if r.status() != StatusCode::SEE_OTHER {
        let status = r.status();
        return Err((status, r.json().await.unwrap_or(Value::Null)));
    }
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let location = r.headers()["location"].to_str().unwrap();
    let query = location.split_once('?').unwrap().1;
    let saml_request = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "SAMLRequest")
        .unwrap()
        .1
        .into_owned();
    let request = AuthnRequest::decode(&saml_request, Binding::Redirect).unwrap();
    Ok(Started {
        request_id: request.id,
        cookie,
    })
}

async fn sign_ins(app: &TestApp) -> Vec<Value> {
    let r = app.admin(Method::GET, "/sign-ins", None).await;
    r.body.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_pending_sign_in_cannot_be_hijacked_from_another_browser() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    app.create_user("mallory@acme.test", "Mallory").await;
    let victim = start(&app, "/a/acme.test?RelayState=%2Fvictim")
        .await
        .unwrap();
    let attacker = start(&app, "/a/acme.test").await.unwrap();
    assert_ne!(victim.request_id, attacker.request_id);

    // His own genuine assertion (IdP-initiated), with the unsigned Response claiming to answer
    // the victim's request.
    let own = response(&app, "mallory@acme.test", None, "_m1").replacen(
        "<samlp:Response ",
        &format!(r#"<samlp:Response InResponseTo="{}" "#, victim.request_id),
        1,
    );
    let refused = post_acs_as(&app, &encode_response(&own), Some(&attacker.cookie)).await;
    assert_eq!(
        reason(&refused),
        "in_response_to_mismatch",
        "{}",
        refused.body
    );

    // An assertion the IdP signed answering the victim's request ID (he asked the IdP with
    // it), posted from his browser or from none: refused, and the request stays the victim's.
    let answering = response(&app, "mallory@acme.test", Some(&victim.request_id), "_m2");
    for cookie in [Some(attacker.cookie.as_str()), None] {
        let refused = post_acs_as(&app, &encode_response(&answering), cookie).await;
        assert_eq!(reason(&refused), "other_browser", "{}", refused.body);
        assert!(refused.body.get("relay_state").is_none());
    }

    let genuine = response(&app, "ada@acme.test", Some(&victim.request_id), "_v1");
    let ok = post_acs_as(&app, &encode_response(&genuine), Some(&victim.cookie)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["user"]["email"], "ada@acme.test");
    assert_eq!(ok.body["relay_state"], "/victim");
}

#[tokio::test]
async fn anonymous_starts_cannot_evict_a_pending_sign_in() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let victim = start(&app, "/a/acme.test").await.unwrap();

    // Ten thousand starts from browsers without a cookie, each a new browser.
    let client = harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}/-/login?e=anyone%40acme.test", app.asana.uri());
    let statuses: Vec<StatusCode> = futures::stream::iter(0..10_000)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            async move { client.get(url).send().await.unwrap().status() }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert_eq!(refused, 1, "the table holds 10,000 with the victim's");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::SERVICE_UNAVAILABLE)
    );
    let (status, body) = start(&app, "/a/acme.test").await.err().unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["reason"], "too_many_pending", "{body}");

    let genuine = response(&app, "ada@acme.test", Some(&victim.request_id), "_v1");
    let ok = post_acs_as(&app, &encode_response(&genuine), Some(&victim.cookie)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    // Once the anonymous requests expire (ten minutes on the harness clock), starts work again.
    app.clock.advance(Duration::from_secs(10 * 60));
    assert!(start(&app, "/a/acme.test").await.is_ok());
}

#[tokio::test]
async fn a_sign_in_left_waiting_ten_minutes_has_expired() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let started = start(&app, "/a/acme.test").await.unwrap();
    app.clock.advance(Duration::from_secs(10 * 60));
    // A fresh, valid answer, too late for the request it answers.
    let late = response(&app, "ada@acme.test", Some(&started.request_id), "_late");
    let refused = post_acs_as(&app, &encode_response(&late), Some(&started.cookie)).await;
    assert_eq!(reason(&refused), "request_expired", "{}", refused.body);
}

#[tokio::test]
async fn a_relay_state_over_80_bytes_is_refused_at_the_start() {
    let app = app_with_saml("required").await;
    let long = "x".repeat(81);
    let (status, body) = start(&app, &format!("/a/acme.test?RelayState={long}"))
        .await
        .err()
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["reason"], "relay_state_too_long", "{body}");
    assert!(
        start(&app, &format!("/a/acme.test?RelayState={}", "x".repeat(80)))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_organization_comes_from_the_verified_name_id_not_a_decoy() {
    let app = app_with_saml("required").await;
    let create = |name: &'static str, domain: &'static str| {
        let app = &app;
        async move {
            app.admin(
                Method::POST,
                "/organizations",
                Some(json!({"name": name, "domains": [domain]})),
            )
            .await
        }
    };
    // Asana's domains belong to one organization, under any spelling of the name; junk is no
    // domain at all.
    for (domain, status) in [
        ("ACME.test", StatusCode::CONFLICT),
        (" acme.test", StatusCode::CONFLICT),
        ("acme.test.", StatusCode::CONFLICT),
        ("Acme.Test.", StatusCode::CONFLICT),
        ("not a domain", StatusCode::BAD_REQUEST),
    ] {
        let r = create("Copycat", domain).await;
        assert_eq!(r.status, status, "{domain:?}: {}", r.body);
    }
    let evil = create("Evil", "evil.test").await;
    assert_eq!(evil.status, StatusCode::CREATED, "{}", evil.body);
    let evil_id: u64 = evil.body["id"].as_str().unwrap().parse().unwrap();
    let r = app
        .admin(
            Method::PUT,
            "/saml",
            Some(json!({"organization": evil_id.to_string(), "mode": "required",
                "sign_in_url": "http://127.0.0.1:9/evil", "certificate": fixture("rotated.cert.pem")})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Mallory's own IdP signs his assertion; a decoy NameID naming Acme's Ada sits in the
    // unsigned Extensions before it. The decoy steers nothing: Evil's certificate verifies him.
    let decoy = "<samlp:Extensions><saml:NameID>ada@acme.test</saml:NameID></samlp:Extensions>";
    let xml = response_with(&app, "mallory@evil.test", None, "_d1", &key("rotated")).replacen(
        "<samlp:Status>",
        &format!("{decoy}<samlp:Status>"),
        1,
    );
    let refused = post_acs_as(&app, &encode_response(&xml), None).await;
    assert_eq!(reason(&refused), "unknown_user", "{}", refused.body);
    let entry = sign_ins(&app).await.pop().unwrap();
    assert_eq!(entry["name_id"], "mallory@evil.test");
    assert_eq!(entry["name_id_verified"], true);

    // Claiming Ada with his key: refused, and journaled under the name claimed, unverified.
    let forged = response_with(&app, "ada@acme.test", None, "_d2", &key("rotated"));
    let refused = post_acs_as(&app, &encode_response(&forged), None).await;
    assert_eq!(reason(&refused), "bad_signature", "{}", refused.body);
    let entry = sign_ins(&app).await.pop().unwrap();
    assert_eq!(entry["name_id"], "ada@acme.test");
    assert_eq!(entry["name_id_verified"], false);
}

/// Password sign-in as `email`, from a browser with `cookie`; the new session cookie.
async fn password_sign_in(app: &TestApp, email: &str, cookie: Option<&str>) -> (String, String) {
    let mut request = app
        .client
        .post(format!("{}/-/login", app.asana.uri()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!("email={email}&password={}", fake_asana::PASSWORD));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status(), 200);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    (set.split(';').next().unwrap().to_owned(), set)
}

async fn home(app: &TestApp, cookie: &str) -> StatusCode {
    app.client
        .get(format!("{}/-/home", app.asana.uri()))
        .header("accept", "application/json")
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn every_sign_in_makes_a_new_session_and_ends_the_browsers_previous_one() {
    let app = TestApp::new().await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let (first, attributes) = password_sign_in(&app, "ada@acme.test", None).await;
    assert!(!attributes.contains("Secure"), "plain HTTP: {attributes}");
    assert_eq!(home(&app, &first).await, StatusCode::OK);
    let (second, _) = password_sign_in(&app, "ada@acme.test", Some(&first)).await;
    assert_ne!(first, second);
    assert_eq!(home(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(home(&app, &second).await, StatusCode::OK);
    // A browser known by its asana_browser cookie ends its previous session even when it does
    // not send the session cookie along.
    let browser = format!("asana_browser={}", "ab".repeat(16));
    let (third, _) = password_sign_in(&app, "ada@acme.test", Some(&browser)).await;
    let (fourth, _) = password_sign_in(&app, "ada@acme.test", Some(&browser)).await;
    assert_eq!(home(&app, &third).await, StatusCode::UNAUTHORIZED);
    assert_eq!(home(&app, &fourth).await, StatusCode::OK);
}

#[tokio::test]
async fn cookies_are_secure_when_the_fake_serves_https() {
    let ca = Ca::generate().unwrap();
    let mut app = TestApp::with(
        fake_asana::FakeAsana::builder().tls(ca.server_config(&["127.0.0.1"]).unwrap()),
    )
    .await;
    app.client = harness_tls::client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let (_, session) = password_sign_in(&app, "ada@acme.test", None).await;
    assert!(session.contains("; Secure"), "{session}");
    assert!(session.contains("HttpOnly"), "{session}");

    let r = app
        .admin(
            Method::PUT,
            "/saml",
            Some(
                json!({"mode": "required", "sign_in_url": "https://127.0.0.1:9/sso",
                "certificate": fixture("idp.cert.pem")}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .client
        .get(format!("{}/a/acme.test", app.asana.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let browser = r.headers()["set-cookie"].to_str().unwrap();
    assert!(browser.contains("SameSite=None; Secure"), "{browser}");
}

/// The p99 of `samples`.
fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[(samples.len() * 99).div_ceil(100) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_lookups_stay_quick_while_the_acs_is_under_attack() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    // What the ACS is flooded with: the costliest response within every bound (it must be
    // parsed, canonicalized and its signature checked), and floods refused unread.
    let costly = costly_response(&app);
    let filter = "/Users?filter=userName%20eq%20%22ada%40acme.test%22";
    // The same lookups with no attack first: on a loaded machine the bound grows with them, so
    // the test catches lookups that wait for the ACS's work, not a busy CI neighbour.
    let mut quiet = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        assert_eq!(app.scim(Method::GET, filter, None).await.status, 200);
        quiet.push(started.elapsed());
    }
    let bound = Duration::from_millis(50).max(p99(quiet) * 10);
    let flood = {
        let mut root =
            String::from(r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol""#);
        for i in 0..5_000 {
            root.push_str(&format!(r#" xmlns:n{i}="urn:n{i}""#));
        }
        root.push_str("/>");
        encode_response(&root)
    };
    let stop = Arc::new(AtomicBool::new(false));
    let posted = Arc::new(AtomicU32::new(0));
    let mut attackers = Vec::new();
    for i in 0..8 {
        let (client, url) = (app.client.clone(), app.asana.acs_url());
        let (stop, posted) = (stop.clone(), posted.clone());
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("SAMLResponse", if i % 2 == 0 { &costly } else { &flood })
            .finish();
        attackers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::FORBIDDEN);
                posted.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Measured while the flood goes on: at least 200 lookups, and until 40 hostile posts have
    // been answered (bounded, should the ACS stall).
    let mut samples = Vec::new();
    while samples.len() < 200 || (posted.load(Ordering::Relaxed) < 40 && samples.len() < 20_000) {
        let started = Instant::now();
        let r = app.scim(Method::GET, filter, None).await;
        samples.push(started.elapsed());
        assert_eq!(r.status, 200);
        assert_eq!(r.body["totalResults"], 1);
    }
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        a.await.unwrap();
    }
    let posted = posted.load(Ordering::Relaxed);
    assert!(posted >= 40, "only {posted} hostile posts were answered");
    let p99 = p99(samples);
    assert!(
        p99 < bound,
        "SCIM p99 {p99:?} under attack (bound {bound:?})"
    );
}

/// A response signed by the trusted IdP and padded, inside its signed assertion, to near every
/// bound: the most work the ACS will do for one request. Refused (its padding is junk text in
/// the NameID's attribute values), but only after verification.
fn costly_response(app: &TestApp) -> String {
    let mut spec_attributes = Vec::new();
    for i in 0..400 {
        spec_attributes.push((format!("a{i}"), "v".repeat(300)));
    }
    let xml = harness_saml::build_response(
        &harness_saml::AssertionSpec {
            issuer: "https://app.onelogin.com/saml/metadata/1".into(),
            name_id: "ada@acme.test".into(),
            audience: "https://elsewhere.example/".into(),
            acs_url: app.asana.acs_url(),
            in_response_to: None,
            now: app.clock.now(),
            authn_instant: app.clock.now(),
            id: "_costly".into(),
            attributes: spec_attributes,
        },
        harness_saml::Signing {
            key: &key("idp"),
            algorithm: harness_saml::SignatureAlgorithm::RsaSha256,
            element: harness_saml::SignatureElement::Both,
        },
    );
    assert!(xml.len() < harness_saml::MAX_RESPONSE_BYTES / 4 * 3);
    encode_response(&xml)
}
