//! What a web page the developer visits could send to the fake on loopback, refused: admin
//! writes not declared JSON, console posts without the browser's CSRF token, and requests
//! addressed to a name that is not the fake's (DNS rebinding).

use fake_asana::FakeAsana;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::console::csrf_field;
use crate::helpers::TestApp;

/// A text/plain post, a form post and a post without a `Content-Type` (none of which needs a
/// CORS preflight) change nothing; the same request declared JSON does.
#[tokio::test]
async fn admin_writes_must_be_declared_json() {
    let app = TestApp::new().await;
    let accounts = |app: &TestApp| app.asana.state().organizations[0].service_accounts.len();
    let before = accounts(&app);
    let body = br#"{"name":"Mallory","scope":"full"}"#.to_vec();
    for (content_type, body) in [
        (Some("text/plain"), body.clone()),
        (Some("text/plain;charset=UTF-8"), body.clone()),
        (
            Some("application/x-www-form-urlencoded"),
            b"name=Mallory&scope=full".to_vec(),
        ),
        (Some("multipart/form-data; boundary=x"), body.clone()),
        (None, body.clone()),
    ] {
        let r = app
            .send(
                Method::POST,
                "/__admin/service-accounts",
                None,
                content_type,
                Some(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let message = r.body["error"].as_str().unwrap();
        assert!(
            message.contains("Content-Type: application/json") && message.contains("web page"),
            "{message}"
        );
    }
    assert_eq!(accounts(&app), before, "nothing was created");

    // Body-less writes too: a reset and a deauthorization.
    app.admin(
        Method::PUT,
        "/config",
        Some(json!({"switches": {"omit_meta": false}})),
    )
    .await;
    let sa = app.sa.id;
    for (method, path) in [
        (Method::POST, "/__admin/reset".to_owned()),
        (Method::DELETE, format!("/__admin/service-accounts/{sa}")),
    ] {
        let r = app.send(method.clone(), &path, None, None, None).await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path}"
        );
    }
    assert!(app.asana.accepts_token(&app.sa.token), "not deauthorized");
    let config = app.admin(Method::GET, "/config", None).await;
    assert_eq!(config.body["switches"]["omit_meta"], false, "not reset");

    // Reads need nothing; writes declared JSON (with a charset) work.
    let read = app
        .send(Method::GET, "/__admin/service-accounts", None, None, None)
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let created = app
        .send(
            Method::POST,
            "/__admin/service-accounts",
            None,
            Some("application/json; charset=utf-8"),
            Some(br#"{"name":"Okta","scope":"full"}"#.to_vec()),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let reset = app
        .send(
            Method::POST,
            "/__admin/reset",
            None,
            Some("application/json"),
            None,
        )
        .await;
    assert!(reset.status.is_success(), "{}", reset.status);
}

/// A console post is refused (403, and nothing changes) unless its `csrf` field is the token of
/// the browser's cookie: missing, wrong, or without the cookie.
#[tokio::test]
async fn console_posts_need_the_browsers_csrf_token() {
    let app = TestApp::new().await;
    let accounts = |app: &TestApp| app.asana.state().organizations[0].service_accounts.len();
    let before = accounts(&app);
    let (cookie, token) = app.console_session().await;
    // Another well-formed token: the last hex digit changed.
    let mut other = token.clone();
    let last = if other.ends_with('0') { "1" } else { "0" };
    other.replace_range(other.len() - 1.., last);
    let url = format!("{}/admin/service-accounts", app.asana.uri());
    let attempts = [
        (None, vec![("scope", "full")]),
        (Some(cookie.as_str()), vec![("scope", "full")]),
        (
            Some(&cookie),
            vec![("scope", "full"), ("csrf", other.as_str())],
        ),
        (Some(&cookie), vec![("scope", "full"), ("csrf", "")]),
        (None, vec![("scope", "full"), ("csrf", &token)]),
    ];
    for (cookie, form) in attempts {
        let mut request = app.client.post(&url).form(&form);
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
    assert_eq!(accounts(&app), before, "nothing was created");

    let added = app
        .client
        .post(&url)
        .header("cookie", &cookie)
        .form(&[("scope", "full"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::OK);
    assert!(added.text().await.unwrap().contains("<dialog open"));
    assert_eq!(accounts(&app), before + 1);
}

/// The token comes in an `HttpOnly; SameSite=Strict` cookie, set once per browser, and every
/// post form of every page carries it.
#[tokio::test]
async fn every_console_form_carries_the_token() {
    let app = TestApp::new().await;
    let first = app
        .client
        .get(format!("{}/admin/members", app.asana.uri()))
        .send()
        .await
        .unwrap();
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict"),
        "{cookie}"
    );
    let jar = cookie.split(';').next().unwrap().to_owned();
    let token = jar.strip_prefix("harness_csrf=").unwrap().to_owned();
    assert_eq!(token.len(), 64, "a 128-bit nonce and its 128-bit MAC");
    for path in [
        "/admin/service-accounts",
        "/admin/members",
        "/admin/teams",
        "/admin/security",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.asana.uri()))
            .header("cookie", &jar)
            .send()
            .await
            .unwrap();
        assert!(r.headers().get("set-cookie").is_none(), "kept: {path}");
        let html = r.text().await.unwrap();
        let forms = html.matches("method=\"post\"").count();
        let field = format!(r#"<input type="hidden" name="csrf" value="{token}">"#);
        assert_eq!(html.matches(&field).count(), forms, "{path}");
        assert_eq!(csrf_field(&html).is_some(), forms > 0, "{path}");
    }
}

/// `GET path` with this `Host` header: the status and the body as JSON (or a string).
async fn with_host(app: &TestApp, path: &str, host: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .get(format!("{}{path}", app.asana.uri()))
        .header("host", host)
        .bearer_auth(&app.sa.token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(json!(text)))
}

/// A page whose own name was pointed at 127.0.0.1 still sends `Host: evil.example`: refused on
/// every API, in that API's format, naming the Host and `--allow-host`; loopback names pass.
#[tokio::test]
async fn only_loopback_names_reach_a_fake_on_loopback() {
    let app = TestApp::new().await;
    let port = app.asana.address().port();
    for (path, message) in [
        ("/__admin/state", "/error"),
        ("/api/1.0/scim/Users", "/detail"),
        ("/api/1.0/users/me", "/errors/0/message"),
        ("/admin/service-accounts", "/error"),
        ("/a/acme.test", "/error"),
    ] {
        for host in ["evil.example", &format!("evil.example:{port}"), "10.0.0.1"] {
            let (status, body) = with_host(&app, path, host).await;
            assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{path} {host}");
            let text = body.pointer(message).and_then(Value::as_str).unwrap_or("");
            assert!(
                text.contains(&format!("{host:?}")) && text.contains("--allow-host"),
                "{path} {host}: {body}"
            );
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("console.localhost:{port}"),
        "localhost".to_owned(),
    ] {
        let (status, body) = with_host(&app, "/__admin/config", &host).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
        let (status, _) = with_host(&app, "/api/1.0/scim/Users", &host).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
    // A refused request changed nothing.
    let refused = app
        .client
        .post(format!("{}/__admin/service-accounts", app.asana.uri()))
        .header("host", "evil.example")
        .json(&json!({"name": "Mallory", "scope": "full"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(app.asana.state().organizations[0].service_accounts.len(), 1);
}

/// HTTP/1.0 without a `Host` header is answered: a rebinding browser always sends one.
#[tokio::test]
async fn a_request_without_host_is_answered() {
    let app = TestApp::new().await;
    let mut stream = tokio::net::TcpStream::connect(app.asana.address())
        .await
        .unwrap();
    stream
        .write_all(b"GET /__admin/config HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.0 200"), "{reply}");
}

/// Names given to the builder are answered too (a CI service, a compose service).
#[tokio::test]
async fn names_given_to_the_builder_are_answered() {
    let app = TestApp::with(FakeAsana::builder().allow_hosts(["ci-asana", "Compose-Asana."])).await;
    let port = app.asana.address().port();
    for host in [
        format!("ci-asana:{port}"),
        "CI-ASANA".to_owned(),
        format!("compose-asana:{port}"),
        format!("localhost:{port}"),
    ] {
        let (status, _) = with_host(&app, "/api/1.0/scim/Users", &host).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
    let (status, _) = with_host(&app, "/api/1.0/scim/Users", "ci-asana.evil.example").await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
}
