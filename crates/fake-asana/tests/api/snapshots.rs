//! Representative responses, pinned. Ids and timestamps are redacted so that the snapshots
//! show shape and content, not counters.

use insta::assert_json_snapshot;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, id_of, patch, user_body};

#[tokio::test]
async fn scim_user_lifecycle_responses() {
    let app = TestApp::new().await;
    let created = app.create_user("ada@acme.test", "Ada Lovelace").await;
    let id = id_of(&created);
    assert_json_snapshot!("asana_post_user", created, {".id" => "[gid]"});
    let list = app
        .scim(
            Method::GET,
            "/Users?filter=userName eq \"ada@acme.test\"",
            None,
        )
        .await
        .body;
    assert_json_snapshot!("asana_list_users", list, {".Resources[].id" => "[gid]"});
    let patched = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch(
                json!([{"op": "replace", "value": {"active": false}}]),
            )),
        )
        .await
        .body;
    assert_json_snapshot!("asana_patch_deactivate", patched, {".id" => "[gid]"});
    let conflict = app
        .scim(
            Method::POST,
            "/Users",
            Some(user_body("ada@acme.test", "Ada Lovelace")),
        )
        .await
        .body;
    assert_json_snapshot!("asana_post_user_reprovisioned", conflict, {".id" => "[gid]"});
    let bad = app
        .scim(Method::POST, "/Users", Some(user_body("ada", "Ada")))
        .await
        .body;
    assert_json_snapshot!("asana_bad_user_name", bad);
}

#[tokio::test]
async fn rfc_user_response_has_meta() {
    let app = TestApp::rfc().await;
    let created = app.create_user("ada@acme.test", "Ada Lovelace").await;
    assert_json_snapshot!("rfc_post_user", created, {
        ".id" => "[gid]",
        ".meta.location" => "[location]",
        ".meta.created" => "[timestamp]",
        ".meta.lastModified" => "[timestamp]",
    });
}

#[tokio::test]
async fn rest_responses() {
    let app = TestApp::new().await;
    let full = app.full_token().await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let me = app
        .rest_as(&full, Method::GET, "/users/me", None)
        .await
        .body;
    assert_json_snapshot!("rest_users_me", me, {
        ".data.gid" => "[gid]",
        ".data.email" => "[generated]",
        ".data.workspaces[].gid" => "[gid]",
    });
    let user = app
        .rest_as(&full, Method::GET, "/users/ada@acme.test", None)
        .await
        .body;
    assert_json_snapshot!("rest_user_by_email", user, {".data.gid" => "[gid]", ".data.workspaces[].gid" => "[gid]"});
    let unauthorized = app
        .raw(Method::GET, "/api/1.0/users/me", None, None)
        .await
        .body;
    assert_json_snapshot!("rest_unauthorized", unauthorized);
}

#[tokio::test]
async fn group_response() {
    let app = TestApp::new().await;
    let ada = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let group = app
        .scim(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Marketing", "members": [{"value": ada}]})),
        )
        .await
        .body;
    assert_json_snapshot!("asana_post_group", group, {".id" => "[gid]", ".members[].value" => "[gid]"});
}
