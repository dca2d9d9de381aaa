//! The pitfalls of the token, the tasks and the people, each planted on the KB article's setup
//! through the fakes' admin APIs (or their public APIs, as a person would), reported alone with
//! its code and customer case. (Approvals waiting for more than a day need the clock moved: that
//! one is in the doctor crate's tests, on a manual clock.)

use reqwest::Method;
use serde_json::{Value, json};

use crate::doctor::{APP, Kb, codes};

/// Runs the doctor with everything the admin can give (and `extra`), expecting exactly this
/// finding; returns the report.
async fn expect_only(kb: &Kb, extra: &[String], expected: (&str, &str, Option<&str>)) -> Value {
    let mut flags = kb.security_tab().await;
    flags.extend_from_slice(extra);
    let (code, report, stderr) = kb.doctor(&flags, &kb.secret()).await;
    assert_eq!(code, 1, "{report:#}{stderr}");
    let (c, s, case) = expected;
    assert_eq!(
        codes(&report),
        [(c.to_owned(), s.to_owned(), json!(case))],
        "{report:#}"
    );
    report
}

/// Asana's members over SCIM, read with the service account's token.
async fn members(kb: &Kb) -> Value {
    let client = harness_tls::client::new();
    client
        .get(format!("{}/Users", kb.served.scim_url()))
        .bearer_auth(kb.served.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The service account `serve` made, by the id the admin API gives it.
async fn service_account(kb: &Kb) -> String {
    let accounts = kb
        .send(
            Method::GET,
            format!("{}/__admin/service-accounts", kb.asana()),
            Value::Null,
        )
        .await;
    accounts[0]["id"].as_str().unwrap().to_owned()
}

/// The fake OneLogin's people (`serve`'s directory): Grace is in Asana already, Alan is not.
const GRACE: u64 = 100003;
const ALAN: u64 = 100004;

const DEAD: (&str, &str, Option<&str>) = (
    "asana-token-dead",
    "critical",
    Some("rotated-token-stopped-everything"),
);

#[tokio::test]
async fn a_regenerated_token_is_dead() {
    let kb = Kb::start().await;
    let id = service_account(&kb).await;
    let url = format!("{}/__admin/service-accounts/{id}/rotate", kb.asana());
    kb.send(Method::POST, url, json!({})).await;
    let report = expect_only(&kb, &[], DEAD).await;
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert!(evidence.contains("401 \"Not Authorized\""), "{evidence}");
    assert!(kb.served.terminate().await.success());
}

#[tokio::test]
async fn a_deauthorized_token_is_dead() {
    let kb = Kb::start().await;
    let id = service_account(&kb).await;
    let url = format!("{}/__admin/service-accounts/{id}", kb.asana());
    kb.send(Method::DELETE, url, Value::Null).await;
    expect_only(&kb, &[], DEAD).await;
    assert!(kb.served.terminate().await.success());
}

/// A member's personal access token where the service account's belongs: Asana refuses it on
/// SCIM, and `/users/me` names the person whose it is.
#[tokio::test]
async fn a_personal_access_token_is_the_wrong_kind() {
    let kb = Kb::start().await;
    let ada = members(&kb).await["Resources"][0]["userName"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/__admin/personal-access-tokens", kb.asana());
    let pat = kb.send(Method::POST, url, json!({"user": ada})).await;
    let token = format!("--asana-token={}", pat["token"].as_str().unwrap());
    let report = expect_only(
        &kb,
        &[token],
        ("asana-token-not-service-account", "critical", None),
    )
    .await;
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("403") && evidence.contains(&format!("<{ada}>")),
        "{evidence}"
    );
    assert!(kb.served.terminate().await.success());
}

/// Two people's creates refused by Asana for one reason: one group, both named.
#[tokio::test]
async fn failed_tasks_are_grouped_by_reason() {
    let kb = Kb::start().await;
    let origin = kb.served.onelogin_origin();
    let token = onelogin_api_token(&kb).await;
    let bea = harness_tls::client::new()
        .post(format!("{origin}/api/2/users"))
        .bearer_auth(&token)
        .json(
            &json!({"email": "bea@acme.test", "username": "bea", "firstname": "Bea",
            "lastname": "Baker"}),
        )
        .send()
        .await
        .unwrap();
    assert!(bea.status().is_success(), "{}", bea.status());
    let bea: Value = bea.json().await.unwrap();
    let fault = json!({"method": "POST", "path": "/api/1.0/scim/Users", "status": 409,
        "body": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "409",
                 "detail": "a member already has this email"}, "times": 2});
    kb.send(
        Method::POST,
        format!("{}/__admin/faults", kb.asana()),
        fault,
    )
    .await;
    for user in [ALAN, bea["id"].as_u64().unwrap()] {
        let url = format!("{origin}/__admin/users/{user}/apps/{APP}");
        kb.send(Method::POST, url, json!({})).await;
    }
    let run = format!("{origin}/__admin/provisioning/run");
    kb.send(Method::POST, run, json!({})).await;
    let report = expect_only(&kb, &[], ("provisioning-failed", "critical", None)).await;
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert_eq!(
        evidence.matches("already has this email").count(),
        1,
        "{evidence}"
    );
    assert!(
        evidence.contains("Alan Turing") && evidence.contains("Bea Baker"),
        "{evidence}"
    );
    assert!(kb.served.terminate().await.success());
}

/// Given the app while provisioning was off: no task was made, and turning it on makes none.
#[tokio::test]
async fn a_person_with_the_app_but_not_in_asana() {
    let kb = Kb::start().await;
    let provisioning = |enabled: bool| json!({"enabled": enabled});
    kb.onelogin(Method::PUT, "provisioning", provisioning(false))
        .await;
    let origin = kb.served.onelogin_origin();
    let url = format!("{origin}/__admin/users/{ALAN}/apps/{APP}");
    kb.send(Method::POST, url, json!({})).await;
    kb.onelogin(Method::PUT, "provisioning", provisioning(true))
        .await;
    let report = expect_only(&kb, &[], ("assigned-not-provisioned", "warning", None)).await;
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert!(
        evidence.ends_with(": alan@acme.test (unknown)"),
        "{evidence}"
    );
    assert!(kb.served.terminate().await.success());
}

/// Grace was in Asana before provisioning; given the app with Create approval on, OneLogin
/// queues a create for her instead of linking her.
#[tokio::test]
async fn an_asana_member_onelogin_does_not_know() {
    let kb = Kb::start().await;
    let approval = json!({"require_approval": {"create": true}});
    kb.onelogin(Method::PUT, "provisioning", approval).await;
    let origin = kb.served.onelogin_origin();
    let url = format!("{origin}/__admin/users/{GRACE}/apps/{APP}");
    kb.send(Method::POST, url, json!({})).await;
    let report = expect_only(
        &kb,
        &[],
        (
            "asana-members-unknown-to-onelogin",
            "warning",
            Some("everyone-already-had-asana"),
        ),
    )
    .await;
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert!(
        evidence.ends_with(": grace@acme.test (pending)"),
        "{evidence}"
    );
    assert!(kb.served.terminate().await.success());
}

/// A token of OneLogin's API, as any API client gets one (fidelity/onelogin §3.1).
async fn onelogin_api_token(kb: &Kb) -> String {
    let c = &kb.served.credentials["onelogin"];
    let grant: Value = harness_tls::client::new()
        .post(format!(
            "{}/auth/oauth2/v2/token",
            kb.served.onelogin_origin()
        ))
        .basic_auth(
            c["client_id"].as_str().unwrap(),
            Some(c["client_secret"].as_str().unwrap()),
        )
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    grant["access_token"].as_str().unwrap().to_owned()
}

/// Renamed in OneLogin through its API: the Asana connector sends no update, so Asana keeps the
/// old name.
#[tokio::test]
async fn a_rename_that_never_reached_asana() {
    let kb = Kb::start().await;
    let origin = kb.served.onelogin_origin();
    let client = harness_tls::client::new();
    let token = onelogin_api_token(&kb).await;
    let renamed = client
        .put(format!("{origin}/api/2/users/100002"))
        .bearer_auth(&token)
        .json(&json!({"lastname": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert!(renamed.status().is_success(), "{}", renamed.status());
    kb.send(
        Method::POST,
        format!("{origin}/__admin/provisioning/run"),
        json!({}),
    )
    .await;
    let report = expect_only(
        &kb,
        &[],
        (
            "profile-changes-not-sent",
            "warning",
            Some("renamed-but-asana-shows-the-old-name"),
        ),
    )
    .await;
    let evidence = report["findings"][0]["evidence"].as_str().unwrap();
    assert!(evidence.contains("Renamed\" in OneLogin"), "{evidence}");
    assert!(kb.served.terminate().await.success());
}
