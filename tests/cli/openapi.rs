//! The OpenAPI 3.1 documents of both fakes' `/__admin` (`docs/openapi/`), held to the code so
//! they cannot drift: every admin route is documented and every documented operation is routed
//! (read from the routers' source), each fake serves the committed bytes, and every operation's
//! live answers, success and errors, validate against the document with independent tools
//! (`tests/openapi/check.py`: openapi-spec-validator and jsonschema).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::Served;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A router's source: the file, the item in it that routes (the whole file when `None`), and
/// the prefix its paths are nested under.
type RouterSource = (&'static str, Option<&'static str>, &'static str);

/// Where each fake's admin routes are declared, by document.
const ROUTERS: [(&str, &[RouterSource]); 2] = [
    (
        "fake-asana.json",
        &[
            ("crates/fake-asana/src/http/admin/mod.rs", None, "/__admin"),
            ("crates/fake-asana/src/http/mod.rs", Some("fn router("), ""),
        ],
    ),
    (
        "fake-onelogin.json",
        &[
            (
                "crates/fake-onelogin/src/http/admin/mod.rs",
                None,
                "/__admin",
            ),
            (
                "crates/fake-onelogin/src/http/admin/sso.rs",
                None,
                "/__admin",
            ),
            (
                "crates/fake-onelogin/src/http/mod.rs",
                Some("fn open_admin_router("),
                "/__admin",
            ),
            (
                "crates/fake-onelogin/src/http/mod.rs",
                Some("fn router("),
                "",
            ),
        ],
    ),
];

/// `(method, path)` of every `.route("path", get(..).post(..))` in `source`, the path under
/// `prefix`. Only paths under `/__admin` count: the other APIs are Asana's and OneLogin's.
fn routes_in(source: &str, prefix: &str) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (at, _) in source.match_indices(".route(") {
        let rest = source[at + ".route(".len()..].trim_start();
        let Some(literal) = rest.strip_prefix('"') else {
            panic!(
                "a route whose path is not a literal: {}",
                &rest[..60.min(rest.len())]
            );
        };
        let path = &literal[..literal.find('"').unwrap()];
        // The route's arguments, to its closing parenthesis.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map(|(i, _)| i)
            .unwrap();
        let args = &rest[..end];
        let full = format!("{prefix}{path}");
        if !full.starts_with("/__admin") {
            continue;
        }
        for method in ["get", "put", "post", "delete", "patch"] {
            let called = args.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || !args[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if called {
                routes.insert((method.to_owned(), full.clone()));
            }
        }
    }
    routes
}

/// The part of `text` from `marker` to the end of that item (the next line that is `}`).
fn section<'a>(text: &'a str, marker: &str) -> &'a str {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not found"));
    let end = text[start..]
        .find("\n}\n")
        .map_or(text.len(), |e| start + e);
    &text[start..end]
}

fn document(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{ROOT}/docs/openapi/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if method != "parameters" {
                operations.insert((method.clone(), path.clone()));
            }
        }
    }
    operations
}

#[test]
fn every_admin_route_is_documented_and_every_documented_operation_is_routed() {
    for (name, sources) in ROUTERS {
        let mut routed = BTreeSet::new();
        for (file, part, prefix) in sources {
            let text = std::fs::read_to_string(format!("{ROOT}/{file}")).unwrap();
            let text = part.map_or(text.as_str(), |marker| section(&text, marker));
            routed.extend(routes_in(text, prefix));
        }
        let documented = documented(&document(name));
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty() && unrouted.is_empty(),
            "{name}: routed but not documented: {undocumented:?}; documented but not routed: {unrouted:?}"
        );
        assert!(routed.len() > 20, "{name}: only {routed:?} found");
    }
}

#[test]
fn the_route_reader_sees_methods_and_skips_other_apis() {
    let source = r#"
        .route("/a/{id}", get(read_a).patch(rename))
        .route("/b", axum::routing::delete(clear).post(add_b))
        .route("/c", get(|| async { json(f(1)) }))
        .route("/d", post(get_state))"#;
    let routes = routes_in(source, "/__admin");
    let expected: BTreeSet<(String, String)> = [
        ("get", "/__admin/a/{id}"),
        ("patch", "/__admin/a/{id}"),
        ("delete", "/__admin/b"),
        ("post", "/__admin/b"),
        ("get", "/__admin/c"),
        ("post", "/__admin/d"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(routes, expected);
    assert!(routes_in(source, "").is_empty(), "not under /__admin");
}

#[tokio::test]
async fn live_answers_match_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let token = "openapi-admin-token";
    let served = Served::start(dir.path(), &["--admin-token", token]).await;
    let client = harness_tls::client::new();
    for (origin, name) in [
        (served.asana_origin(), "fake-asana.json"),
        (served.onelogin_origin(), "fake-onelogin.json"),
    ] {
        // No token: the document holds nothing secret.
        let response = client
            .get(format!("{origin}/__admin/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        let served_bytes = response.bytes().await.unwrap();
        let committed = std::fs::read(format!("{ROOT}/docs/openapi/{name}")).unwrap();
        assert!(served_bytes == committed, "{name}: served document differs");
    }

    let python = crate::checkers_bin("python", "the OpenAPI validators");
    let out = tokio::process::Command::new(python)
        .arg(format!("{ROOT}/tests/openapi/check.py"))
        .arg(format!("{ROOT}/docs/openapi"))
        .args([
            served.asana_origin(),
            served.onelogin_origin(),
            token.to_owned(),
            served.token(),
        ])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for fake in ["fake-asana: ", "fake-onelogin: "] {
        assert!(text.contains(fake), "{fake} in {text}");
    }
    assert!(served.terminate().await.success());
}
