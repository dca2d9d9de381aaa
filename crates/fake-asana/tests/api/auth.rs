//! Tokens: who may call what, and tokens that stop working.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

const NOT_AUTHORIZED_HELP: &str = "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors";

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_get_asanas_401() {
    let app = TestApp::new().await;
    let cases = [
        app.raw(Method::GET, "/api/1.0/scim/Users", None, None)
            .await,
        app.raw(Method::GET, "/api/1.0/scim/Users", Some("2/1/2:0000"), None)
            .await,
        app.raw(Method::GET, "/api/1.0/users/me", Some("nonsense"), None)
            .await,
    ];
    for reply in cases {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.body,
            json!({"errors": [{"message": "Not Authorized", "help": NOT_AUTHORIZED_HELP}]})
        );
    }
    let basic = app
        .client
        .get(format!("{}/Users", app.asana.scim_url()))
        .header("authorization", format!("Basic {}", app.sa.token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::UNAUTHORIZED,
        "only Bearer is accepted"
    );
}

#[tokio::test]
async fn the_rfc_profile_answers_401_as_a_scim_error() {
    let app = TestApp::rfc().await;
    let reply = app
        .raw(Method::GET, "/api/1.0/scim/Users", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["status"], "401");
    assert_eq!(
        reply.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
}

#[tokio::test]
async fn a_deauthorized_token_dies_on_the_next_request() {
    let app = TestApp::new().await;
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::OK
    );
    let r = app
        .admin(
            Method::DELETE,
            &format!("/service-accounts/{}", app.sa.id),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .admin(
            Method::DELETE,
            &format!("/service-accounts/{}", app.sa.id),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rotation_kills_the_old_token_and_the_new_one_works() {
    let app = TestApp::new().await;
    let r = app
        .admin(
            Method::POST,
            &format!("/service-accounts/{}/rotate", app.sa.id),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let new = r.body["token"].as_str().unwrap().to_owned();
    assert_ne!(new, app.sa.token);
    assert_eq!(
        app.scim(Method::GET, "/Users", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.scim_as(&new, Method::GET, "/Users", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn tokens_have_asanas_observed_shape() {
    let app = TestApp::new().await;
    let (ids, secret) = app.sa.token.split_once(':').unwrap();
    let parts: Vec<&str> = ids.split('/').collect();
    assert_eq!(parts[0], "2");
    assert_eq!(
        parts[1],
        app.sa.id.to_string(),
        "the service account's user gid"
    );
    assert_eq!(parts[2].len(), 16);
    assert_eq!(secret.len(), 32);
    assert_eq!(app.sa.token.len(), 68);
}

#[tokio::test]
async fn a_scim_scoped_service_account_cannot_use_rest() {
    let app = TestApp::new().await;
    let r = app
        .rest_as(&app.sa.token.clone(), Method::GET, "/users/me", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body["errors"][0]["message"],
        "The following scopes must be present to fulfill this request: users:read"
    );
    let full = app.full_token().await;
    assert_eq!(
        app.rest_as(&full, Method::GET, "/users/me", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.scim_as(&full, Method::GET, "/Users", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_personal_access_token_works_on_rest_but_not_on_scim() {
    let app = TestApp::new().await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    let r = app
        .admin(
            Method::POST,
            "/personal-access-tokens",
            Some(json!({"user": "ada@acme.test"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pat = r.body["token"].as_str().unwrap().to_owned();
    let scim = app.scim_as(&pat, Method::GET, "/Users", None).await;
    assert_eq!(scim.status, StatusCode::FORBIDDEN);
    assert!(
        scim.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Only service accounts")
    );
    let me = app.rest_as(&pat, Method::GET, "/users/me", None).await;
    assert_eq!(me.body["data"]["email"], "ada@acme.test");
}

#[tokio::test]
async fn one_organizations_token_never_sees_anothers_data() {
    let app = TestApp::new().await;
    let ada = crate::helpers::id_of(&app.create_user("ada@acme.test", "Ada").await);
    let org = app
        .admin(
            Method::POST,
            "/organizations",
            Some(json!({"name": "Globex", "domains": ["globex.test"]})),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED);
    let org_id = org.body["id"].as_str().unwrap().to_owned();
    let sa = app
        .admin(
            Method::POST,
            "/service-accounts",
            Some(json!({"name": "Globex IdP", "scope": "full", "organization": org_id})),
        )
        .await;
    let globex = sa.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.scim_as(&globex, Method::GET, &format!("/Users/{ada}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app
        .scim_as(
            &globex,
            Method::GET,
            "/Users?filter=userName eq \"ada@acme.test\"",
            None,
        )
        .await;
    assert_eq!(list.body["totalResults"], 0);
    let delete = app
        .scim_as(&globex, Method::DELETE, &format!("/Users/{ada}"), None)
        .await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    assert!(
        app.asana
            .user("ada@acme.test")
            .unwrap()
            .deprovisioned
            .is_none()
    );
    let other_ws = app
        .rest_as(
            &globex,
            Method::GET,
            &format!("/workspaces/{}/users", app.asana.organization().gid),
            None,
        )
        .await;
    assert_eq!(other_ws.status, StatusCode::NOT_FOUND);
    // Both organizations can hold the same email independently.
    let r = app
        .scim_as(
            &globex,
            Method::POST,
            "/Users",
            Some(crate::helpers::user_body("ada@acme.test", "Ada")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}
