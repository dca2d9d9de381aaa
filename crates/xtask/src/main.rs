//! `cargo xtask <task>`: project automation in Rust rather than shell.
//!
//! - `test`: installs the third-party checkers (PyPI, pinned) into a virtualenv under `target/`,
//!   idempotently, then runs `cargo test --workspace` with them on the tests' path. This is the
//!   command CI runs. The checkers: `scim2-cli`, the SCIM compliance suite, and `signxml` (on
//!   lxml), the independent SAML signer, verifier and canonicalizer, `onelogin`, OneLogin's
//!   official Python SDK, and `check-jsonschema`, an independent JSON Schema validator for the
//!   scenario and fixture files.
//!   Under `target/npm`: `har-validator`, the independent HAR 1.2 reader, `@onelogin/sdk`,
//!   OneLogin's HTTPS-only SDK, and `yaml-language-server`, what editors check YAML with.
//! - `scim2-venv`: only the Python install step; prints the `scim2` path.
//! - `build-time [--dry-run]`: the cold release build of the harness beside a minimal axum +
//!   tokio server's, their ratio, and an incremental rebuild (`build_time.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

mod build_time;

/// The independent checkers, pinned so a new release cannot change what "passes" means.
const PYTHON_PACKAGES: [&str; 4] = [
    "scim2-cli==0.6.0",
    "signxml==5.2.0",
    "onelogin==4.0.1",
    "check-jsonschema==0.39.0",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("scim2-venv") => scim2_venv().map(|bin| println!("{}", bin.display())),
        Some("build-time") => build_time::run(&root(), args.iter().any(|a| a == "--dry-run")),
        _ => {
            eprintln!(
                "usage: cargo xtask test [CARGO TEST ARGS...] | cargo xtask scim2-venv | cargo xtask build-time [--dry-run]"
            );
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

/// Creates `target/scim2-venv` and installs the checkers, unless they are already there.
fn scim2_venv() -> anyhow::Result<PathBuf> {
    let venv = root().join("target").join("scim2-venv");
    let bin = venv.join("bin").join("scim2");
    let marker = venv.join(".installed");
    let pins = PYTHON_PACKAGES.join(" ");
    let ours = belongs_here(&venv);
    if ours && bin.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == pins) {
        return Ok(bin);
    }
    if venv.exists() && !ours {
        std::fs::remove_dir_all(&venv).context("removing a virtualenv made elsewhere")?;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(Command::new(&python).args(["-m", "venv"]).arg(&venv))
        .context("creating the virtualenv (is python3 with venv installed?)")?;
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(PYTHON_PACKAGES))
    .context(
        "installing the SCIM compliance suite, signxml, the OneLogin SDK and check-jsonschema",
    )?;
    std::fs::write(&marker, pins)?;
    Ok(bin)
}

/// Whether the virtualenv was made at this path. A virtualenv cannot move: its scripts name the
/// interpreter by its absolute path, so one copied with a `target/` from another checkout would
/// install into, and run from, that checkout's.
fn belongs_here(venv: &Path) -> bool {
    let interpreter = format!("#!{}", venv.join("bin").join("python").display());
    std::fs::read_to_string(venv.join("bin").join("pip")).is_ok_and(|pip| {
        pip.lines()
            .next()
            .is_some_and(|l| l.starts_with(&interpreter))
    })
}

/// The npm checkers, pinned like the Python ones: the independent HAR reader, OneLogin's own
/// SDK, an HTTPS-only client (it forces https) for `serve --tls`, and the YAML language server
/// editors run, to check what an editor shows for scenario files. (Its 2.x wants a newer Node
/// than Debian's; 1.25 reads the same draft 7 schemas.)
const NPM_PACKAGES: [&str; 3] = [
    "har-validator@5.1.5",
    "@onelogin/sdk@1.0.9",
    "yaml-language-server@1.25.0",
];

/// Installs the npm checkers into `target/npm`, unless they are already there; returns its
/// `node_modules`.
fn npm_modules() -> anyhow::Result<PathBuf> {
    let prefix = root().join("target").join("npm");
    let modules = prefix.join("node_modules");
    let marker = prefix.join(".installed");
    let pins = NPM_PACKAGES.join(" ");
    if modules.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == pins) {
        return Ok(modules);
    }
    std::fs::create_dir_all(&prefix)?;
    run(Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .args(NPM_PACKAGES))
    .context(
        "installing har-validator, @onelogin/sdk and yaml-language-server with npm (is Node.js with npm installed?)",
    )?;
    std::fs::write(&marker, pins)?;
    Ok(modules)
}

fn test(extra: &[String]) -> anyhow::Result<()> {
    let scim2 = scim2_venv()?;
    let npm = npm_modules()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(Command::new(cargo)
        .current_dir(root())
        .args(["test", "--workspace", "--locked"])
        .args(extra)
        .env("SAML_PYTHON", scim2.with_file_name("python"))
        .env("HAR_VALIDATOR_DIR", &npm)
        .env("NPM_MODULES_DIR", &npm)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtualenv_copied_from_elsewhere_is_not_ours() {
        let dir = root().join("target").join("xtask-test-venv");
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let elsewhere = "#!/elsewhere/target/scim2-venv/bin/python3\n";
        std::fs::write(bin.join("pip"), elsewhere).unwrap();
        assert!(!belongs_here(&dir));
        let here = format!("#!{}3\n", bin.join("python").display());
        std::fs::write(bin.join("pip"), here).unwrap();
        assert!(belongs_here(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            !belongs_here(&dir),
            "no virtualenv at all is not ours either"
        );
    }
}
