//! The container image, run as CI and its users run it: `cargo xtask test` builds it
//! (`cargo xtask image --dev`) and names it and the engine in `ASANA_HARNESS_IMAGE` and
//! `ASANA_HARNESS_ENGINE`. One test, in order: start with a mounted `/data`, wait for readiness,
//! run the scenario library against it from outside, check the user and the secrets, leave an
//! approval pending, stop it with SIGTERM, start it again on the same `/data`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The fixed demo secrets `serve` uses on loopback, which the image must never serve.
const DEMO_TOKEN: &str = "2/1200000000000101/1200000000000102:0123456789abcdef0123456789abcdef";
const DEMO_CLIENT_SECRET: &str = "demo-client-secret";

/// The engine's `run` flags on machines like CI's: runc (crun refuses a hybrid cgroup layout)
/// and limits the machine grants.
const PODMAN_RUN_FLAGS: [&str; 6] = [
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
];

struct Engine {
    program: String,
    image: String,
}

impl Engine {
    fn from_env() -> Engine {
        let image = std::env::var("ASANA_HARNESS_IMAGE").expect(
            "ASANA_HARNESS_IMAGE is not set: run `cargo xtask test`, which builds the image \
             (it needs podman or docker)",
        );
        let program = std::env::var("ASANA_HARNESS_ENGINE").unwrap_or_else(|_| "podman".into());
        Engine { program, image }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.kill_on_drop(true);
        c
    }

    async fn output(&self, args: &[&str]) -> std::process::Output {
        let out = self.command().args(args).output().await.unwrap();
        assert!(
            out.status.success(),
            "{} {args:?}: {}",
            self.program,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts the image detached on two free loopback ports, `/data` mounted from `data`, and
    /// waits for the banner in its log: readiness is an event, not a sleep.
    async fn start(&self, name: &str, data: &Path) -> Container<'_> {
        let ports = [free_port(), free_port()];
        let mut run = self.command();
        run.args(["run", "--detach", "--name", name]);
        if self.program.contains("podman") {
            run.args(PODMAN_RUN_FLAGS);
        }
        let out = run
            .arg("--publish")
            .arg(format!("127.0.0.1:{}:7480", ports[0]))
            .arg("--publish")
            .arg(format!("127.0.0.1:{}:7481", ports[1]))
            .arg("--volume")
            .arg(format!("{}:/data", data.display()))
            .arg(&self.image)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "the image starts: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let container = Container {
            engine: self,
            name: name.to_owned(),
            asana: format!("http://127.0.0.1:{}", ports[0]),
            onelogin: format!("http://127.0.0.1:{}", ports[1]),
        };
        let mut logs = self
            .command()
            .args(["logs", "--follow", name])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(logs.stdout.take().unwrap()).lines();
        let mut banner = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            banner.push_str(&line);
            banner.push('\n');
            if line.starts_with("Stop with") {
                break;
            }
        }
        let _ = logs.kill().await;
        assert!(banner.contains("is ready"), "not ready:\n{banner}");
        container
    }
}

/// A started container, removed when dropped.
struct Container<'e> {
    engine: &'e Engine,
    name: String,
    asana: String,
    onelogin: String,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new(&self.engine.program)
            .args(["rm", "--force", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The fake OneLogin's tasks waiting for approval, through its admin API.
async fn pending_tasks(client: &reqwest::Client, onelogin: &str, admin_token: &str) -> Value {
    crate::admin(
        client,
        reqwest::Method::GET,
        format!("{onelogin}/__admin/provisioning/tasks?status=pending"),
    )
    .bearer_auth(admin_token)
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_image_serves_the_library_as_non_root_keeps_state_and_stops_on_sigterm() {
    let engine = Engine::from_env();
    let data = tempfile::tempdir().unwrap();
    // The image's user (65532) writes the credentials and the state into the mounted folder.
    std::fs::set_permissions(
        data.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let name = format!("asana-harness-check-{}", std::process::id());
    let container = engine.start(&name, data.path()).await;
    let client = harness_tls::client::new();

    // Ready: both health endpoints answer, through the binary's own probe too.
    let health = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args([
            "health",
            "--url",
            &container.asana,
            "--url",
            &container.onelogin,
        ])
        .output()
        .await
        .unwrap();
    assert!(health.status.success(), "{health:?}");
    let check = engine
        .output(&["healthcheck", "run", &name])
        .await
        .status
        .success();
    assert!(check || !engine.program.contains("podman"));

    // The secrets: minted, in the mounted credentials file, owned by the image's user, and
    // never the fixed demo ones.
    let credentials_path = data.path().join("credentials.json");
    let credentials: Value =
        serde_json::from_slice(&std::fs::read(&credentials_path).unwrap()).unwrap();
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&credentials_path).unwrap());
    assert_eq!(
        owner, 65532,
        "the harness runs as the image's non-root user"
    );
    let top = engine.output(&["top", &name, "user"]).await;
    assert!(
        String::from_utf8_lossy(&top.stdout).contains("65532"),
        "{top:?}"
    );
    let token = credentials["asana"]["service_account_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin_token = credentials["admin_token"].as_str().unwrap().to_owned();
    let client_id = credentials["onelogin"]["client_id"].as_str().unwrap();
    let client_secret = credentials["onelogin"]["client_secret"].as_str().unwrap();
    assert_ne!(token, DEMO_TOKEN);
    assert_ne!(client_secret, DEMO_CLIENT_SECRET);
    let scim = format!("{}/api/1.0/scim", container.asana);
    let demo = client
        .get(format!("{scim}/Users"))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(demo.status(), 401, "the demo token is not served");
    let demo = client
        .post(format!("{}/auth/oauth2/v2/token", container.onelogin))
        .basic_auth("demo-client-id", Some(DEMO_CLIENT_SECRET))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(demo.status(), 401, "the demo client secret is not served");
    let unauthenticated = client
        .get(format!("{}/__admin/state", container.asana))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unauthenticated.status(),
        401,
        "the admin API needs the token"
    );

    // The scenario library from outside: every scenario passes or is skipped with its reason.
    let library = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let run = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
        .args(["run", "--format", "json", "--asana-scim-url", &scim])
        .args(["--asana-token", &token, "--domain", "acme.test", library])
        .output()
        .await
        .unwrap();
    let report: Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "run --format json: {e}\n{}",
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let scenarios = report["scenarios"].as_array().expect("a scenario list");
    assert!(scenarios.len() > 50, "the whole library ran");
    let mut passed = 0;
    for s in scenarios {
        match s["outcome"].as_str() {
            Some("passed") => passed += 1,
            Some("skipped") => assert!(
                !s["skip_reason"].as_str().unwrap_or("").is_empty(),
                "a skip says why: {s}"
            ),
            _ => panic!("a scenario failed against the image: {s}"),
        }
    }
    assert!(passed > 0, "some scenarios ran against the image");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // An approval left pending, through the admin API and OneLogin's own API.
    let admin = |method: reqwest::Method, url: String| {
        crate::admin(&client, method, url).bearer_auth(&admin_token)
    };
    let app = credentials["onelogin"]["asana_app_id"].as_u64().unwrap();
    let onelogin = &container.onelogin;
    let settings = json!({"token": token, "enabled": true, "require_approval": {"create": true}});
    let put = admin(
        reqwest::Method::PUT,
        format!("{onelogin}/__admin/apps/{app}/provisioning"),
    )
    .json(&settings)
    .send()
    .await
    .unwrap();
    assert_eq!(put.status(), 200);
    let enabled: Value = admin(
        reqwest::Method::POST,
        format!("{onelogin}/__admin/apps/{app}/enable"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(enabled["api_status"], "connected", "{enabled}");
    let access: Value = client
        .post(format!("{onelogin}/auth/oauth2/v2/token"))
        .basic_auth(client_id, Some(client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = access["access_token"].as_str().unwrap();
    let assigned = client
        .post(format!("{onelogin}/api/2/roles/100012/users"))
        .bearer_auth(access)
        .json(&json!([100002]))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), 200);
    let pending = pending_tasks(&client, onelogin, &admin_token).await;
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");

    // SIGTERM, as an engine stops a container: gone within 5 s, exit 0, nothing secret logged.
    let asked = Instant::now();
    engine.output(&["kill", "--signal", "TERM", &name]).await;
    let waited = engine.output(&["wait", &name]).await;
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(5), "stopped in {took:?}");
    assert_eq!(String::from_utf8_lossy(&waited.stdout).trim(), "0");
    let logs = engine.output(&["logs", &name]).await;
    let logs = [logs.stdout, logs.stderr].concat();
    let logs = String::from_utf8_lossy(&logs);
    for secret in [token.as_str(), admin_token.as_str(), client_secret] {
        assert!(!logs.contains(secret), "a secret is in the log");
    }
    assert!(
        !logs.contains('\u{1b}'),
        "no colour codes without a terminal"
    );
    drop(container);

    // The same /data in a new container: the approval is still waiting.
    let again = engine.start(&format!("{name}-again"), data.path()).await;
    let credentials: Value =
        serde_json::from_slice(&std::fs::read(&credentials_path).unwrap()).unwrap();
    let admin_token = credentials["admin_token"].as_str().unwrap().to_owned();
    let tasks = pending_tasks(&client, &again.onelogin, &admin_token).await;
    assert_eq!(
        tasks.as_array().map(Vec::len),
        Some(1),
        "the pending approval survived the restart: {tasks}"
    );
}

/// The ways the README offers to run the image (the compose file, the GitHub Actions example,
/// the README's own commands) use the ports, the mount and the secrets' names the image and the
/// check above use, so a copied example starts what CI tested.
#[test]
fn the_examples_use_the_images_ports_paths_and_secret_names() {
    let read = |path: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
    };
    let containerfile = read("Containerfile");
    for needed in [
        "EXPOSE 7480 7481",
        "USER 65532:65532",
        "\"0.0.0.0:7480\"",
        "\"0.0.0.0:7481\"",
        "\"/data/state.json\"",
        "ASANA_HARNESS_CREDENTIALS_OUT=/data/credentials.json",
        "CMD [\"/usr/local/bin/asana-harness\", \"health\"]",
    ] {
        assert!(
            containerfile.contains(needed),
            "the Containerfile: {needed}"
        );
    }
    let compose = read("examples/compose.yaml");
    let actions = read("examples/github-actions/harness-service.yml");
    let readme = read("README.md");
    for (what, text) in [("compose", &compose), ("README", &readme)] {
        for needed in [
            "7480:7480",
            "7481:7481",
            "harness-data:/data",
            "asana-harness:dev",
        ] {
            assert!(text.contains(needed), "{what}: {needed}");
        }
    }
    assert!(actions.contains("\"7480:7480\", \"7481:7481\""));
    for name in [
        "ASANA_HARNESS_ADMIN_TOKEN",
        "ASANA_HARNESS_SERVICE_ACCOUNT_TOKEN",
        "ASANA_HARNESS_ONELOGIN_CLIENT_ID",
        "ASANA_HARNESS_ONELOGIN_CLIENT_SECRET",
    ] {
        for (what, text) in [
            ("compose", &compose),
            ("actions", &actions),
            ("README", &readme),
        ] {
            assert!(text.contains(name), "{what} names {name}");
        }
    }
    let podman_flags = PODMAN_RUN_FLAGS.join(" ");
    assert!(
        readme.replace('\n', " ").contains(&podman_flags),
        "the README gives podman's flags as the check uses them: {podman_flags}"
    );
}
