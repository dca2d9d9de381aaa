//! `asana-harness bench` at smoke sizes: every workload still runs and gives right answers.
//! The figures themselves are never asserted; speed is read from the full-size command.

use serde_json::Value;

fn bench(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .arg("bench")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

#[test]
fn every_workload_runs_at_smoke_size_with_no_wrong_answers() {
    let out = bench(&["--smoke", "--json"]);
    assert!(
        out.status.success(),
        "bench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let rows = report["rows"].as_array().expect("rows");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["workload"] == name)
            .unwrap_or_else(|| panic!("no {name} row in {report:#}"))
    };
    let names: Vec<&str> = rows.iter().filter_map(|r| r["workload"].as_str()).collect();
    assert_eq!(
        names,
        [
            "baseline",
            "scim-read (1000 users)",
            "scim-read (2000 users)",
            "scim-write",
            "provision",
            "scenarios",
            "startup",
            "sign-in"
        ]
    );
    for r in rows {
        assert_eq!(r["errors"], 0, "wrong answers in {r:#}");
        assert!(r["per_second"].as_f64().unwrap() > 0.0, "{r:#}");
    }
    // Each throughput row is stated against a baseline of its own, measured in the same run.
    for name in [
        "scim-read (1000 users)",
        "scim-read (2000 users)",
        "scim-write",
        "provision",
    ] {
        assert!(row(name)["vs_baseline"].as_f64().unwrap() > 0.0, "{name}");
        assert!(
            row(name)["baseline_per_second"].as_f64().unwrap() > 0.0,
            "{name}"
        );
    }
    // A stored user's payload: its email twice, "work", "User N" and "Engineer".
    let payload = row("scim-read (2000 users)")["payload_per_user"]
        .as_f64()
        .unwrap();
    assert!((50.0..60.0).contains(&payload), "{payload}");
    assert_eq!(row("scim-read (2000 users)")["operations"], 500);
    assert_eq!(
        row("scim-write")["operations"],
        90,
        "create, update, deprovision"
    );
    assert_eq!(
        row("provision")["operations"],
        50,
        "every user reached Asana"
    );
    let scenarios = row("scenarios");
    assert_eq!(scenarios["operations"], scenarios["size"], "all passed");
    assert_eq!(row("startup")["operations"], 1);
    // Every sign-in got a session, and the row is stated against the RSA signing ceiling.
    assert_eq!(row("sign-in")["operations"], 20);
    assert!(row("sign-in")["baseline_per_second"].as_f64().unwrap() > 0.0);
    assert!(row("sign-in")["vs_baseline"].as_f64().unwrap() > 0.0);
}

#[test]
fn one_workload_brings_its_baseline_and_nothing_else() {
    let out = bench(&["scim-write", "--smoke"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let first_column: Vec<&str> = table
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(first_column, ["workload", "baseline", "scim-write"]);
}

#[test]
fn an_unknown_workload_is_bad_input() {
    let out = bench(&["scim-reed"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown workload \"scim-reed\""), "{err}");
    assert!(err.contains("scim-read"), "names the choices: {err}");
}
