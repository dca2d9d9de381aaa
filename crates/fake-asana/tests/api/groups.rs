//! SCIM Groups: Asana teams.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, id_of, patch};

#[tokio::test]
async fn teams_are_created_found_and_patched() {
    let app = TestApp::new().await;
    let ada = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let grace = id_of(&app.create_user("grace@acme.test", "Grace Hopper").await);
    let r = app
        .scim(Method::POST, "/Groups", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Marketing", "members": [{"value": ada}]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["meta"]["resourceType"], "Group");
    assert_eq!(r.body["members"][0]["display"], "Ada Lovelace");
    let team = id_of(&r.body);

    let dup = app
        .scim(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "marketing"})),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    let found = app
        .scim(
            Method::GET,
            "/Groups?filter=displayName eq \"Marketing\"",
            None,
        )
        .await;
    assert_eq!(found.body["totalResults"], 1);

    let add = app
        .scim(
            Method::PATCH,
            &format!("/Groups/{team}"),
            Some(patch(
                json!([{"op": "add", "path": "members", "value": [{"value": grace}]}]),
            )),
        )
        .await;
    assert_eq!(
        add.status,
        StatusCode::NO_CONTENT,
        "Asana answers member PATCH with 204"
    );
    assert_eq!(add.body, serde_json::Value::Null);
    let remove = app
        .scim(
            Method::PATCH,
            &format!("/Groups/{team}"),
            Some(patch(
                json!([{"op": "remove", "path": format!("members[value eq \"{ada}\"]")}]),
            )),
        )
        .await;
    assert_eq!(remove.status, StatusCode::NO_CONTENT);
    let now = app
        .scim(Method::GET, &format!("/Groups/{team}"), None)
        .await;
    assert_eq!(
        now.body["members"],
        json!([{"value": grace, "display": "Grace Hopper"}])
    );

    let unknown = app
        .scim(
            Method::PATCH,
            &format!("/Groups/{team}"),
            Some(patch(
                json!([{"op": "add", "path": "members", "value": [{"value": "999"}]}]),
            )),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn team_delete_is_refused_by_asana_and_allowed_by_rfc() {
    let app = TestApp::new().await;
    let team = id_of(
        &app.scim(Method::POST, "/Groups", Some(json!({"displayName": "Ops"})))
            .await
            .body,
    );
    let r = app
        .scim(Method::DELETE, &format!("/Groups/{team}"), None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.body["status"], "405");
    assert_eq!(
        app.scim(Method::GET, &format!("/Groups/{team}"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.scim(Method::DELETE, "/Groups/12345", None).await.status,
        StatusCode::NOT_FOUND
    );

    let rfc = TestApp::rfc().await;
    let team = id_of(&rfc.scim(Method::POST, "/Groups", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops"}))).await.body);
    assert_eq!(
        rfc.scim(Method::DELETE, &format!("/Groups/{team}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        rfc.scim(Method::GET, &format!("/Groups/{team}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let patched = rfc.scim(Method::POST, "/Groups", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops2"}))).await;
    let r = rfc
        .scim(
            Method::PATCH,
            &format!("/Groups/{}", id_of(&patched.body)),
            Some(patch(
                json!([{"op": "replace", "path": "displayName", "value": "Ops3"}]),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "RFC answers with the group");
    assert_eq!(r.body["displayName"], "Ops3");
}

#[tokio::test]
async fn a_deprovisioned_user_leaves_their_teams() {
    let app = TestApp::new().await;
    let ada = id_of(&app.create_user("ada@acme.test", "Ada").await);
    let team = id_of(
        &app.scim(
            Method::POST,
            "/Groups",
            Some(json!({"displayName": "Eng", "members": [{"value": ada}]})),
        )
        .await
        .body,
    );
    app.scim(Method::DELETE, &format!("/Users/{ada}"), None)
        .await;
    let r = app
        .scim(Method::GET, &format!("/Groups/{team}"), None)
        .await;
    assert_eq!(r.body["members"], json!([]));
}
