//! Enable against an HTTPS target, as OneLogin reports it: a certificate that chains to a
//! trusted CA connects; an untrusted or an expired one fails the connection test with the TLS
//! reason, and nothing is provisioned. And over HTTPS the login session cookie is `Secure`.

use fake_asana::{FakeAsana, Scope};
use fake_onelogin::FakeOneLogin;
use harness_clock::Clock;
use harness_tls::Ca;
use reqwest::Method;
use serde_json::{Value, json};

/// Enable, pressed on a fresh fake OneLogin (trusting `trust`, if any) pointed at `asana`.
async fn enable(asana: &FakeAsana, trust: Option<&Ca>) -> Value {
    // A manual clock: the provisioner's retries of a failed handshake wait on it, not on real time.
    let mut builder = FakeOneLogin::builder()
        .clock(Clock::manual())
        .asana_scim_url(asana.scim_url());
    if let Some(ca) = trust {
        builder = builder.ca_certificate(ca.cert_pem());
    }
    let onelogin = builder.start().await;
    let client = harness_tls::client::new();
    let admin = format!(
        "{}/__admin/apps/{}",
        onelogin.uri(),
        onelogin.asana_app_id()
    );
    let token = asana.create_service_account("OneLogin", Scope::Scim).token;
    let r = client
        .request(Method::PUT, format!("{admin}/provisioning"))
        .json(&json!({"token": token, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    client
        .post(format!("{admin}/enable"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn enable_over_https_connects_only_to_a_valid_trusted_certificate() {
    let ca = Ca::generate().unwrap();
    let asana = FakeAsana::builder()
        .tls(ca.server_config(&["127.0.0.1"]).unwrap())
        .start()
        .await;
    assert!(asana.scim_url().starts_with("https://"));

    let trusted = enable(&asana, Some(&ca)).await;
    assert_eq!(trusted["api_status"], "connected", "{trusted}");

    let untrusted = enable(&asana, None).await;
    assert_eq!(untrusted["api_status"], "failed", "{untrusted}");
    let reason = untrusted["api_error"].as_str().unwrap();
    assert!(
        reason.contains("invalid peer certificate") && reason.contains("UnknownIssuer"),
        "{reason}"
    );

    let lapsed = FakeAsana::builder()
        .tls(ca.expired_server_config(&["127.0.0.1"]).unwrap())
        .start()
        .await;
    let expired = enable(&lapsed, Some(&ca)).await;
    assert_eq!(expired["api_status"], "failed", "{expired}");
    let reason = expired["api_error"].as_str().unwrap();
    assert!(
        reason.contains("invalid peer certificate: certificate expired"),
        "{reason}"
    );
}

#[tokio::test]
async fn the_login_session_cookie_is_secure_over_https() {
    let ca = Ca::generate().unwrap();
    let directory = fake_onelogin::seed::Directory::parse(
        "users:\n  - { email: ada@acme.test, firstname: Ada, lastname: Lovelace }\n",
        "test",
    )
    .unwrap();
    let onelogin = FakeOneLogin::builder()
        .tls(ca.server_config(&["127.0.0.1"]).unwrap())
        .directory(directory)
        .start()
        .await;
    let client = harness_tls::client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(format!("{}/login", onelogin.uri()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=ada%40acme.test&password={}&return=%2Fportal",
            fake_onelogin::PASSWORD
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("onelogin_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
}
