//! `bench soak` at a size CI can afford: after a warm-up that fills every bounded table, ten
//! times more traffic grows the served process's resident memory by less than 10%. The
//! served harness keeps 300 finished tasks and events (`--retention-count`), so the warm-up's
//! 200 person-cycles (600 events, as many finished tasks) pass the cap, as the full-size run's
//! pass the default 10,000. The served process gets two glibc arenas (the soak's default; see
//! PERFORMANCE.md), so what is measured is the harness's data, not arenas still settling.

use serde_json::Value;

#[test]
fn ten_times_the_traffic_after_warm_up_grows_resident_memory_by_less_than_a_tenth() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(["bench", "soak", "--json", "--soak-people", "100"])
        .args(["--soak-warmup", "2", "--soak-retention", "300"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "bench soak failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let rows = report["rows"].as_array().expect("rows");
    let names: Vec<&str> = rows.iter().filter_map(|r| r["workload"].as_str()).collect();
    let mut expected = vec!["soak (warm-up)".to_owned()];
    expected.extend((2..=11).map(|n| format!("soak ({n}x)")));
    assert_eq!(names, expected);
    for r in rows {
        assert_eq!(r["errors"], 0, "wrong answers in {r:#}");
    }
    assert_eq!(rows[10]["size"], 100 * 2 * 11, "person-cycles in all");
    let resident = |r: &Value| r["resident_bytes"].as_u64().expect("RSS on this platform");
    let (warm, last) = (resident(&rows[0]), resident(&rows[10]));
    let growth = last as f64 / warm as f64 - 1.0;
    let curve: Vec<u64> = rows.iter().map(|r| resident(r) >> 10).collect();
    assert!(
        growth < 0.10,
        "resident memory grew {:.1}% after warm-up (KiB at each checkpoint: {curve:?})",
        growth * 100.0
    );
}
