//! One function per workload: each builds its fixture, drives its load, and checks every answer.

use std::sync::Arc;
use std::time::Instant;

use fake_asana::fixture::{OrganizationFixture, UserFixture};
use fake_asana::{FakeAsana, Fixture, RateLimits, Scope};
use fake_onelogin::FakeOneLogin;
use fake_onelogin::seed::{Directory, DirectoryRole, DirectoryUser};
use serde_json::{Value, json};

use crate::error::BenchError;
use crate::load::{Baseline, Job, Load, contains, drive, interleaved, timed, warm};
use crate::sizes::{Row, Sizes};

/// This process's resident memory in bytes, where the platform tells.
fn resident_bytes() -> Option<u64> {
    crate::soak::resident_bytes_of(std::process::id())
}

fn organization(users: usize) -> Fixture {
    Fixture {
        organizations: vec![OrganizationFixture {
            name: "Bench".into(),
            domains: vec!["bench.test".into()],
            view_only_licenses: false,
            users: (0..users)
                .map(|i| UserFixture {
                    email: format!("user{i}@bench.test"),
                    name: Some(format!("User {i}")),
                    title: Some("Engineer".into()),
                    department: None,
                    deprovisioned: false,
                })
                .collect(),
            teams: Vec::new(),
            service_accounts: Vec::new(),
        }],
    }
}

/// What a user of [`organization`] holds once stored: its email twice (userName and
/// `emails[0].value`), `emails[0].type`, `name.formatted` and `title`.
fn payload_per_user(fixture: &Fixture) -> f64 {
    let users = &fixture.organizations[0].users;
    let bytes: usize = users
        .iter()
        .map(|u| {
            2 * u.email.len()
                + "work".len()
                + u.name.as_ref().map_or(0, String::len)
                + u.title.as_ref().map_or(0, String::len)
        })
        .sum();
    bytes as f64 / users.len().max(1) as f64
}

async fn asana_with(fixture: Fixture) -> Result<(FakeAsana, String), BenchError> {
    let asana = FakeAsana::builder()
        .fixture(fixture)
        .rate_limits(RateLimits::OFF)
        .try_start()
        .await
        .map_err(|e| BenchError::Start {
            at: "",
            what: "the fake Asana".into(),
            reason: e.to_string(),
        })?;
    let token = asana.create_service_account("bench", Scope::Scim).token;
    Ok((asana, token))
}

pub(crate) async fn bench_scim_read(
    client: &reqwest::Client,
    sizes: &Sizes,
    users: usize,
    baseline: Option<&Baseline>,
) -> Result<Row, BenchError> {
    // The fixture exists before the first reading, so only what the fake builds from it counts.
    let fixture = organization(users);
    let payload = payload_per_user(&fixture);
    let before = resident_bytes();
    let (asana, token) = asana_with(fixture).await?;
    let after = resident_bytes();
    let users_url = format!("{}/Users", asana.scim_url());
    warm(client, &users_url, sizes.connections).await;
    let job: Job = {
        let (client, token, users_url) = (client.clone(), token.clone(), users_url.clone());
        Arc::new(move |i| {
            // A stride coprime with any size visits the organization evenly, not in order.
            let k = (i.wrapping_mul(2_654_435_761)) % users.max(1);
            let request = client
                .get(format!(
                    "{users_url}?filter=userName%20eq%20%22user{k}%40bench.test%22"
                ))
                .bearer_auth(&token);
            Box::pin(async move {
                let ((latency, ok), body) = timed(request, 200).await;
                let found = body.is_some_and(|b| {
                    contains(&b, br#""totalResults":1,"#) || contains(&b, br#""totalResults":1}"#)
                });
                vec![(latency, ok && found)]
            })
        })
    };
    let (load, base) = interleaved(sizes, job, baseline).await;
    let mut row = load.row(format!("scim-read ({users} users)"), users);
    if let Some(base) = base {
        row.vs_baseline = Some(row.per_second / base.max(f64::EPSILON));
        row.baseline_per_second = Some(base);
    }
    if let (Some(b), Some(a)) = (before, after) {
        row.bytes_per_user = Some(a.saturating_sub(b) as f64 / users.max(1) as f64);
        row.payload_per_user = Some(payload);
    }
    row.resident_bytes = after;
    asana.shutdown().await;
    Ok(row)
}

pub(crate) async fn bench_scim_write(
    client: &reqwest::Client,
    sizes: &Sizes,
) -> Result<Row, BenchError> {
    let (asana, token) = asana_with(organization(0)).await?;
    let scim = asana.scim_url();
    warm(client, &format!("{scim}/Users"), sizes.connections).await;
    let job: Job = {
        let (client, token) = (client.clone(), token.clone());
        Arc::new(move |i| {
            let (client, token, scim) = (client.clone(), token.clone(), scim.clone());
            Box::pin(async move {
                let create = client
                    .post(format!("{scim}/Users"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": format!("writer{i}@bench.test"),
                        "name": {"givenName": "Writer", "familyName": i.to_string()},
                        "active": true,
                    }));
                let (created, body) = timed(create, 201).await;
                let id = body
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                    .and_then(|b| b["id"].as_str().map(str::to_owned));
                let Some(id) = id else {
                    return vec![created];
                };
                let user = format!("{scim}/Users/{id}");
                let patch = |path: &str, value: Value| {
                    client.patch(&user).bearer_auth(&token).json(&json!({
                        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": path, "value": value}],
                    }))
                };
                let (updated, _) = timed(patch("title", json!("Engineer")), 200).await;
                let (deprovisioned, _) = timed(patch("active", json!(false)), 200).await;
                vec![created, updated, deprovisioned]
            })
        })
    };
    let load = drive(sizes.connections, sizes.writes, job).await;
    asana.shutdown().await;
    Ok(load.row("scim-write".into(), sizes.writes))
}

/// A OneLogin directory of people with these emails, and a role "Asana users" that grants the
/// app (to all of them when `in_role`).
pub(crate) fn people(emails: impl Iterator<Item = String>, in_role: bool) -> Directory {
    let users: Vec<DirectoryUser> = emails
        .enumerate()
        .map(|(i, email)| DirectoryUser {
            alias: None,
            email,
            username: None,
            firstname: "Person".into(),
            lastname: i.to_string(),
            title: None,
            department: None,
        })
        .collect();
    let members = if in_role {
        users.iter().map(|u| u.email.clone()).collect()
    } else {
        Vec::new()
    };
    Directory {
        users,
        roles: vec![DirectoryRole {
            alias: None,
            name: "Asana users".into(),
            apps: vec!["asana".into()],
            users: members,
        }],
    }
}

pub(crate) async fn bench_provision(
    client: &reqwest::Client,
    users: usize,
) -> Result<Row, BenchError> {
    let (asana, token) = asana_with(organization(0)).await?;
    let mut onelogin = connected(&asana, token, users).await?;
    onelogin.spawn_worker();
    let state = onelogin.state();
    let role = state
        .roles
        .iter()
        .find(|r| r.name == "Asana users")
        .ok_or_else(|| BenchError::refused("provision: ", "no role"))?
        .id;
    let ids: Vec<u64> = state.users.iter().map(|u| u.id).collect();
    drop(state);
    let access = api_access(client, &onelogin).await?;

    let start = Instant::now();
    let mut errors = 0;
    // OneLogin's API takes role members in batches; so does the bench.
    for batch in ids.chunks(1_000) {
        let response = client
            .post(format!("{}/api/2/roles/{role}/users", onelogin.uri()))
            .bearer_auth(&access)
            .json(batch)
            .send()
            .await
            .map_err(BenchError::request(""))?;
        errors += u64::from(!response.status().is_success());
    }
    onelogin.settled().await;
    let seconds = start.elapsed().as_secs_f64();

    let provisioned = asana
        .organization()
        .users
        .iter()
        .filter(|u| !u.guest && u.scim.active != Some(false))
        .count();
    errors += users.abs_diff(provisioned) as u64;
    onelogin.shutdown().await;
    asana.shutdown().await;
    Ok(Row {
        workload: "provision".into(),
        size: users,
        operations: provisioned as u64,
        seconds,
        per_second: provisioned as f64 / seconds.max(f64::EPSILON),
        vs_baseline: None,
        baseline_per_second: None,
        p50_ms: None,
        p99_ms: None,
        bytes_per_user: None,
        payload_per_user: None,
        resident_bytes: None,
        errors,
    })
}

/// A fake OneLogin with `users` people, its Asana app connected to `asana` with `token`, and
/// approvals off.
async fn connected(
    asana: &FakeAsana,
    token: String,
    users: usize,
) -> Result<FakeOneLogin, BenchError> {
    let directory = people((0..users).map(|i| format!("person{i}@bench.test")), false);
    let onelogin = FakeOneLogin::builder()
        .asana_scim_url(asana.scim_url())
        .directory(directory)
        .start()
        .await;
    onelogin.configure_asana_app(|c| {
        c.token = Some(token);
        c.enabled = true;
        c.require_approval = Default::default();
    });
    let config = onelogin.enable_api().await;
    if config.api_error.is_some() {
        return Err(BenchError::refused(
            "provision: ",
            format!("the app did not connect: {:?}", config.api_error),
        ));
    }
    Ok(onelogin)
}

/// An access token for the fake OneLogin's API, by client credentials.
async fn api_access(
    client: &reqwest::Client,
    onelogin: &FakeOneLogin,
) -> Result<String, BenchError> {
    let creds = onelogin.api_credentials().clone();
    let token: Value = client
        .post(format!("{}/auth/oauth2/v2/token", onelogin.uri()))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .map_err(BenchError::request(""))?
        .json()
        .await
        .map_err(BenchError::request(""))?;
    Ok(token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

pub(crate) async fn bench_scenarios(dir: &std::path::Path) -> Result<Row, BenchError> {
    let files = harness_scenario::discover(&[dir.to_owned()])?;
    let loaded = files
        .iter()
        .map(|f| harness_scenario::load_file(f))
        .collect::<Result<Vec<_>, _>>()?;
    let count = loaded.len();
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let start = Instant::now();
    let reports = harness_scenario::run_all(
        loaded,
        harness_scenario::RunOptions::default(),
        parallel,
        |_| {},
    )
    .await;
    let seconds = start.elapsed().as_secs_f64();
    let summary = harness_scenario::report::summarize(&reports);
    Ok(Row {
        workload: "scenarios".into(),
        size: count,
        operations: summary.passed as u64,
        seconds,
        per_second: count as f64 / seconds.max(f64::EPSILON),
        vs_baseline: None,
        baseline_per_second: None,
        p50_ms: None,
        p99_ms: None,
        bytes_per_user: None,
        payload_per_user: None,
        resident_bytes: None,
        errors: summary.failed as u64,
    })
}

/// From process start to `serve` announcing that both fakes listen.
pub(crate) async fn bench_startup(exe: &std::path::Path, starts: usize) -> Result<Row, BenchError> {
    use tokio::io::AsyncBufReadExt;
    let mut latencies = Vec::new();
    let mut errors = 0;
    let total = Instant::now();
    for _ in 0..starts.max(1) {
        let start = Instant::now();
        let mut child = tokio::process::Command::new(exe)
            .args([
                "serve",
                "--asana-addr",
                "127.0.0.1:0",
                "--onelogin-addr",
                "127.0.0.1:0",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| BenchError::Start {
                at: "startup: ",
                what: exe.display().to_string(),
                reason: e.to_string(),
            })?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let mut ready = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if line.starts_with("The harness is ready") {
                ready = true;
                break;
            }
        }
        latencies.push(start.elapsed());
        errors += u64::from(!ready);
        let _ = child.kill().await;
    }
    let seconds = total.elapsed().as_secs_f64();
    let mut row = Load {
        seconds,
        latencies,
        errors,
    }
    .row("startup".into(), starts);
    row.per_second = row.operations as f64 / seconds.max(f64::EPSILON);
    Ok(row)
}
