//! `asana-harness replay`: recordings the harness makes itself (`run --har`) sent again to a
//! fresh fake Asana and compared answer by answer; an edited recording, a browser's export, a
//! recorded token that must not be used, and the recording as a scenario that runs green.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Value, json};

pub fn harness(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The HAR `run --har` writes for one scenario of the library.
fn recorded(dir: &Path, scenario: &str) -> PathBuf {
    let out = harness(&[
        "run".as_ref(),
        scenario.as_ref(),
        "--har".as_ref(),
        dir.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let name = scenario.replace('/', "__").replace(".yaml", ".har");
    dir.join(name)
}

pub fn replay_json(file: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["replay".as_ref(), file.as_os_str()];
    args.extend(["--format", "json"].map(std::ffi::OsStr::new));
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let out = harness(&args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
    (out.status.code(), report)
}

pub fn read(file: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

pub fn write(file: &Path, har: &Value) {
    std::fs::write(file, serde_json::to_vec_pretty(har).unwrap()).unwrap();
}

/// The indices of a HAR's entries that went to the fake Asana's SCIM API.
fn scim_entries(har: &Value) -> Vec<usize> {
    har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, e)| e["comment"] == "scim")
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_recording_replays_against_a_fresh_fake_with_every_exchange_matching() {
    let dir = tempfile::tempdir().unwrap();
    // A person Asana already had (found by the lookup, then adopted with a PUT by id): the
    // fresh fake is seeded with them, and the PUT goes to the id the fake gave them.
    let har = recorded(
        dir.path(),
        "scenarios/asana-quirks/existing-user-is-adopted.yaml",
    );
    let (code, report) = replay_json(&har, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["seeded"], json!(["ada@acme.test"]));
    assert_eq!(
        (report["matching"].as_u64(), report["differing"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(report["exchanges"][2]["replayed"], "PUT /Users/{id} 200");

    // Create, look up, then PUT by the id the POST's answer gave: in the human report, the two
    // columns and the verdict.
    let har = recorded(
        dir.path(),
        "scenarios/attributes/attribute-change-sends-put.yaml",
    );
    let out = harness(&["replay".as_ref(), har.as_os_str()]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains(&format!("  #  recorded{}replayed\n", " ".repeat(49))),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "    4  POST /Users 201{}POST /Users 201\n",
            " ".repeat(42)
        )),
        "{shown}"
    );
    // A lookup says whom it looked up, its query decoded.
    assert!(
        shown.contains(r#"    3  GET /Users?filter=userName eq "ada@acme.test" 200  "#),
        "{shown}"
    );
    assert!(
        shown.contains("All 6 exchanges match the recording."),
        "{shown}"
    );
}

#[test]
fn a_copy_with_one_status_edited_is_reported_at_that_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/approval-gating/create-waits-for-approval.yaml",
    );
    let mut doc = read(&har);
    let post = scim_entries(&doc)[2];
    assert_eq!(doc["log"]["entries"][post]["request"]["method"], "POST");
    doc["log"]["entries"][post]["response"]["status"] = json!(409);
    let edited = dir.path().join("edited.har");
    write(&edited, &doc);

    let (code, report) = replay_json(&edited, &[]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["differing"], 1);
    let line = &report["exchanges"][2];
    assert_eq!(line["recorded"], "POST /Users 409");
    assert_eq!(line["replayed"], "POST /Users 201");
    let d = &line["differences"][0];
    assert_eq!(
        (&d["what"], &d["recorded"], &d["replayed"]),
        (&json!("status"), &json!(409), &json!(201)),
        "{line:#}"
    );
    // A 409 beside a 201 on a POST is a known departure: the switch that would explain it.
    assert_eq!(d["switch"], "post_reprovisions");
    for other in [0, 1] {
        assert_eq!(report["exchanges"][other]["differences"], json!([]));
    }

    let out = harness(&["replay".as_ref(), edited.as_os_str()]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains(&format!(
            "    3  POST /Users 409{}POST /Users 201  ≠\n",
            " ".repeat(42)
        )),
        "{shown}"
    );
    assert!(
        shown.contains("status: recorded 409, replayed 201"),
        "{shown}"
    );
    assert!(shown.contains("1 of 3 exchanges differ"), "{shown}");
}

/// What a browser's developer tools export: every header (the token too), cookies, timings,
/// answers in base64, and the page's other requests around the SCIM ones.
fn as_browser_export(doc: &mut Value, token: &str) {
    let entries = doc["log"]["entries"].as_array_mut().unwrap();
    for e in entries.iter_mut() {
        let headers = e["request"]["headers"].as_array_mut().unwrap();
        headers.push(json!({"name": "Authorization", "value": format!("Bearer {token}")}));
        headers.push(json!({"name": "User-Agent", "value": "Mozilla/5.0"}));
        e["request"]["cookies"] = json!([{"name": "ticket", "value": "x"}]);
        e["timings"] =
            json!({"blocked": 1.5, "dns": -1, "send": 0.2, "wait": 40.1, "receive": 0.4});
        let content = &mut e["response"]["content"];
        let body = content["text"].as_str().unwrap_or("").to_owned();
        content["text"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
        content["encoding"] = json!("base64");
    }
    let page = |url: &str| {
        json!({
            "startedDateTime": "2026-12-02T10:00:00.000Z", "time": 3,
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/2", "headers": [],
                        "cookies": [], "queryString": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "headers": [],
                         "cookies": [], "content": {"size": 2, "mimeType": "text/html", "text": "<p>"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 2},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0},
        })
    };
    entries.insert(0, page("https://app.asana.com/admin/security"));
    entries.push(page("https://app.asana.com/static/app.js"));
}

#[test]
fn a_browser_export_is_read_and_its_other_requests_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/asana-quirks/existing-user-is-adopted.yaml",
    );
    let mut doc = read(&har);
    let before = doc["log"]["entries"].as_array().unwrap().len();
    as_browser_export(&mut doc, "0/recorded-token");
    let export = dir.path().join("export.har");
    write(&export, &doc);

    let (code, report) = replay_json(&export, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["matching"], 3);
    // The OneLogin hop's entries and the two pages: everything but the three SCIM exchanges.
    assert_eq!(report["skipped_entries"], before + 2 - 3);
}

#[tokio::test]
async fn a_token_in_the_recording_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/approval-gating/create-waits-for-approval.yaml",
    );
    // The token in the file is a real one of the endpoint, deauthorized since: any request
    // that carried it would be refused with 401.
    let asana = fake_asana::FakeAsana::start().await;
    let stale = asana.create_service_account("recorded", fake_asana::Scope::Scim);
    assert!(asana.deauthorize_service_account(stale.id));
    let minted = asana.create_service_account("replay", fake_asana::Scope::Scim);
    let mut doc = read(&har);
    as_browser_export(&mut doc, &stale.token);
    let export = dir.path().join("with-token.har");
    write(&export, &doc);

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(["replay".as_ref(), export.as_os_str()])
        .args(["--against", &asana.scim_url(), "--format", "json"])
        .env("ASANA_TOKEN", &minted.token)
        .output()
        .await
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["target"], asana.scim_url());
    let journal = asana.requests();
    assert_eq!(journal.len(), 3, "{journal:?}");
    let principal = format!("service_account:{}", minted.id);
    assert!(
        journal
            .iter()
            .all(|r| r.status != 401 && r.principal.as_deref() == Some(principal.as_str())),
        "{journal:?}"
    );
    assert!(
        asana.user("ada@acme.test").is_some(),
        "the POST went through"
    );
}

#[test]
fn to_scenario_writes_a_scenario_that_runs_green_with_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/attributes/attribute-change-sends-put.yaml",
    );
    let mut doc = read(&har);
    as_browser_export(&mut doc, "0/recorded-token");
    let export = dir.path().join("export.har");
    write(&export, &doc);
    let yaml = dir.path().join("from-the-ticket.yaml");
    let out = harness(&[
        "replay".as_ref(),
        export.as_os_str(),
        "--to-scenario".as_ref(),
        yaml.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let scenario = std::fs::read_to_string(&yaml).unwrap();
    assert!(!scenario.contains("recorded-token"), "{scenario}");
    assert!(scenario.contains(r#"token: "${sa.token}""#), "{scenario}");
    assert!(
        scenario.contains(r#"path: "/Users/${r5.Resources.0.id}""#),
        "{scenario}"
    );
    assert!(scenario.contains("expect_status: 201"), "{scenario}");

    let out = harness(&["run".as_ref(), yaml.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}\n{scenario}", text(&out));
    assert!(text(&out).contains("(6 steps)"), "{}", text(&out));
}

#[test]
fn a_file_that_is_not_a_recording_is_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.har");
    std::fs::write(&file, r#"{"log": {"version": "1.2", "entries": []}}"#).unwrap();
    let out = harness(&["replay".as_ref(), file.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("holds no SCIM exchange"),
        "{}",
        text(&out)
    );
    let out = harness(&["replay".as_ref(), dir.path().join("absent.har").as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("cannot read"), "{}", text(&out));
}

#[tokio::test]
async fn against_an_endpoint_the_people_found_cannot_be_seeded_and_the_report_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/asana-quirks/existing-user-is-adopted.yaml",
    );
    let asana = fake_asana::FakeAsana::start().await;
    let sa = asana.create_service_account("replay", fake_asana::Scope::Scim);
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(["replay".as_ref(), har.as_os_str()])
        .args(["--against", &asana.scim_url(), "--asana-token", &sa.token])
        .output()
        .await
        .unwrap();
    let shown = text(&out);
    // Ada is not there: the lookup that found her finds nobody, and the PUT goes nowhere.
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("Cannot seed --against an endpoint: the recording found ada@acme.test"),
        "{shown}"
    );
    assert!(
        shown.contains("totalResults: recorded 1, replayed 0"),
        "{shown}"
    );
}

#[test]
fn against_the_rfc_profile_the_differences_are_the_switches() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/approval-gating/create-waits-for-approval.yaml",
    );
    let (code, report) = replay_json(&har, &["--profile", "rfc"]);
    assert_eq!(code, Some(1), "{report:#}");
    let first = report["exchanges"][0]["differences"].as_array().unwrap();
    assert!(!first.is_empty(), "{report:#}");
    assert!(
        first.iter().all(|d| d["switch"] == "list_without_paging"),
        "{report:#}"
    );
}

#[tokio::test]
async fn an_endpoint_on_https_with_its_own_ca_is_reached_with_ca_cert() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/approval-gating/create-waits-for-approval.yaml",
    );
    let ca = harness_tls::Ca::generate().unwrap();
    let asana = fake_asana::FakeAsana::builder()
        .tls(ca.server_config(&["127.0.0.1"]).unwrap())
        .start()
        .await;
    let sa = asana.create_service_account("replay", fake_asana::Scope::Scim);
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, ca.cert_pem()).unwrap();
    let replay = |trust: bool| {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"));
        c.args(["replay".as_ref(), har.as_os_str()]).args([
            "--against",
            &asana.scim_url(),
            "--asana-token",
            &sa.token,
        ]);
        if trust {
            c.arg("--ca-cert").arg(&pem);
        }
        c.output()
    };
    let out = replay(false).await.unwrap();
    // Not trusted: nothing answers, and every exchange says so.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("POST /Users dropped"), "{}", text(&out));
    assert!(text(&out).contains("no answer: "), "{}", text(&out));
    let out = replay(true).await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("All 3 exchanges match"),
        "{}",
        text(&out)
    );
}

/// A client's own story told to a fake Asana, as its journal holds it in HAR (ids as the fake
/// gave them, unredacted): create, read by id, deprovision by PATCH, read again.
async fn journal_har(dir: &Path) -> PathBuf {
    let asana = fake_asana::FakeAsana::start().await;
    let sa = asana.create_service_account("client", fake_asana::Scope::Scim);
    let client = harness_tls::client::new();
    let scim = asana.scim_url();
    let send = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut r = client
            .request(method, format!("{scim}{path}"))
            .bearer_auth(&sa.token);
        if let Some(body) = body {
            r = r
                .header("content-type", "application/scim+json")
                .json(&body);
        }
        r.send()
    };
    let created: Value = send(
        reqwest::Method::POST,
        "/Users".into(),
        Some(
            json!({"userName": "ada@acme.test", "name": {"formatted": "Ada Lovelace"},
                    "emails": [{"primary": true, "value": "ada@acme.test"}], "active": true}),
        ),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    for (method, body) in [
        (reqwest::Method::GET, None),
        (
            reqwest::Method::PATCH,
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "value": {"active": false}}]}),
            ),
        ),
        (reqwest::Method::GET, None),
    ] {
        let answer = send(method, format!("/Users/{id}"), body).await.unwrap();
        assert!(answer.status().is_success());
    }
    let har = client
        .get(format!("{}/__admin/requests?format=har", asana.uri()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(har.contains(&id), "the journal keeps ids: {har}");
    let file = dir.join("journal.har");
    std::fs::write(&file, har).unwrap();
    file
}

#[tokio::test]
async fn the_fake_asanas_journal_replays_with_its_ids_mapped_and_runs_as_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let har = journal_har(dir.path()).await;
    let (code, report) = replay_json(&har, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["matching"], 4);
    assert_eq!(report["exchanges"][3]["recorded"], "GET /Users/{id} 200");

    let yaml = dir.path().join("journal.yaml");
    let out = harness(&[
        "replay".as_ref(),
        har.as_os_str(),
        "--to-scenario".as_ref(),
        yaml.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let scenario = std::fs::read_to_string(&yaml).unwrap();
    assert!(
        scenario.contains(r#"path: "/Users/${r1.id}""#),
        "{scenario}"
    );
    assert!(scenario.contains("      as: r1\n"), "{scenario}");
    let out = harness(&["run".as_ref(), yaml.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}\n{scenario}", text(&out));

    // Where the fake does not agree with the recording, the scenario fails there, with the
    // recorded value as the expected one.
    // As if the recorded service had answered the PATCH with the person still active.
    let mut edited = String::new();
    let mut done = false;
    for line in scenario.lines() {
        if !done && line.starts_with("      expect_body:") && line.contains(r#""active":false"#) {
            edited.push_str(&line.replace(r#""active":false"#, r#""active":true"#));
            done = true;
        } else {
            edited.push_str(line);
        }
        edited.push('\n');
    }
    assert!(done, "{scenario}");
    std::fs::write(&yaml, edited).unwrap();
    let out = harness(&["run".as_ref(), yaml.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("the body differs at active"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_written_scenario_is_valid_by_the_committed_schema() {
    let dir = tempfile::tempdir().unwrap();
    let har = recorded(
        dir.path(),
        "scenarios/asana-quirks/existing-user-is-adopted.yaml",
    );
    let yaml = dir.path().join("ticket.yaml");
    let out = harness(&[
        "replay".as_ref(),
        har.as_os_str(),
        "--to-scenario".as_ref(),
        yaml.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // An independent validator, as editors and other languages read scenario files.
    let out =
        std::process::Command::new(crate::checkers_bin("check-jsonschema", "check-jsonschema"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "--color",
                "never",
                "--schemafile",
                "scenarios/scenario.schema.json",
            ])
            .arg(&yaml)
            .output()
            .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}
