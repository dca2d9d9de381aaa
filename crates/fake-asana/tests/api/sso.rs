//! The service provider: SAML settings, the ACS's checks and refusals over HTTP, member
//! matching (guests, deprovisioned, just-in-time), SP-initiated requests, password sign-in.

use std::time::Duration;

use base64::Engine as _;
use fake_asana::Switch;
use harness_saml::{
    AssertionSpec, AuthnRequest, Binding, SignatureAlgorithm, SignatureElement, Signing,
    SigningKey, build_response, encode_response,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/saml/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub(crate) fn key(name: &str) -> SigningKey {
    SigningKey::from_pem(
        &fixture(&format!("{name}.key.pem")),
        &fixture(&format!("{name}.cert.pem")),
    )
    .unwrap()
}

pub(crate) const IDP_SSO: &str = "http://127.0.0.1:9/trust/saml2/http-post/sso/1";

/// A fake Asana with SAML `mode` trusting the fixture IdP certificate.
pub(crate) async fn app_with_saml(mode: &str) -> TestApp {
    let app = TestApp::new().await;
    let r = app
        .admin(
            Method::PUT,
            "/saml",
            Some(json!({"mode": mode, "sign_in_url": IDP_SSO, "certificate": fixture("idp.cert.pem")})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app
}

/// A response for `name_id`, signed with the fixture IdP key, issued now.
pub(crate) fn response(
    app: &TestApp,
    name_id: &str,
    in_response_to: Option<&str>,
    id: &str,
) -> String {
    response_with(app, name_id, in_response_to, id, &key("idp"))
}

pub(crate) fn response_with(
    app: &TestApp,
    name_id: &str,
    in_response_to: Option<&str>,
    id: &str,
    key: &SigningKey,
) -> String {
    build_response(
        &AssertionSpec {
            issuer: "http://127.0.0.1:9/saml/metadata/1".into(),
            name_id: name_id.into(),
            audience: fake_asana::ENTITY_ID.into(),
            acs_url: app.asana.acs_url(),
            in_response_to: in_response_to.map(str::to_owned),
            now: app.clock.now(),
            authn_instant: app.clock.now(),
            id: id.into(),
            attributes: vec![],
        },
        Signing {
            key,
            algorithm: SignatureAlgorithm::RsaSha256,
            element: SignatureElement::Assertion,
        },
    )
}

pub(crate) struct Posted {
    pub status: StatusCode,
    pub body: Value,
    pub cookie: Option<String>,
}

/// Posts `SAMLResponse` (already base64) to the ACS as a browser form, asking for JSON.
pub(crate) async fn post_acs(app: &TestApp, saml_response: &str) -> Posted {
    post_acs_as(app, saml_response, None).await
}

/// The same, from a browser whose cookies are `cookie` (`name=value; ...`).
pub(crate) async fn post_acs_as(
    app: &TestApp,
    saml_response: &str,
    cookie: Option<&str>,
) -> Posted {
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLResponse", saml_response)
        .append_pair("RelayState", "/home")
        .finish();
    let mut request = app
        .client
        .post(app.asana.acs_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.body(form).send().await.unwrap();
    let status = r.status();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = r.json().await.unwrap_or(Value::Null);
    Posted {
        status,
        body,
        cookie,
    }
}

pub(crate) async fn post_xml(app: &TestApp, xml: &str) -> Posted {
    post_acs(app, &encode_response(xml)).await
}

/// `GET /-/home` with a session cookie, asking for JSON.
async fn get_home(app: &TestApp, cookie: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/-/home", app.asana.uri()))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

pub(crate) fn reason(p: &Posted) -> &str {
    assert_eq!(p.status, 403, "{}", p.body);
    p.body["reason"].as_str().unwrap()
}

#[tokio::test]
async fn saml_settings_are_checked_as_the_security_tab_checks_them() {
    let app = TestApp::new().await;
    let r = app.admin(Method::GET, "/saml", None).await;
    assert_eq!(r.body["mode"], "off");
    assert_eq!(
        r.body["service_provider"]["entity_id"],
        "https://app.asana.com/"
    );
    assert_eq!(r.body["service_provider"]["acs_url"], app.asana.acs_url());
    for (change, needle) in [
        (json!({"mode": "required"}), "sign-in page URL"),
        (
            json!({"mode": "optional", "sign_in_url": IDP_SSO}),
            "certificate",
        ),
        (json!({"session_timeout_hours": 0}), "1 hour to 30 days"),
        (json!({"session_timeout_hours": 721}), "1 hour to 30 days"),
        (
            json!({"certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}),
            "certificate",
        ),
        (json!({"mode": "sometimes"}), "invalid request"),
    ] {
        let r = app.admin(Method::PUT, "/saml", Some(change.clone())).await;
        assert_eq!(r.status, 400, "{change}");
        assert!(
            r.body["error"].as_str().unwrap().contains(needle),
            "{change}: {}",
            r.body
        );
    }
    let r = app
        .admin(
            Method::PUT,
            "/saml",
            Some(json!({"mode": "required", "sign_in_url": IDP_SSO, "certificate": fixture("idp.cert.pem"), "session_timeout_hours": 1})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["certificate_sha1"],
        key("idp").certificate().sha1_fingerprint()
    );
}

#[tokio::test]
async fn a_member_signs_in_and_the_journal_keeps_no_secret() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let xml = response(&app, "ada@acme.test", None, "_a1");
    let signed_in = post_xml(&app, &xml).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.body["outcome"], "signed_in");
    assert_eq!(signed_in.body["user"]["email"], "ada@acme.test");
    let cookie = signed_in.cookie.expect("a session cookie");

    let home = get_home(&app, &cookie).await;
    assert_eq!(home.status(), 200);
    let home: Value = home.json().await.unwrap();
    assert_eq!(home["user"]["email"], "ada@acme.test");

    let log = app.admin(Method::GET, "/sign-ins", None).await;
    let entry = &log.body[0];
    assert_eq!(entry["outcome"], "signed_in");
    assert_eq!(entry["name_id"], "ada@acme.test");
    assert_eq!(entry["issuer"], "http://127.0.0.1:9/saml/metadata/1");
    let text = log.body.to_string();
    let signature_value = xml
        .split("<ds:SignatureValue>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    assert!(!text.contains(signature_value));
    assert!(!text.contains(cookie.split('=').nth(1).unwrap()));

    // The session ends with the timeout (30 days by default) on the harness clock.
    app.clock.advance(Duration::from_secs(30 * 24 * 3600));
    let home = get_home(&app, &cookie).await;
    assert_eq!(home.status(), 401);
}

#[tokio::test]
async fn hostile_responses_are_refused_with_a_reason_never_a_500() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let good = response(&app, "ada@acme.test", None, "_h1");

    let stripped = {
        let s = good.find("<ds:Signature").unwrap();
        let e = good.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
        format!("{}{}", &good[..s], &good[e..])
    };
    let altered = good.replace("ada@acme.test</saml:NameID>", "eve@acme.test</saml:NameID>");
    let wrapped = {
        let s = good.find("<saml:Assertion").unwrap();
        let evil = stripped[s..stripped.find("</saml:Assertion>").unwrap() + 17]
            .replace("ada@acme.test", "eve@acme.test")
            .replace("A_h1", "evil");
        format!("{}{evil}{}", &good[..s], &good[s..])
    };
    let commented = response(&app, "ada@acme.test.evil.test", None, "_h2").replace(
        "ada@acme.test.evil.test</saml:NameID>",
        "ada@acme.test<!---->.evil.test</saml:NameID>",
    );
    let dtd = r#"<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>"#;
    let other_key = response_with(&app, "ada@acme.test", None, "_h3", &key("rotated"));
    for (label, xml, expected) in [
        ("stripped signature", stripped.as_str(), "unsigned"),
        ("altered assertion", &altered, "bad_signature"),
        ("second unsigned assertion", &wrapped, "signature_wrapping"),
        ("comment in NameID", &commented, "ambiguous_name_id"),
        ("DTD and entities", dtd, "dtd_forbidden"),
        (
            "a certificate Asana does not have",
            &other_key,
            "bad_signature",
        ),
    ] {
        assert_eq!(reason(&post_xml(&app, xml).await), expected, "{label}");
    }
    assert_eq!(reason(&post_acs(&app, "%%% not base64").await), "malformed");
    assert_eq!(reason(&post_acs(&app, "").await), "malformed");
    let oversized = base64::engine::general_purpose::STANDARD.encode("x".repeat(300 * 1024));
    assert_eq!(reason(&post_acs(&app, &oversized).await), "malformed");
    let huge_form = "A".repeat(2 * 1024 * 1024);
    assert_eq!(reason(&post_acs(&app, &huge_form).await), "malformed");

    // The good one still works once, and only once.
    assert_eq!(post_xml(&app, &good).await.status, 200);
    assert_eq!(reason(&post_xml(&app, &good).await), "replayed");
    // InResponseTo names no request this SP sent.
    let unsolicited = response(&app, "ada@acme.test", Some("_never_sent"), "_h4");
    assert_eq!(
        reason(&post_xml(&app, &unsolicited).await),
        "unknown_request"
    );
    // Five minutes after issue, the window has closed.
    let late = response(&app, "ada@acme.test", None, "_h5");
    app.clock.advance(Duration::from_secs(300));
    assert_eq!(reason(&post_xml(&app, &late).await), "expired");

    let log = app.admin(Method::GET, "/sign-ins", None).await;
    let refused = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "refused")
        .count();
    assert_eq!(refused, 13, "every attempt is journaled");
}

#[tokio::test]
async fn members_only_guests_deprovisioned_and_unknown_people_are_refused() {
    let app = app_with_saml("optional").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let grace = app.create_user("grace@acme.test", "Grace Hopper").await;
    app.create_user("guest@partner.test", "A Guest").await;
    let id = grace["id"].as_str().unwrap().to_owned();
    let r = app
        .scim(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(r.status, 204);

    let cases = [
        ("guest@partner.test", "guest_must_use_password"),
        ("grace@acme.test", "deprovisioned"),
        ("nobody@acme.test", "unknown_user"),
    ];
    for (i, (who, expected)) in cases.iter().enumerate() {
        let xml = response(&app, who, None, &format!("_m{i}"));
        assert_eq!(reason(&post_xml(&app, &xml).await), *expected, "{who}");
    }
    // Case does not matter: Asana's emails are case-insensitive.
    let xml = response(&app, "ADA@acme.test", None, "_m9");
    assert_eq!(post_xml(&app, &xml).await.status, 200);
}

#[tokio::test]
async fn just_in_time_adds_new_members_and_re_adds_deprovisioned_ones() {
    let app = app_with_saml("required").await;
    app.asana
        .configure(|c| c.switches.set(Switch::SamlJustInTime, true));
    let grace = app.create_user("grace@acme.test", "Grace Hopper").await;
    let id = grace["id"].as_str().unwrap().to_owned();
    app.scim(Method::DELETE, &format!("/Users/{id}"), None)
        .await;

    let new = post_xml(&app, &response(&app, "newhire@acme.test", None, "_j1")).await;
    assert_eq!(new.status, 200, "{}", new.body);
    assert_eq!(new.body["admission"], "added at sign-in (just-in-time)");
    assert!(app.asana.user("newhire@acme.test").unwrap().is_active());

    let back = post_xml(&app, &response(&app, "grace@acme.test", None, "_j2")).await;
    assert_eq!(back.status, 200, "{}", back.body);
    let grace = app.asana.user("grace@acme.test").unwrap();
    assert!(grace.is_active());
    assert_eq!(grace.gid.to_string(), id, "the same user, added back");
    assert_eq!(grace.events.last().unwrap().event, "user_reprovisioned");
    // Still members only: an off-domain email is not added.
    let off = post_xml(&app, &response(&app, "x@elsewhere.test", None, "_j3")).await;
    assert_eq!(reason(&off), "unknown_user");
}

#[tokio::test]
async fn sp_initiated_sign_in_sends_a_request_it_remembers_once() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let client = harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(format!(
            "{}/a/acme.test?RelayState=%2Fproject%2F1",
            app.asana.uri()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let browser = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(browser.starts_with("asana_browser="), "{browser}");
    let browser = browser.split(';').next().unwrap().to_owned();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(IDP_SSO), "{location}");
    let query = location.split_once('?').unwrap().1;
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params[1], ("RelayState".into(), "/project/1".into()));
    let request = AuthnRequest::decode(&params[0].1, Binding::Redirect).unwrap();
    assert_eq!(request.issuer, "https://app.asana.com/");
    assert_eq!(
        request.acs_url.as_deref(),
        Some(app.asana.acs_url().as_str())
    );

    // A random xs:ID: `_` and 128 bits in hex.
    assert_eq!(request.id.len(), 33, "{}", request.id);
    assert!(request.id.starts_with('_'));
    let answer = response(&app, "ada@acme.test", Some(&request.id), "_s1");
    let ok = post_acs_as(&app, &encode_response(&answer), Some(&browser)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["relay_state"], "/project/1");
    // A second answer to the same request is not accepted.
    let again = response(&app, "ada@acme.test", Some(&request.id), "_s2");
    let again = post_acs_as(&app, &encode_response(&again), Some(&browser)).await;
    assert_eq!(reason(&again), "unknown_request");

    // With SAML off, the same start shows the password form instead.
    app.admin(Method::PUT, "/saml", Some(json!({"mode": "off"})))
        .await;
    let r = client
        .get(format!("{}/a/acme.test", app.asana.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("SAML is off"));
    assert_eq!(
        reason(&post_xml(&app, &response(&app, "ada@acme.test", None, "_s3")).await),
        "saml_off"
    );
}

#[tokio::test]
async fn required_saml_closes_the_password_door_to_members_but_not_guests() {
    let app = app_with_saml("required").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    app.create_user("guest@partner.test", "A Guest").await;
    let password = |email: &'static str, pw: &'static str| {
        let app = &app;
        async move {
            let form = form_urlencoded::Serializer::new(String::new())
                .append_pair("email", email)
                .append_pair("password", pw)
                .finish();
            let r = app
                .client
                .post(format!("{}/-/login", app.asana.uri()))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(form)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = password("ada@acme.test", fake_asana::PASSWORD).await;
    assert_eq!(
        (status.as_u16(), body["reason"].as_str()),
        (403, Some("password_not_allowed"))
    );
    let (status, _) = password("guest@partner.test", fake_asana::PASSWORD).await;
    assert_eq!(status, 200);
    let (_, body) = password("guest@partner.test", "wrong").await;
    assert_eq!(body["reason"], "wrong_password");

    app.admin(Method::PUT, "/saml", Some(json!({"mode": "optional"})))
        .await;
    let (status, body) = password("ada@acme.test", fake_asana::PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["via"], "password");
}

/// A response made and signed by an independent SAML library (signxml, with its own key) is
/// accepted at the ACS once Asana has that IdP's certificate, and refused before.
#[tokio::test]
async fn the_acs_accepts_a_response_signed_by_signxml() {
    let app = app_with_saml("required").await;
    app.create_user("grace@acme.test", "Grace Hopper").await;
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("SAML_PYTHON")
        .unwrap_or_else(|_| format!("{root}/target/scim2-venv/bin/python"));
    assert!(
        std::path::Path::new(&python).exists(),
        "signxml is not installed: run `cargo xtask test` (or `cargo xtask scim2-venv`)"
    );
    let out = std::process::Command::new(python)
        .arg(format!("{root}/tests/saml/independent.py"))
        .args([
            "sign",
            &format!("{root}/fixtures/saml/independent.key.pem"),
            &format!("{root}/fixtures/saml/independent.cert.pem"),
            &app.asana.acs_url(),
            fake_asana::ENTITY_ID,
            "grace@acme.test",
            &app.clock.now().to_string(),
            "https://idp.example/metadata",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saml_response = String::from_utf8(out.stdout).unwrap();
    let saml_response = saml_response.trim();

    assert_eq!(
        reason(&post_acs(&app, saml_response).await),
        "bad_signature"
    );
    let r = app
        .admin(
            Method::PUT,
            "/saml",
            Some(json!({"certificate": fixture("independent.cert.pem")})),
        )
        .await;
    assert_eq!(r.status, 200);
    let ok = post_acs(&app, saml_response).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["user"]["email"], "grace@acme.test");
}
