//! The `asana-harness` binary, run as a user runs it: a real process, real ports, real files.

mod bench;
mod browser;
mod citations;
mod compare;
mod compliance;
mod container;
mod docs;
mod doctor;
mod doctor_checks;
mod doctor_people;
mod errors;
mod events;
mod har;
mod health;
mod layout;
mod openapi;
mod python_example;
mod readme;
mod readme_figures;
mod record;
mod record_proxy;
mod replay;
mod restart;
mod roundtrip;
mod run;
mod scenario_patterns;
mod scenario_reference;
mod scenario_texts;
mod schema;
mod security;
mod serve;
mod soak;
mod tls;
mod workflows;

use std::path::Path;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// `serve` with both fakes on free ports of loopback: how every test starts it.
pub const SERVE_ON_FREE_PORTS: [&str; 5] = [
    "serve",
    "--asana-addr",
    "127.0.0.1:0",
    "--onelogin-addr",
    "127.0.0.1:0",
];

/// A program of the independent checkers' virtualenv (`python`, `check-jsonschema`), which
/// `cargo xtask test` installs and names in `SAML_PYTHON`; `needed_for` says what is missing.
pub fn checkers_bin(program: &str, needed_for: &str) -> std::path::PathBuf {
    let bin = match std::env::var_os("SAML_PYTHON") {
        Some(python) => std::path::PathBuf::from(python).with_file_name(program),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/scim2-venv/bin")
            .join(program),
    };
    assert!(
        bin.exists(),
        "{needed_for} is not installed: run `cargo xtask test`"
    );
    bin
}

/// A request to either fake's admin API, declared JSON even without a body: both refuse a
/// write that is not (a page on another site cannot send that header).
pub fn admin(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: impl reqwest::IntoUrl,
) -> reqwest::RequestBuilder {
    client
        .request(method, url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
}

/// A running `asana-harness serve`, stopped with SIGTERM when dropped.
pub struct Served {
    pub child: Child,
    pub credentials: serde_json::Value,
    pub banner: String,
}

impl Served {
    /// Starts `serve` on a free port and waits until it says it is ready: readiness is an event
    /// on stdout, never a sleep.
    pub async fn start(dir: &Path, extra: &[&str]) -> Served {
        Served::start_with(dir, SERVE_ON_FREE_PORTS[1..].iter().chain(extra), &[]).await
    }

    /// `serve` with these flags (which name both addresses) and environment variables.
    pub async fn start_with<S: AsRef<std::ffi::OsStr>>(
        dir: &Path,
        args: impl IntoIterator<Item = S>,
        env: &[(&str, &str)],
    ) -> Served {
        let creds = dir.join("credentials.json");
        let mut child = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .arg("serve")
            .arg("--credentials-out")
            .arg(&creds)
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            banner.push_str(&line);
            banner.push('\n');
            if line.starts_with("Stop with") {
                break;
            }
        }
        assert!(
            banner.contains("is ready"),
            "serve did not become ready:\n{banner}"
        );
        let credentials = serde_json::from_slice(
            &std::fs::read(&creds).expect("credentials written before the banner"),
        )
        .expect("credentials are JSON");
        Served {
            child,
            credentials,
            banner,
        }
    }

    /// The fake Asana's origin (`http://127.0.0.1:PORT`): where its console and admin API live.
    pub fn asana_origin(&self) -> String {
        self.credentials["asana"]["base_url"]
            .as_str()
            .unwrap()
            .trim_end_matches("/api/1.0")
            .to_owned()
    }

    pub fn onelogin_origin(&self) -> String {
        self.credentials["onelogin"]["base_url"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn scim_url(&self) -> String {
        self.credentials["asana"]["scim_url"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn token(&self) -> String {
        self.credentials["asana"]["service_account_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Runs `serve` on free ports with `extra`, expecting it to refuse to start: its output.
    pub async fn refused(extra: &[&std::ffi::OsStr]) -> std::process::Output {
        let out = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .args(SERVE_ON_FREE_PORTS)
            .args(extra)
            .output()
            .await
            .expect("the binary runs");
        assert!(!out.status.success(), "serve started with {extra:?}");
        out
    }

    /// Sends SIGTERM and returns the exit status.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().await.unwrap()
    }
}
