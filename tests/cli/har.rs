//! HAR 1.2: `run --har DIR` writes both hops per scenario, and both fakes' journals answer
//! `?format=har`; every file is read by an independent validator (npm `har-validator`, which
//! `cargo xtask test` installs).

use std::path::{Path, PathBuf};

use crate::Served;

pub fn validate(files: &[PathBuf]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let modules = std::env::var_os("HAR_VALIDATOR_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/npm/node_modules"));
    assert!(
        modules.join("har-validator").exists(),
        "har-validator is not installed: run `cargo xtask test`"
    );
    let out = std::process::Command::new("node")
        .arg(root.join("tests/har/validate.js"))
        .args(files)
        .env("HAR_VALIDATOR_DIR", modules)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn run_writes_one_valid_har_per_scenario_with_both_hops() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "scenarios/approval-gating/create-waits-for-approval.yaml",
            "scenarios/token-validation",
            "--har",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 2, "{files:?}");
    let checked = validate(&files);
    assert_eq!(
        checked.lines().filter(|l| l.starts_with("valid")).count(),
        files.len()
    );

    let one = dir
        .path()
        .join("scenarios__approval-gating__create-waits-for-approval.har");
    let har: serde_json::Value = serde_json::from_slice(&std::fs::read(&one).unwrap()).unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    let hops: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["comment"].as_str())
        .collect();
    assert!(
        hops.contains(&"onelogin") && hops.contains(&"scim"),
        "{hops:?}"
    );
    // Content types as they went over the wire: OneLogin posts SCIM as `application/scim+json`
    // (the provisioner's own header), the harness's OneLogin calls are JSON, and each answer
    // keeps the type the fake served (plain JSON for SCIM, Asana's default dialect).
    let posts = |hop: &str| -> Vec<&serde_json::Value> {
        entries
            .iter()
            .filter(|e| e["comment"] == hop && e["request"]["method"] == "POST")
            .collect()
    };
    let scim_posts = posts("scim");
    assert!(!scim_posts.is_empty(), "{entries:?}");
    for e in scim_posts {
        assert_eq!(
            e["request"]["postData"]["mimeType"],
            "application/scim+json"
        );
        assert_eq!(
            e["request"]["headers"],
            serde_json::json!([{"name": "content-type", "value": "application/scim+json"}])
        );
        assert_eq!(e["response"]["content"]["mimeType"], "application/json");
    }
    for e in posts("onelogin") {
        assert_eq!(
            e["request"]["headers"][0]["value"], "application/json",
            "{e}"
        );
    }
    // Redacted as transcripts are: no token reaches a HAR file.
    let text = String::from_utf8(std::fs::read(&one).unwrap()).unwrap();
    assert!(text.contains("[secret]"), "the pasted token is redacted");
    assert!(!text.contains(":0123456789abcdef"));
}

#[tokio::test]
async fn both_journals_answer_as_har() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let client = harness_tls::client::new();
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let token = served.token();
    // SCIM answers as RFC 7644's `application/scim+json`, so that no default could pass for it.
    let config = crate::admin(
        &client,
        reqwest::Method::PUT,
        format!("{asana}/__admin/config"),
    )
    .json(&serde_json::json!({"switches": {"plain_json_content_type": false}}))
    .send()
    .await
    .unwrap();
    assert_eq!(config.status(), 200);
    // Something in each journal: a SCIM read, and an Enable test's outbound calls.
    let read = client
        .get(format!("{asana}/api/1.0/scim/Users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let served_type = read.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        served_type.starts_with("application/scim+json"),
        "{served_type}"
    );
    client
        .put(format!("{onelogin}/__admin/apps/100001/provisioning"))
        .json(&serde_json::json!({"token": token}))
        .send()
        .await
        .unwrap();
    crate::admin(
        &client,
        reqwest::Method::POST,
        format!("{onelogin}/__admin/apps/100001/enable"),
    )
    .send()
    .await
    .unwrap();
    let mut files = Vec::new();
    for (name, url) in [
        ("asana", format!("{asana}/__admin/requests?format=har")),
        (
            "onelogin",
            format!("{onelogin}/__admin/requests?format=har"),
        ),
    ] {
        let r = client.get(url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        let har: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(
            !har["log"]["entries"].as_array().unwrap().is_empty(),
            "{name}: {har}"
        );
        // Each answer keeps the content type its server sent: here the fake Asana's SCIM
        // answers, to the SCIM read above and to OneLogin's Enable test.
        let first = &har["log"]["entries"][0]["response"];
        assert_eq!(first["content"]["mimeType"], served_type.as_str(), "{name}");
        assert_eq!(
            first["headers"],
            serde_json::json!([{"name": "content-type", "value": served_type}]),
            "{name}"
        );
        let file = dir.path().join(format!("{name}.har"));
        std::fs::write(&file, &body).unwrap();
        files.push(file);
    }
    validate(&files);
    let bad = client
        .get(format!("{asana}/__admin/requests?format=xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(served.terminate().await.success());
}
