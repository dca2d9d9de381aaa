//! The third-party SCIM compliance suite (scim2-tester, via PyPI `scim2-cli`) against
//! `serve --profile rfc`. `cargo xtask test` installs the suite and points `SCIM2_CLI` at it.

use std::path::PathBuf;

use crate::Served;

fn scim2_cli() -> PathBuf {
    if let Some(path) = std::env::var_os("SCIM2_CLI") {
        return path.into();
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scim2-venv/bin/scim2");
    assert!(
        venv.exists(),
        "the SCIM compliance suite is not installed: run `cargo xtask test` (or `cargo xtask scim2-venv`)"
    );
    venv
}

#[tokio::test]
async fn the_rfc_profile_passes_scim2_tester() {
    let cli = scim2_cli();
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &["--profile", "rfc"]).await;
    let out = tokio::process::Command::new(cli)
        // The token is a throwaway of this test's own server, so the command line is fine.
        .args([
            "--url",
            &served.scim_url(),
            "-h",
            &format!("Authorization: Bearer {}", served.token()),
        ])
        .args(["test", "--check-status-code", "--check-content-type"])
        .output()
        .await
        .expect("scim2 runs");
    let report = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("ERROR") || l.starts_with("CRITICAL"))
        .collect();
    let passed = report.lines().filter(|l| l.starts_with("SUCCESS")).count();
    assert!(
        out.status.success() && failures.is_empty(),
        "scim2-tester failed ({} passed):\n{report}\n{}",
        passed,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        passed,
        crate::readme_figures::stated(
            crate::readme::readme(),
            " checks, none deliberately skipped"
        ),
        "the README's \"SCIM compliance\" states how many checks pass:\n{report}"
    );
    assert!(served.terminate().await.success());
}
