//! The worked examples of exchange patterns in scenarios/README.md, run: each row of its pattern
//! table, against the lookup OneLogin really sends, says "yes" or "no" as `expect_exchanges`
//! answers; a scenario's own request is recorded unencoded; and its `since` example holds.

use std::path::PathBuf;

/// `(pattern, whether the README says it matches)` for each pattern of the table's rows.
fn table_rows() -> Vec<(String, bool)> {
    let readme = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/README.md"),
    )
    .unwrap();
    let mut rows = Vec::new();
    for row in readme
        .lines()
        .skip_while(|l| !l.starts_with("| pattern | matches "))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
    {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        let yes = cells[1].starts_with("yes");
        assert!(yes || cells[1].starts_with("no"), "{row}: yes or no");
        for (i, part) in cells[0].split('`').enumerate() {
            if i % 2 == 1 {
                rows.push((part.to_owned(), yes));
            }
        }
    }
    assert!(rows.len() >= 5, "the README's pattern table: {rows:?}");
    rows
}

/// The README's `since` example (the default deleted-user policy sends the DELETE): `previous`
/// starts after the previous `expect_exchanges`, not after the previous step.
const SINCE_EXAMPLE: &str = "  - expect_task: { user: ada, action: create, status: provisioned }
  - delete_user: { user: ada }
  - expect_exchanges: { since: previous, sequence: [\"DELETE /api/1.0/scim/Users/*\"], absent: [\"POST */Users\"] }
  - expect_exchanges: { since: previous, absent: [\"DELETE */Users/*\"] }
  - expect_exchanges: { sequence: [\"POST /api/1.0/scim/Users 201\", \"DELETE /api/1.0/scim/Users/*\"] }
";

#[test]
fn the_readme_pattern_examples_match_as_it_says() {
    let rows = table_rows();
    let quoted = |yes: bool| -> Vec<String> {
        rows.iter()
            .filter(|r| r.1 == yes)
            .map(|r| format!("{:?}", r.0))
            .collect()
    };
    // One expectation per "yes": a sequence needs a new exchange for each of its patterns.
    let matching: String = quoted(true)
        .iter()
        .map(|p| format!("  - expect_exchanges: {{ sequence: [{p}] }}\n"))
        .collect();
    let scenario = format!(
        "name: the scenario reference's exchange patterns\n\
         given:\n\
         \x20 asana: {{ service_accounts: [{{ as: sa, scope: scim }}] }}\n\
         \x20 onelogin:\n\
         \x20   users: [{{ as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace }}]\n\
         \x20   roles: [{{ as: asana-users, apps: [asana] }}]\n\
         \x20   asana_app: {{ token: \"${{sa.token}}\", enabled: true, connected: true }}\n\
         steps:\n\
         \x20 - add_role_users: {{ role: asana-users, users: [ada] }}\n\
         {matching}\
         \x20 - expect_exchanges: {{ absent: [{}] }}\n\
         \x20 - scim_request: {{ method: GET, path: '/Users?filter=userName eq \"ada@acme.test\"', token: \"${{sa.token}}\", expect_status: 200 }}\n\
         \x20 - expect_exchanges: {{ since: previous, sequence: [\"GET */Users?filter=userName* 200\"], absent: [\"GET */Users?filter=userName+eq*\"] }}\n\
         {SINCE_EXAMPLE}",
        quoted(false).join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("patterns.yaml");
    std::fs::write(&file, &scenario).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .arg("run")
        .arg(&file)
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "the README's patterns do not match as it says:\n{}\n{scenario}",
        String::from_utf8_lossy(&out.stdout)
    );
}
