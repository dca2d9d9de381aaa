//! `record`: the recording SCIM proxy between a real client and a real server over loopback.
//! The fake OneLogin provisions the KB article's people through it into the fake Asana; a
//! client gets exactly the upstream's answers; the capture is valid HAR (the independent
//! validator reads it), holds no token, and with `--pseudonymize` no person's email or name;
//! an HTTPS upstream is reached with `--ca-cert`; an unreachable one is a recorded 502.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::{Served, admin};

/// The demo people of `serve`'s OneLogin directory (ids 100002 to 100011), as the KB article
/// provisions them.
const PEOPLE: [(&str, &str, &str); 10] = [
    ("ada@acme.test", "Ada", "Lovelace"),
    ("grace@acme.test", "Grace", "Hopper"),
    ("alan@acme.test", "Alan", "Turing"),
    ("katherine@acme.test", "Katherine", "Johnson"),
    ("margaret@acme.test", "Margaret", "Hamilton"),
    ("edsger@acme.test", "Edsger", "Dijkstra"),
    ("barbara@acme.test", "Barbara", "Liskov"),
    ("donald@acme.test", "Donald", "Knuth"),
    ("frances@acme.test", "Frances", "Allen"),
    ("cleo@agency.test", "Cleo", "Contractor"),
];

/// The creates: Grace already has Asana in the demo organization, so OneLogin links her (a
/// lookup, then a PUT) and creates the other nine.
const CREATED: usize = 9;

/// The people an Asana lookup then finds: Acme's. Cleo's domain is not the organization's.
const ACME: usize = 9;

/// A running `record`, its stdout read up to the banner's last line.
struct Recording {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    origin: String,
}

impl Recording {
    async fn start(to: &str, har: &Path, extra: &[&str]) -> Recording {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .args(["record", "--listen", "127.0.0.1:0", "--to", to, "--har"])
            .arg(har)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut origin = None;
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("SCIM base URL for the client: ") {
                origin = Some(url.to_owned());
            }
            if line.starts_with("Stop with") {
                break;
            }
        }
        Recording {
            child,
            lines,
            origin: origin.expect("the banner names the client's base URL"),
        }
    }

    /// Ctrl-C, as a person stops it: the exit status and what it printed after the banner.
    async fn interrupt(self) -> (ExitStatus, String) {
        self.signal("-INT").await
    }

    /// Stops it with a signal (`-INT`, `-TERM`).
    async fn signal(mut self, signal: &str) -> (ExitStatus, String) {
        let pid = self.child.id().expect("running").to_string();
        let sent = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut rest = String::new();
        while let Some(line) = self.lines.next_line().await.unwrap() {
            rest.push_str(&line);
            rest.push('\n');
        }
        (self.child.wait().await.unwrap(), rest)
    }
}

fn read_har(path: &Path) -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).expect("the capture is JSON at any moment");
    let entries = doc["log"]["entries"].as_array().unwrap().clone();
    (text, entries)
}

/// The KB article through the proxy: token pasted and Enable pressed with the SCIM base URL
/// pointed at `record`, every demo person given the app, the queue run to the end.
async fn provision_everyone(served: &Served, through: &str) {
    let client = harness_tls::client::new();
    let onelogin = served.onelogin_origin();
    let settings = json!({"token": served.token(), "enabled": true, "scim_base_url": through});
    let put = admin(
        &client,
        Method::PUT,
        format!("{onelogin}/__admin/apps/100001/provisioning"),
    )
    .json(&settings)
    .send()
    .await
    .unwrap();
    assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
    let enabled: Value = admin(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/apps/100001/enable"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(enabled["api_status"], "connected", "{enabled}");
    for user in 100_002..=100_011 {
        let url = format!("{onelogin}/__admin/users/{user}/apps/100001");
        let given = admin(&client, Method::POST, url).send().await.unwrap();
        assert_eq!(given.status(), 201);
    }
    let ran = admin(
        &client,
        Method::POST,
        format!("{onelogin}/__admin/provisioning/run"),
    )
    .send()
    .await
    .unwrap();
    assert!(ran.status().is_success());
    for (email, _, _) in &PEOPLE[..ACME] {
        let found: Value = client
            .get(format!(
                "{}/Users?filter=userName%20eq%20%22{}%22",
                served.scim_url(),
                email.replace('@', "%40")
            ))
            .bearer_auth(served.token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["totalResults"], 1, "{email} is in the fake Asana");
    }
}

/// An exchange as (method, URL, status, answer's content type, answer's JSON), comparable
/// between OneLogin's outbound journal and the capture.
fn key(method: &Value, url: String, status: &Value, mime: &Value, body: Value) -> String {
    json!([method, url, status, mime, body]).to_string()
}

#[tokio::test]
async fn the_fake_onelogin_provisions_the_kb_people_through_record() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let har = dir.path().join("capture.har");
    let scim = served.scim_url();
    let recording = Recording::start(&scim, &har, &[]).await;
    let origin = recording.origin.clone();
    provision_everyone(&served, &origin).await;

    // OneLogin got exactly what the fake Asana answered, exchange for exchange.
    let client = harness_tls::client::new();
    let outbound: Vec<Value> = client
        .get(format!("{}/__admin/requests", served.onelogin_origin()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Written as each exchange is answered: complete before the proxy is stopped.
    let (_, before) = read_har(&har);
    assert_eq!(before.len(), outbound.len());
    let (status, said) = recording.interrupt().await;
    assert_eq!(status.code(), Some(0), "{said}");
    assert!(said.contains("the capture is in"), "{said}");

    crate::har::validate(std::slice::from_ref(&har) as &[PathBuf]);
    let (text, entries) = read_har(&har);
    let mut sent: Vec<String> = outbound
        .iter()
        .map(|x| {
            let url = x["url"].as_str().unwrap().replacen(&origin, &scim, 1);
            let mime = json!(x["response_content_type"].as_str().unwrap_or(""));
            key(
                &x["method"],
                url,
                &x["status"],
                &mime,
                x["response_body"].clone(),
            )
        })
        .collect();
    let mut recorded: Vec<String> = entries
        .iter()
        .map(|e| {
            let body = serde_json::from_str(e["response"]["content"]["text"].as_str().unwrap())
                .unwrap_or(Value::Null);
            let url = e["request"]["url"].as_str().unwrap().to_owned();
            let mime = &e["response"]["content"]["mimeType"];
            key(
                &e["request"]["method"],
                url,
                &e["response"]["status"],
                mime,
                body,
            )
        })
        .collect();
    sent.sort();
    recorded.sort();
    assert_eq!(recorded, sent);
    let posts = entries
        .iter()
        .filter(|e| e["request"]["method"] == "POST" && e["response"]["status"] == 201);
    assert_eq!(posts.count(), CREATED, "one create per person but Grace");
    for e in &entries {
        if let Some(sent_type) = e["request"]["postData"]["mimeType"].as_str() {
            assert_eq!(sent_type, "application/scim+json", "as OneLogin sends it");
        }
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["log"]["creator"]["name"], "asana-harness record");
    assert!(
        doc["log"]["comment"]
            .as_str()
            .unwrap()
            .contains(&format!("upstream: {scim}"))
    );

    // No token, not even its secret part; people are there, since nobody asked otherwise.
    let token = served.token();
    let secret = token.split(':').nth(1).unwrap();
    assert!(!text.contains(&token) && !text.contains(secret));
    assert!(!text.to_ascii_lowercase().contains("bearer"));
    assert!(text.contains("ada@acme.test"));
}

/// Every whole-word occurrence of `word` in `text`.
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[tokio::test]
async fn pseudonymize_leaves_no_person_and_keeps_each_ones_pseudonym() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let har = dir.path().join("shared.har");
    let recording = Recording::start(&served.scim_url(), &har, &["--pseudonymize"]).await;
    provision_everyone(&served, &recording.origin.clone()).await;
    let (status, _) = recording.interrupt().await;
    assert_eq!(status.code(), Some(0));
    crate::har::validate(std::slice::from_ref(&har) as &[PathBuf]);
    let (text, entries) = read_har(&har);

    for (email, given, family) in PEOPLE {
        let local = email.split('@').next().unwrap();
        for original in [email, local, given, family] {
            assert!(!mentions(&text, original), "{original} is in the capture");
        }
        let encoded = email.replace('@', "%40");
        assert!(!text.contains(&encoded), "{encoded} is in the capture");
    }
    assert!(!text.contains("acme.test") && !text.contains("agency.test"));

    // Each person is one number: their user name, email and names agree, in every create and
    // update, and in the lookup before it.
    let mut people = std::collections::BTreeSet::new();
    let writes = entries
        .iter()
        .filter(|e| ["POST", "PUT"].contains(&e["request"]["method"].as_str().unwrap()));
    for e in writes {
        let sent: Value =
            serde_json::from_str(e["request"]["postData"]["text"].as_str().unwrap()).unwrap();
        let user_name = sent["userName"].as_str().unwrap();
        let n = user_name
            .strip_prefix("person-")
            .and_then(|s| s.strip_suffix("@example.invalid"))
            .unwrap_or_else(|| panic!("a pseudonym: {user_name}"));
        assert_eq!(sent["name"]["givenName"], format!("Given{n}"), "{sent}");
        assert_eq!(sent["name"]["familyName"], format!("Family{n}"), "{sent}");
        assert_eq!(sent["emails"][0]["value"], user_name, "{sent}");
        let answered: Value =
            serde_json::from_str(e["response"]["content"]["text"].as_str().unwrap()).unwrap();
        assert_eq!(
            answered["userName"], user_name,
            "the answer names the same pseudonym"
        );
        // The lookup before the create asked for the same pseudonym.
        let encoded = user_name.replace('@', "%40");
        assert!(
            entries.iter().any(|l| l["request"]["method"] == "GET"
                && l["request"]["url"].as_str().unwrap().contains(&encoded)),
            "no lookup of {user_name}"
        );
        people.insert(user_name.to_owned());
    }
    let seen: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["request"]["method"], e["request"]["url"], e["response"]["status"]
            )
        })
        .collect();
    assert_eq!(
        people.len(),
        PEOPLE.len(),
        "one pseudonym per person: {people:?} in {seen:#?}"
    );
    // Ids and statuses are as they were: every create answered 201 with Asana's gid.
    let created: Vec<&Value> = entries
        .iter()
        .filter(|e| e["response"]["status"] == 201)
        .collect();
    assert_eq!(created.len(), CREATED);
    for e in created {
        let answered: Value =
            serde_json::from_str(e["response"]["content"]["text"].as_str().unwrap()).unwrap();
        let id = answered["id"].as_str().unwrap();
        assert!(
            id.len() >= 13 && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
    }
}

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
