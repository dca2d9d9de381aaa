//! The KB article's flow: token, Enable, approvals for create, update and delete.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::World;

#[tokio::test]
async fn enable_connects_with_a_valid_token_and_fails_with_asanas_reason_otherwise() {
    let world = World::new().await;
    world
        .configure(json!({"token": "2/1/2:not-a-real-token", "enabled": true}))
        .await;
    let status = world.enable().await;
    assert_eq!(status["api_status"], "failed");
    assert!(
        status["api_error"]
            .as_str()
            .unwrap()
            .contains("Not Authorized"),
        "{status}"
    );

    world.configure(json!({"token": world.sa.token})).await;
    let status = world.enable().await;
    assert_eq!(status["api_status"], "connected");
    assert_eq!(status["api_error"], serde_json::Value::Null);
    assert!(
        status["token"].as_str().unwrap().starts_with("****"),
        "the token is shown masked"
    );
    // The connection test is a lookup of a user that cannot exist, and nothing else.
    let probe = world.asana.requests().last().unwrap().uri.clone();
    assert_eq!(
        probe,
        "/api/1.0/scim/Users?filter=userName+eq+%22never-existing-user%22&"
    );

    world.asana.deauthorize_service_account(world.sa.id);
    let status = world.enable().await;
    assert_eq!(
        status["api_status"], "failed",
        "a deauthorized token fails the test"
    );
}

#[tokio::test]
async fn an_assigned_user_appears_in_asana() {
    let world = World::connected().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let ran = world.run().await;
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0]["status"], "provisioned", "{ran:?}");
    let user = world.asana_user("ada@acme.test").expect("provisioned");
    assert!(user.is_active());
    assert_eq!(
        user.scim.name.unwrap().formatted.as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(world.scim_writes(), ["POST /api/1.0/scim/Users"]);
    let apps = world
        .api(Method::GET, &format!("/api/2/users/{ada}/apps"), None)
        .await;
    assert_eq!(apps.body[0]["provisioning_state"], "provisioned");
    assert_eq!(apps.body[0]["provisioning_enabled"], true);
}

#[tokio::test]
async fn create_waits_for_approval_and_a_denial_sends_nothing() {
    let world = World::connected().await;
    world
        .configure(json!({"require_approval": {"create": true}}))
        .await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let bob = world.create_user("bob@acme.test", "Bob", "Byte").await;
    world.assign(ada).await;
    world.assign(bob).await;
    assert!(
        world.run().await.is_empty(),
        "nothing is runnable before approval"
    );
    let task = world.last_task(ada).await;
    assert_eq!(
        (task["action"].as_str(), task["status"].as_str()),
        (Some("create"), Some("pending"))
    );
    assert!(world.asana_user("ada@acme.test").is_none());
    assert!(world.scim_writes().is_empty());
    let apps = world
        .api(Method::GET, &format!("/api/2/users/{ada}/apps"), None)
        .await;
    assert_eq!(apps.body[0]["provisioning_state"], "pending");

    assert_eq!(world.decide(&task, "approve").await.status, StatusCode::OK);
    let denied = world.decide(&world.last_task(bob).await, "deny").await;
    assert_eq!(denied.body["status"], "denied");
    world.run().await;
    assert!(world.asana_user("ada@acme.test").unwrap().is_active());
    assert!(
        world.asana_user("bob@acme.test").is_none(),
        "a denied task sends nothing"
    );
    assert_eq!(world.scim_writes(), ["POST /api/1.0/scim/Users"]);

    let again = world.decide(&world.last_task(bob).await, "approve").await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a denied task cannot be approved later"
    );
    assert_eq!(again.body["name"], "ConflictError");
}

#[tokio::test]
async fn updates_and_deletes_wait_for_approval_too() {
    let world = World::connected().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.run().await;
    // The generic SCIM app: OneLogin's Asana connector sends no updates at all.
    world
        .configure(
            json!({"connector": "scim", "require_approval": {"update": true, "delete": true}}),
        )
        .await;

    world.update_user(ada, json!({"title": "Countess"})).await;
    let update = world.last_task(ada).await;
    assert_eq!(
        (update["action"].as_str(), update["status"].as_str()),
        (Some("update"), Some("pending"))
    );
    world.run().await;
    assert_eq!(
        world.asana_user("ada@acme.test").unwrap().scim.title,
        None,
        "not sent before approval"
    );
    world.decide(&update, "approve").await;
    world.run().await;
    assert_eq!(
        world
            .asana_user("ada@acme.test")
            .unwrap()
            .scim
            .title
            .as_deref(),
        Some("Countess")
    );

    world.unassign(ada).await;
    let delete = world.last_task(ada).await;
    assert_eq!(
        (delete["action"].as_str(), delete["status"].as_str()),
        (Some("delete"), Some("pending"))
    );
    world.run().await;
    assert!(world.asana_user("ada@acme.test").unwrap().is_active());
    world.decide(&delete, "approve").await;
    world.run().await;
    assert!(!world.asana_user("ada@acme.test").unwrap().is_active());
    let writes = world.scim_writes();
    assert_eq!(
        writes.last().unwrap(),
        &format!(
            "DELETE /api/1.0/scim/Users/{}",
            world.asana_user("ada@acme.test").unwrap().gid
        )
    );
}

#[tokio::test]
async fn a_pending_create_superseded_by_deletion_sends_nothing() {
    let world = World::connected().await;
    world
        .configure(json!({"require_approval": {"create": true}}))
        .await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let create = world.last_task(ada).await;
    world.delete_user(ada).await;
    let tasks = world.tasks(&format!("?user_id={ada}")).await;
    assert_eq!(
        tasks.len(),
        1,
        "no delete for a user who was never provisioned"
    );
    assert_eq!(tasks[0]["id"], create["id"]);
    assert_eq!(tasks[0]["status"], "skipped");
    assert!(
        tasks[0]["error"]
            .as_str()
            .unwrap()
            .contains("nothing was provisioned"),
        "{}",
        tasks[0]
    );
    assert_eq!(
        world.decide(&create, "approve").await.status,
        StatusCode::CONFLICT
    );
    world.run().await;
    assert!(world.scim_writes().is_empty());
}

#[tokio::test]
async fn attribute_changes_while_a_create_is_pending_refresh_it_without_a_new_approval() {
    let world = World::connected().await;
    world
        .configure(json!({"require_approval": {"create": true}}))
        .await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.update_user(ada, json!({"lastname": "King"})).await;
    let tasks = world.tasks(&format!("?user_id={ada}")).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["status"], "pending", "still waiting for a person");
    assert_eq!(tasks[0]["payload"]["family_name"], "King");
    world.decide(&tasks[0], "approve").await;
    world.run().await;
    assert_eq!(
        world
            .asana_user("ada@acme.test")
            .unwrap()
            .scim
            .name
            .unwrap()
            .formatted
            .as_deref(),
        Some("Ada King")
    );
}

#[tokio::test]
async fn denied_updates_and_deletes_send_nothing() {
    let world = World::connected().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.run().await;
    let writes_before = world.scim_writes();
    // The generic SCIM app: OneLogin's Asana connector sends no updates at all.
    world
        .configure(
            json!({"connector": "scim", "require_approval": {"update": true, "delete": true}}),
        )
        .await;

    world.update_user(ada, json!({"title": "Countess"})).await;
    let update = world.last_task(ada).await;
    assert_eq!(world.decide(&update, "deny").await.body["status"], "denied");
    world.run().await;
    assert_eq!(world.asana_user("ada@acme.test").unwrap().scim.title, None);

    world.unassign(ada).await;
    let delete = world.last_task(ada).await;
    assert_eq!(delete["action"], "delete");
    assert_eq!(world.decide(&delete, "deny").await.body["status"], "denied");
    world.run().await;
    assert!(
        world.asana_user("ada@acme.test").unwrap().is_active(),
        "a denied delete leaves the user"
    );
    assert_eq!(
        world.scim_writes(),
        writes_before,
        "no SCIM write after the denials"
    );
    assert_eq!(
        world.decide(&delete, "retry").await.status,
        StatusCode::CONFLICT,
        "a denial cannot be retried"
    );
}
