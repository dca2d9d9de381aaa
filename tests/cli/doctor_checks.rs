//! Each pitfall `doctor` knows, planted on the KB article's setup through the fakes' admin APIs
//! (or, for the settings no API holds, through the flags an admin would give): the report holds
//! exactly the planted findings, with their codes and customer cases, and exit 1.

use reqwest::Method;
use serde_json::{Value, json};

use crate::doctor::{Kb, codes};

/// Runs the doctor with everything the admin can give, expecting exactly these findings.
async fn expect_exactly(kb: Kb, expected: &[(&str, &str, Option<&str>)]) {
    let flags = kb.security_tab().await;
    let (code, report, stderr) = kb.doctor(&flags, &kb.secret()).await;
    assert_eq!(code, 1, "{report:#}{stderr}");
    let expected: Vec<(String, String, Value)> = expected
        .iter()
        .map(|(c, s, case)| (c.to_string(), s.to_string(), json!(case)))
        .collect();
    assert_eq!(codes(&report), expected, "{report:#}");
    assert!(kb.served.terminate().await.success());
}

async fn parameters(kb: &Kb, parameters: Value) {
    kb.onelogin(
        Method::PUT,
        "provisioning",
        json!({"parameters": parameters}),
    )
    .await;
}

#[tokio::test]
async fn name_id_mapped_to_username() {
    let kb = Kb::start().await;
    parameters(
        &kb,
        json!({"name_id": "username", "scim_username": "email"}),
    )
    .await;
    let case = Some("provisioned-but-cannot-sign-in");
    expect_exactly(kb, &[("name-id-not-email", "critical", case)]).await;
}

#[tokio::test]
async fn scim_username_mapped_to_username() {
    let kb = Kb::start().await;
    parameters(
        &kb,
        json!({"name_id": "email", "scim_username": "username"}),
    )
    .await;
    let case = Some("username-is-not-an-email");
    expect_exactly(kb, &[("scim-username-not-email", "critical", case)]).await;
}

/// Apart and neither on Email: each mapping is wrong on its own, and they disagree, so the
/// person Asana has is not the person who signs in.
#[tokio::test]
async fn name_id_and_scim_username_on_different_attributes() {
    let kb = Kb::start().await;
    parameters(
        &kb,
        json!({"name_id": "username", "scim_username": "external_id"}),
    )
    .await;
    let sign_in = Some("provisioned-but-cannot-sign-in");
    expect_exactly(
        kb,
        &[
            ("name-id-not-email", "critical", sign_in),
            (
                "scim-username-not-email",
                "critical",
                Some("username-is-not-an-email"),
            ),
            ("name-id-scim-username-differ", "critical", sign_in),
        ],
    )
    .await;
}

/// The Security tab was read before the rotation: Asana still trusts the old certificate.
#[tokio::test]
async fn certificate_rotated_in_onelogin_only() {
    let kb = Kb::start().await;
    let flags = kb.security_tab().await;
    kb.onelogin(Method::POST, "sso/certificates/rotate", json!({}))
        .await;
    let (code, report, stderr) = kb.doctor(&flags, &kb.secret()).await;
    assert_eq!(code, 1, "{report:#}{stderr}");
    let case = json!("rotated-certificate-locked-everyone-out");
    assert_eq!(
        codes(&report),
        [(
            "certificate-mismatch".to_owned(),
            "critical".to_owned(),
            case
        )]
    );
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert!(
        evidence.starts_with("OneLogin signs with SHA-256 "),
        "{evidence}"
    );
    assert!(kb.served.terminate().await.success());
}

/// Ten days before the certificate's end, through the library: the binary reads the wall clock.
#[tokio::test]
async fn certificate_expires_within_30_days() {
    let kb = Kb::start().await;
    let sso = kb.onelogin(Method::GET, "sso", Value::Null).await;
    let not_after: jiff::Timestamp = sso["certificates"][0]["not_after"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = not_after - jiff::SignedDuration::from_hours(24 * 10);
    let c = &kb.served.credentials;
    let inputs = harness_doctor::Inputs {
        onelogin_url: kb.served.onelogin_origin(),
        client_id: c["onelogin"]["client_id"].as_str().unwrap().to_owned(),
        client_secret: kb.secret(),
        app_id: crate::doctor::APP,
        asana_scim_url: kb.served.scim_url(),
        asana_token: kb.served.token(),
        asana_security: harness_doctor::AsanaSecurity {
            sign_in_url: sso["sso_endpoint"].as_str().map(str::to_owned),
            certificate: sso["certificates"][0]["pem"].as_str().map(str::to_owned),
            saml_mode: Some(harness_doctor::SamlMode::Required),
        },
        deletion_policy: Some(harness_doctor::DeletionPolicy::Delete),
    };
    let report = harness_doctor::diagnose(&harness_tls::client::new(), &inputs, now)
        .await
        .unwrap();
    let found: Vec<_> = report.findings.iter().map(|f| (f.code, f.case)).collect();
    assert_eq!(
        found,
        [(
            "certificate-expiring",
            Some("rotated-certificate-locked-everyone-out")
        )]
    );
    assert!(
        report.findings[0]
            .evidence
            .contains("OneLogin's certificate"),
        "{}",
        report.findings[0].evidence
    );
    assert!(kb.served.terminate().await.success());
}

#[tokio::test]
async fn sha1_signing() {
    let kb = Kb::start().await;
    kb.onelogin(
        Method::PUT,
        "sso",
        json!({"signature_algorithm": "rsa-sha1"}),
    )
    .await;
    expect_exactly(kb, &[("sha1-signing", "warning", None)]).await;
}

#[tokio::test]
async fn provisioning_turned_off() {
    let kb = Kb::start().await;
    kb.onelogin(Method::PUT, "provisioning", json!({"enabled": false}))
        .await;
    let case = Some("enable-never-pressed");
    expect_exactly(kb, &[("provisioning-disabled", "critical", case)]).await;
}

/// A token pasted by mistake and Enable pressed: the connection fails, and says so in Events.
#[tokio::test]
async fn api_connection_failed() {
    let kb = Kb::start().await;
    kb.onelogin(Method::PUT, "provisioning", json!({"token": "not-a-token"}))
        .await;
    let status = kb.onelogin(Method::POST, "enable", json!({})).await;
    assert_eq!(status["api_status"], "failed", "{status}");
    let case = Some("enable-never-pressed");
    expect_exactly(kb, &[("api-not-connected", "critical", case)]).await;
}

#[tokio::test]
async fn do_nothing_on_delete_while_saml_is_optional() {
    let kb = Kb::start().await;
    kb.onelogin(
        Method::PUT,
        "provisioning",
        json!({"on_delete": "do_nothing"}),
    )
    .await;
    let asana = kb.asana();
    kb.send(
        Method::PUT,
        format!("{asana}/__admin/saml"),
        json!({"mode": "optional"}),
    )
    .await;
    let case = Some("deleted-but-still-signs-in");
    expect_exactly(kb, &[("deleted-keep-password-access", "critical", case)]).await;
}

/// Asana's Security tab pointed at another app's endpoint: sign-in from Asana goes astray.
#[tokio::test]
async fn sign_in_url_of_another_app() {
    let kb = Kb::start().await;
    let asana = kb.asana();
    let other = format!(
        "{}/trust/saml2/http-post/sso/999999",
        kb.served.onelogin_origin()
    );
    kb.send(
        Method::PUT,
        format!("{asana}/__admin/saml"),
        json!({"sign_in_url": other}),
    )
    .await;
    expect_exactly(kb, &[("sign-in-url-mismatch", "critical", None)]).await;
}
