//! `serve --state`: a service account and a pending approval survive a restart, and the
//! approval still works afterwards.

use serde_json::{Value, json};

use crate::Served;

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = if url.contains("/__admin/") {
        crate::admin(client, method, url)
    } else {
        client.request(method, url)
    };
    if let Some(t) = bearer {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let response = r.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_service_account_and_a_pending_approval_survive_a_restart() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let client = harness_tls::client::new();
    let served = Served::start(dir.path(), &["--state", state.to_str().unwrap()]).await;
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let app = served.credentials["onelogin"]["asana_app_id"]
        .as_u64()
        .unwrap();

    let (_, sa) = call(
        &client,
        Method::POST,
        format!("{asana}/__admin/service-accounts"),
        None,
        Some(json!({"name": "Survivor", "scope": "full"})),
    )
    .await;
    let survivor = sa["token"].as_str().unwrap().to_owned();
    let settings =
        json!({"token": served.token(), "enabled": true, "require_approval": {"create": true}});
    call(
        &client,
        Method::PUT,
        format!("{onelogin}/__admin/apps/{app}/provisioning"),
        None,
        Some(settings),
    )
    .await;
    let (_, enabled) = call(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/apps/{app}/enable"),
        None,
        None,
    )
    .await;
    assert_eq!(enabled["api_status"], "connected");
    let token = client
        .post(format!("{onelogin}/auth/oauth2/v2/token"))
        .basic_auth("demo-client-id", Some("demo-client-secret"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call(
        &client,
        Method::POST,
        format!("{onelogin}/api/2/roles/100012/users"),
        Some(&token),
        Some(json!([100002])),
    )
    .await;
    assert_eq!(status, 200);
    let (_, pending) = call(
        &client,
        Method::GET,
        format!("{onelogin}/__admin/provisioning/tasks?status=pending"),
        None,
        None,
    )
    .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert!(served.terminate().await.success());

    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(
        saved.contains("Survivor") && !saved.contains(&survivor),
        "the token is kept as a digest only"
    );

    // Restarted on new ports, from the same file.
    let dir2 = tempfile::tempdir().unwrap();
    let served = Served::start(dir2.path(), &["--state", state.to_str().unwrap()]).await;
    assert!(served.banner.contains("restored from"));
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let (_, accounts) = call(
        &client,
        Method::GET,
        format!("{asana}/__admin/service-accounts"),
        None,
        None,
    )
    .await;
    assert!(
        accounts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Survivor")
    );
    let (status, _) = call(
        &client,
        Method::GET,
        format!("{asana}/api/1.0/users/me"),
        Some(&survivor),
        None,
    )
    .await;
    assert_eq!(status, 200, "the same token still works");
    let (_, pending) = call(
        &client,
        Method::GET,
        format!("{onelogin}/__admin/provisioning/tasks?status=pending"),
        None,
        None,
    )
    .await;
    let task = pending[0]["id"]
        .as_u64()
        .expect("the approval is still pending");
    let (status, _) = call(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/provisioning/tasks/{task}/approve"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    call(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/provisioning/run"),
        None,
        None,
    )
    .await;
    let (_, found) = call(
        &client,
        Method::GET,
        format!("{asana}/api/1.0/scim/Users?filter=userName+eq+%22ada%40acme.test%22"),
        Some(&served.token()),
        None,
    )
    .await;
    assert_eq!(found["Resources"][0]["active"], true, "{found}");
    assert!(served.terminate().await.success());
}

#[tokio::test]
async fn a_corrupt_or_newer_state_file_is_refused_not_reset() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    for (content, needle) in [
        ("{ nope", "corrupt"),
        (
            r#"{"format": "asana-harness state", "version": 7}"#,
            "newer",
        ),
    ] {
        std::fs::write(&state, content).unwrap();
        let out = Served::refused(&["--state".as_ref(), state.as_os_str()]).await;
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
        assert_eq!(
            std::fs::read_to_string(&state).unwrap(),
            content,
            "the file is left as it was"
        );
    }
}
