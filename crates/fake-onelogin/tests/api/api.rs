//! OneLogin's API v2 subset, in OneLogin's shapes.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{World, access_token};

#[tokio::test]
async fn the_token_endpoint_takes_basic_auth_and_tokens_expire_after_ten_hours() {
    let world = World::new().await;
    let creds = world.onelogin.api_credentials().clone();
    let r = world
        .client
        .post(format!("{}/auth/oauth2/v2/token", world.onelogin.uri()))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["expires_in"], 36000);
    assert_eq!(body["token_type"], "bearer");
    assert!(body["account_id"].is_u64());
    // The older header form works too.
    let legacy = world
        .client
        .post(format!("{}/auth/oauth2/v2/token", world.onelogin.uri()))
        .header(
            "authorization",
            format!(
                "client_id:{}, client_secret:{}",
                creds.client_id, creds.client_secret
            ),
        )
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), StatusCode::OK);

    let wrong = world
        .client
        .post(format!("{}/auth/oauth2/v2/token", world.onelogin.uri()))
        .basic_auth(&creds.client_id, Some("wrong"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(
        body,
        json!({"statusCode": 401, "name": "UnauthorizedError", "message": "Unauthorized"})
    );

    assert_eq!(
        world.api(Method::GET, "/api/2/users", None).await.status,
        StatusCode::OK
    );
    world.clock.advance(Duration::from_secs(36_000));
    let expired = world.api(Method::GET, "/api/2/users", None).await;
    assert_eq!(
        expired.status,
        StatusCode::UNAUTHORIZED,
        "expired on the harness clock"
    );
    assert_eq!(expired.body["name"], "UnauthorizedError");
}

#[tokio::test]
async fn a_read_only_credential_cannot_write() {
    let world = World::new().await;
    let r = world
        .admin(
            Method::POST,
            "/api-credentials",
            Some(json!({"name": "reporting", "scope": "read_users"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let token = access_token(
        &world.client,
        &world.onelogin.uri(),
        r.body["client_id"].as_str().unwrap(),
        r.body["client_secret"].as_str().unwrap(),
    )
    .await;
    let read = world
        .send(Method::GET, "/api/2/users", Some(&token), None)
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let write = world
        .send(
            Method::POST,
            "/api/2/users",
            Some(&token),
            Some(json!({"username": "x", "email": "x@acme.test"})),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert_eq!(write.body["name"], "ForbiddenError");
    let list = world.admin(Method::GET, "/api-credentials", None).await;
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("client_secret").is_none())
    );
}

#[tokio::test]
async fn users_are_created_listed_filtered_and_paged_with_onelogins_headers() {
    let world = World::new().await;
    for i in 0..5 {
        world
            .create_user(&format!("user{i}@acme.test"), "User", &format!("{i}"))
            .await;
    }
    let page = world
        .api(Method::GET, "/api/2/users?limit=2&page=2", None)
        .await;
    let header = |n: &str| {
        page.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("Total-Count").as_deref(), Some("5"));
    assert_eq!(header("Total-Pages").as_deref(), Some("3"));
    assert_eq!(header("Current-Page").as_deref(), Some("2"));
    assert_eq!(header("Page-Items").as_deref(), Some("2"));
    let after = header("After-Cursor").expect("a next page");
    assert!(header("Before-Cursor").is_some());
    let next = world
        .api(
            Method::GET,
            &format!("/api/2/users?limit=2&cursor={after}"),
            None,
        )
        .await;
    assert_eq!(next.body.as_array().unwrap().len(), 1);

    let one = world
        .api(Method::GET, "/api/2/users?email=USER3@acme.test", None)
        .await;
    assert_eq!(one.body.as_array().unwrap().len(), 1);
    let user = &one.body[0];
    assert_eq!(user["status"], 1);
    assert_eq!(user["state"], 1);
    for field in [
        "id",
        "username",
        "email",
        "firstname",
        "lastname",
        "role_ids",
        "external_id",
        "created_at",
        "updated_at",
        "custom_attributes",
    ] {
        assert!(
            user.get(field).is_some(),
            "{field} is part of OneLogin's user"
        );
    }
    let wild = world
        .api(
            Method::GET,
            "/api/2/users?username=user*&fields=email",
            None,
        )
        .await;
    assert_eq!(wild.body.as_array().unwrap().len(), 5);
    assert_eq!(
        wild.body[0].as_object().unwrap().len(),
        2,
        "id and the requested field"
    );
}

#[tokio::test]
async fn bad_input_gets_onelogins_error_shapes() {
    let world = World::new().await;
    let missing = world
        .api(
            Method::POST,
            "/api/2/users",
            Some(json!({"username": "ada"})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["field"], "email");
    assert_eq!(missing.body["name"], "UnprocessableEntityFieldError");
    let wrong_type = world
        .api(
            Method::POST,
            "/api/2/users",
            Some(json!({"username": "ada", "email": "ada@acme.test", "status": "active"})),
        )
        .await;
    assert_eq!(wrong_type.body["field"], "status");
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let duplicate = world
        .api(
            Method::POST,
            "/api/2/users",
            Some(json!({"username": "ada2", "email": "ADA@acme.test"})),
        )
        .await;
    assert_eq!(
        (duplicate.status, duplicate.body["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("email"))
    );
    let unknown = world.api(Method::GET, "/api/2/users/999999", None).await;
    assert_eq!(
        unknown.body,
        json!({"statusCode": 404, "name": "NotFoundError", "message": "The resource with the given id could not be found"})
    );
    assert_eq!(
        world
            .api(Method::GET, "/api/2/users/abc", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad_json = world
        .client
        .post(format!("{}/api/2/users", world.onelogin.uri()))
        .bearer_auth(&world.token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_json.status(), StatusCode::BAD_REQUEST);
    let bad_status = world
        .api(
            Method::PUT,
            &format!("/api/2/users/{ada}"),
            Some(json!({"status": 6})),
        )
        .await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_token = world.send(Method::GET, "/api/2/users", None, None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    let roles = world
        .api(
            Method::POST,
            &format!("/api/2/roles/{}/users", world.role),
            Some(json!({"users": [1]})),
        )
        .await;
    assert_eq!(
        roles.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the body is a raw array of ids"
    );
    let big = world
        .api(
            Method::POST,
            "/api/2/users",
            Some(json!({"username": "x".repeat(2 * 1024 * 1024)})),
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    let unknown_setting = world
        .admin(
            Method::PUT,
            &format!("/apps/{}/provisioning", world.onelogin.asana_app_id()),
            Some(json!({"on_delet": "delete"})),
        )
        .await;
    assert_eq!(unknown_setting.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_policy = world
        .admin(
            Method::PUT,
            &format!("/apps/{}/provisioning", world.onelogin.asana_app_id()),
            Some(json!({"on_delete": "archive"})),
        )
        .await;
    assert_eq!(bad_policy.status, StatusCode::BAD_REQUEST);
}

/// A SAML app's `sso` and `configuration` (fidelity/onelogin §3.4), from the SSO tab's state.
async fn sso_and_configuration(world: &World) {
    let id = world.onelogin.asana_app_id();
    let tab = world
        .admin(
            Method::PUT,
            &format!("/apps/{id}/sso"),
            Some(json!({"signature_algorithm": "rsa-sha256"})),
        )
        .await
        .body;
    let app = world
        .api(Method::GET, &format!("/api/2/apps/{id}"), None)
        .await
        .body;
    let sso = &app["sso"];
    let certificate = &tab["certificates"][0];
    assert_eq!(sso["issuer"], tab["issuer"]);
    assert_eq!(
        sso["acs_url"], tab["sso_endpoint"],
        "OneLogin's own SAML 2.0 endpoint"
    );
    assert_eq!(sso["sls_url"], tab["slo_endpoint"]);
    assert_eq!(sso["metadata_url"], tab["metadata_url"]);
    assert_eq!(sso["certificate"]["id"], certificate["id"]);
    assert_eq!(sso["certificate"]["value"], certificate["pem"]);
    assert_eq!(
        app["configuration"],
        json!({"signature_algorithm": "SHA-256", "certificate_id": certificate["id"]})
    );
}

#[tokio::test]
async fn apps_roles_and_a_users_apps() {
    let world = World::new().await;
    let apps = world.api(Method::GET, "/api/2/apps", None).await;
    assert_eq!(apps.body[0]["name"], "Asana");
    assert_eq!(
        apps.body[0]["provisioning"],
        json!({"enabled": false, "status": "Available"})
    );
    assert_eq!(apps.body[0]["role_ids"], json!([world.role]));
    let app = world
        .api(
            Method::GET,
            &format!("/api/2/apps/{}", world.onelogin.asana_app_id()),
            None,
        )
        .await;
    assert_eq!(
        app.body["parameters"]["scimusername"]["user_attribute_mappings"],
        "email"
    );
    assert!(
        !app.body.to_string().contains("token"),
        "the API never shows the service account token"
    );
    sso_and_configuration(&world).await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let users = world
        .api(
            Method::GET,
            &format!("/api/2/apps/{}/users", world.onelogin.asana_app_id()),
            None,
        )
        .await;
    assert_eq!(
        users.body,
        json!([{"id": ada, "firstname": "Ada", "lastname": "Lovelace", "email": "ada@acme.test", "username": "ada"}])
    );
    let role_users = world
        .api(
            Method::GET,
            &format!("/api/2/roles/{}/users", world.role),
            None,
        )
        .await;
    assert_eq!(role_users.body[0]["id"], ada);
    let user = world
        .api(Method::GET, &format!("/api/2/users/{ada}"), None)
        .await;
    assert_eq!(user.body["role_ids"], json!([world.role]));
    let my_apps = world
        .api(Method::GET, &format!("/api/2/users/{ada}/apps"), None)
        .await;
    assert_eq!(my_apps.body[0]["provisioning_enabled"], false);
    assert_eq!(my_apps.body[0]["provisioning_status"], "disabled");
}

#[tokio::test]
async fn state_round_trips_and_reset_restores_the_start() {
    let world = World::connected().await;
    world
        .configure(json!({"require_approval": {"create": true}}))
        .await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let state = world.admin(Method::GET, "/state", None).await.body;
    assert_eq!(
        world.admin(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(world.onelogin.user_by_email("ada@acme.test").is_none());
    assert_eq!(
        world.admin(Method::PUT, "/state", Some(state)).await.status,
        StatusCode::NO_CONTENT
    );
    let task = world.last_task(ada).await;
    assert_eq!(
        task["status"], "pending",
        "a pending approval survives a restore"
    );
    world.decide(&task, "approve").await;
    world.run().await;
    assert!(world.asana_user("ada@acme.test").unwrap().is_active());
}

#[tokio::test]
async fn reset_returns_every_app_setting_to_the_start() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id();
    let provisioning = format!("/apps/{app}/provisioning");
    let sso = format!("/apps/{app}/sso");
    let start = world.admin(Method::GET, &provisioning, None).await.body;
    let sso_start = world.admin(Method::GET, &sso, None).await.body;
    world
        .configure(json!({
            "token": world.sa.token,
            "enabled": true,
            "require_approval": {"create": true, "delete": true},
            "on_delete": "suspend",
        }))
        .await;
    let changed = world
        .admin(
            Method::PUT,
            &sso,
            Some(json!({"acs_url": "http://127.0.0.1:9/-/saml/consume", "issuer_form": "local"})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_ne!(changed.body["acs_url"], sso_start["acs_url"]);
    assert_ne!(
        world.admin(Method::GET, &provisioning, None).await.body,
        start
    );

    assert_eq!(
        world.admin(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        world.admin(Method::GET, &provisioning, None).await.body,
        start,
        "token, provisioning, approvals and deletion policy as the fake started"
    );
    let sso_now = world.admin(Method::GET, &sso, None).await.body;
    for key in ["acs_url", "issuer", "issuer_form", "audience"] {
        assert_eq!(sso_now[key], sso_start[key], "{key}");
    }
}

#[tokio::test]
async fn a_marked_start_is_what_reset_returns_to() {
    let world = World::connected().await;
    world.onelogin.mark_start();
    world
        .configure(json!({"enabled": false, "on_delete": "do_nothing"}))
        .await;
    assert_eq!(
        world.admin(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    let config = world.onelogin.asana_config();
    assert!(config.enabled, "enabled before the mark");
    assert_eq!(config.token.as_deref(), Some(world.sa.token.as_str()));
}

#[tokio::test]
async fn the_signing_key_made_at_start_survives_a_reset_and_a_later_rotation_does_not() {
    let world = World::new().await;
    world.onelogin.prepare_idp_key().await.unwrap();
    let start = world.onelogin.idp_certificate_pem();
    world.onelogin.rotate_idp_certificate();
    assert_ne!(world.onelogin.idp_certificate_pem(), start);
    assert_eq!(
        world.admin(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(world.onelogin.idp_certificate_pem(), start);
    assert_eq!(world.onelogin.sso().certificates.len(), 1);
}
