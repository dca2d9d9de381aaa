//! The map from customer cases to the doctor: every file in `scenarios/customer-cases/` is named
//! by a check's case or listed in README's "What doctor cannot see", never both, and neither
//! names a case that does not exist.

use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn case_files() -> BTreeSet<String> {
    std::fs::read_dir(root().join("scenarios/customer-cases"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect()
}

/// The first column of the table under "### What doctor cannot see".
fn not_seen() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (_, section) = readme
        .split_once("\n### What doctor cannot see\n")
        .expect("README has a \"What doctor cannot see\" subsection");
    let section = section.split("\n#").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l.split('`').next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_customer_case_is_detected_or_said_to_be_out_of_sight() {
    let files = case_files();
    assert!(files.len() >= 15, "{files:?}");
    let named: BTreeSet<String> = harness_doctor::CHECKS
        .iter()
        .filter_map(|c| c.case)
        .map(str::to_owned)
        .collect();
    let listed = not_seen();
    let both: Vec<_> = named.intersection(&listed).collect();
    assert!(
        both.is_empty(),
        "named by a check and listed as unseen: {both:?}"
    );
    let unknown: Vec<_> = named
        .union(&listed)
        .filter(|c| !files.contains(*c))
        .collect();
    assert!(unknown.is_empty(), "no such case file: {unknown:?}");
    let unmapped: Vec<_> = files
        .iter()
        .filter(|f| !named.contains(*f) && !listed.contains(*f))
        .collect();
    assert!(
        unmapped.is_empty(),
        "neither named by a check nor listed in README's \"What doctor cannot see\": {unmapped:?}"
    );
}
