//! The queue's edges: disabled provisioning, a broken connection, retries, a token that dies
//! mid-run, and concurrent approvals.

use fake_asana::FaultSpec;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::World;

#[tokio::test]
async fn disabled_provisioning_and_a_missing_connection_send_nothing_and_say_why() {
    let world = World::new().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let task = world.last_task(ada).await;
    assert_eq!(task["status"], "skipped");
    assert_eq!(task["error"], "provisioning is disabled for this app");

    world.configure(json!({"enabled": true})).await;
    let bob = world.create_user("bob@acme.test", "Bob", "Byte").await;
    world.assign(bob).await;
    let ran = world.run().await;
    assert_eq!(ran.len(), 0);
    let task = world.last_task(bob).await;
    assert_eq!(task["status"], "failed");
    assert!(
        task["error"]
            .as_str()
            .unwrap()
            .contains("API connection is not enabled"),
        "{task}"
    );
    assert!(world.asana.requests().is_empty(), "no SCIM traffic at all");

    // Once connected, a retry goes through.
    world.configure(json!({"token": world.sa.token})).await;
    world.enable().await;
    assert_eq!(world.decide(&task, "retry").await.status, StatusCode::OK);
    world.run().await;
    assert!(world.asana_user("bob@acme.test").unwrap().is_active());
}

#[tokio::test]
async fn a_failure_can_be_retried_and_only_a_failure() {
    let world = World::connected().await;
    world
        .asana
        .inject_fault(FaultSpec {
            method: "POST".parse().ok(),
            path: "/api/1.0/scim/Users".into(),
            status: Some(503),
            times: Some(5),
            ..FaultSpec::default()
        })
        .unwrap();
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["status"], "failed");
    assert!(ran[0]["error"].as_str().unwrap().contains("HTTP 503"));
    assert_eq!(ran[0]["requests"], 6, "one lookup, five POSTs");
    let task = world.last_task(ada).await;
    let r = world.decide(&task, "retry").await;
    assert_eq!(r.body["status"], "approved");
    world.run().await;
    assert_eq!(world.last_task(ada).await["status"], "provisioned");
    assert_eq!(
        world.decide(&task, "retry").await.status,
        StatusCode::CONFLICT,
        "a provisioned task is done"
    );
}

#[tokio::test]
async fn a_token_deauthorized_mid_run_fails_the_task_and_the_connection() {
    let world = World::connected().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.run().await;
    world.asana.deauthorize_service_account(world.sa.id);
    world.update_user(ada, json!({"status": 2})).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["status"], "failed");
    assert!(ran[0]["error"].as_str().unwrap().contains("Not Authorized"));
    let config = world.onelogin.asana_config();
    assert_eq!(config.api_status, fake_onelogin::ApiStatus::Failed);
    assert!(config.api_error.unwrap().contains("Not Authorized"));
    // Nothing else runs until the admin reconnects.
    let bob = world.create_user("bob@acme.test", "Bob", "Byte").await;
    world.assign(bob).await;
    world.run().await;
    assert!(
        world.last_task(bob).await["error"]
            .as_str()
            .unwrap()
            .contains("API status: failed")
    );
}

#[tokio::test]
async fn concurrent_approvals_of_one_task_run_it_once() {
    let world = World::connected().await;
    world
        .configure(json!({"require_approval": {"create": true}}))
        .await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let task = world.last_task(ada).await;
    let approvals = (0..16).map(|_| world.decide(&task, "approve"));
    let replies = futures::future::join_all(approvals).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 1, "exactly one approval wins");
    assert!(
        replies
            .iter()
            .all(|r| r.status == StatusCode::OK || r.status == StatusCode::CONFLICT)
    );
    let runs = futures::future::join_all((0..4).map(|_| world.run())).await;
    assert_eq!(
        runs.iter().map(Vec::len).sum::<usize>(),
        1,
        "and it runs once"
    );
    assert_eq!(world.scim_writes(), ["POST /api/1.0/scim/Users"]);
}

#[tokio::test]
async fn the_worker_provisions_in_the_background() {
    let mut world = World::connected().await;
    world.onelogin.spawn_worker();
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    // Event-driven wait; the timeout only bounds a bug, it is not how the test waits.
    tokio::time::timeout(std::time::Duration::from_secs(30), world.onelogin.settled())
        .await
        .expect("the worker settles");
    assert_eq!(world.last_task(ada).await["status"], "provisioned");
    assert!(world.asana_user("ada@acme.test").unwrap().is_active());
}

#[tokio::test]
async fn a_failed_task_is_superseded_by_a_later_change_and_cannot_replay_stale() {
    let world = World::connected().await;
    world.inject_post_outage().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.run().await;
    let failed = world.last_task(ada).await;
    assert_eq!(failed["status"], "failed");
    // Ada loses the app before anyone retries: the failed create is stale.
    world.unassign(ada).await;
    let tasks = world.tasks(&format!("?user_id={ada}")).await;
    assert_eq!(tasks[0]["status"], "skipped", "{tasks:?}");
    assert!(
        tasks[0]["error"]
            .as_str()
            .unwrap()
            .contains("after it failed")
    );
    assert_eq!(
        world.decide(&failed, "retry").await.status,
        StatusCode::CONFLICT
    );
    assert!(world.asana_user("ada@acme.test").is_none());
}

impl World {
    async fn inject_post_outage(&self) {
        self.asana
            .inject_fault(FaultSpec {
                method: "POST".parse().ok(),
                path: "/api/1.0/scim/Users".into(),
                status: Some(500),
                times: Some(5),
                ..FaultSpec::default()
            })
            .unwrap();
    }
}
