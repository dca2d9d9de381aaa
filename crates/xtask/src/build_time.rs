//! `cargo xtask build-time [--dry-run]`: what a team pays to adopt the harness in CI, measured
//! the way `bench` measures throughput: beside the floor of the same stack, on the same machine,
//! in the same run.
//!
//! From empty target directories (the registry already downloaded), it builds the harness's
//! release binary and a minimal axum + tokio server, prints both times and their ratio, then
//! the rebuild of the binary after touching one file of the scenario crate; then the same
//! cold build and rebuild in the dev profile, the one a developer iterates in.
//! `--dry-run` prints the plan without building: what a test checks so the command cannot rot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

/// The same stack's floor: a server that answers one route.
const MINIMAL_MAIN: &str = r#"use axum::{Router, routing::get};

#[tokio::main]
async fn main() {
    let app = Router::new().route("/", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
"#;

/// The minimal server's manifest: the workspace's axum and tokio.
fn minimal_manifest() -> String {
    "[package]\nname = \"minimal-server\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
     [dependencies]\naxum = \"0.8\"\ntokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"net\"] }\n\n\
     [workspace]\n"
        .to_owned()
}

/// One timed build.
pub struct Build {
    pub name: &'static str,
    pub dir: PathBuf,
    pub args: Vec<String>,
    pub target_dir: PathBuf,
    /// Empty the target directory first (a cold build).
    pub cold: bool,
    /// A file to touch first (an incremental build).
    pub touch: Option<PathBuf>,
}

/// The builds, in order.
pub fn plan(root: &Path) -> Vec<Build> {
    let out = root.join("target").join("build-time");
    let release = |extra: &[&str]| {
        let mut args = vec!["build".to_owned(), "--release".to_owned()];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };
    let dev = |extra: &[&str]| {
        let mut args = vec!["build".to_owned()];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };
    vec![
        Build {
            name: "harness, cold release build",
            dir: root.to_owned(),
            // --timings: where the time went, in target/build-time/harness/cargo-timings.
            args: release(&["--locked", "-p", "asana-harness", "--timings"]),
            target_dir: out.join("harness"),
            cold: true,
            touch: None,
        },
        Build {
            name: "minimal axum + tokio server, cold release build",
            dir: out.join("minimal-server"),
            args: release(&[]),
            target_dir: out.join("minimal"),
            cold: true,
            touch: None,
        },
        Build {
            name: "harness, release rebuild after a one-line change in the scenario crate",
            dir: root.to_owned(),
            args: release(&["--locked", "-p", "asana-harness"]),
            target_dir: out.join("harness"),
            cold: false,
            touch: Some(root.join("crates/scenario/src/lib.rs")),
        },
        // The loop a developer iterates in: `cargo run -- run`, a dev build.
        Build {
            name: "harness, cold dev build",
            dir: root.to_owned(),
            args: dev(&["--locked", "-p", "asana-harness"]),
            target_dir: out.join("harness-dev"),
            cold: true,
            touch: None,
        },
        Build {
            name: "harness, dev rebuild after a one-line change in the scenario crate",
            dir: root.to_owned(),
            args: dev(&["--locked", "-p", "asana-harness"]),
            target_dir: out.join("harness-dev"),
            cold: false,
            touch: Some(root.join("crates/scenario/src/lib.rs")),
        },
    ]
}

pub fn run(root: &Path, dry_run: bool) -> anyhow::Result<()> {
    let builds = plan(root);
    let minimal = root.join("target/build-time/minimal-server");
    if dry_run {
        println!("minimal server: {}", minimal.display());
        println!("{}", minimal_manifest());
        for b in &builds {
            println!(
                "{}: cargo {} (in {}, target {}{}{})",
                b.name,
                b.args.join(" "),
                b.dir.display(),
                b.target_dir.display(),
                if b.cold { ", emptied first" } else { "" },
                b.touch
                    .as_ref()
                    .map(|t| format!(", after touching {}", t.display()))
                    .unwrap_or_default()
            );
        }
        return Ok(());
    }
    std::fs::create_dir_all(minimal.join("src"))?;
    std::fs::write(minimal.join("Cargo.toml"), minimal_manifest())?;
    std::fs::write(minimal.join("src/main.rs"), MINIMAL_MAIN)?;
    // The workspace's lock: the same versions as the harness, where they overlap.
    std::fs::copy(root.join("Cargo.lock"), minimal.join("Cargo.lock"))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut secs = Vec::new();
    for b in &builds {
        if b.cold && b.target_dir.exists() {
            std::fs::remove_dir_all(&b.target_dir)
                .with_context(|| format!("emptying {}", b.target_dir.display()))?;
        }
        if let Some(file) = &b.touch {
            let text = std::fs::read_to_string(file)?;
            // A one-line change to the code, not a comment: a constant the compiler must
            // evaluate, different every run.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let stamp = format!("\nconst _: u128 = {nanos};\n");
            std::fs::write(file, format!("{text}{stamp}"))?;
            let result = time(&cargo, b);
            std::fs::write(file, text)?;
            secs.push(result?);
        } else {
            secs.push(time(&cargo, b)?);
        }
        println!("{:<70} {:>7.1} s", b.name, secs.last().unwrap());
    }
    println!(
        "ratio, harness to minimal server (cold release builds): {:.1}x",
        secs[0] / secs[1]
    );
    Ok(())
}

fn time(cargo: &str, b: &Build) -> anyhow::Result<f64> {
    let start = Instant::now();
    let status = Command::new(cargo)
        .current_dir(&b.dir)
        .args(&b.args)
        .env("CARGO_TARGET_DIR", &b.target_dir)
        .status()
        .with_context(|| format!("running cargo for {}", b.name))?;
    if !status.success() {
        bail!("{} failed: {status}", b.name);
    }
    Ok(start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_builds_both_cold_then_the_harness_again_after_a_change() {
        let root = Path::new("/repo");
        let builds = plan(root);
        assert_eq!(builds.len(), 5);
        assert!(builds[0].cold && builds[1].cold && !builds[2].cold);
        assert!(builds[3].cold && !builds[4].cold);
        assert!(
            builds[..3]
                .iter()
                .all(|b| b.args.contains(&"--release".to_owned()))
        );
        assert!(
            builds[3..]
                .iter()
                .all(|b| !b.args.contains(&"--release".to_owned()))
        );
        assert_eq!(
            builds[3].target_dir, builds[4].target_dir,
            "the dev rebuild reuses the cold dev build"
        );
        assert_ne!(builds[0].target_dir, builds[3].target_dir);
        assert_eq!(builds[2].touch, builds[4].touch);
        assert!(builds[0].args.contains(&"asana-harness".to_owned()));
        assert_ne!(
            builds[0].target_dir, builds[1].target_dir,
            "separate, so both start empty"
        );
        assert_eq!(
            builds[0].target_dir, builds[2].target_dir,
            "the rebuild reuses the cold one"
        );
        assert!(
            builds[2]
                .touch
                .as_ref()
                .unwrap()
                .ends_with("crates/scenario/src/lib.rs")
        );
        assert!(root.join("crates/scenario/src/lib.rs").ends_with("lib.rs"));
    }

    #[test]
    fn the_minimal_server_is_the_same_stack() {
        let manifest = minimal_manifest();
        assert!(manifest.contains("axum = \"0.8\"") && manifest.contains("tokio"));
        assert!(MINIMAL_MAIN.contains("axum::serve"));
    }
}
