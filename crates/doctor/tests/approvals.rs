//! Approvals waiting for more than a day, on a manual clock shared by both fakes and the
//! doctor: a create that waited 23 hours is no finding, the same create after 25 hours is
//! exactly one, with its code and customer case.

use std::time::Duration;

use fake_asana::{FakeAsana, Scope};
use fake_onelogin::FakeOneLogin;
use fake_onelogin::seed::{Directory, DirectoryUser};
use harness_clock::Clock;
use harness_doctor::{AsanaSecurity, Inputs, Report, diagnose};

/// Ada, the one person of the directory the fake OneLogin starts with (its first user id).
const ADA: u64 = 100002;

struct Setup {
    asana: FakeAsana,
    onelogin: FakeOneLogin,
    clock: Clock,
    inputs: Inputs,
    client: reqwest::Client,
}

/// The KB article's setup with Create approval on, and Ada given the app: her create waits.
async fn start() -> Setup {
    let clock = Clock::manual();
    let asana = FakeAsana::builder().clock(clock.clone()).start().await;
    let sa = asana.create_service_account("OneLogin", Scope::Scim);
    let onelogin = FakeOneLogin::builder()
        .clock(clock.clone())
        .asana_scim_url(asana.scim_url())
        .directory(Directory {
            users: vec![DirectoryUser {
                alias: None,
                email: "ada@acme.test".to_owned(),
                username: None,
                firstname: "Ada".to_owned(),
                lastname: "Lovelace".to_owned(),
                title: None,
                department: None,
            }],
            roles: Vec::new(),
        })
        .start()
        .await;
    onelogin.configure_asana_app(|p| {
        p.token = Some(sa.token.clone());
        p.enabled = true;
        p.require_approval.create = true;
    });
    onelogin.enable_api().await;
    let app = onelogin.asana_app_id();
    let client = harness_tls::client::new();
    for (url, body) in [
        (
            format!("__admin/apps/{app}/sso"),
            r#"{"signature_algorithm":"rsa-sha256"}"#,
        ),
        (format!("__admin/users/{ADA}/apps/{app}"), "{}"),
    ] {
        let method = if url.ends_with("sso") {
            reqwest::Method::PUT
        } else {
            reqwest::Method::POST
        };
        let answer = client
            .request(
                method,
                format!("{}/{url}", onelogin.uri().trim_end_matches('/')),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{url}: {}", answer.status());
    }
    let credentials = onelogin.api_credentials().clone();
    let inputs = Inputs {
        onelogin_url: onelogin.uri(),
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        app_id: app,
        asana_scim_url: asana.scim_url(),
        asana_token: sa.token,
        asana_security: AsanaSecurity::default(),
        deletion_policy: None,
    };
    Setup {
        asana,
        onelogin,
        clock,
        inputs,
        client,
    }
}

async fn problems(s: &Setup) -> (Report, Vec<(&'static str, Option<&'static str>)>) {
    let report = diagnose(&s.client, &s.inputs, s.clock.now()).await.unwrap();
    let codes = report.problems().map(|f| (f.code, f.case)).collect();
    (report, codes)
}

#[tokio::test]
async fn a_create_waiting_for_approval_for_more_than_a_day() {
    let s = start().await;
    s.clock.advance(Duration::from_secs(23 * 3600));
    let (report, codes) = problems(&s).await;
    assert_eq!(codes, [], "{report:#?}");

    s.clock.advance(Duration::from_secs(2 * 3600));
    let (report, codes) = problems(&s).await;
    assert_eq!(
        codes,
        [("approval-pending-over-a-day", Some("users-stuck-pending"))],
        "{report:#?}"
    );
    let evidence = &report
        .findings
        .iter()
        .find(|f| f.code == codes[0].0)
        .unwrap()
        .evidence;
    assert!(
        evidence.starts_with("1 person waiting for approval for more than a day: ada@")
            && evidence.ends_with(", 25h)"),
        "{evidence}"
    );
    drop((s.asana, s.onelogin));
}
