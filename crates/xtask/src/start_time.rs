//! `cargo xtask start-time [--runs N] [--tag TAG]`: how long from `run` of the image (already
//! built and loaded) to the first green scenario, measured from outside as a CI job would: start
//! the container, probe `/__admin/health` with the harness's own `health` until both fakes
//! answer, then run one scenario against the container's SCIM endpoint. Prints each run and the
//! median, and the image's size. A benchmark, not a test: PERFORMANCE.md records its figures.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::image::{DEFAULT_TAG, Engine};

/// A short scenario that needs only the SCIM endpoint: the first green one a CI job would see.
const SCENARIO: &str = "scenarios/token-validation/valid-token-connects.yaml";

pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut runs = 5usize;
    let mut tag = DEFAULT_TAG.to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().context("--runs needs a number")?.parse()?,
            "--tag" => tag = args.next().context("--tag needs a value")?.clone(),
            other => bail!("cargo xtask start-time: unknown argument {other:?}"),
        }
    }
    let engine = Engine::detect()?;
    let harness = crate::image::target_dir(root)
        .join("debug")
        .join("asana-harness");
    if !harness.exists() {
        bail!("build the harness first (cargo build): it probes and drives the container");
    }
    let data = std::env::temp_dir().join(format!("asana-harness-start-{}", std::process::id()));
    let mut times = Vec::new();
    for i in 0..runs {
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        crate::run(Command::new("chmod").arg("0777").arg(&data))?;
        let name = format!("asana-harness-start-{}-{i}", std::process::id());
        let started = Instant::now();
        let result = once(&engine, &tag, &name, &data, &harness, root);
        let elapsed = started.elapsed();
        let _ = engine
            .command()
            .args(["rm", "--force", &name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        result?;
        println!(
            "run {}: {:.2} s from `run` to the first green scenario",
            i + 1,
            elapsed.as_secs_f64()
        );
        times.push(elapsed);
    }
    let _ = std::fs::remove_dir_all(&data);
    times.sort();
    if let Some(median) = times.get(times.len() / 2) {
        println!(
            "median {:.2} s over {} runs ({})",
            median.as_secs_f64(),
            times.len(),
            engine.program
        );
    }
    let size = engine
        .command()
        .args(["image", "inspect", "--format", "{{.Size}}", &tag])
        .output()?;
    let bytes: f64 = String::from_utf8_lossy(&size.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0);
    println!("image {tag}: {:.1} MB uncompressed", bytes / 1e6);
    Ok(())
}

fn once(
    engine: &Engine,
    tag: &str,
    name: &str,
    data: &Path,
    harness: &Path,
    root: &Path,
) -> anyhow::Result<()> {
    crate::run(
        engine
            .command()
            .args(["run", "--detach", "--name", name])
            .args(engine.run_flags())
            .args([
                "--publish",
                "127.0.0.1:27480:7480",
                "--publish",
                "127.0.0.1:27481:7481",
            ])
            .arg("--volume")
            .arg(format!("{}:/data", data.display()))
            .arg(tag)
            .stdout(Stdio::null()),
    )?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let healthy = Command::new(harness)
            .args([
                "health",
                "--url",
                "http://127.0.0.1:27480",
                "--url",
                "http://127.0.0.1:27481",
            ])
            .stdout(Stdio::null())
            .status()?
            .success();
        if healthy {
            break;
        }
        if Instant::now() > deadline {
            bail!("the container was not healthy within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let credentials: String = std::fs::read_to_string(data.join("credentials.json"))?;
    let token = credentials
        .split("\"service_account_token\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("no service account token in the credentials file")?;
    crate::run(
        Command::new(harness)
            .current_dir(root)
            .args([
                "run",
                "--asana-scim-url",
                "http://127.0.0.1:27480/api/1.0/scim",
            ])
            .args(["--asana-token", token, "--domain", "acme.test", SCENARIO])
            .stdout(Stdio::null()),
    )
}
