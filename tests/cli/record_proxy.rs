//! `record`, one exchange at a time, between a client and the fake Asana served by `serve`: the
//! client gets exactly the upstream's answers (status, headers, body, errors included); an
//! HTTPS upstream is reached with `--ca-cert` and refused without; an unreachable one is a
//! recorded 502; bad flags exit 2 saying what to do.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::Served;
use crate::record::{Recording, read_har};

/// The headers a client compares: all but the date, which differs between two answers.
fn headers(response: &reqwest::Response) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(n, _)| *n != "date")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_client_gets_the_upstreams_answers_as_they_came() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let har = dir.path().join("c.har");
    let scim = served.scim_url();
    let recording = Recording::start(&scim, &har, &[]).await;
    let client = harness_tls::client::new();
    let token = served.token();
    let via = recording.origin.clone();
    // The same request to both: status, headers and body agree, errors included.
    let lookups: [(&str, Option<&str>); 5] = [
        (
            "/Users?filter=userName%20eq%20%22ada%40acme.test%22",
            Some(&token),
        ),
        ("/Users?count=2&startIndex=1", Some(&token)),
        ("/Users", None),
        ("/Users/1", Some(&token)),
        ("/ServiceProviderConfig", Some(&token)),
    ];
    for (path, bearer) in lookups {
        let send = |base: &str| {
            let mut request = client.get(format!("{base}{path}"));
            if let Some(t) = bearer {
                request = request.bearer_auth(t);
            }
            request.send()
        };
        let (direct, proxied) = (send(&scim).await.unwrap(), send(&via).await.unwrap());
        assert_eq!(proxied.status(), direct.status(), "{path}");
        assert_eq!(headers(&proxied), headers(&direct), "{path}");
        assert_eq!(
            proxied.bytes().await.unwrap(),
            direct.bytes().await.unwrap(),
            "{path}"
        );
    }
    // A create: 201 with the upstream's answer; the same create again is the upstream's 409,
    // word for word.
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "nia@acme.test", "name": {"givenName": "Nia", "familyName": "Ode"}});
    let create = |base: &str| {
        client
            .post(format!("{base}/Users"))
            .bearer_auth(&token)
            .header("content-type", "application/scim+json")
            .body(user.to_string())
            .send()
    };
    let created = create(&via).await.unwrap();
    assert_eq!(created.status(), 201);
    let created_type = created.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = created.json().await.unwrap();
    let again_direct = create(&scim).await.unwrap();
    let again_proxied = create(&via).await.unwrap();
    assert_eq!(again_proxied.status(), again_direct.status());
    assert_eq!(again_proxied.status(), 409);
    assert_eq!(headers(&again_proxied), headers(&again_direct));
    assert_eq!(
        again_proxied.text().await.unwrap(),
        again_direct.text().await.unwrap()
    );

    let (status, _) = recording.interrupt().await;
    assert_eq!(status.code(), Some(0));
    let (text, entries) = read_har(&har);
    assert_eq!(entries.len(), 7);
    let post = &entries[5];
    assert_eq!(post["request"]["url"], format!("{scim}/Users"));
    assert_eq!(
        post["request"]["postData"]["mimeType"],
        "application/scim+json"
    );
    assert_eq!(post["response"]["content"]["mimeType"], created_type);
    assert_eq!(
        serde_json::from_str::<Value>(post["response"]["content"]["text"].as_str().unwrap())
            .unwrap(),
        body
    );
    assert_eq!(
        entries[0]["request"]["url"],
        format!("{scim}{}", lookups[0].0)
    );
    assert!(!text.contains(&token));
}

#[tokio::test]
async fn an_https_upstream_is_reached_with_ca_cert_and_refused_without() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    let ca_arg = ca_dir.display().to_string();
    let served = Served::start(dir.path(), &["--tls", "--tls-ca", &ca_arg]).await;
    let ca = served.credentials["tls_ca"].as_str().unwrap().to_owned();
    let scim = served.scim_url();
    assert!(scim.starts_with("https://"), "{scim}");
    let client = harness_tls::client::new();
    let users = |origin: &str| {
        client
            .get(format!("{origin}/Users?count=1"))
            .bearer_auth(served.token())
            .send()
    };

    let trusted_har = dir.path().join("tls.har");
    let trusted = Recording::start(&scim, &trusted_har, &["--ca-cert", &ca]).await;
    let answer = users(&trusted.origin).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains("ListResponse"));
    trusted.interrupt().await;
    let (_, entries) = read_har(&trusted_har);
    assert_eq!(entries[0]["response"]["status"], 200);
    assert_eq!(
        entries[0]["request"]["url"],
        format!("{scim}/Users?count=1")
    );

    let untrusted_har = dir.path().join("untrusted.har");
    let untrusted = Recording::start(&scim, &untrusted_har, &[]).await;
    let refused = users(&untrusted.origin).await.unwrap();
    assert_eq!(refused.status(), 502);
    let said = refused.text().await.unwrap();
    assert!(said.contains("certificate"), "{said}");
    untrusted.interrupt().await;
    let (_, entries) = read_har(&untrusted_har);
    assert_eq!(entries[0]["response"]["status"], 0);
    assert!(
        entries[0]["comment"]
            .as_str()
            .unwrap()
            .contains("certificate")
    );
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_recorded_as_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let to = format!("http://{}/api/1.0/scim", closed.local_addr().unwrap());
    drop(closed);
    let har = dir.path().join("down.har");
    let recording = Recording::start(&to, &har, &[]).await;
    let answer = harness_tls::client::new()
        .get(format!("{}/Users", recording.origin))
        .bearer_auth("2/1/2:0123456789abcdef0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    let said = answer.text().await.unwrap();
    assert!(
        said.contains(&format!("no answer from the upstream {to}/Users")),
        "{said}"
    );
    assert!(said.contains("Check that it is up"), "{said}");
    // SIGTERM, as a container engine stops it, is as clean as Ctrl-C.
    let (status, said) = recording.signal("-TERM").await;
    assert_eq!(status.code(), Some(0));
    assert!(said.contains("the capture is in"), "{said}");
    crate::har::validate(std::slice::from_ref(&har) as &[PathBuf]);
    let (text, entries) = read_har(&har);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["response"]["status"], 0);
    let comment = entries[0]["comment"].as_str().unwrap();
    assert!(
        comment.starts_with("no answer from the upstream: "),
        "{comment}"
    );
    assert!(!text.contains("0123456789abcdef"), "the token is redacted");
}

#[tokio::test]
async fn bad_flags_exit_2_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("x.har");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .args(["record", "--listen", "127.0.0.1:0", "--har"])
            .arg(&har)
            .args(args)
            .output()
            .unwrap()
    };
    let not_http = run(&["--to", "ftp://example.test/scim"]);
    assert_eq!(not_http.status.code(), Some(2));
    let said = String::from_utf8_lossy(&not_http.stderr);
    assert!(said.contains("the scheme must be http or https"), "{said}");
    assert!(said.contains("give the SCIM base URL"), "{said}");
    let no_ca = run(&[
        "--to",
        "https://example.test/scim",
        "--ca-cert",
        "missing.pem",
    ]);
    assert_eq!(no_ca.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_ca.stderr).contains("--ca-cert missing.pem"));
    let unwritable = std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args([
            "record",
            "--listen",
            "127.0.0.1:0",
            "--to",
            "http://127.0.0.1:9/",
        ])
        .arg("--har")
        .arg(dir.path().join("no-such-dir/x.har"))
        .output()
        .unwrap();
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("cannot write the capture"));
}
