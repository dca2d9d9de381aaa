//! The admin API: service accounts, state, config.

use reqwest::{Method, StatusCode};
use serde_json::json;

use fake_asana::{FakeAsana, Fixture};

use crate::helpers::{TestApp, patch};

#[tokio::test]
async fn service_accounts_show_their_token_only_once() {
    let app = TestApp::new().await;
    let created = app
        .admin(
            Method::POST,
            "/service-accounts",
            Some(json!({"name": "Okta", "scope": "full"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(created.body["token"].is_string());
    assert_eq!(created.body["scope"], "full");
    let list = app.admin(Method::GET, "/service-accounts", None).await;
    let accounts = list.body.as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert!(accounts.iter().all(|a| a.get("token").is_none()));
    let bad = app
        .admin(
            Method::POST,
            "/service-accounts",
            Some(json!({"name": "x", "scope": "admin"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body["error"]
            .as_str()
            .unwrap()
            .contains("expected `scim` or `full`"),
        "{}",
        bad.body
    );
}

/// The reset state shares records with the live store: a change must copy, never write through.
#[tokio::test]
async fn reset_undoes_changes_to_seeded_users() {
    let fixture = Fixture::parse(
        "organizations:\n  - name: Acme\n    domains: [acme.test]\n    users:\n      \
         - { email: grace@acme.test, name: Grace Hopper, title: Rear Admiral }\n      \
         - { email: alan@acme.test, name: Alan Turing, title: Researcher }\n",
        "test",
    )
    .unwrap();
    let app = TestApp::with(FakeAsana::builder().fixture(fixture)).await;
    let grace = app.asana.user("grace@acme.test").unwrap().gid.to_string();
    let alan = app.asana.user("alan@acme.test").unwrap().gid.to_string();
    let retitled = app
        .scim(
            Method::PATCH,
            &format!("/Users/{grace}"),
            Some(patch(
                json!([{"op": "replace", "path": "title", "value": "Admiral"}]),
            )),
        )
        .await;
    assert_eq!(retitled.status, StatusCode::OK, "{}", retitled.body);
    let removed = app
        .scim(Method::DELETE, &format!("/Users/{alan}"), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert!(!app.asana.user("alan@acme.test").unwrap().is_active());

    assert_eq!(
        app.admin(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    let grace = app.asana.user("grace@acme.test").unwrap();
    assert_eq!(grace.scim.title.as_deref(), Some("Rear Admiral"));
    let alan = app.asana.user("alan@acme.test").unwrap();
    assert!(alan.is_active() && alan.deprovisioned.is_none() && alan.events.is_empty());
}

#[tokio::test]
async fn state_round_trips_and_reset_restores_the_start() {
    let app = TestApp::new().await;
    app.create_user("ada@acme.test", "Ada").await;
    let state = app.admin(Method::GET, "/state", None).await.body;
    assert_eq!(
        state["organizations"][0]["users"][0]["scim"]["userName"],
        "ada@acme.test"
    );
    let text = state.to_string();
    assert!(
        !text.contains(&app.sa.token),
        "state holds token digests, never tokens"
    );
    assert!(text.contains("sha256:"));

    assert_eq!(
        app.admin(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(app.asana.user("ada@acme.test").is_none());
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::UNAUTHORIZED,
        "the account was made after start"
    );

    let r = app.admin(Method::PUT, "/state", Some(state)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(app.asana.user("ada@acme.test").is_some());
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK,
        "the digest restored the token"
    );

    let broken = app
        .admin(
            Method::PUT,
            "/state",
            Some(json!({"version": 99, "next_gid": "1", "organizations": []})),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.asana.user("ada@acme.test").is_some(),
        "a refused state changes nothing"
    );
}

#[tokio::test]
async fn config_switches_profiles_and_refuses_typos() {
    let app = TestApp::new().await;
    let config = app.admin(Method::GET, "/config", None).await.body;
    assert_eq!(config["profile"], "asana");
    assert_eq!(config["switches"]["delete_deprovisions"], true);
    assert_eq!(
        config["rate_limit"],
        json!({"requests_per_minute": 1500, "concurrent_reads": 50, "concurrent_writes": 15})
    );
    let r = app
        .admin(
            Method::PUT,
            "/config",
            Some(json!({"switches": {"delete_deprovisions": false}})),
        )
        .await;
    assert_eq!(r.body["switches"]["delete_deprovisions"], false);
    let id = crate::helpers::id_of(&app.create_user("ada@acme.test", "Ada").await);
    app.scim(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert!(
        app.asana.user("ada@acme.test").is_none(),
        "with the switch off, DELETE removes"
    );
    let typo = app
        .admin(
            Method::PUT,
            "/config",
            Some(json!({"switches": {"delete_deprovision": true}})),
        )
        .await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST);
    assert!(
        typo.body["error"]
            .as_str()
            .unwrap()
            .contains("known switches")
    );
}

#[tokio::test]
async fn reset_returns_switches_and_rate_limits_to_the_start_unless_told_to_keep_them() {
    let app = TestApp::with(FakeAsana::builder().profile(fake_asana::Profile::Rfc)).await;
    let start = app.admin(Method::GET, "/config", None).await.body;
    assert_eq!(start["profile"], "rfc");
    assert_eq!(start["switches"]["delete_deprovisions"], false);
    let changed = json!({
        "switches": {"delete_deprovisions": true},
        "rate_limit": {"requests_per_minute": 7}
    });
    let set = app
        .admin(Method::PUT, "/config", Some(changed.clone()))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let during = set.body;
    assert_ne!(during, start);

    let kept = app.admin(Method::POST, "/reset?keep=config", None).await;
    assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.body);
    assert_eq!(app.admin(Method::GET, "/config", None).await.body, during);

    let full = app.admin(Method::POST, "/reset", None).await;
    assert_eq!(full.status, StatusCode::NO_CONTENT, "{}", full.body);
    assert_eq!(
        app.admin(Method::GET, "/config", None).await.body,
        start,
        "the profile the builder gave, its switches, and the rate limits"
    );

    let typo = app.admin(Method::POST, "/reset?keep=configs", None).await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST, "{}", typo.body);
    assert!(typo.body["error"].as_str().unwrap().contains("config"));
}

#[tokio::test]
async fn a_marked_start_is_what_reset_returns_to() {
    let app = TestApp::new().await;
    app.asana.configure(|c| {
        c.update(&json!({"switches": {"delete_deprovisions": false}}))
            .unwrap();
    });
    app.asana.mark_start();
    app.admin(
        Method::PUT,
        "/config",
        Some(json!({"switches": {"delete_deprovisions": true}})),
    )
    .await;
    let reset = app.admin(Method::POST, "/reset", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let config = app.admin(Method::GET, "/config", None).await.body;
    assert_eq!(config["switches"]["delete_deprovisions"], false);
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK,
        "the service account made before the mark is part of the start"
    );
}
