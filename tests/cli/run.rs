//! `asana-harness run` and `asana-harness probe`, as CI runs them.

use std::path::Path;

use crate::Served;

fn harness(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `harness` for async tests, whose runtime also serves the fakes the binary talks to.
async fn harness_async(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .await
        .expect("the binary runs")
}

#[test]
fn the_library_passes_twice_with_identical_json() {
    let first = harness(&["run", "--format", "json"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let second = harness(&["run", "--format", "json"]);
    assert_eq!(first.stdout, second.stdout, "same files, same results");
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(report["summary"]["passed"].as_u64().unwrap() >= 40);
    assert_eq!(report["summary"]["failed"], 0);
}

#[test]
fn a_failing_scenario_is_exit_1_with_the_place_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.yaml");
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/approval-gating/create-denied.yaml"),
    )
    .unwrap();
    std::fs::write(
        &file,
        good.replace("status: denied }", "status: provisioned }"),
    )
    .unwrap();
    let junit = dir.path().join("junit.xml");
    let out = harness(&[
        "run",
        file.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("wrong.yaml:15:5: step 4 `expect_task`"),
        "{text}"
    );
    assert!(
        text.contains("expected: provisioned") && text.contains("seed:"),
        "{text}"
    );
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.contains("failures=\"1\"") && xml.contains("<failure"),
        "{xml}"
    );
}

#[test]
fn an_invalid_scenario_is_exit_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.yaml");
    std::fs::write(&file, "name: typo\nsteps:\n  - aprove: { user: ada }\n").unwrap();
    let out = harness(&["run", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("typo.yaml:3:") && err.contains("aprove"),
        "{err}"
    );
    assert_eq!(harness(&["run", "no/such/folder"]).status.code(), Some(2));
}

#[test]
fn filter_selects_by_path_name_or_tag() {
    let out = harness(&["run", "--filter", "customer-case", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert!(paths.len() >= 5);
    assert!(
        paths.iter().all(|p| p.contains("customer-cases")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn against_an_external_endpoint_admin_steps_are_skipped_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let (url, token) = (served.scim_url(), served.token());
    let out = harness_async(&[
        "run",
        "scenarios/token-validation/valid-token-connects.yaml",
        "scenarios/token-validation/deauthorized-token.yaml",
        "scenarios/approval-gating/create-waits-for-approval.yaml",
        "--jobs",
        "1",
        "--format",
        "json",
        "--asana-scim-url",
        &url,
        "--asana-token",
        &token,
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["summary"],
        serde_json::json!({"passed": 2, "failed": 0, "skipped": 1})
    );
    let skipped = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["outcome"] == "skipped")
        .unwrap();
    assert!(
        skipped["skip_reason"]
            .as_str()
            .unwrap()
            .contains("needs the fake Asana's admin side")
    );
    // Every step that did not run is counted, each with its reason.
    let steps = skipped["steps"].as_array().unwrap();
    let not_run = steps.iter().filter(|s| s["outcome"] == "skipped").count();
    assert!(not_run > 0);
    assert_eq!(skipped["skipped_steps"], not_run);
    assert!(
        steps
            .iter()
            .filter(|s| s["outcome"] == "skipped")
            .all(|s| s["message"].is_string())
    );

    // A run in which every scenario was skipped checked nothing, and says so with exit 1.
    let (url, token) = (served.scim_url(), served.token());
    let out = harness_async(&[
        "run",
        "scenarios/token-validation/deauthorized-token.yaml",
        "--asana-scim-url",
        &url,
        "--asana-token",
        &token,
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was checked"));
    assert!(served.terminate().await.success());
}

#[tokio::test]
async fn probe_matches_the_fake_and_reports_rfc_differences() {
    let dir = tempfile::tempdir().unwrap();
    let asana = Served::start(dir.path(), &[]).await;
    let (url, token) = (asana.scim_url(), asana.token());
    let out = harness_async(&[
        "probe",
        "--scim-url",
        &url,
        "--token",
        &token,
        "--i-accept-side-effects",
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("20 of 20 behaviours match"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let rfc = Served::start(dir.path(), &["--profile", "rfc"]).await;
    let (url, token) = (rfc.scim_url(), rfc.token());
    let out = harness_async(&["probe", "--scim-url", &url, "--token", &token]).await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("NO (switch list_without_paging)"), "{text}");
    assert!(text.contains("read-only checks only"));
    assert!(asana.terminate().await.success());
    assert!(rfc.terminate().await.success());
}

#[test]
fn explore_finds_nothing_on_a_healthy_system_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = harness(&[
        "explore",
        "--cases",
        "8",
        "--seed",
        "3",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("8 histories") && text.contains("matched the reference model"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no failure, no file"
    );
}

/// Runs `scenarios` twice in a row against `serve --tls` started with `profile`, as an external
/// endpoint trusted with `--ca-cert`, with `--domain`. Every identity is new each run, so the
/// second passes as the first did although the first deprovisioned its people. Each run names
/// its target, domain and run id, lists what it created, and reports every skipped step with its
/// reason. Returns the two summaries.
async fn twice_against_an_external_endpoint(
    profile: &str,
    scenarios: &[&str],
) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    let served = Served::start(
        dir.path(),
        &[
            "--profile",
            profile,
            "--tls",
            "--tls-ca",
            &ca_dir.display().to_string(),
        ],
    )
    .await;
    let ca = served.credentials["tls_ca"].as_str().unwrap().to_owned();
    let mut summaries = Vec::new();
    for run_id in ["first", "second"] {
        let (url, token) = (served.scim_url(), served.token());
        let mut args = vec!["run"];
        args.extend(scenarios);
        args.extend([
            "--format",
            "json",
            "--asana-scim-url",
            &url,
            "--asana-token",
            &token,
            "--ca-cert",
            &ca,
            "--domain",
            "acme.test",
            "--run-id",
            run_id,
        ]);
        let out = harness_async(&args).await;
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(out.status.code(), Some(0), "{report:#}");
        assert_eq!(report["target"]["domain"], "acme.test");
        assert_eq!(report["target"]["run_id"], run_id);
        assert!(
            report["target"]["scim_url"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        let created = report["created"].as_array().unwrap();
        assert!(!created.is_empty());
        for c in created {
            let name = c["name"].as_str().unwrap();
            assert!(name.contains(&format!(".{run_id}-")), "{name}");
            assert!(c["id"].is_string() && c["final_state"].is_string(), "{c}");
        }
        let mut skipped = 0;
        for scenario in report["scenarios"].as_array().unwrap() {
            let steps = scenario["steps"].as_array().unwrap();
            let reasons = steps
                .iter()
                .filter(|s| s["outcome"] == "skipped")
                .inspect(|s| assert!(s["message"].is_string(), "a skip without a reason: {s}"))
                .count();
            assert_eq!(scenario["skipped_steps"], reasons, "{scenario}");
            skipped += reasons;
        }
        assert!(skipped > 0, "something needs the fake's admin side");
        summaries.push(report["summary"].clone());
    }
    assert_eq!(
        summaries[0], summaries[1],
        "the second run is the first again"
    );
    assert!(served.terminate().await.success());
    summaries
}

/// The fake Asana in the `rfc` profile (plain RFC 7643/7644, none of Asana's behaviour) as the
/// independent endpoint, with the scenarios that hold on any SCIM server: approvals gate,
/// deletions supersede creates, a no-op sends nothing, tokens connect or do not; and one that
/// cannot run there, skipped with its reason.
#[tokio::test]
async fn two_runs_in_a_row_against_an_independent_endpoint_with_a_domain() {
    let summaries = twice_against_an_external_endpoint(
        "rfc",
        &[
            "scenarios/approval-gating/create-denied.yaml",
            "scenarios/approval-gating/pending-create-superseded-by-deletion.yaml",
            "scenarios/attributes/no-change-sends-nothing.yaml",
            "scenarios/rfc-profile/rfc-urns-create-anywhere.yaml",
            "scenarios/token-validation/valid-token-connects.yaml",
            "scenarios/token-validation/malformed-token.yaml",
            "scenarios/token-validation/deauthorized-token.yaml",
        ],
    )
    .await;
    assert_eq!(summaries[0]["passed"], 6);
    assert_eq!(summaries[0]["skipped"], 1);
}

/// The whole library, twice, against an endpoint that behaves as Asana does (a second `serve`
/// in the `asana` profile on HTTPS): what a team runs against its sandbox. Every scenario
/// passes or is skipped with its reasons (the ones that need the fake's admin side: faults,
/// seeded users, SAML settings), and the second run is the first again.
#[tokio::test]
async fn the_whole_library_twice_against_an_external_asana() {
    let summaries = twice_against_an_external_endpoint("asana", &[]).await;
    assert_eq!(summaries[0]["failed"], 0);
    assert!(
        summaries[0]["passed"].as_u64().unwrap() > 40,
        "{}",
        summaries[0]
    );
}

/// `--shard K/N` slices are disjoint and together are the whole library, the same each time.
#[test]
fn shards_split_the_library_exactly_once() {
    let paths = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["run", "--format", "json"];
        all.extend_from_slice(args);
        let out = harness(&all);
        assert_eq!(out.status.code(), Some(0));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap().to_owned())
            .collect()
    };
    let whole = paths(&["scenarios/connector", "scenarios/deletion-policy"]);
    let mut union = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let slice = paths(&[
            "scenarios/connector",
            "scenarios/deletion-policy",
            "--shard",
            &shard,
        ]);
        assert!(!slice.is_empty());
        assert_eq!(
            slice,
            paths(&[
                "scenarios/connector",
                "scenarios/deletion-policy",
                "--shard",
                &shard
            ]),
            "stable"
        );
        union.extend(slice);
    }
    union.sort();
    let mut whole_sorted = whole.clone();
    whole_sorted.sort();
    assert_eq!(union, whole_sorted);
    let bad = harness(&["run", "--shard", "0/3"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `run --compare`: against the fake Asana's own `asana` profile there is no difference;
/// against the `rfc` profile every difference is named, each by the fidelity switch behind it.
#[tokio::test]
async fn compare_names_the_switches_behind_every_difference() {
    let dir = tempfile::tempdir().unwrap();
    let asana = Served::start(dir.path(), &[]).await;
    let rfc_dir = tempfile::tempdir().unwrap();
    let rfc = Served::start(rfc_dir.path(), &["--profile", "rfc"]).await;
    let compare = |url: String, token: String| async move {
        // The whole library: every scenario that can run against an external endpoint.
        harness_async(&[
            "run",
            "--compare",
            "--format",
            "json",
            "--asana-scim-url",
            &url,
            "--asana-token",
            &token,
            "--domain",
            "acme.test",
        ])
        .await
    };
    let same = compare(asana.scim_url(), asana.token()).await;
    let same_report: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(same.status.code(), Some(0), "{same_report:#}");
    assert!(same_report["compared"].as_u64().unwrap() > 5);
    assert_eq!(same_report["differences"], serde_json::json!([]));

    let differ = compare(rfc.scim_url(), rfc.token()).await;
    let report: serde_json::Value = serde_json::from_slice(&differ.stdout).unwrap();
    assert_eq!(differ.status.code(), Some(0), "{report:#}");
    assert!(report["compared"].as_u64().unwrap() > 40, "{report:#}");
    // Every difference the library shows between the profiles is explained (none is
    // `unexplained`), each by a switch whose row in the probe's switch table explains
    // exchanges and which the two profiles set differently.
    let by_switch = report["by_switch"].as_object().unwrap();
    assert!(!by_switch.is_empty(), "{report:#}");
    for name in by_switch.keys() {
        let switch = fake_asana::Switch::from_name(name)
            .unwrap_or_else(|| panic!("{name} is no switch: {by_switch:?}"));
        let row = harness_probe::switches::reveals(switch);
        assert!(
            !row.bodies.is_empty() || !row.statuses.is_empty(),
            "{name} explains no exchange in the switch table"
        );
        // The rfc profile turns every switch off, so a switch tells them apart when it is on
        // in the asana profile.
        assert!(
            switch.asana_default(),
            "{name} is off in both profiles, so it explains nothing"
        );
    }
    for d in report["differences"].as_array().unwrap() {
        assert!(d["switch"].is_string(), "{d}");
        assert!(d["fake"].is_string() || d["external"].is_string(), "{d}");
    }
    // The two sequences side by side, for every compared scenario, each difference on the
    // line where it is.
    let sequences = report["side_by_side"].as_array().unwrap();
    assert_eq!(sequences.len() as u64, report["compared"].as_u64().unwrap());
    let marked: usize = sequences
        .iter()
        .flat_map(|s| s["exchanges"].as_array().unwrap())
        .map(|line| line["differences"].as_array().unwrap().len())
        .sum();
    assert_eq!(marked, report["differences"].as_array().unwrap().len());
    let first = &report["differences"][0];
    let line = sequences
        .iter()
        .find(|s| s["scenario"] == first["scenario"])
        .map(|s| &s["exchanges"][first["exchange"].as_u64().unwrap() as usize - 1])
        .unwrap();
    assert_eq!(
        (&line["fake"], &line["external"]),
        (&first["fake"], &first["external"])
    );
    assert!(asana.terminate().await.success());
    assert!(rfc.terminate().await.success());
}
