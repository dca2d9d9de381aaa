//! What a web page the developer visits could send to the fake on loopback, refused: admin
//! writes not declared JSON.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

/// A text/plain post, a form post and a post without a `Content-Type` (none of which needs a
/// CORS preflight) change nothing; the same request declared JSON does.
#[tokio::test]
async fn admin_writes_must_be_declared_json() {
    let app = TestApp::new().await;
    let accounts = |app: &TestApp| app.asana.state().organizations[0].service_accounts.len();
    let before = accounts(&app);
    let body = br#"{"name":"Mallory","scope":"full"}"#.to_vec();
    for (content_type, body) in [
        (Some("text/plain"), body.clone()),
        (Some("text/plain;charset=UTF-8"), body.clone()),
        (
            Some("application/x-www-form-urlencoded"),
            b"name=Mallory&scope=full".to_vec(),
        ),
        (Some("multipart/form-data; boundary=x"), body.clone()),
        (None, body.clone()),
    ] {
        let r = app
            .send(
                Method::POST,
                "/__admin/service-accounts",
                None,
                content_type,
                Some(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let message = r.body["error"].as_str().unwrap();
        assert!(
            message.contains("Content-Type: application/json") && message.contains("web page"),
            "{message}"
        );
    }
    assert_eq!(accounts(&app), before, "nothing was created");

    // Body-less writes too: a reset and a deauthorization.
    app.admin(
        Method::PUT,
        "/config",
        Some(json!({"switches": {"omit_meta": false}})),
    )
    .await;
    let sa = app.sa.id;
    for (method, path) in [
        (Method::POST, "/__admin/reset".to_owned()),
        (Method::DELETE, format!("/__admin/service-accounts/{sa}")),
    ] {
        let r = app.send(method.clone(), &path, None, None, None).await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path}"
        );
    }
    assert!(app.asana.accepts_token(&app.sa.token), "not deauthorized");
    let config = app.admin(Method::GET, "/config", None).await;
    assert_eq!(config.body["switches"]["omit_meta"], false, "not reset");

    // Reads need nothing; writes declared JSON (with a charset) work.
    let read = app
        .send(Method::GET, "/__admin/service-accounts", None, None, None)
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let created = app
        .send(
            Method::POST,
            "/__admin/service-accounts",
            None,
            Some("application/json; charset=utf-8"),
            Some(br#"{"name":"Okta","scope":"full"}"#.to_vec()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let reset = app
        .send(
            Method::POST,
            "/__admin/reset",
            None,
            Some("application/json"),
            None,
        )
        .await;
    assert!(reset.status.is_success(), "{}", reset.status);
}
