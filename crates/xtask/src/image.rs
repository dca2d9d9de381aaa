//! `cargo xtask image [--dev | --binary PATH] [--tag TAG]`: builds the container image from a
//! binary built on this machine, with whichever container engine answers here.
//!
//! The machines this project builds on reach no image registry, so the Containerfile's
//! `from-host` target takes everything from `.image/root/`, which this task stages: the binary,
//! the libraries it links (none for the static release build), the CA bundle its HTTPS client
//! trusts, and an empty `/data` for the image's user.
//!
//! - default: a static release build (`-C target-feature=+crt-static`) for the host's target,
//!   stripped: what a release ships.
//! - `--dev`: the dev-profile binary the tests use, with the shared libraries it links: what CI
//!   runs the image checks on, since a second, optimized build of the workspace would double CI's
//!   compile time.
//! - `--binary PATH`: any binary; its libraries are staged when it has any.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The tag `cargo xtask image` builds, and what the CI checks and examples run.
pub const DEFAULT_TAG: &str = "asana-harness:dev";

/// A container engine that answered `info`.
#[derive(Debug, Clone)]
pub struct Engine {
    pub program: String,
}

impl Engine {
    /// Podman or Docker, whichever answers (`CONTAINER_ENGINE` picks one). A `docker` client with
    /// no daemon behind it is on many machines: it is passed over, not trusted.
    pub fn detect() -> anyhow::Result<Engine> {
        let candidates = match std::env::var("CONTAINER_ENGINE") {
            Ok(e) if !e.is_empty() => vec![e],
            _ => vec!["podman".to_owned(), "docker".to_owned()],
        };
        let mut tried = Vec::new();
        for program in candidates {
            match answers(&program) {
                Ok(()) => return Ok(Engine { program }),
                Err(why) => tried.push(format!("{program}: {why}")),
            }
        }
        bail!(
            "no container engine answers here ({}); install podman (with runc) or start Docker",
            tried.join("; ")
        )
    }

    pub fn is_podman(&self) -> bool {
        Path::new(&self.program)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("podman"))
    }

    pub fn command(&self) -> Command {
        Command::new(&self.program)
    }

    /// `run`'s flags this engine needs on a machine like CI's: runc, because crun refuses a
    /// hybrid cgroup layout, and explicit limits, because podman's defaults exceed what the
    /// machine grants.
    pub fn run_flags(&self) -> Vec<&'static str> {
        if self.is_podman() {
            vec![
                "--runtime",
                "runc",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
            ]
        } else {
            Vec::new()
        }
    }
}

/// Runs `<engine> info` with a deadline: an engine that hangs does not answer.
fn answers(program: &str) -> anyhow::Result<()> {
    let mut child = Command::new(program)
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait()? {
            if status.success() {
                return Ok(());
            }
            bail!("`{program} info` failed ({status})");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!("`{program} info` did not answer within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Which binary goes into the image.
pub enum Binary {
    Release,
    Dev,
    Path(PathBuf),
}

pub struct Options {
    pub binary: Binary,
    pub tag: String,
}

impl Options {
    pub fn parse(args: &[String]) -> anyhow::Result<Options> {
        let mut options = Options {
            binary: Binary::Release,
            tag: DEFAULT_TAG.to_owned(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--dev" => options.binary = Binary::Dev,
                "--binary" => {
                    let path = args.next().context("--binary needs a path")?;
                    options.binary = Binary::Path(PathBuf::from(path));
                }
                "--tag" => options.tag = args.next().context("--tag needs a value")?.clone(),
                other => bail!("cargo xtask image: unknown argument {other:?}"),
            }
        }
        Ok(options)
    }
}

/// Builds the binary (unless given), stages `.image/`, builds the image; returns the engine.
pub fn build(root: &Path, options: &Options) -> anyhow::Result<Engine> {
    let engine = Engine::detect()?;
    eprintln!("xtask: building the image with {}", engine.program);
    let binary = match &options.binary {
        Binary::Release => release_binary(root)?,
        Binary::Dev => dev_binary(root)?,
        Binary::Path(p) => p.clone(),
    };
    let stage = root.join(".image");
    stage_context(&stage, &binary)?;
    let mut build = engine.command();
    build.arg("build");
    if engine.is_podman() {
        // Podman's own (OCI) format drops HEALTHCHECK; Docker's keeps it.
        build.args(["--format", "docker"]);
    }
    build
        .args(["--file", "Containerfile", "--target", "from-host", "--tag"])
        .arg(&options.tag)
        .arg(".")
        .current_dir(root);
    crate::run(&mut build).context("building the image")?;
    eprintln!(
        "xtask: built {} with {} from {}",
        options.tag,
        engine.program,
        binary.display()
    );
    Ok(engine)
}

pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The host's target triple, from rustc.
fn host_triple() -> anyhow::Result<String> {
    let out = Command::new("rustc").arg("-vV").output()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .context("rustc -vV names no host")
}

/// A static release build for the host's target (stripped when staged). The explicit `--target` keeps the
/// static flag off build scripts and proc macros, which must stay dynamic.
fn release_binary(root: &Path) -> anyhow::Result<PathBuf> {
    let triple = host_triple()?;
    crate::run(
        Command::new(cargo())
            .current_dir(root)
            .args(["build", "--release", "--locked", "--bin", "asana-harness"])
            .args(["--target", &triple])
            .arg("--config")
            .arg(format!(
                "target.{triple}.rustflags=[\"-C\", \"target-feature=+crt-static\"]"
            )),
    )
    .context("building the static release binary")?;
    Ok(target_dir(root)
        .join(&triple)
        .join("release")
        .join("asana-harness"))
}

fn dev_binary(root: &Path) -> anyhow::Result<PathBuf> {
    crate::run(Command::new(cargo()).current_dir(root).args([
        "build",
        "--locked",
        "--bin",
        "asana-harness",
    ]))
    .context("building the dev binary")?;
    Ok(target_dir(root).join("debug").join("asana-harness"))
}

/// Lays out `.image/root/` as the image's file system: the binary, its libraries, the CA bundle;
/// and `.image/data/`, the empty folder that becomes the user's `/data`.
fn stage_context(stage: &Path, binary: &Path) -> anyhow::Result<()> {
    if stage.exists() {
        std::fs::remove_dir_all(stage).with_context(|| format!("clearing {}", stage.display()))?;
    }
    let root = stage.join("root");
    std::fs::create_dir_all(stage.join("data"))?;
    let bin = root.join("usr/local/bin/asana-harness");
    copy(binary, &bin)?;
    // Symbols and a dev binary's line tables: the image needs none of them.
    let _ = Command::new("strip").arg(&bin).status();
    for lib in shared_libraries(binary)? {
        copy(&lib, &root.join(lib.strip_prefix("/").unwrap_or(&lib)))?;
    }
    let bundle = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("/etc/ssl/certs/ca-certificates.crt"));
    copy(&bundle, &root.join("etc/ssl/certs/ca-certificates.crt")).with_context(|| {
        "the image carries the CA roots its HTTPS client trusts: install ca-certificates, or set \
         SSL_CERT_FILE to a PEM bundle"
    })?;
    Ok(())
}

fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// The shared libraries `binary` loads, the dynamic loader included, as `ldd` lists them; none
/// for a static binary.
fn shared_libraries(binary: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let out = Command::new("ldd").arg(binary).output();
    let Ok(out) = out else {
        return Ok(Vec::new());
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut libs = Vec::new();
    for line in text.lines() {
        // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` or `/lib64/ld-linux... (0x...)`
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.trim(),
            None => line.trim(),
        };
        let path = path.split_whitespace().next().unwrap_or("");
        if path.starts_with('/') {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}
