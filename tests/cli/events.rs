//! OneLogin's official Python SDK reads the fake's Events API unchanged, against `serve`: the
//! Enable, a direct assignment, and the provisioning it caused are there. It also parses the
//! app's `sso` and `configuration` (fidelity/onelogin §3.4), which `doctor` reads.

use reqwest::Method;

use crate::{Served, admin};

#[tokio::test]
async fn the_official_python_sdk_reads_events() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let onelogin = served.onelogin_origin();
    let client = harness_tls::client::new();
    let ok = |r: reqwest::Response| assert!(r.status().is_success(), "{}", r.status());
    ok(client
        .put(format!("{onelogin}/__admin/apps/100001/provisioning"))
        .json(&serde_json::json!({"token": served.token(), "enabled": true}))
        .send()
        .await
        .unwrap());
    ok(admin(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/apps/100001/enable"),
    )
    .send()
    .await
    .unwrap());
    ok(admin(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/users/100002/apps/100001"),
    )
    .send()
    .await
    .unwrap());
    ok(admin(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/provisioning/run"),
    )
    .send()
    .await
    .unwrap());

    let root = env!("CARGO_MANIFEST_DIR");
    let python = crate::checkers_bin("python", "the OneLogin SDK");
    let out = tokio::process::Command::new(python)
        .arg(format!("{root}/tests/onelogin/sdk_events.py"))
        .args([&onelogin, "demo-client-id", "demo-client-secret", "100001"])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "event 9030 None",
        "event 9001 100002",
        "event 9010 100002",
        "sso https://app.onelogin.com/saml/metadata/100001 1 -----BEGIN CERTIFICATE-----",
        "configuration SHA-1 1",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(served.terminate().await.success());
}
