//! Concurrency and load: one lock per write makes racing creates safe, and the journal stays
//! within its bound however long the load lasts.

use fake_asana::{FakeAsana, RateLimits};
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, user_body};

#[tokio::test]
async fn sixty_four_concurrent_posts_of_one_user_name_make_exactly_one_user() {
    let app = TestApp::with(FakeAsana::builder().rate_limits(RateLimits::OFF)).await;
    let posts = (0..64).map(|i| {
        let email = if i % 2 == 0 {
            "ada@acme.test"
        } else {
            "ADA@acme.test"
        };
        app.scim(
            Method::POST,
            "/Users",
            Some(user_body(email, "Ada Lovelace")),
        )
    });
    let replies = futures::future::join_all(posts).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let conflicts = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT && r.body["scimType"] == "uniqueness")
        .count();
    assert_eq!((created, conflicts), (1, 63));
    assert_eq!(app.asana.organization().users.len(), 1);
}

#[tokio::test]
async fn the_journal_stays_bounded_under_sustained_load() {
    let app = TestApp::with(
        FakeAsana::builder()
            .rate_limits(RateLimits::OFF)
            .journal_capacity(100),
    )
    .await;
    for _ in 0..20 {
        let burst = (0..50).map(|_| {
            app.scim(
                Method::GET,
                "/Users?filter=userName eq \"x@acme.test\"",
                None,
            )
        });
        futures::future::join_all(burst).await;
    }
    let journal = app.asana.requests();
    assert_eq!(journal.len(), 100, "1,000 requests, the newest 100 kept");
    assert_eq!(journal.last().unwrap().seq, 1000);
}
