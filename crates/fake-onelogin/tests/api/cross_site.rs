//! What a web page the developer visits could send to the fake on loopback, refused: admin
//! writes not declared JSON.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::World;

/// A request straight to the fake, with this `Content-Type` (or none) and body.
async fn raw(
    world: &World,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut r = world
        .client
        .request(method, format!("{}{path}", world.onelogin.uri()))
        .body(body.to_owned());
    if let Some(ct) = content_type {
        r = r.header("content-type", ct);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A text/plain write, a form post and a post without a `Content-Type` (none of which needs a
/// CORS preflight) change nothing; the same requests declared JSON do.
#[tokio::test]
async fn admin_writes_must_be_declared_json() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id();
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let provisioning = format!("/__admin/apps/{app}/provisioning");
    let settings = r#"{"enabled":true,"on_delete":"do_nothing"}"#;
    let direct = format!("/__admin/users/{ada}/apps/{app}");
    for (method, path, content_type, body) in [
        (
            Method::PUT,
            provisioning.as_str(),
            Some("text/plain"),
            settings,
        ),
        (
            Method::PUT,
            &provisioning,
            Some("application/x-www-form-urlencoded"),
            "enabled=true",
        ),
        (Method::PUT, &provisioning, None, settings),
        (Method::POST, &direct, Some("text/plain"), ""),
        (Method::POST, &direct, None, ""),
        (
            Method::POST,
            "/__admin/api-credentials",
            Some("multipart/form-data; boundary=x"),
            r#"{"name":"mallory","scope":"manage_all"}"#,
        ),
        (Method::POST, "/__admin/reset", None, ""),
    ] {
        let (status, body) = raw(&world, method.clone(), path, content_type, body).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path} {content_type:?}"
        );
        assert_eq!(body["name"], "UnsupportedMediaTypeError");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Content-Type: application/json"),
            "{body}"
        );
    }
    let config = world.onelogin.asana_config();
    assert!(!config.enabled, "provisioning was not turned on");
    assert_eq!(config.on_delete, fake_onelogin::OnDelete::Delete);
    let apps = world
        .api(Method::GET, &format!("/api/2/users/{ada}/apps"), None)
        .await;
    assert_eq!(apps.body, serde_json::json!([]), "no app was given");
    assert_eq!(
        world.onelogin.state().credentials.len(),
        1,
        "no credential made"
    );
    assert!(
        world.onelogin.user_by_email("ada@acme.test").is_some(),
        "not reset"
    );

    let (status, body) = raw(
        &world,
        Method::PUT,
        &provisioning,
        Some("application/json; charset=utf-8"),
        settings,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(world.onelogin.asana_config().enabled);
    let (status, body) = raw(&world, Method::POST, &direct, Some("application/json"), "").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = raw(&world, Method::GET, "/__admin/provisioning/tasks", None, "").await;
    assert_eq!(status, StatusCode::OK, "reads need no header");
}
