//! Retention: finished tasks and events go once past the retention (on the harness clock) or
//! beyond the count cap; pending tasks and each user's newest task stay; ids never change.

use std::time::Duration;

use fake_onelogin::Retention;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{World, access_token};

/// A page of the Events API, with a fresh access token (tokens live ten hours of the clock).
async fn events(world: &World, query: &str) -> (Vec<Value>, Option<String>) {
    let creds = world.onelogin.api_credentials();
    let uri = world.onelogin.uri();
    let token = access_token(&world.client, &uri, &creds.client_id, &creds.client_secret).await;
    let path = format!("/api/1/events{query}");
    let r = world.send(Method::GET, &path, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cursor = r.body["pagination"]["after_cursor"]
        .as_str()
        .map(str::to_owned);
    (r.body["data"].as_array().unwrap().clone(), cursor)
}

fn ids(items: &[Value]) -> Vec<u64> {
    items.iter().map(|i| i["id"].as_u64().unwrap()).collect()
}

async fn provisioned_person(world: &World, i: usize) -> u64 {
    let id = world
        .create_user(&format!("p{i}@acme.test"), "Person", &format!("{i}"))
        .await;
    world.assign(id).await;
    id
}

#[tokio::test]
async fn finished_tasks_and_events_go_after_the_retention_and_pending_and_newest_stay() {
    let world = World::connected_with(|b| b.retention(Retention::days(1, 1_000))).await;
    let ann = provisioned_person(&world, 1).await;
    world.run().await;
    let ann_create = world.last_task(ann).await;
    world.update_user(ann, json!({"title": "Engineer"})).await;
    let ann_newest = world.last_task(ann).await;
    assert_ne!(ann_newest["id"], ann_create["id"], "the change made a task");
    let bob = provisioned_person(&world, 2).await;
    world.run().await;
    world.delete_user(bob).await;
    world.run().await;
    world
        .configure(json!({"require_approval": {"create": true}}))
        .await;
    let cat = provisioned_person(&world, 3).await;
    let pending = world.last_task(cat).await;
    assert_eq!(pending["status"], "pending");
    let (before, _) = events(&world, "").await;
    assert!(before.len() >= 3, "{before:?}");
    assert!(ids(&world.tasks("").await).contains(&ann_create["id"].as_u64().unwrap()));

    // A day passes with nothing happening: only what a person still needs is kept.
    world.clock.advance(Duration::from_secs(25 * 3600));
    let kept = ids(&world.tasks("").await);
    assert_eq!(
        kept,
        vec![
            ann_newest["id"].as_u64().unwrap(),
            pending["id"].as_u64().unwrap()
        ],
        "ann's newest task and cat's pending one stay; the rest was history"
    );
    let (after, _) = events(&world, "").await;
    assert!(after.is_empty(), "every event is over a day old: {after:?}");

    // New events continue the old sequence, and the pending task still works.
    let approved = world.decide(&pending, "approve").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    world.run().await;
    let (fresh, _) = events(&world, "").await;
    let last_before = *ids(&before).iter().max().unwrap();
    let fresh_ids = ids(&fresh);
    assert_eq!(
        fresh_ids,
        vec![last_before + 1, last_before + 2],
        "{fresh:?}"
    );
    assert_eq!(world.last_task(cat).await["status"], "provisioned");
}

#[tokio::test]
async fn the_count_cap_holds_and_paging_keeps_its_place() {
    let cap = 60;
    let world = World::connected_with(|b| b.retention(Retention::days(7, cap))).await;
    let mut people = Vec::new();
    for i in 0..55 {
        people.push(provisioned_person(&world, i).await);
    }
    world.run().await;
    let (page1, cursor) = events(&world, "").await;
    assert_eq!(page1.len(), 50);
    let cursor = cursor.expect("more than a page");
    assert_eq!(cursor, page1[49]["id"].to_string());

    // More traffic pushes the oldest events out while a client pages.
    for &p in &people[..30] {
        world.delete_user(p).await;
    }
    world.run().await;
    let (page2, _) = events(&world, &format!("?after_cursor={cursor}")).await;
    let page2_ids = ids(&page2);
    let cursor: u64 = cursor.parse().unwrap();
    assert_eq!(
        page2_ids.first(),
        Some(&(cursor + 1)),
        "resumes after the cursor"
    );
    assert!(
        page2_ids.windows(2).all(|w| w[1] == w[0] + 1),
        "{page2_ids:?}"
    );

    for &p in &people[30..] {
        world.delete_user(p).await;
    }
    world.run().await;

    // What is kept is the newest `cap` events, unchanged and with the ids they had.
    let mut all = Vec::new();
    let mut query = String::new();
    loop {
        let (page, next) = events(&world, &query).await;
        all.extend(page);
        match next {
            Some(c) => query = format!("?after_cursor={c}"),
            None => break,
        }
    }
    let all_ids = ids(&all);
    assert_eq!(all_ids.len(), cap, "{all_ids:?}");
    let newest = *all_ids.last().unwrap();
    assert_eq!(
        all_ids,
        ((newest + 1 - cap as u64)..=newest).collect::<Vec<_>>()
    );
    for e in &page1 {
        if let Some(same) = all.iter().find(|k| k["id"] == e["id"]) {
            assert_eq!(same, e, "a kept event is unchanged");
        }
    }

    // Every person is gone: their tasks are history, capped, the newest kept.
    let tasks = world.tasks("").await;
    let task_ids = ids(&tasks);
    assert_eq!(task_ids.len(), cap, "{task_ids:?}");
    assert!(task_ids.windows(2).all(|w| w[0] < w[1]));
    assert!(
        tasks.iter().all(|t| t["status"] == "provisioned"),
        "{tasks:?}"
    );
    let deletes = tasks.iter().filter(|t| t["action"] != "create").count();
    assert!(deletes >= cap / 2, "the newest history is kept: {tasks:?}");
}
