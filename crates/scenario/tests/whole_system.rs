//! The whole system against its reference model: generated histories of directory changes,
//! settings, approvals, faults and token rotation, checked after every settled step (see
//! `harness_scenario::explore`). A failure is shrunk and written as a replayable scenario file.
//!
//! CI runs a budget that fits; a deeper run is `PROPTEST_CASES=2000 cargo test -p harness-scenario
//! --test whole_system --release`, or `asana-harness explore --cases 2000`.

use harness_scenario::explore;

#[test]
fn generated_histories_match_the_reference_model() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    let seed = std::env::var("EXPLORE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_128);
    if let Err(found) = explore::explore(cases, 18, seed) {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/explore-failures");
        let path = explore::write(&dir, seed, &found).expect("the counterexample can be written");
        panic!(
            "{}\nminimal history: {:?}\nreplay it with: asana-harness run {}",
            found.reason,
            found.ops,
            path.display()
        );
    }
}
