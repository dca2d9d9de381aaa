//! The Python example (`examples/python`), run as CI runs it: pytest with the pinned SDKs
//! (installed by `cargo xtask test` from the example's `requirements.txt`), against this build
//! of the binary, or the image where a container engine has it (the example's fixture decides,
//! `ASANA_HARNESS_START` overrides).

use std::path::PathBuf;
use std::process::{Command, Output};

/// The virtualenv's Python, with pytest and both vendors' SDKs.
fn python() -> PathBuf {
    let python = crate::checkers_bin("python", "the Python example's requirements");
    let pytest = Command::new(&python)
        .args(["-c", "import pytest, asana, onelogin"])
        .output()
        .expect("python runs");
    assert!(
        pytest.status.success(),
        "pytest and the SDKs are not installed in {}: run `cargo xtask test`\n{}",
        python.display(),
        String::from_utf8_lossy(&pytest.stderr)
    );
    python
}

/// `python -m pytest examples/python` with `env` added; nothing written into the checkout.
fn pytest(env: &[(&str, &str)]) -> Output {
    let root = env!("CARGO_MANIFEST_DIR");
    let scratch = tempfile::tempdir().unwrap();
    Command::new(python())
        .current_dir(root)
        .args([
            "-m",
            "pytest",
            "examples/python",
            "-q",
            "-p",
            "no:cacheprovider",
        ])
        .arg(format!(
            "--basetemp={}",
            scratch.path().join("pytest").display()
        ))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("ASANA_HARNESS_BIN", env!("CARGO_BIN_EXE_asana-harness"))
        .envs(env.iter().copied())
        .output()
        .expect("pytest runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_python_example_passes() {
    let out = pytest(&[]);
    let text = text(&out);
    assert!(out.status.success(), "pytest failed:\n{text}");
    // Every test ran: none skipped, none deselected.
    assert!(text.contains("4 passed"), "{text}");
}

#[test]
fn the_python_example_fails_when_the_harness_does_not_start() {
    let missing = tempfile::tempdir().unwrap();
    let missing = missing.path().join("no-such-asana-harness");
    let out = pytest(&[
        ("ASANA_HARNESS_START", "binary"),
        ("ASANA_HARNESS_BIN", missing.to_str().unwrap()),
    ]);
    let text = text(&out);
    assert!(
        !out.status.success(),
        "pytest passed without a harness:\n{text}"
    );
    assert!(text.contains("ASANA_HARNESS_BIN names"), "{text}");
    assert!(text.contains("4 error"), "{text}");
}
