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
    let base = world.onelogin.uri();
    let page = world
        .client
        .post(format!("{base}/admin/users/{ada}/apps"))
        .form(&[("app", app.to_string())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("directly"), "the Applications tab says how");
    assert!(page.contains("Provisioned"), "{page}");
    let users = world
        .client
        .get(format!("{base}/admin/apps/{app}/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(users.contains("data-email=\"ada@acme.test\""));
    let before = world.onelogin.tasks().len();
    let after_reset = world
        .client
        .post(format!("{base}/admin/apps/{app}/users/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(after_reset.status(), StatusCode::OK);
    let tasks = world.onelogin.tasks();
    assert_eq!(tasks.len(), before + 1, "one push per user who has the app");
    assert_eq!(tasks.last().unwrap().reason, "Apply to All > Reset");
    let removed = world
        .client
        .post(format!("{base}/admin/users/{ada}/apps/{app}/remove"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!removed.contains("id=\"remove-app-"), "{removed}");
}
