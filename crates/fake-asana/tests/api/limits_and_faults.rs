//! Rate limits on the virtual clock, injected faults and the request journal.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn requests_per_minute_are_limited_per_token_with_retry_after() {
    let app = TestApp::new().await;
    let r = app
        .admin(
            Method::PUT,
            "/config",
            Some(json!({"rate_limit": {"requests_per_minute": 3}})),
        )
        .await;
    assert_eq!(r.body["rate_limit"]["requests_per_minute"], 3);
    for _ in 0..3 {
        assert_eq!(
            app.scim(Method::GET, "/Users", None).await.status,
            StatusCode::OK
        );
    }
    let limited = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert_eq!(
        limited.body["errors"][0]["message"],
        "You've made too many requests and hit a rate limit. Please retry after the given amount of time."
    );
    let other = app.full_token().await;
    assert_eq!(
        app.scim_as(&other, Method::GET, "/Users", None)
            .await
            .status,
        StatusCode::OK,
        "separate budget"
    );
    app.clock.advance(Duration::from_secs(61));
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn limits_can_be_turned_off() {
    let app = TestApp::new().await;
    app.admin(
        Method::PUT,
        "/config",
        Some(json!({"rate_limit": {"requests_per_minute": 1}})),
    )
    .await;
    app.scim(Method::GET, "/Users", None).await;
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.admin(
        Method::PUT,
        "/config",
        Some(json!({"rate_limit": {"requests_per_minute": null}})),
    )
    .await;
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn faults_fail_the_next_n_matching_requests() {
    let app = TestApp::new().await;
    let r = app
        .admin(
            Method::POST,
            "/faults",
            Some(
                json!({"method": "POST", "path": "/api/1.0/scim/Users", "status": 503, "times": 2}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let body = crate::helpers::user_body("ada@acme.test", "Ada");
    for _ in 0..2 {
        let r = app.scim(Method::POST, "/Users", Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.body["errors"][0]["message"], "Service Unavailable");
    }
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK,
        "GET does not match"
    );
    assert_eq!(
        app.scim(Method::POST, "/Users", Some(body)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.admin(Method::GET, "/faults", None).await.body,
        json!([])
    );
}

#[tokio::test]
async fn a_429_fault_always_carries_retry_after_and_500_has_a_phrase() {
    let app = TestApp::new().await;
    app.admin(
        Method::POST,
        "/faults",
        Some(json!({"path": "/api/1.0/scim/*", "status": 429, "times": 1})),
    )
    .await;
    let r = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("retry-after"), Some("30"));
    app.admin(
        Method::POST,
        "/faults",
        Some(json!({"path": "/api/1.0/scim/*", "status": 500, "times": 1})),
    )
    .await;
    let r = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.body["errors"][0]["phrase"]
            .as_str()
            .unwrap()
            .split(' ')
            .count(),
        5
    );
}

#[tokio::test]
async fn a_fault_delay_runs_on_the_harness_clock() {
    let app = TestApp::new().await;
    let before = app.clock.now();
    app.admin(
        Method::POST,
        "/faults",
        Some(json!({"path": "/api/1.0/scim/Users", "delay_ms": 45000, "times": 1})),
    )
    .await;
    let r = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a delay-only fault answers normally"
    );
    assert_eq!((app.clock.now() - before).as_secs(), 45);
}

#[tokio::test]
async fn the_journal_records_exchanges_without_secrets() {
    let app = TestApp::new().await;
    app.create_user("ada@acme.test", "Ada").await;
    app.raw(Method::GET, "/api/1.0/scim/Users", Some("wrong"), None)
        .await;
    let journal = app.admin(Method::GET, "/requests", None).await;
    let entries = journal.body.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["uri"], "/api/1.0/scim/Users");
    assert_eq!(entries[0]["status"], 201);
    assert_eq!(
        entries[0]["principal"],
        format!("service_account:{}", app.sa.id)
    );
    assert_eq!(entries[0]["request_body"]["userName"], "ada@acme.test");
    assert_eq!(entries[1]["status"], 401);
    assert_eq!(entries[1]["principal"], serde_json::Value::Null);
    let text = journal.body.to_string();
    assert!(
        !text.contains(&app.sa.token),
        "the journal never holds a token"
    );
    assert_eq!(
        app.admin(Method::DELETE, "/requests", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.asana.requests().len(), 0);
}

#[tokio::test]
async fn the_journal_is_bounded() {
    let app = TestApp::with(fake_asana::FakeAsana::builder().journal_capacity(5)).await;
    for _ in 0..12 {
        app.scim(Method::GET, "/Users", None).await;
    }
    let entries = app.asana.requests();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries.last().unwrap().seq, 12);
}

#[tokio::test]
async fn a_dropped_connection_fault_closes_the_connection_mid_request() {
    let app = TestApp::new().await;
    app.admin(
        Method::POST,
        "/faults",
        Some(json!({"path": "/api/1.0/scim/Users", "drop_connection": true, "times": 1})),
    )
    .await;
    let err = app
        .client
        .get(format!("{}/Users", app.asana.scim_url()))
        .bearer_auth(&app.sa.token)
        .send()
        .await
        .expect_err("the connection drops");
    assert!(err.is_request(), "{err:?}");
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK,
        "only once"
    );
    let journal = app.asana.requests();
    assert!(journal[0].dropped);
    let bad = app
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"path": "/x", "drop_connection": true, "status": 500})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
