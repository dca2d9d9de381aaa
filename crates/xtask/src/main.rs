//! `cargo xtask <task>`: project automation in Rust rather than shell.
//!
//! - `test`: installs the third-party SCIM compliance suite (PyPI `scim2-cli`, pinned) into a
//!   virtualenv under `target/`, idempotently, then runs `cargo test --workspace` with the suite
//!   on the tests' path. This is the command CI runs.
//! - `scim2-venv`: only the install step; prints the `scim2` path.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

/// The compliance suite, pinned so a new release cannot change what "passes" means.
const SCIM2_CLI: &str = "scim2-cli==0.6.0";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("scim2-venv") => scim2_venv().map(|bin| println!("{}", bin.display())),
        _ => {
            eprintln!("usage: cargo xtask test [CARGO TEST ARGS...] | cargo xtask scim2-venv");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask is two levels down")
        .to_owned()
}

/// Creates `target/scim2-venv` and installs the suite, unless it is already there.
fn scim2_venv() -> anyhow::Result<PathBuf> {
    let venv = root().join("target").join("scim2-venv");
    let bin = venv.join("bin").join("scim2");
    let marker = venv.join(".installed");
    if bin.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == SCIM2_CLI) {
        return Ok(bin);
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(Command::new(&python).args(["-m", "venv"]).arg(&venv))
        .context("creating the virtualenv (is python3 with venv installed?)")?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        SCIM2_CLI,
    ]))
    .context("installing the SCIM compliance suite")?;
    std::fs::write(&marker, SCIM2_CLI)?;
    Ok(bin)
}

fn test(extra: &[String]) -> anyhow::Result<()> {
    let scim2 = scim2_venv()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(Command::new(cargo)
        .current_dir(root())
        .args(["test", "--workspace", "--locked"])
        .args(extra)
        .env("SCIM2_CLI", scim2))
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}
