//! Bad input gets a clear error in the format of the API it hit; nothing gets a 500.

use fake_asana::{FakeAsana, RateLimits};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of};

#[tokio::test]
async fn malformed_json_is_invalid_syntax_and_wrong_types_invalid_value() {
    let app = TestApp::new().await;
    let token = app.sa.token.clone();
    let r = app
        .raw(
            Method::POST,
            "/api/1.0/scim/Users",
            Some(&token),
            Some(b"{\"userName\": ".to_vec()),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidSyntax");
    let r = app
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": "a@acme.test", "active": "maybe"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidValue");
    assert!(
        r.body["detail"].as_str().unwrap().contains("boolean"),
        "{}",
        r.body
    );
    let r = app
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": ["a@acme.test"]})),
        )
        .await;
    assert_eq!(r.body["scimType"], "invalidValue");
    let r = app
        .raw(Method::POST, "/api/1.0/scim/Users", Some(&token), None)
        .await;
    assert_eq!(r.body["scimType"], "invalidSyntax", "an empty body");
    let id = id_of(&app.create_user("ada@acme.test", "Ada").await);
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(json!({"Operations": [{"op": "explode"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .scim(Method::GET, "/Users?filter=userName+eq", None)
        .await;
    assert_eq!(r.body["scimType"], "invalidFilter");
    assert!(r.body["detail"].as_str().unwrap().contains("character 11"));
    let r = app.scim(Method::GET, "/Users?count=many", None).await;
    assert_eq!(r.body["scimType"], "invalidValue");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_in_the_apis_format() {
    let app = TestApp::new().await;
    let big = vec![b' '; 1024 * 1024 + 1];
    let token = app.sa.token.clone();
    let r = app
        .raw(
            Method::POST,
            "/api/1.0/scim/Users",
            Some(&token),
            Some(big.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["status"], "413");
    let full = app.full_token().await;
    let r = app
        .raw(
            Method::POST,
            "/api/1.0/workspaces/1/removeUser",
            Some(&full),
            Some(big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body["errors"][0]["message"].is_string());
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_in_each_apis_format() {
    let app = TestApp::new().await;
    let token = app.sa.token.clone();
    let full = app.full_token().await;
    let r = app
        .raw(Method::GET, "/api/1.0/scim/Bulk", Some(&token), None)
        .await;
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (StatusCode::NOT_FOUND, json!("404"))
    );
    let r = app
        .raw(
            Method::POST,
            "/api/1.0/scim/ServiceProviderConfig",
            Some(&token),
            Some(b"{}".to_vec()),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (StatusCode::METHOD_NOT_ALLOWED, json!("405"))
    );
    let r = app
        .raw(Method::GET, "/api/1.0/projects", Some(&full), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["errors"][0]["message"].is_string());
    let r = app
        .raw(Method::DELETE, "/api/1.0/workspaces", Some(&full), None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body["errors"][0]["message"].is_string());
    let r = app.admin(Method::GET, "/nothing", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["error"].is_string());
    let r = app.admin(Method::PATCH, "/state", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = app.raw(Method::GET, "/", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.scim(Method::GET, "/Users/not-a-number", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["status"], "404");
}

#[tokio::test]
async fn bad_admin_bodies_are_400_with_a_reason() {
    let app = TestApp::new().await;
    for (method, path, body) in [
        (Method::POST, "/service-accounts", b"not json".to_vec()),
        (
            Method::POST,
            "/service-accounts",
            br#"{"nme": "x"}"#.to_vec(),
        ),
        (Method::PUT, "/config", br#"[1,2]"#.to_vec()),
        (
            Method::POST,
            "/faults",
            br#"{"path": "x", "status": 500}"#.to_vec(),
        ),
        (Method::PUT, "/state", br#"{"organizations": 5}"#.to_vec()),
    ] {
        let admin = format!("/__admin{path}");
        let r = app
            .send(
                method.clone(),
                &admin,
                None,
                Some("application/json"),
                Some(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            r.body
        );
        assert!(r.body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "ada@acme.test",
            "False",
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "members",
            "replace"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "userName",
                    "active",
                    "emails",
                    "name",
                    "schemas",
                    "Operations",
                    "op",
                    "path",
                    "value",
                    "displayName",
                    "members",
                    "data",
                    "user",
                    "formatted",
                    "primary",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                ])
                .prop_map(str::to_owned),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn request() -> impl Strategy<Value = (Method, String, Option<Vec<u8>>)> {
    let method = prop::sample::select(vec![
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ]);
    let path = prop_oneof![
        Just("/api/1.0/scim/Users".to_owned()),
        Just("/api/1.0/scim/Users/{user}".to_owned()),
        Just("/api/1.0/scim/Groups".to_owned()),
        Just("/api/1.0/scim/Groups/{team}".to_owned()),
        "[a-zA-Z0-9%+&=\\[\\]\" ._-]{0,40}".prop_map(|q| format!("/api/1.0/scim/Users?filter={q}")),
        "[a-zA-Z0-9%+&=]{0,20}".prop_map(|q| format!("/api/1.0/scim/Users?{q}")),
        "[a-zA-Z0-9@._%-]{0,20}".prop_map(|s| format!("/api/1.0/scim/Users/{s}")),
        "[a-zA-Z0-9@._%-]{0,20}".prop_map(|s| format!("/api/1.0/users/{s}")),
        Just("/api/1.0/workspaces/{ws}/removeUser".to_owned()),
        "[a-zA-Z0-9/._-]{0,30}".prop_map(|s| format!("/api/1.0/{s}")),
    ];
    let body = prop_oneof![
        Just(None),
        json_value().prop_map(|v| Some(serde_json::to_vec(&v).unwrap())),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Some),
    ];
    (method, path, body)
}

/// Generated methods, paths, filters and bodies never make the fake answer 500 (or die).
/// One runtime and one server for the whole run, not one per case.
#[test]
fn generated_requests_never_get_a_500() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(TestApp::with(
        FakeAsana::builder().rate_limits(RateLimits::OFF),
    ));
    let full = rt.block_on(app.full_token());
    let user = rt.block_on(app.create_user("ada@acme.test", "Ada"));
    let team = rt.block_on(app.scim(Method::POST, "/Groups", Some(json!({"displayName": "Eng"}))));
    let ws = app.asana.organization().gid.to_string();
    let mut runner = TestRunner::new(Config {
        cases: 384,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&request(), |(method, path, body)| {
            let path = path
                .replace("{user}", user["id"].as_str().unwrap())
                .replace("{team}", team.body["id"].as_str().unwrap())
                .replace("{ws}", &ws);
            let token = if path.starts_with("/api/1.0/scim") {
                app.sa.token.as_str()
            } else {
                full.as_str()
            };
            let reply = rt.block_on(app.raw(method.clone(), &path, Some(token), body));
            prop_assert!(
                reply.status.as_u16() < 500,
                "{method} {path} answered {}: {}",
                reply.status,
                reply.body
            );
            let shaped = reply.body.is_null()
                || reply.body.get("status").is_some()
                || reply.body.get("errors").is_some()
                || reply.status.is_success();
            prop_assert!(
                shaped,
                "{method} {path}: an error without the API's shape: {}",
                reply.body
            );
            Ok(())
        })
        .unwrap();
    let alive = rt.block_on(app.scim(Method::GET, "/Users", None));
    assert_eq!(alive.status, StatusCode::OK);
}

/// Whatever is wrong with an admin request (a query that does not parse, a body too large, a
/// method the open endpoints do not take, an empty name), the answer is the admin API's
/// `{"error": ...}`, never axum's plain text: clients generated from the OpenAPI document read
/// every error the same way.
#[tokio::test]
async fn bad_admin_requests_answer_in_the_admin_format() {
    let app = TestApp::new().await;
    let is_admin_error = |r: &crate::helpers::Reply, status: StatusCode| {
        assert_eq!(r.status, status, "{}", r.body);
        assert!(r.body["error"].is_string(), "{}", r.body);
        assert_eq!(r.body.as_object().map(|o| o.len()), Some(1), "{}", r.body);
    };
    let r = app.admin(Method::GET, "/saml?organization=abc", None).await;
    is_admin_error(&r, StatusCode::BAD_REQUEST);
    assert!(r.body["error"].as_str().unwrap().contains("organization"));
    let r = app
        .admin(Method::GET, "/requests?format=har&format=json", None)
        .await;
    is_admin_error(&r, StatusCode::BAD_REQUEST);
    let big = vec![b' '; 3 * 1024 * 1024];
    let r = app
        .send(
            Method::PUT,
            "/__admin/state",
            None,
            Some("application/json"),
            Some(big),
        )
        .await;
    is_admin_error(&r, StatusCode::PAYLOAD_TOO_LARGE);
    for path in ["/health", "/openapi.json"] {
        let r = app.admin(Method::POST, path, None).await;
        is_admin_error(&r, StatusCode::METHOD_NOT_ALLOWED);
    }
    let created = app
        .admin(
            Method::POST,
            "/service-accounts",
            Some(json!({"name": "ci"})),
        )
        .await;
    let id = created.body["id"].as_str().unwrap();
    let r = app
        .admin(
            Method::PATCH,
            &format!("/service-accounts/{id}"),
            Some(json!({"name": " "})),
        )
        .await;
    is_admin_error(&r, StatusCode::BAD_REQUEST);
}

/// The OpenAPI document is served as committed, without a token, as JSON.
#[tokio::test]
async fn the_openapi_document_is_served_as_committed() {
    let app = TestApp::with(FakeAsana::builder().admin_token("s3cret")).await;
    let r = app
        .send(Method::GET, "/__admin/openapi.json", None, None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/json");
    let committed: Value =
        serde_json::from_str(include_str!("../../../../docs/openapi/fake-asana.json")).unwrap();
    assert_eq!(r.body, committed);
    let r = app
        .send(Method::GET, "/__admin/state", None, None, None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the rest still needs it"
    );
}

/// SCIM is dispatched by hand, not by axum's router: it must still answer every method and
/// path as that router did (`http/api/scim/routes.rs`), whether the request is answered at once
/// (no body, no fault set) or through the middleware's future (a fault set elsewhere).
#[tokio::test]
async fn scim_paths_and_methods_are_matched_as_a_router_would() {
    let app = TestApp::new().await;
    let ada = id_of(&app.create_user("ada@acme.test", "Ada").await);
    check_scim_routing(&app, &ada).await;
    let fault = json!({"path": "/api/1.0/users/me", "status": 500});
    let set = app.admin(Method::POST, "/faults", Some(fault)).await;
    assert!(set.status.is_success(), "{:?}", set.body);
    check_scim_routing(&app, &ada).await;
}

async fn check_scim_routing(app: &TestApp, ada: &str) {
    let token = app.sa.token.clone();
    // A method a resource lacks: SCIM's 405, naming the methods it has.
    for (method, path, allow) in [
        (
            Method::POST,
            "/api/1.0/scim/ServiceProviderConfig",
            "GET,HEAD",
        ),
        (Method::OPTIONS, "/api/1.0/scim/Schemas", "GET,HEAD"),
        (Method::PUT, "/api/1.0/scim/Users", "GET,HEAD,POST"),
        (Method::GET, "/api/1.0/scim/Users/.search", "POST"),
        (
            Method::POST,
            "/api/1.0/scim/Groups/1",
            "GET,HEAD,PUT,PATCH,DELETE",
        ),
    ] {
        let r = app.raw(method.clone(), path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(r.body["status"], "405", "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
    }
    // What names nothing under SCIM: an empty or second segment, another case.
    for path in [
        "/api/1.0/scim/Users/",
        "/api/1.0/scim/Users//x",
        "/api/1.0/scim/users",
    ] {
        let r = app.raw(Method::GET, path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.body["detail"], "No SCIM endpoint at this path", "{path}");
    }
    // Beside SCIM's base is REST's, in REST's format.
    let r = app
        .raw(Method::GET, "/api/1.0/scimx", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["errors"][0]["message"].is_string());
    // An id is percent-decoded; one that is not UTF-8 names nothing.
    let r = app.scim(Method::GET, "/Users/a%2Fb", None).await;
    assert_eq!(r.body["detail"], "User a/b not found");
    let r = app.scim(Method::GET, "/Users/%FF", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body["detail"],
        "no resource at this path: Invalid UTF-8 in `id`"
    );
    // Without a token: refused before any route, in the shared middleware's format.
    let r = app
        .raw(Method::GET, "/api/1.0/scim/Users", None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // HEAD is GET without the body: the length stays, and the journal keeps what was answered.
    let path = format!("/api/1.0/scim/Users/{ada}");
    let get = app.raw(Method::GET, &path, Some(&token), None).await;
    let head = app.raw(Method::HEAD, &path, Some(&token), None).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.body, Value::Null);
    assert!(get.header("content-length").is_some());
    assert_eq!(head.header("content-length"), get.header("content-length"));
    let journal = app.admin(Method::GET, "/requests", None).await;
    let last = journal.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["method"], "HEAD");
    assert_eq!(last["response_body"], get.body);
}
