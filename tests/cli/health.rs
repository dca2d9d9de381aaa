//! Readiness and health: `GET /__admin/health` on both fakes answers without the admin token and
//! says nothing secret; `asana-harness health` probes it (exit 0 healthy, 1 not); a log that
//! is not a terminal carries no colour codes; a system without CA roots still serves, and says
//! what that means.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::{SERVE_ON_FREE_PORTS, Served};

async fn health(urls: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_asana-harness"));
    command.arg("health");
    for url in urls {
        command.args(["--url", url]);
    }
    command.output().await.expect("the binary runs")
}

#[tokio::test]
async fn both_fakes_answer_health_without_the_admin_token_and_the_command_probes_them() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &["--admin-token", "health-check-secret"]).await;
    let client = harness_tls::client::new();
    for (origin, service) in [
        (served.asana_origin(), "fake-asana"),
        (served.onelogin_origin(), "fake-onelogin"),
    ] {
        let r = client
            .get(format!("{origin}/__admin/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{origin}");
        let text = r.text().await.unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["status"], "ok");
        assert_eq!(doc["service"], service);
        assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"));
        assert!(doc["uptime_seconds"].is_u64(), "{doc}");
        assert!(!text.contains("health-check-secret"), "{text}");
        assert!(!text.contains(&served.token()), "{text}");
        // The rest of the admin side still needs the token.
        let guarded = client
            .get(format!("{origin}/__admin/requests"))
            .send()
            .await
            .unwrap();
        assert_eq!(guarded.status(), 401, "{origin}");
    }
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let ok = health(&[&asana, &onelogin]).await;
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}");
    assert!(
        stdout.contains("fake-asana") && stdout.contains("fake-onelogin"),
        "{stdout}"
    );

    // A port nobody serves: exit 1, saying which.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let down = health(&[&asana, &closed]).await;
    let stdout = String::from_utf8_lossy(&down.stdout);
    assert_eq!(down.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&format!("{closed}: unhealthy")), "{stdout}");
    served.terminate().await;
}

/// `serve` on free ports with `env`, until ready, then stopped with SIGTERM: its log.
async fn serve_and_stop(env: &[(&str, &str)]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(SERVE_ON_FREE_PORTS)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line.starts_with("Stop with") {
            break;
        }
    }
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn a_log_that_is_not_a_terminal_has_no_colour_codes() {
    let log = serve_and_stop(&[]).await;
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a redirected log: {log:?}"
    );
}

#[tokio::test]
async fn without_ca_roots_serve_starts_and_says_what_https_can_reach() {
    // What a minimal image without a CA bundle looks like to the TLS stack.
    let log = serve_and_stop(&[
        ("SSL_CERT_FILE", "/nonexistent/ca.pem"),
        ("SSL_CERT_DIR", "/nonexistent"),
    ])
    .await;
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        log.contains("no CA certificates could be loaded") && log.contains("--ca-cert"),
        "{log}"
    );
}
