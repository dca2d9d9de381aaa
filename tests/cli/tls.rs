//! `serve --tls`: both fakes on HTTPS with the harness's CA, as curl, an HTTPS-only client and
//! `run --ca-cert` see it; and the TLS reason when the CA is not trusted.

use std::path::Path;

use crate::Served;

async fn tool(program: &str, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program} runs: {e}"))
}

#[tokio::test]
async fn serve_tls_works_with_curl_an_https_only_client_and_run_ca_cert() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    let ca_arg = ca_dir.display().to_string();
    let served = Served::start(dir.path(), &["--tls", "--tls-ca", &ca_arg]).await;
    let ca = served.credentials["tls_ca"].as_str().unwrap().to_owned();
    assert!(Path::new(&ca).exists(), "{ca}");
    assert!(served.banner.contains(&ca), "{}", served.banner);
    let (scim, token) = (served.scim_url(), served.token());
    assert!(scim.starts_with("https://"), "{scim}");
    assert!(served.onelogin_origin().starts_with("https://"));
    let users = format!("{scim}/Users");
    let bearer = format!("Authorization: Bearer {token}");

    // curl with the CA; without it, curl refuses the certificate (exit 60).
    let ok = tool("curl", &["-sf", "--cacert", &ca, "-H", &bearer, &users]).await;
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("ListResponse"));
    let untrusted = tool("curl", &["-sf", "-H", &bearer, &users]).await;
    assert_eq!(untrusted.status.code(), Some(60));

    // An HTTPS-only client that verifies the chain, and refuses plain HTTP.
    let node = tool("node", &["tests/tls/https_client.js", &users, &ca, &token]).await;
    assert_eq!(String::from_utf8_lossy(&node.stdout).trim(), "status 200");
    let plain = users.replacen("https://", "http://", 1);
    let refused = tool("node", &["tests/tls/https_client.js", &plain, &ca]).await;
    assert!(String::from_utf8_lossy(&refused.stdout).starts_with("refused ERR_INVALID_PROTOCOL"));
    let wrong_ca = tool(
        "node",
        &[
            "tests/tls/https_client.js",
            &users,
            "fixtures/saml/idp.cert.pem",
        ],
    )
    .await;
    assert!(String::from_utf8_lossy(&wrong_ca.stdout).starts_with("error "));

    // OneLogin's own npm SDK, which forces https, reads the Asana app through the fake
    // OneLogin; given http:// it cannot, and without the CA it refuses the certificate.
    let modules = std::env::var("NPM_MODULES_DIR")
        .unwrap_or_else(|_| format!("{}/target/npm/node_modules", env!("CARGO_MANIFEST_DIR")));
    assert!(
        Path::new(&modules).join("@onelogin/sdk").exists(),
        "@onelogin/sdk is not installed: run `cargo xtask test`"
    );
    let onelogin = served.onelogin_origin();
    let sdk = |base: String, trust: bool| {
        let mut cmd = tokio::process::Command::new("node");
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "tests/tls/onelogin_sdk.js",
                &base,
                "demo-client-id",
                "demo-client-secret",
                "100001",
            ])
            .env("NPM_MODULES_DIR", &modules);
        if trust {
            cmd.env("NODE_EXTRA_CA_CERTS", &ca);
        }
        async move { cmd.output().await.unwrap() }
    };
    let read = sdk(onelogin.clone(), true).await;
    assert!(
        String::from_utf8_lossy(&read.stdout).contains("app Asana"),
        "{}",
        String::from_utf8_lossy(&read.stdout)
    );
    assert!(read.status.success());
    let plain = sdk(onelogin.replacen("https://", "http://", 1), true).await;
    assert!(!plain.status.success(), "the SDK forces https");
    let untrusted = sdk(onelogin, false).await;
    assert!(!untrusted.status.success());
    assert!(String::from_utf8_lossy(&untrusted.stdout).contains("unable to verify"));

    // run --ca-cert: the scenarios reach the HTTPS endpoint; without it, Enable fails with the
    // TLS reason, as OneLogin reports it.
    let exe = env!("CARGO_BIN_EXE_asana-harness");
    let base = [
        "run",
        "scenarios/token-validation/valid-token-connects.yaml",
        "--asana-scim-url",
        &scim,
        "--asana-token",
        &token,
        "--domain",
        "acme.test",
    ];
    let mut with_ca = base.to_vec();
    with_ca.extend(["--ca-cert", &ca]);
    let trusted = tool(exe, &with_ca).await;
    assert_eq!(
        trusted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&trusted.stdout)
    );
    let without = tool(exe, &base).await;
    assert_eq!(without.status.code(), Some(1));
    let report = String::from_utf8_lossy(&without.stdout);
    assert!(report.contains("invalid peer certificate"), "{report}");

    // The CA is kept: a second serve with the same folder uses the same one.
    let before = std::fs::read_to_string(&ca).unwrap();
    assert!(served.terminate().await.success());
    let again = Served::start(dir.path(), &["--tls", "--tls-ca", &ca_arg]).await;
    assert_eq!(std::fs::read_to_string(&ca).unwrap(), before);
    let users = format!("{}/Users", again.scim_url());
    let ok = tool("curl", &["-sf", "--cacert", &ca, "-H", &bearer, &users]).await;
    assert!(ok.status.success());
    assert!(again.terminate().await.success());
}
