//! `record`: the recording SCIM proxy between a real client and a real server over loopback.
//! The fake OneLogin provisions the KB article's people through it into the fake Asana: OneLogin
//! gets exactly the fake Asana's answers, and the capture is valid HAR (the independent
//! validator reads it) that holds no token, and with `--pseudonymize` no person's email or name.
//! How single exchanges cross it is `record_proxy.rs`.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::{Served, admin};

/// The demo people of `serve`'s OneLogin directory (ids 100002 to 100011), as the KB article
/// provisions them.
pub const PEOPLE: [(&str, &str, &str); 10] = [
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
pub struct Recording {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    pub origin: String,
}

impl Recording {
    pub async fn start(to: &str, har: &Path, extra: &[&str]) -> Recording {
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
    pub async fn interrupt(self) -> (ExitStatus, String) {
        self.signal("-INT").await
    }

    /// Stops it with a signal (`-INT`, `-TERM`).
    pub async fn signal(mut self, signal: &str) -> (ExitStatus, String) {
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

/// The capture as text and its entries.
pub fn read_har(path: &Path) -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).expect("the capture is JSON at any moment");
    let entries = doc["log"]["entries"].as_array().unwrap().clone();
    (text, entries)
}

/// The KB article through the proxy: token pasted and Enable pressed with the SCIM base URL
/// pointed at `record`, every demo person given the app, the queue run to the end.
pub async fn provision_everyone(served: &Served, through: &str) {
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
pub fn mentions(text: &str, word: &str) -> bool {
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
