//! Secrets stay secret: tokens and client secrets never reach logs, journals or error messages;
//! the admin side is not exposed off loopback without a token; and both fakes answer only the
//! names (`Host`) they are reached by, `--allow-host` adding some.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

const ASANA_TOKEN: &str = "2/1200000000000101/1200000000000102:0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn secrets_never_reach_logs_journals_or_error_messages() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(crate::SERVE_ON_FREE_PORTS)
        .args(["--log-format", "json", "--credentials-out"])
        .arg(&creds)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let logs = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if line.starts_with("Stop with") {
            break;
        }
    }
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(&creds).unwrap()).unwrap();
    let asana = c["asana"]["base_url"]
        .as_str()
        .unwrap()
        .trim_end_matches("/api/1.0")
        .to_owned();
    let onelogin = c["onelogin"]["base_url"].as_str().unwrap().to_owned();

    // The README's KB flow, plus wrong credentials, so that errors are exercised too.
    let readme = include_str!("../../README.md");
    let script = readme
        .split("## The KB article, end to end, with curl")
        .nth(1)
        .unwrap()
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("\n```")
        .next()
        .unwrap();
    let script = script
        .replace("http://127.0.0.1:7480", &asana)
        .replace("http://127.0.0.1:7481", &onelogin);
    let out = tokio::process::Command::new("sh")
        .args(["-ec", &script])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let onelogin_token = {
        let client = harness_tls::client::new();
        let body: serde_json::Value = client
            .post(format!("{onelogin}/auth/oauth2/v2/token"))
            .basic_auth("demo-client-id", Some("demo-client-secret"))
            .json(&serde_json::json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    };
    let client = harness_tls::client::new();
    let mut seen = String::new();
    for (url, auth) in [
        (
            format!("{asana}/api/1.0/scim/Users"),
            Some(format!("Bearer {ASANA_TOKEN}x")),
        ),
        (
            format!("{onelogin}/api/2/users"),
            Some(format!("Bearer {onelogin_token}x")),
        ),
        (
            format!("{onelogin}/api/2/users/1"),
            Some(format!("Bearer {onelogin_token}")),
        ),
    ] {
        let mut r = client.get(url);
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        seen += &r.send().await.unwrap().text().await.unwrap();
    }
    let wrong = client
        .post(format!("{onelogin}/auth/oauth2/v2/token"))
        .basic_auth("demo-client-id", Some("demo-client-secret-wrong"))
        .body("{}")
        .send()
        .await
        .unwrap();
    seen += &wrong.text().await.unwrap();
    for journal in [
        format!("{asana}/__admin/requests"),
        format!("{onelogin}/__admin/requests"),
        format!("{asana}/__admin/state"),
    ] {
        seen += &client
            .get(journal)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    for page in [
        "/admin/apps/100001/configuration",
        "/admin/provisioning",
        "/admin/users/100003",
    ] {
        seen += &client
            .get(format!("{onelogin}{page}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    let pid = child.id().unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    child.wait().await.unwrap();
    let logs = logs.await.unwrap();
    assert!(
        logs.contains("provisioning task ran"),
        "trace logs were captured: {}",
        &logs[..logs.len().min(500)]
    );
    for (what, secret) in [
        ("the Asana token", ASANA_TOKEN),
        ("the OneLogin client secret", "demo-client-secret"),
        ("a OneLogin access token", onelogin_token.as_str()),
    ] {
        assert!(!logs.contains(secret), "{what} is in the logs");
        assert!(
            !seen.contains(secret),
            "{what} is in a journal, page or error message"
        );
    }
}

/// Beyond loopback no fixed demo secret is served: without `--credentials-out` (where minted
/// secrets go) serve refuses to start; with it, the admin token, the service account's token and
/// the OneLogin credential are minted, written there, and printed nowhere; the environment's
/// are taken as given.
#[tokio::test]
async fn beyond_loopback_the_secrets_are_minted_or_given_never_the_demo_ones() {
    let exposed = [
        "--asana-addr",
        "0.0.0.0:0",
        "--onelogin-addr",
        "127.0.0.1:0",
    ];
    let refused = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .arg("serve")
        .args(exposed)
        .env_remove("ASANA_HARNESS_CREDENTIALS_OUT")
        .output()
        .await
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("--credentials-out") && said.contains("ASANA_HARNESS_ADMIN_TOKEN"),
        "{said}"
    );

    let dir = tempfile::tempdir().unwrap();
    let served = crate::Served::start_with(dir.path(), exposed, &[]).await;
    let creds = &served.credentials;
    let minted = [
        creds["admin_token"].as_str().unwrap(),
        creds["asana"]["service_account_token"].as_str().unwrap(),
        creds["onelogin"]["client_secret"].as_str().unwrap(),
    ];
    assert_ne!(minted[1], ASANA_TOKEN);
    assert_ne!(minted[2], "demo-client-secret");
    assert_ne!(creds["onelogin"]["client_id"], "demo-client-id");
    for secret in minted {
        assert!(secret.len() >= 32, "{secret} is 128 bits or more");
        assert!(
            !served.banner.contains(secret),
            "a minted secret is printed"
        );
    }
    let client = harness_tls::client::new();
    let asana = served.asana_origin();
    let demo = client
        .get(format!("{asana}/api/1.0/scim/Users"))
        .bearer_auth(ASANA_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(demo.status(), 401, "the demo token is not served");
    let admin = client
        .get(format!("{asana}/__admin/state"))
        .bearer_auth(minted[0])
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin.status(),
        200,
        "the minted admin token opens the admin API"
    );
    assert!(served.terminate().await.success());

    // Given through the environment: used as given.
    let dir = tempfile::tempdir().unwrap();
    let given = [
        ("ASANA_HARNESS_ADMIN_TOKEN", "ci-admin-token"),
        (
            "ASANA_HARNESS_SERVICE_ACCOUNT_TOKEN",
            "2/1/2:ci-service-account-token",
        ),
        ("ASANA_HARNESS_ONELOGIN_CLIENT_ID", "ci-client"),
        ("ASANA_HARNESS_ONELOGIN_CLIENT_SECRET", "ci-client-secret"),
    ];
    let served = crate::Served::start_with(dir.path(), exposed, &given).await;
    assert_eq!(served.credentials["admin_token"], "ci-admin-token");
    assert_eq!(served.token(), "2/1/2:ci-service-account-token");
    assert_eq!(served.credentials["onelogin"]["client_id"], "ci-client");
    assert_eq!(
        served.credentials["onelogin"]["client_secret"],
        "ci-client-secret"
    );
    let scim = client
        .get(format!("{}/Users", served.scim_url()))
        .bearer_auth(served.token())
        .send()
        .await
        .unwrap();
    assert_eq!(scim.status(), 200);
    assert!(served.terminate().await.success());
}

/// `--admin-token` on loopback: both fakes' admin sides and consoles require it.
#[tokio::test]
async fn an_admin_token_is_then_required() {
    let dir = tempfile::tempdir().unwrap();
    let served = crate::Served::start(dir.path(), &["--admin-token", "let-me-in"]).await;
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let client = harness_tls::client::new();
    for url in [
        format!("{asana}/__admin/state"),
        format!("{asana}/admin/members"),
        format!("{onelogin}/__admin/provisioning/tasks"),
        format!("{onelogin}/admin/users"),
    ] {
        let r = client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 401, "{url}");
        assert!(
            r.headers().contains_key("www-authenticate"),
            "browsers prompt for it"
        );
        assert_eq!(
            client
                .get(&url)
                .bearer_auth("let-me-in")
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "{url}"
        );
        assert_eq!(
            client
                .get(&url)
                .basic_auth("admin", Some("let-me-in"))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "{url}"
        );
    }
    let scim = client
        .get(format!("{asana}/api/1.0/scim/Users"))
        .bearer_auth(served.token())
        .send()
        .await
        .unwrap();
    assert_eq!(
        scim.status(),
        200,
        "the APIs themselves keep their own auth"
    );
    assert!(served.terminate().await.success());
}

/// `serve --allow-host ci-asana`: a name a CI job or compose file uses reaches both fakes, as
/// loopback names do; any other name is refused with 421, naming the flag. A name that cannot
/// be one is exit 2, from the flag or from `ASANA_HARNESS_ALLOW_HOSTS`.
#[tokio::test]
async fn serve_answers_the_allowed_host_names_and_no_others() {
    let dir = tempfile::tempdir().unwrap();
    let served = crate::Served::start(dir.path(), &["--allow-host", "ci-asana"]).await;
    let client = harness_tls::client::new();
    for origin in [served.asana_origin(), served.onelogin_origin()] {
        let port = origin.rsplit(':').next().unwrap().to_owned();
        for (host, expected) in [
            (format!("ci-asana:{port}"), 200),
            ("ci-asana".to_owned(), 200),
            (format!("localhost:{port}"), 200),
            (format!("127.0.0.1:{port}"), 200),
            (format!("evil.example:{port}"), 421),
            (format!("ci-onelogin:{port}"), 421),
        ] {
            let r = client
                .get(format!("{origin}/__admin/requests"))
                .header("host", &host)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), expected, "{origin} {host}");
            if expected == 421 {
                let body = r.text().await.unwrap();
                assert!(body.contains("--allow-host"), "{body}");
            }
        }
    }
    assert!(served.terminate().await.success());

    let out = crate::Served::refused(&["--allow-host".as_ref(), "ci asana/x".as_ref()]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-host"));
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(crate::SERVE_ON_FREE_PORTS)
        .env("ASANA_HARNESS_ALLOW_HOSTS", "ci-asana,evil@example")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("evil@example"));
}
