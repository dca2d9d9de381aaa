//! Loading: unknown keys and steps, renamed keys and unbound names are errors at their place.

use harness_scenario::{LoadError, load_str};

const GOOD: &str = r#"
name: create waits for approval
given:
  asana: { service_accounts: [{ as: sa, scope: scim }] }
  onelogin:
    users: [{ as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace }]
    roles: [{ as: asana-users, apps: [asana] }]
    asana_app: { token: "${sa.token}", enabled: true, require_approval: [create], on_delete: delete }
steps:
  - enable_api: {}
  - expect_api_status: connected
  - add_role_users: { role: asana-users, users: [ada] }
  - expect_task: { user: ada, action: create, status: pending }
  - expect_asana_user: { user_name: ada@acme.test, exists: false }
  - approve: { user: ada, action: create }
  - expect_asana_user: { user_name: ada@acme.test, active: true }
"#;

#[test]
fn the_design_sketch_loads() {
    let s = load_str(GOOD, "sketch.yaml").unwrap();
    assert_eq!(s.steps.len(), 7);
    assert_eq!(s.steps[2].referenced.line(), 12);
}

fn error(text: &str) -> LoadError {
    load_str(text, "bad.yaml").expect_err("should not load")
}

#[test]
fn unknown_keys_and_steps_name_the_place() {
    let e = error(&GOOD.replace("- enable_api: {}", "- enable_apii: {}"));
    assert_eq!((e.file.as_str(), e.line), ("bad.yaml", 10), "{e}");
    assert!(e.message.contains("enable_apii"), "{e}");
    let e = error(&GOOD.replace(
        "action: create, status: pending",
        "action: create, state: pending",
    ));
    assert_eq!(e.line, 13, "{e}");
    assert!(e.message.contains("state"), "{e}");
    let e = error("name: x\nsteps: [");
    assert!(e.line >= 1, "{e}");
}

#[test]
fn the_old_attempts_key_names_its_new_name() {
    let e = error(&GOOD.replace(
        "action: create, status: pending }",
        "action: create, status: pending, attempts: 1 }",
    ));
    assert_eq!(e.line, 13, "{e}");
    assert!(e.message.contains("`requests`"), "{e}");
    let renamed = GOOD.replace(
        "action: create, status: pending }",
        "action: create, status: pending, requests: 0 }",
    );
    load_str(&renamed, "good.yaml").unwrap();
}

#[test]
fn unbound_names_are_errors_at_the_step() {
    let e = error(&GOOD.replace("users: [ada] }", "users: [bob] }"));
    assert_eq!(e.line, 12, "{e}");
    assert!(e.message.contains("\"bob\""), "{e}");
    let e = error(&GOOD.replace("${sa.token}", "${sb.token}"));
    assert!(e.message.contains("sb"), "{e}");
    let e = error(&GOOD.replace(
        "  - expect_api_status: connected",
        "  - set_switches: { delete_deprovision: false }",
    ));
    assert_eq!(e.line, 11);
    assert!(
        e.message.contains("delete_deprovision") && e.message.contains("delete_deprovisions"),
        "the typo and the switches there are: {e}"
    );
    let e = error(&GOOD.replace(
        "  - expect_api_status: connected",
        "  - expect_exchanges: { sequence: [\"FETCH /x\"] }",
    ));
    assert!(e.message.contains("FETCH"), "{e}");
}

/// Each step's name (its `Action::NAME`) is the key the file writes it under: checked for every
/// step of the library, at the line the step starts.
#[test]
fn every_step_of_the_library_is_named_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut kinds = std::collections::BTreeSet::new();
    for path in harness_scenario::discover(&[root]).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(loaded) = harness_scenario::load_file(&path) else {
            continue;
        };
        for step in &loaded.scenario.steps {
            let line = text
                .lines()
                .nth(step.referenced.line() as usize - 1)
                .unwrap();
            let kind = step.value.kind();
            assert!(
                line.contains(&format!("{kind}:")),
                "{}:{}: {kind} is not {line:?}",
                path.display(),
                step.referenced.line()
            );
            kinds.insert(kind);
        }
    }
    assert!(kinds.len() >= 30, "{kinds:?}");
}
