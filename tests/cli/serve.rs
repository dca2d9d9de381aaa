//! `asana-harness serve`.

use crate::Served;

#[tokio::test]
async fn serve_is_ready_with_credentials_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    assert!(served.scim_url().ends_with("/api/1.0/scim"));
    assert!(
        served.credentials["asana"]["base_url"]
            .as_str()
            .unwrap()
            .ends_with("/api/1.0")
    );
    let response = harness_tls::client::new()
        .get(format!(
            "{}/Users?filter=userName eq \"grace@acme.test\"",
            served.scim_url()
        ))
        .bearer_auth(served.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["Resources"][0]["name"]["formatted"], "Grace Hopper",
        "the demo organization is seeded"
    );
    assert!(served.banner.contains(&served.token()));
    let status = served.terminate().await;
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn serve_takes_a_profile_and_a_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("customer.yaml");
    std::fs::write(&fixture, "organizations:\n  - name: Initech\n    domains: [initech.test]\n    users:\n      - { email: peter@initech.test, name: Peter Gibbons }\n").unwrap();
    let served = Served::start(
        dir.path(),
        &["--profile", "rfc", "--fixture", fixture.to_str().unwrap()],
    )
    .await;
    let body: serde_json::Value = harness_tls::client::new()
        .get(format!("{}/Users", served.scim_url()))
        .bearer_auth(served.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["Resources"][0]["userName"], "peter@initech.test");
    assert_eq!(
        body["Resources"][0]["meta"]["resourceType"], "User",
        "the rfc profile has meta"
    );
    assert!(served.terminate().await.success());
}

#[tokio::test]
async fn a_bad_fixture_is_exit_2_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("broken.yaml");
    std::fs::write(
        &fixture,
        "organizations:\n  - name: X\n    domian: [x.test]\n",
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(["serve", "--asana-addr", "127.0.0.1:0", "--fixture"])
        .arg(&fixture)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.yaml") && stderr.contains("domian"),
        "{stderr}"
    );
}

/// `--idp-key DIR`: OneLogin signs with that pair, so its metadata carries that certificate on
/// every start; a folder without the pair, or with a key that is not one, is bad input.
#[tokio::test]
async fn serve_signs_with_a_given_idp_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/saml");
    let served = Served::start(dir.path(), &["--idp-key", keys]).await;
    let metadata_url = served.credentials["onelogin"]["metadata_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let metadata = harness_tls::client::new()
        .get(&metadata_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pem = std::fs::read_to_string(format!("{keys}/idp.cert.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(metadata.contains(&body), "{metadata}");
    assert!(served.terminate().await.success());

    let empty = tempfile::tempdir().unwrap();
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("idp.key.pem"), "not a key").unwrap();
    std::fs::write(broken.path().join("idp.cert.pem"), &pem).unwrap();
    for (folder, says) in [(empty.path(), "idp.key.pem"), (broken.path(), "key")] {
        let out = Served::refused(&["--idp-key".as_ref(), folder.as_os_str()]).await;
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[tokio::test]
async fn a_taken_port_is_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(["serve", "--asana-addr", &addr])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot bind"));
}

#[tokio::test]
async fn unknown_flags_and_profiles_are_exit_2() {
    for args in [
        vec!["serve", "--profile", "okta"],
        vec!["serve", "--nope"],
        vec!["fly"],
    ] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .args(&args)
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// A request still arriving when SIGTERM comes (a client sending its body slowly) does not hold
/// the process: it is given a grace period, then cut, the state is saved, and the process is
/// gone within the 5 s a container engine is promised.
#[tokio::test]
async fn sigterm_with_a_request_in_flight_still_stops_within_five_seconds_and_saves() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let served = Served::start(dir.path(), &["--state", state.to_str().unwrap()]).await;
    std::fs::remove_file(&state).unwrap();
    let origin = served.asana_origin();
    let addr = origin.trim_start_matches("http://");
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(
        format!(
            "POST /api/1.0/scim/Users HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{{\"userName\":",
            served.token()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    slow.flush().await.unwrap();
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(5), served.terminate()).await;
    let status = stopped.expect("serve stops within 5 s of SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(state.exists(), "the state is saved on the way out");
}
