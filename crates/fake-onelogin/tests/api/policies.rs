//! Deleted-user and suspended-user policies, reactivation, and parameter mapping.

use reqwest::Method;
use serde_json::json;

use crate::helpers::World;

async fn provisioned(world: &World, email: &str) -> u64 {
    let (first, last) = ("Ada", "Lovelace");
    let id = world.create_user(email, first, last).await;
    world.assign(id).await;
    world.run().await;
    assert!(world.asana_user(email).unwrap().is_active());
    id
}

fn via(world: &World, email: &str) -> Option<String> {
    let record = world.asana_user(email)?;
    record.deprovisioned.map(|d| {
        serde_json::to_value(d.via)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    })
}

/// Each deleted-user policy, for a user deleted and for a user whose access is removed.
#[tokio::test]
async fn deleted_user_policies_for_deletion_and_for_lost_access() {
    for (policy, lose_access) in [
        ("delete", false),
        ("delete", true),
        ("suspend", false),
        ("suspend", true),
        ("do_nothing", false),
        ("do_nothing", true),
    ] {
        let world = World::connected().await;
        world.configure(json!({"on_delete": policy})).await;
        let ada = provisioned(&world, "ada@acme.test").await;
        if lose_access {
            world.unassign(ada).await
        } else {
            world.delete_user(ada).await
        }
        let ran = world.run().await;
        let case = format!("{policy}, access lost: {lose_access}");
        let last_write = world.scim_writes().last().cloned().unwrap();
        match policy {
            "delete" => {
                assert_eq!(ran[0]["action"], "delete", "{case}");
                assert!(last_write.starts_with("DELETE "), "{case}: {last_write}");
                assert_eq!(
                    via(&world, "ada@acme.test").as_deref(),
                    Some("scim_delete"),
                    "{case}"
                );
            }
            "suspend" => {
                assert_eq!(ran[0]["action"], "suspend", "{case}");
                assert!(last_write.starts_with("PUT "), "{case}: {last_write}");
                assert_eq!(
                    via(&world, "ada@acme.test").as_deref(),
                    Some("scim_put"),
                    "{case}"
                );
            }
            _ => {
                assert!(ran.is_empty(), "{case}");
                assert_eq!(
                    last_write, "POST /api/1.0/scim/Users",
                    "{case}: do nothing sends nothing"
                );
                assert!(
                    world.asana_user("ada@acme.test").unwrap().is_active(),
                    "{case}"
                );
                let task = world.last_task(ada).await;
                assert_eq!(task["status"], "skipped", "{case}");
                assert!(
                    task["error"].as_str().unwrap().contains("Do Nothing"),
                    "{case}: {task}"
                );
            }
        }
    }
}

#[tokio::test]
async fn suspension_follows_the_suspended_user_policy() {
    let world = World::connected().await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world.update_user(ada, json!({"status": 2})).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["action"], "suspend");
    assert_eq!(via(&world, "ada@acme.test").as_deref(), Some("scim_put"));

    let world = World::connected().await;
    world.configure(json!({"on_suspend": "do_nothing"})).await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world.update_user(ada, json!({"status": 2})).await;
    assert!(world.run().await.is_empty());
    assert!(world.asana_user("ada@acme.test").unwrap().is_active());
    assert_eq!(world.last_task(ada).await["status"], "skipped");
}

#[tokio::test]
async fn unsuspending_sends_active_true_and_asana_refuses() {
    let world = World::connected().await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world.update_user(ada, json!({"status": 2})).await;
    world.run().await;
    world.update_user(ada, json!({"status": 1})).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["action"], "reactivate");
    assert_eq!(ran[0]["status"], "failed");
    assert!(
        ran[0]["error"]
            .as_str()
            .unwrap()
            .contains("Reactivating a deprovisioned user"),
        "{}",
        ran[0]
    );
    assert!(!world.asana_user("ada@acme.test").unwrap().is_active());
    let apps = world
        .api(Method::GET, &format!("/api/2/users/{ada}/apps"), None)
        .await;
    assert_eq!(apps.body[0]["provisioning_state"], "failed");
}

#[tokio::test]
async fn reassigning_a_deprovisioned_user_fails_as_in_life() {
    let world = World::connected().await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world.unassign(ada).await;
    world.run().await;
    world.assign(ada).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["action"], "create");
    assert_eq!(
        ran[0]["status"], "failed",
        "the lookup finds the zombie, and Asana refuses to revive it"
    );
    assert!(ran[0]["error"].as_str().unwrap().contains("Reactivating"));
}

#[tokio::test]
async fn scim_username_mapped_to_a_non_email_username_gets_asanas_400() {
    let world = World::connected().await;
    world
        .configure(json!({"parameters": {"name_id": "email", "scim_username": "username"}}))
        .await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["status"], "failed");
    assert!(
        ran[0]["error"]
            .as_str()
            .unwrap()
            .contains("must be an email address"),
        "{}",
        ran[0]
    );
    assert!(ran[0]["error"].as_str().unwrap().contains("HTTP 400"));
    assert!(world.asana_user("ada").is_none());
}

#[tokio::test]
async fn provisioning_works_against_a_plain_rfc_target() {
    let world = World::connected().await;
    world
        .asana
        .configure(|c| *c = fake_asana::Config::new(fake_asana::Profile::Rfc));
    // A plain target needs RFC schema URNs in the template, and updates need the SCIM app.
    world
        .configure(json!({"connector": "scim", "schema_urns": "rfc"}))
        .await;
    let ada = provisioned(&world, "ada@acme.test").await;
    world.update_user(ada, json!({"title": "Countess"})).await;
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
    world.delete_user(ada).await;
    let ran = world.run().await;
    assert_eq!(ran[0]["status"], "provisioned");
    assert!(
        world.asana_user("ada@acme.test").is_none(),
        "a plain SCIM DELETE removes the user"
    );
}
