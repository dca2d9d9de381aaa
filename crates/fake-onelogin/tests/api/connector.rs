//! The two OneLogin apps that can provision Asana, and the identity a link holds: the Asana
//! connector sends no profile updates; the generic SCIM app does, by the stored id.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::World;

async fn provisioned(world: &World, email: &str) -> u64 {
    let id = world.create_user(email, "Ada", "Lovelace").await;
    world.assign(id).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["status"], "provisioned", "{}", ran[0]);
    id
}

async fn user_app(world: &World, user: u64) -> Value {
    let r = world
        .api(Method::GET, &format!("/api/2/users/{user}/apps"), None)
        .await;
    r.body[0].clone()
}

#[tokio::test]
async fn the_asana_connector_records_a_profile_change_and_sends_nothing() {
    let world = World::connected().await;
    assert_eq!(
        world.onelogin.asana_config().connector,
        fake_onelogin::Connector::Asana
    );
    let ada = provisioned(&world, "ada@acme.test").await;
    let writes = world.scim_writes();
    world
        .update_user(ada, json!({"title": "Countess", "lastname": "King"}))
        .await;
    assert!(world.run().await.is_empty(), "nothing runs");
    let task = world.last_task(ada).await;
    assert_eq!(
        (task["action"].as_str(), task["status"].as_str()),
        (Some("update"), Some("skipped"))
    );
    assert!(
        task["error"]
            .as_str()
            .unwrap()
            .contains("the Asana connector does not update profiles"),
        "{task}"
    );
    assert_eq!(world.scim_writes(), writes, "no SCIM write");
    let record = world.asana_user("ada@acme.test").unwrap();
    assert_eq!(record.scim.title, None, "Asana keeps the old attributes");

    // Deactivation still works.
    world.update_user(ada, json!({"status": 2})).await;
    world.run().await;
    assert!(!world.asana_user("ada@acme.test").unwrap().is_active());
}

#[tokio::test]
async fn one_skipped_record_per_change() {
    let world = World::connected().await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world.update_user(ada, json!({"title": "Countess"})).await;
    // An event that changes nothing the app maps: no second record.
    world
        .update_user(ada, json!({"company": "Analytical"}))
        .await;
    let skipped: Vec<Value> = world.tasks(&format!("?user_id={ada}&status=skipped")).await;
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    // A further change is recorded again.
    world.update_user(ada, json!({"title": "Analyst"})).await;
    let skipped = world.tasks(&format!("?user_id={ada}&status=skipped")).await;
    assert_eq!(skipped.len(), 2, "{skipped:?}");
}

#[tokio::test]
async fn the_scim_app_renames_by_the_stored_id_without_a_second_user() {
    let world = World::connected().await;
    world.configure(json!({"connector": "scim"})).await;
    let ada = provisioned(&world, "ada@acme.test").await;
    let gid = world.asana_user("ada@acme.test").unwrap().gid;
    assert_eq!(
        user_app(&world, ada).await["scim_id"],
        json!(gid.to_string()),
        "OneLogin shows the id it stored"
    );

    world
        .update_user(ada, json!({"email": "ada.king@acme.test"}))
        .await;
    let ran = world.run().await;
    assert_eq!(ran[0]["status"], "provisioned", "{}", ran[0]);
    assert!(world.asana_user("ada@acme.test").is_none());
    let renamed = world.asana_user("ada.king@acme.test").unwrap();
    assert_eq!(renamed.gid, gid, "the same Asana user, renamed");
    assert_eq!(world.asana.organization().users.len(), 1, "no second user");
    assert_eq!(
        world.scim_writes().last().map(String::as_str),
        Some(format!("PUT /api/1.0/scim/Users/{gid}").as_str())
    );

    // Later changes still reach it.
    world.unassign(ada).await;
    world.run().await;
    assert!(!world.asana_user("ada.king@acme.test").unwrap().is_active());
}

#[tokio::test]
async fn under_the_asana_connector_an_email_change_sends_nothing() {
    let world = World::connected().await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world
        .update_user(ada, json!({"email": "ada.king@acme.test"}))
        .await;
    world.run().await;
    assert!(world.asana_user("ada@acme.test").unwrap().is_active());
    assert!(world.asana_user("ada.king@acme.test").is_none());
    assert_eq!(world.last_task(ada).await["status"], "skipped");
}

#[tokio::test]
async fn deleting_a_guest_fails_with_asanas_reason_instead_of_reporting_success() {
    let world = World::connected().await;
    let cleo = provisioned(&world, "cleo@agency.test").await;
    assert!(world.asana_user("cleo@agency.test").unwrap().guest);
    world.delete_user(cleo).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["action"], "delete");
    assert_eq!(ran[0]["status"], "failed", "{}", ran[0]);
    assert!(
        ran[0]["error"].as_str().unwrap().contains("HTTP 404"),
        "{}",
        ran[0]
    );
    assert!(
        world.asana_user("cleo@agency.test").unwrap().is_active(),
        "the guest is still active in Asana"
    );
}

#[tokio::test]
async fn the_scim_apps_enable_discovers_groups() {
    let world = World::connected().await;
    world
        .configure(json!({"connector": "scim", "token": world.sa.token}))
        .await;
    let before = world.asana.requests().len();
    let status = world.enable().await;
    assert_eq!(status["api_status"], "connected", "{status}");
    let sent: Vec<String> = world
        .asana
        .requests()
        .iter()
        .skip(before)
        .map(|e| format!("{} {}", e.method, e.uri))
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1].ends_with("/Groups?count=100&startIndex=1"),
        "{sent:?}"
    );
}
