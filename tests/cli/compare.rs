//! `run --compare` against another SCIM server: `scim2-server` (PyPI), rooted at `/` where the
//! fake Asana serves SCIM under `/api/1.0/scim`. `cargo xtask test` installs it in the
//! checkers' virtualenv and names that in `SAML_PYTHON`.

use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The bearer token the server is started with: a throwaway of this test's own server.
const TOKEN: &str = "compare-test-token";

/// A non-email userName, then requests both sides answer: the differences after the first one
/// must still be reported. The userName is this file's own, so no other scenario on the same
/// server has taken it.
const NON_EMAIL_THEN_MORE: &str = r#"name: a non-email userName, then an email one, then the list
given:
  asana: { service_accounts: [{ as: sa, scope: scim }] }
steps:
  - scim_request: { method: POST, path: /Users, token: "${sa.token}", body: { userName: grace.hopper } }
  - scim_request: { method: POST, path: /Users, token: "${sa.token}", body: { userName: grace@acme.test }, expect_status: 201 }
  - scim_request: { method: GET, path: /Users, token: "${sa.token}", expect_status: 200 }
"#;

/// `scim2-server` on a free port of loopback, ready when it says where it serves (it prints
/// that once it listens); stopped when dropped.
async fn scim2_server() -> (Child, String) {
    let bin = crate::checkers_bin("scim2-server", "scim2-server");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = Command::new(bin)
        .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
        .args(["--bearer-token", TOKEN])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("scim2-server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next_line().await.unwrap().unwrap_or_default();
    assert!(
        banner.starts_with("Serving SCIM on"),
        "scim2-server did not start: {banner:?}"
    );
    (child, format!("http://127.0.0.1:{port}/"))
}

/// The method, the path's last two segments and the status of a side's line
/// (`POST /Users/{id} 201`): what is left of an exchange once its base path is set aside.
fn without_base(line: &str) -> (String, String, String) {
    let parts: Vec<&str> = line.split(' ').collect();
    let path: Vec<&str> = parts[1].rsplit('/').take(2).collect();
    (parts[0].into(), path.join("/"), parts[2].into())
}

#[tokio::test]
async fn compare_against_scim2_server_reports_every_difference_and_none_of_paths() {
    let (mut server, url) = scim2_server().await;
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("non-email-then-more.yaml");
    std::fs::write(&own, NON_EMAIL_THEN_MORE).unwrap();
    let own = own.to_str().unwrap();
    let library = "scenarios/asana-quirks/user-name-must-be-an-email.yaml";
    let patch = "scenarios/asana-quirks/name-parts-ignored-in-patch.yaml";
    let out = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--compare",
            "--format",
            "json",
            "--domain",
            "acme.test",
        ])
        .args(["--asana-scim-url", &url, "--asana-token", TOKEN])
        .args([library, patch, own, "scenarios/rfc-profile/"])
        .output()
        .await
        .expect("the binary runs");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    // Some differences no switch explains (a PATCH answered 204 there, 200 here; list
    // members' attributes): that is a finding, exit 1.
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert!(report["compared"].as_u64().unwrap() >= 4, "{report:#}");
    assert_eq!(
        report["target"]["scim_base"],
        serde_json::json!({"fake": "/api/1.0/scim", "external": "/"})
    );
    let differences = report["differences"].as_array().unwrap();
    let of = |scenario: &str| -> Vec<&Value> {
        differences
            .iter()
            .filter(|d| d["scenario"] == scenario)
            .collect()
    };

    // No difference is one of paths: both sides' lines are relative to their SCIM base, and
    // no exchange made on one side only has a counterpart on the other that differs only
    // where the base is.
    for d in differences {
        for side in ["fake", "external"] {
            if let Some(line) = d[side].as_str() {
                assert!(!line.contains("/api/1.0/scim"), "{d}");
            }
        }
    }
    for scenario in report["side_by_side"].as_array().unwrap() {
        let lines = scenario["exchanges"].as_array().unwrap();
        let alone = |side: &str, other: &str| -> Vec<(String, String, String)> {
            lines
                .iter()
                .filter(|l| l[other].is_null())
                .map(|l| without_base(l[side].as_str().unwrap()))
                .collect()
        };
        let fake_only = alone("fake", "external");
        for line in alone("external", "fake") {
            assert!(!fake_only.contains(&line), "{scenario:#}");
        }
    }

    // The library's non-email userName: the fake's 400 against the server's 201, put down to
    // the switch that says so.
    let refused = of(library);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(
        (
            &refused[0]["what"],
            &refused[0]["fake"],
            &refused[0]["external"],
            &refused[0]["switch"]
        ),
        (
            &Value::from("status"),
            &Value::from("POST /Users 400"),
            &Value::from("POST /Users 201"),
            &Value::from("username_must_be_email")
        )
    );

    // After that first difference, the same scenario's later exchanges are still compared.
    let own_differences = of(own);
    assert_eq!(own_differences[0]["what"], "status", "{own_differences:?}");
    assert_eq!(own_differences[0]["switch"], "username_must_be_email");
    let later: Vec<(u64, &str)> = own_differences[1..]
        .iter()
        .map(|d| (d["exchange"].as_u64().unwrap(), d["what"].as_str().unwrap()))
        .collect();
    assert!(later.contains(&(2, "meta")), "{later:?}");
    assert!(later.contains(&(3, "startIndex")), "{later:?}");

    // A parting: the PATCH answered differently, then an exchange the fake makes alone.
    let parted = of(patch);
    let whats: Vec<(u64, &str)> = parted
        .iter()
        .map(|d| (d["exchange"].as_u64().unwrap(), d["what"].as_str().unwrap()))
        .collect();
    let status = whats.iter().position(|w| w.1 == "status").unwrap();
    assert!(
        whats[status + 1..].iter().any(|w| w.1 == "request"),
        "{parted:?}"
    );
    server.kill().await.unwrap();
}
