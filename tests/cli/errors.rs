//! Errors that say what to do: each names the place, what was expected there and the flag or
//! line to change, with the exit code a script can act on.

use std::path::{Path, PathBuf};
use std::process::Output;

fn harness(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A copy of a library scenario with one edit, in its own folder; runs it and returns the
/// exit code and stderr.
fn run_edited(from: &str, to: &str) -> (Option<i32>, String) {
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/approval-gating/create-denied.yaml"),
    )
    .unwrap();
    assert!(good.contains(from), "the scenario has {from:?}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edited.yaml");
    std::fs::write(&file, good.replacen(from, to, 1)).unwrap();
    let out = harness(&["run", file.to_str().unwrap()]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_step_indented_wrongly_is_shown_beside_the_step_before_it() {
    let (code, stderr) = run_edited("  - deny: {", "    - deny: {");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "edited.yaml:14:7: a step is `- name: { ... }`, lined up with the step before it; \
             this line is indented more than the step before it (line 13: `- expect_task: ...`)"
        ),
        "{stderr}"
    );
    let (code, stderr) = run_edited("  - deny: {", "- deny: {");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("edited.yaml:14:3: a step is `- name: { ... }`")
            && stderr.contains("indented less than the step before it (line 13:"),
        "{stderr}"
    );
}

#[test]
fn fields_not_under_their_step_say_where_they_go() {
    let (code, stderr) = run_edited(
        "  - deny: { user: ada, action: create }",
        "  - deny:\n    user: ada\n    action: create",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "edited.yaml:14:9: `deny:` has nothing under it: its fields (line 15: `user: ada`) \
             must be indented more than `deny`, or written inline as `deny: { ... }`"
        ),
        "{stderr}"
    );
    let (code, stderr) = run_edited("    asana_app:", "   asana_app:");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("the keys of one mapping line up")
            && stderr.contains("indented less than the line before it (line 9: `roles:"),
        "{stderr}"
    );
}

#[test]
fn a_misspelt_step_field_or_value_gets_the_name_meant() {
    let (code, stderr) = run_edited("- deny:", "- dney:");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("edited.yaml:14:5: unknown step `dney`; did you mean `deny`?"),
        "{stderr}"
    );
    let (_, stderr) = run_edited("deny: { user:", "deny: { usr:");
    assert!(
        stderr.contains("unknown field `usr`; did you mean `user`? (one of user, action)"),
        "{stderr}"
    );
    let (_, stderr) = run_edited("status: denied }", "status: denyed }");
    assert!(
        stderr.contains("unknown value `denyed`; did you mean `denied`? (one of pending,"),
        "{stderr}"
    );
}

#[test]
fn a_filter_that_matches_nothing_says_what_it_looked_at() {
    let out = harness(&[
        "run",
        "--filter",
        "no-such-story",
        "scenarios/approval-gating",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let files =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/approval-gating"))
            .unwrap()
            .count();
    assert!(
        stderr.contains(&format!(
            "no scenario matches --filter no-such-story (looked at {files} files in scenarios/approval-gating"
        )),
        "{stderr}"
    );
}

#[test]
fn a_missing_path_names_the_folder_it_was_looked_for_in() {
    let out = harness(&["run", "does/not/exist.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cwd = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert!(
        stderr.contains(&format!(
            "error: does/not/exist.yaml: no such file or folder (looked in {})",
            cwd.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(":0:0"), "{stderr}");
}

#[test]
fn a_missing_fixture_names_both_places_it_was_looked_for() {
    let (code, stderr) = run_edited("  onelogin:\n", "  onelogin:\n    fixture: nope/dir.yaml\n");
    assert_eq!(code, Some(2), "{stderr}");
    let cwd = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert!(
        stderr.contains(
            "edited.yaml:8:1: cannot find the OneLogin fixture nope/dir.yaml: looked for "
        ) && stderr.contains("/nope/dir.yaml (beside the scenario) and ")
            && stderr.contains(&format!(
                "{} (from the working directory)",
                cwd.join("nope/dir.yaml").display()
            )),
        "{stderr}"
    );
    let (code, stderr) = run_edited("  asana: {", "  asana: { fixture: gone.yaml,");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot find the Asana fixture gone.yaml: looked for "),
        "{stderr}"
    );
}

#[test]
fn an_endpoint_nothing_answers_at_is_one_message_and_exit_3() {
    // Port 1 on loopback: nothing listens there without root.
    let url = "http://127.0.0.1:1/scim/v2";
    let out = harness(&[
        "run",
        "scenarios/approval-gating",
        "--asana-scim-url",
        url,
        "--asana-token",
        "t",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error: cannot reach {url} (--asana-scim-url): connecting to 127.0.0.1:1:"
        )) && stderr.contains("nothing was run")
            && stderr.contains("change --asana-scim-url"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("FAIL"));
}

#[tokio::test]
async fn serve_on_a_taken_port_names_the_fake_and_its_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    for (fake, flag, other) in [
        ("fake Asana", "--asana-addr", "--onelogin-addr"),
        ("fake OneLogin", "--onelogin-addr", "--asana-addr"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .current_dir(dir.path())
            .args(["serve", flag, &addr, other, "127.0.0.1:0"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("error: the {fake} cannot bind {addr}: "))
                && stderr.contains(&format!("choose another address with {flag} HOST:PORT")),
            "{stderr}"
        );
    }
}
