//! The REST subset: users, workspaces, removeUser.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, id_of};

#[tokio::test]
async fn users_me_for_a_service_account() {
    let app = TestApp::new().await;
    let full = app.full_token().await;
    let me = app.rest_as(&full, Method::GET, "/users/me", None).await;
    assert_eq!(me.status, StatusCode::OK);
    let data = &me.body["data"];
    assert_eq!(data["resource_type"], "user");
    assert_eq!(data["name"], "Full");
    assert_eq!(data["workspaces"][0]["name"], "Acme Corp");
    assert_eq!(data["workspaces"][0]["resource_type"], "workspace");
    // The gid `me` gives is a user gid like any other (Asana's OpenAPI spec, fidelity/asana §3.3).
    let gid = data["gid"].as_str().unwrap();
    let by_gid = app
        .rest_as(&full, Method::GET, &format!("/users/{gid}"), None)
        .await;
    assert_eq!(by_gid.status, StatusCode::OK, "{}", by_gid.body);
    assert_eq!(by_gid.body, me.body);
}

#[tokio::test]
async fn users_by_gid_email_and_unknown() {
    let app = TestApp::new().await;
    let full = app.full_token().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let by_gid = app
        .rest_as(&full, Method::GET, &format!("/users/{id}"), None)
        .await;
    let by_email = app
        .rest_as(&full, Method::GET, "/users/ada@acme.test", None)
        .await;
    assert_eq!(by_gid.body, by_email.body);
    assert_eq!(by_gid.body["data"]["email"], "ada@acme.test");
    assert_eq!(by_gid.body["data"]["name"], "Ada Lovelace");
    let missing = app.rest_as(&full, Method::GET, "/users/404404", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body["errors"][0]["message"],
        "user: Not a recognized ID: 404404"
    );
    assert!(
        missing.body["errors"][0]["help"]
            .as_str()
            .unwrap()
            .contains("developers.asana.com")
    );
}

#[tokio::test]
async fn workspaces_and_their_users_sorted_alphabetically() {
    let app = TestApp::new().await;
    let full = app.full_token().await;
    app.create_user("zed@acme.test", "Zed Shaw").await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let gone = id_of(&app.create_user("gone@acme.test", "Gone Person").await);
    app.scim(Method::DELETE, &format!("/Users/{gone}"), None)
        .await;
    let ws = app
        .rest_as(
            &full,
            Method::GET,
            "/workspaces?opt_fields=name,email_domains",
            None,
        )
        .await;
    let ws_gid = ws.body["data"][0]["gid"].as_str().unwrap().to_owned();
    assert_eq!(ws.body["data"][0]["email_domains"], json!(["acme.test"]));
    let one = app
        .rest_as(&full, Method::GET, &format!("/workspaces/{ws_gid}"), None)
        .await;
    assert_eq!(one.body["data"]["is_organization"], true);
    let users = app
        .rest_as(
            &full,
            Method::GET,
            &format!("/workspaces/{ws_gid}/users?opt_fields=email"),
            None,
        )
        .await;
    let names: Vec<&str> = users.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Ada Lovelace", "Zed Shaw"],
        "deprovisioned users have left"
    );
    assert_eq!(users.body["data"][0]["email"], "ada@acme.test");
}

#[tokio::test]
async fn users_list_pages_with_next_page() {
    let app = TestApp::new().await;
    let full = app.full_token().await;
    for i in 0..3 {
        app.create_user(&format!("u{i}@acme.test"), &format!("U {i}"))
            .await;
    }
    let first = app
        .rest_as(&full, Method::GET, "/users?limit=2", None)
        .await;
    assert_eq!(first.body["data"].as_array().unwrap().len(), 2);
    let offset = first.body["next_page"]["offset"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app
        .rest_as(
            &full,
            Method::GET,
            &format!("/users?limit=2&offset={offset}"),
            None,
        )
        .await;
    assert_eq!(second.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["next_page"], serde_json::Value::Null);
    let bad = app
        .rest_as(&full, Method::GET, "/users?limit=500", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn remove_user_has_the_same_effect_as_scim_delete() {
    let app = TestApp::new().await;
    let full = app.full_token().await;
    app.create_user("ada@acme.test", "Ada").await;
    let ws = app.asana.organization().gid;
    let r = app
        .rest_as(
            &full,
            Method::POST,
            &format!("/workspaces/{ws}/removeUser"),
            Some(json!({"data": {"user": "ada@acme.test"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"data": {}}));
    let record = app.asana.user("ada@acme.test").unwrap();
    assert_eq!(record.scim.active, Some(false));
    assert_eq!(
        serde_json::to_value(record.deprovisioned.unwrap().via).unwrap(),
        "rest_remove_user"
    );
    let missing = app
        .rest_as(
            &full,
            Method::POST,
            &format!("/workspaces/{ws}/removeUser"),
            Some(json!({"data": {}})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["errors"][0]["message"], "user: Missing input");
}
