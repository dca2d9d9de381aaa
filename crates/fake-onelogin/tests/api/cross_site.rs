//! What a web page the developer visits could send to the fake on loopback, refused: admin
//! writes not declared JSON, console posts without the browser's CSRF token, and requests
//! addressed to a name that is not the fake's (DNS rebinding).

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{World, csrf_field};

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

/// A console post is refused (403, and nothing changes) unless its `csrf` field is the token of
/// the browser's cookie; the login form, which is not the console, needs none.
#[tokio::test]
async fn console_posts_need_the_browsers_csrf_token() {
    let world = World::new().await;
    let (cookie, token) = world.console_session().await;
    // Another well-formed token: the last hex digit changed.
    let mut other = token.clone();
    let last = if other.ends_with('0') { "1" } else { "0" };
    other.replace_range(other.len() - 1.., last);
    let url = format!("{}/admin/users", world.onelogin.uri());
    let user = [
        ("firstname", "Mallory"),
        ("lastname", "Example"),
        ("email", "mallory@acme.test"),
    ];
    fn with<'a>(user: &[(&'a str, &'a str)], csrf: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
        let mut form = user.to_vec();
        form.extend(csrf.map(|t| ("csrf", t)));
        form
    }
    let right = with(&user, Some(&token));
    for (cookie, form) in [
        (None, with(&user, None)),
        (Some(cookie.as_str()), with(&user, None)),
        (Some(cookie.as_str()), with(&user, Some(&other))),
        (Some(cookie.as_str()), with(&user, Some(""))),
        (None, right.clone()),
    ] {
        let mut request = world.client.post(&url).form(&form);
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{cookie:?} {form:?}");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("form has expired") && page.contains("Reload the page"),
            "{page}"
        );
    }
    assert!(world.onelogin.user_by_email("mallory@acme.test").is_none());

    let r = world
        .client
        .post(&url)
        .header("cookie", &cookie)
        .form(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(world.onelogin.user_by_email("mallory@acme.test").is_some());

    // The login form posts without a token, as a person's first visit must.
    let login = world
        .client
        .get(format!("{}/login", world.onelogin.uri()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csrf_field(&login).is_none(),
        "the login form is not the console"
    );
    let r = harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/login", world.onelogin.uri()))
        .form(&[
            ("username", "mallory@acme.test"),
            ("password", fake_onelogin::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
    assert_eq!(r.headers()["location"], "/portal");
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("onelogin_session=")
    );
}

/// Every post form of every console page carries the browser's token.
#[tokio::test]
async fn every_console_form_carries_the_token() {
    let world = World::connected().await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let app = world.onelogin.asana_app_id();
    let (cookie, token) = world.console_session().await;
    let field = format!(r#"<input type="hidden" name="csrf" value="{token}">"#);
    for path in [
        "/admin/apps".to_owned(),
        format!("/admin/apps/{app}/configuration"),
        format!("/admin/apps/{app}/provisioning"),
        format!("/admin/apps/{app}/parameters"),
        format!("/admin/apps/{app}/sso"),
        format!("/admin/apps/{app}/users"),
        "/admin/users".to_owned(),
        format!("/admin/users/{ada}"),
        "/admin/provisioning".to_owned(),
        "/admin/roles".to_owned(),
        "/admin/events".to_owned(),
    ] {
        let r = world
            .client
            .get(format!("{}{path}", world.onelogin.uri()))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        let forms = html.matches("method=\"post\"").count();
        assert_eq!(html.matches(&field).count(), forms, "{path}");
    }
}

/// `GET path` with this `Host` header (and the API token): the status and the body.
async fn with_host(world: &World, path: &str, host: &str) -> (StatusCode, String) {
    let r = world
        .client
        .get(format!("{}{path}", world.onelogin.uri()))
        .header("host", host)
        .bearer_auth(&world.token)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// A page whose own name was pointed at 127.0.0.1 still sends `Host: evil.example`: refused
/// everywhere in OneLogin's error shape, naming the Host and `--allow-host`; loopback names
/// pass, and so do names given to the builder.
#[tokio::test]
async fn only_loopback_names_and_given_ones_reach_the_fake() {
    let world = World::new().await;
    let port = world.onelogin.address().port();
    let app = world.onelogin.asana_app_id();
    for path in [
        "/__admin/provisioning/tasks".to_owned(),
        "/api/2/users".to_owned(),
        "/admin/users".to_owned(),
        "/login".to_owned(),
        format!("/saml/metadata/{app}"),
    ] {
        for host in ["evil.example".to_owned(), format!("evil.example:{port}")] {
            let (status, body) = with_host(&world, &path, &host).await;
            assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{path} {host}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["name"], "MisdirectedRequestError");
            let message = body["message"].as_str().unwrap();
            assert!(
                message.contains(&format!("{host:?}")) && message.contains("--allow-host"),
                "{message}"
            );
        }
        for host in [
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ] {
            let (status, body) = with_host(&world, &path, &host).await;
            assert_eq!(status, StatusCode::OK, "{path} {host}: {body}");
        }
    }

    let named = fake_onelogin::FakeOneLogin::builder()
        .allow_hosts(["ci-onelogin"])
        .start()
        .await;
    let port = named.address().port();
    for (host, expected) in [
        (format!("ci-onelogin:{port}"), StatusCode::OK),
        (format!("localhost:{port}"), StatusCode::OK),
        (format!("ci-asana:{port}"), StatusCode::MISDIRECTED_REQUEST),
    ] {
        let r = world
            .client
            .get(format!("{}/login", named.uri()))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected, "{host}");
    }
}
