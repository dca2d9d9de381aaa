//! OneLogin's admin workflows: Asana given to a user directly (admin API and console), and the
//! app's Users tab with Apply to All > Reset.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::World;

#[tokio::test]
async fn a_direct_assignment_provisions_and_survives_a_restore() {
    let world = World::connected().await;
    let app = world.onelogin.asana_app_id();
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let r = world
        .admin(Method::POST, &format!("/users/{ada}/apps/{app}"), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    world.onelogin.run_provisioning().await;
    assert!(world.asana.user("ada@acme.test").unwrap().is_active());
    let again = world
        .admin(Method::POST, &format!("/users/{ada}/apps/{app}"), None)
        .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "assigning twice changes nothing"
    );

    // The state keeps it: a restore has Ada still assigned.
    let state = world.admin(Method::GET, "/state", None).await.body;
    assert_eq!(
        state["direct_assignments"],
        json!([{"user_id": ada, "app_id": app}])
    );
    let r = world.admin(Method::PUT, "/state", Some(state)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let restored = world.onelogin.state();
    assert_eq!(restored.direct_assignments.len(), 1);
    assert_eq!(restored.direct_assignments[0].user_id, ada);

    let r = world
        .admin(Method::DELETE, &format!("/users/{ada}/apps/{app}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = world
        .admin(Method::DELETE, &format!("/users/{ada}/apps/{app}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("directly"));
    for path in [
        format!("/users/999/apps/{app}"),
        format!("/users/{ada}/apps/999"),
        "/users/x/apps/y".into(),
    ] {
        let r = world.admin(Method::POST, &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_console_adds_and_removes_an_app_and_resets_the_users() {
    let world = World::connected().await;
    let app = world.onelogin.asana_app_id();
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let app_field = app.to_string();
    let (status, page) = world
        .submit(&format!("/admin/users/{ada}/apps"), &[("app", &app_field)])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("directly"), "the Applications tab says how");
    assert!(page.contains("Provisioned"), "{page}");
    let users = world.page(&format!("/admin/apps/{app}/users")).await;
    assert!(users.contains("data-email=\"ada@acme.test\""));
    let before = world.onelogin.tasks().len();
    let (status, _) = world
        .submit(&format!("/admin/apps/{app}/users/reset"), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let tasks = world.onelogin.tasks();
    assert_eq!(tasks.len(), before + 1, "one push per user who has the app");
    assert_eq!(tasks.last().unwrap().reason, "Apply to All > Reset");
    let (status, removed) = world
        .submit(&format!("/admin/users/{ada}/apps/{app}/remove"), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert!(!removed.contains("id=\"remove-app-"), "{removed}");
}

/// OneLogin's Events API (v1): what happened to users' apps and what provisioning made of it,
/// with filters and cursor paging; a failure carries Asana's reason in `error_description`.
#[tokio::test]
async fn events_record_assignments_and_provisioning_with_filters_and_paging() {
    let world = World::connected().await;
    let app = world.onelogin.asana_app_id();
    // One user whose userName Asana refuses: SCIM Username mapped to the username.
    world
        .configure(json!({"parameters": {"name_id": "email", "scim_username": "username"}}))
        .await;
    let bad = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world
        .admin(Method::POST, &format!("/users/{bad}/apps/{app}"), None)
        .await;
    world.onelogin.run_provisioning().await;
    world
        .configure(json!({"parameters": {"name_id": "email", "scim_username": "email"}}))
        .await;
    let mut ids = Vec::new();
    for i in 0..55 {
        let id = world
            .create_user(&format!("p{i}@acme.test"), "Person", &i.to_string())
            .await;
        world
            .admin(Method::POST, &format!("/users/{id}/apps/{app}"), None)
            .await;
        ids.push(id);
    }
    world.onelogin.run_provisioning().await;

    let failed = world
        .api(
            Method::GET,
            &format!("/api/1/events?event_type_id=9011&user_id={bad}"),
            None,
        )
        .await;
    assert_eq!(failed.status, StatusCode::OK, "{}", failed.body);
    assert_eq!(failed.body["status"]["type"], "success");
    let event = &failed.body["data"][0];
    assert_eq!(event["app_id"], app);
    assert!(
        event["error_description"]
            .as_str()
            .unwrap()
            .contains("must be an email address"),
        "{event}"
    );

    // 56 manual additions: a page of 50, then the rest through the cursor.
    let first = world
        .api(Method::GET, "/api/1/events?event_type_id=9001", None)
        .await;
    assert_eq!(first.body["data"].as_array().unwrap().len(), 50);
    let cursor = first.body["pagination"]["after_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        first.body["pagination"]["next_link"]
            .as_str()
            .unwrap()
            .contains("after_cursor=")
    );
    let second = world
        .api(
            Method::GET,
            &format!("/api/1/events?event_type_id=9001&after_cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(second.body["data"].as_array().unwrap().len(), 6);
    assert!(second.body["pagination"]["after_cursor"].is_null());

    let provisioned = world
        .api(
            Method::GET,
            &format!("/api/1/events?event_type_id=9010&user_id={}", ids[0]),
            None,
        )
        .await;
    assert_eq!(provisioned.body["data"].as_array().unwrap().len(), 1);
    let connected = world
        .api(Method::GET, "/api/1/events?event_type_id=9030", None)
        .await;
    assert_eq!(
        connected.body["data"].as_array().unwrap().len(),
        1,
        "the Enable"
    );
    let future = world
        .api(
            Method::GET,
            "/api/1/events?since=2099-01-01T00:00:00Z",
            None,
        )
        .await;
    assert_eq!(future.body["data"], json!([]));
    let bad_filter = world
        .api(Method::GET, "/api/1/events?user_id=ada", None)
        .await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_filter.body["status"]["error"], true);
    let types = world.api(Method::GET, "/api/1/events/types", None).await;
    assert_eq!(types.body["data"].as_array().unwrap().len(), 8);

    // v1's own header and error bodies (S14): `bearer:<token>` works as the SDKs' `Bearer`
    // does; a malformed header is 400, a token that is not live 401, both in v1's envelope.
    let documented = world
        .send_with(
            Method::GET,
            "/api/1/events/types",
            &format!("bearer:{}", world.token),
        )
        .await;
    assert_eq!(documented.status, StatusCode::OK, "{}", documented.body);
    let malformed = world
        .send_with(
            Method::GET,
            "/api/1/events",
            &format!("Token {}", world.token),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.body["status"],
        json!({"error": true, "code": 400, "type": "bad request", "message": "Authorization Information is incorrect"})
    );
    let unknown = world
        .send_with(Method::GET, "/api/1/events", "bearer:not-a-token")
        .await;
    assert_eq!(
        unknown.body["status"],
        json!({"error": true, "code": 401, "type": "Unauthorized", "message": "Authentication Failure"})
    );
    let anonymous = world.send(Method::GET, "/api/1/events", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.body["status"]["message"],
        "Authentication Failure"
    );
}

/// Import from Asana: matched by SCIM Username, only people who have the app are linked, the
/// rest listed; refused with the reason before there is a token.
#[tokio::test]
async fn import_links_by_scim_username_and_lists_the_rest() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id();
    let refused = world
        .admin(Method::POST, &format!("/apps/{app}/import"), None)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body["message"].as_str().unwrap().contains("Enable"));

    // Asana already has Ada and Grace, and someone OneLogin does not know.
    for (email, name) in [
        ("ada@acme.test", "Ada"),
        ("grace@acme.test", "Grace"),
        ("x@acme.test", "X"),
    ] {
        let r = world
            .client
            .post(format!("{}/Users", world.asana.scim_url()))
            .bearer_auth(&world.sa.token)
            .json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email, "name": {"formatted": name}, "emails": [{"value": email, "primary": true}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    world.configure(json!({"token": world.sa.token})).await;
    world.enable().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world
        .create_user("grace@acme.test", "Grace", "Hopper")
        .await;
    world.assign(ada).await; // Grace has no Asana in OneLogin.
    let r = world
        .admin(Method::POST, &format!("/apps/{app}/import"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["read"], 3);
    assert_eq!(r.body["linked"][0]["user_name"], "ada@acme.test");
    assert_eq!(r.body["matched_without_app"], json!(["grace@acme.test"]));
    assert_eq!(r.body["unmatched"], json!(["x@acme.test"]));
    let apps = world
        .api(Method::GET, &format!("/api/2/users/{ada}/apps"), None)
        .await;
    assert_eq!(apps.body[0]["provisioning_state"], "provisioned");
    // The console's button says the same.
    let (status, page) = world
        .submit(&format!("/admin/apps/{app}/import"), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Read 3 users from Asana: 0 linked, 1 already linked, 1 not matched"),
        "{page}"
    );
}
