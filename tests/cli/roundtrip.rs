//! The round trip a ticket takes: the fake OneLogin provisions the KB article's people through
//! `record` into the fake Asana, and `replay` sends that capture again, to a fresh fake in each
//! profile, edited, as a scenario, and pseudonymized. `record`, `replay` and `run --compare`'s
//! matching meet here, as processes over loopback.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fake_asana::{Profile, Switch};
use harness_scenario::compare::{compare, normalize_path};
use harness_scenario::report::ExchangeShape;
use serde_json::{Value, json};

use crate::Served;
use crate::record::{PEOPLE, Recording, mentions, provision_everyone, read_har};
use crate::replay::{harness, read, replay_json, text, write};

/// The KB article's provisioning recorded through `record` into `served`'s fake Asana.
async fn captured(served: &Served, har: &Path, extra: &[&str]) -> Vec<Value> {
    let recording = Recording::start(&served.scim_url(), har, extra).await;
    provision_everyone(served, &recording.origin.clone()).await;
    let (status, said) = recording.interrupt().await;
    assert_eq!(status.code(), Some(0), "{said}");
    read_har(har).1
}

/// The switches whose value is not the same in the `asana` and `rfc` profiles: the only ones
/// that can explain a difference between a recording of Asana's behaviour and an RFC replay.
fn switches_the_profiles_disagree_on() -> BTreeSet<&'static str> {
    let (asana, rfc) = (
        fake_asana::Config::new(Profile::Asana),
        fake_asana::Config::new(Profile::Rfc),
    );
    Switch::ALL
        .iter()
        .filter(|&&s| asana.on(s) != rfc.on(s))
        .map(|s| s.name())
        .collect()
}

/// Every difference of a JSON report as (exchange, what, switch).
fn reported(report: &Value) -> BTreeSet<(u64, String, Option<String>)> {
    let mut out = BTreeSet::new();
    for line in report["exchanges"].as_array().unwrap() {
        for d in line["differences"].as_array().unwrap() {
            out.insert((
                line["exchange"].as_u64().unwrap(),
                d["what"].as_str().unwrap().to_owned(),
                d["switch"].as_str().map(str::to_owned),
            ));
        }
    }
    out
}

fn shape(method: &str, path: &str, status: Option<u16>, body: &Value) -> ExchangeShape {
    ExchangeShape {
        method: method.to_owned(),
        path: normalize_path(path),
        query: None,
        status,
        body: body.clone(),
    }
}

/// What `run --compare`'s matching says of the recording beside the same requests answered by
/// a fresh fake in the `rfc` profile. The recording is Asana's behaviour, so it stands where the
/// switch table expects the fake in Asana's profile, and the rfc answers where another server.
async fn compare_says(har: &Path) -> BTreeSet<(u64, String, Option<String>)> {
    let recording = harness_replay::read_file(har).unwrap();
    let fresh = harness_replay::fresh_fake(&recording, Profile::Rfc)
        .await
        .unwrap();
    let client = harness_tls::client::new();
    let (replayed, _) = harness_replay::replay(&client, &fresh.target, &recording).await;
    let recorded: Vec<ExchangeShape> = recording
        .exchanges
        .iter()
        .map(|e| shape(&e.method, &e.path, e.status, &e.response))
        .collect();
    let answered: Vec<ExchangeShape> = recording
        .exchanges
        .iter()
        .zip(&replayed)
        .map(|(e, r)| shape(&e.method, &e.path, r.status, &r.response))
        .collect();
    compare("roundtrip", &recorded, &answered)
        .into_iter()
        .map(|d| (d.exchange as u64, d.what, d.switch.map(str::to_owned)))
        .collect()
}

#[tokio::test]
async fn a_recording_of_the_kb_provisioning_replays_exchange_for_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let har = dir.path().join("kb.har");
    let entries = captured(&served, &har, &[]).await;
    let text_of_har = std::fs::read_to_string(&har).unwrap();
    let token = served.token();
    let secret = token.split(':').nth(1).unwrap();
    assert!(!text_of_har.contains(&token) && !text_of_har.contains(secret));
    assert!(!text_of_har.to_ascii_lowercase().contains("bearer"));

    // Against a fresh fake in Asana's profile: every exchange as recorded.
    let (code, report) = replay_json(&har, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["exchanges"].as_array().unwrap().len(), entries.len());
    assert_eq!(report["matching"], entries.len(), "{report:#}");
    assert_eq!(report["differing"], 0);
    assert_eq!(report["skipped_entries"], 0);
    assert_eq!(report["seeded"], json!(["grace@acme.test"]), "{report:#}");

    // Against the rfc profile: only what the profiles' switches explain, each difference with
    // a switch the two profiles set apart, and the same ones `run --compare` names.
    let (code, report) = replay_json(&har, &["--profile", "rfc"]);
    assert_eq!(code, Some(1), "{report:#}");
    let differences = reported(&report);
    assert!(!differences.is_empty(), "{report:#}");
    let apart = switches_the_profiles_disagree_on();
    for (exchange, what, switch) in &differences {
        let switch = switch
            .as_deref()
            .unwrap_or_else(|| panic!("#{exchange} {what} is unexplained: {report:#}"));
        assert!(apart.contains(switch), "{switch} is the same in both");
    }
    assert_eq!(differences, compare_says(&har).await, "{report:#}");
}

#[tokio::test]
async fn an_edited_status_fails_there_and_the_recording_runs_as_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let har = dir.path().join("kb.har");
    captured(&served, &har, &[]).await;

    // One create answered 409 in the copy: that exchange, and nothing else.
    let mut doc = read(&har);
    let entries = doc["log"]["entries"].as_array().unwrap();
    let post = entries
        .iter()
        .rposition(|e| e["request"]["method"] == "POST" && e["response"]["status"] == 201)
        .expect("a create");
    doc["log"]["entries"][post]["response"]["status"] = json!(409);
    let edited = dir.path().join("edited.har");
    write(&edited, &doc);
    let (code, report) = replay_json(&edited, &[]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["differing"], 1, "{report:#}");
    let at = &report["exchanges"][post];
    assert_eq!(at["exchange"], post + 1);
    assert_eq!(
        (&at["recorded"], &at["replayed"]),
        (&json!("POST /Users 409"), &json!("POST /Users 201"))
    );
    assert_eq!(
        reported(&report),
        BTreeSet::from([(
            post as u64 + 1,
            "status".to_owned(),
            Some("post_reprovisions".to_owned())
        )])
    );
    let out = harness(&["replay".as_ref(), edited.as_os_str()]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let marked: Vec<Vec<&str>> = shown
        .lines()
        .filter(|l| l.ends_with('≠'))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let number = (post + 1).to_string();
    let expected = [
        &number, "POST", "/Users", "409", "POST", "/Users", "201", "≠",
    ];
    assert_eq!(marked, [expected], "{shown}");
    assert_eq!(shown.matches("status: ").count(), 1, "{shown}");

    // The unedited recording as a scenario: green with `run`.
    let yaml = dir.path().join("kb.yaml");
    let out = harness(&[
        "replay".as_ref(),
        har.as_os_str(),
        "--to-scenario".as_ref(),
        yaml.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let scenario = std::fs::read_to_string(&yaml).unwrap();
    assert!(!scenario.contains(&served.token()), "{scenario}");
    let out = harness(&["run".as_ref(), yaml.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}\n{scenario}", text(&out));
}

#[tokio::test]
async fn a_pseudonymized_recording_names_nobody_and_still_replays() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let har: PathBuf = dir.path().join("shared.har");
    let entries = captured(&served, &har, &["--pseudonymize"]).await;
    let shared = std::fs::read_to_string(&har).unwrap();
    for (email, given, family) in PEOPLE {
        let local = email.split('@').next().unwrap();
        for original in [email, local, given, family] {
            assert!(!mentions(&shared, original), "{original} is in the file");
        }
    }
    let (code, report) = replay_json(&har, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["matching"], entries.len(), "{report:#}");
    assert_eq!(report["seeded"].as_array().unwrap().len(), 1, "{report:#}");
}
