//! `soak`: what weeks of a team's sandbox do to memory, in a minute. A served harness (`serve`
//! on free ports, in a process of its own, so the driver's memory is not counted) takes cycles
//! of the same people: created in OneLogin and given Asana through a role, changed, deleted,
//! each step provisioned by OneLogin's worker to the fake Asana over SCIM. The served process's
//! resident memory is read after a warm-up and then after each further warm-up's worth of
//! traffic, up to ten times more: a harness that keeps only bounded history levels off.
//!
//! The fake Asana serves the `rfc` profile, where a SCIM DELETE removes the user: under the
//! `asana` profile Asana keeps every deprovisioned user (as Asana does), so the organization
//! grows with everyone ever provisioned, by design. The OneLogin app uses the generic SCIM
//! connector, so that a change reaches Asana too.

use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;

use crate::error::BenchError;
use crate::sizes::{Row, Sizes};

/// Requests the driver keeps in flight.
const CONCURRENCY: usize = 8;

/// Resident memory of a process, from `/proc/<pid>/status`, where the platform tells.
pub(crate) fn resident_bytes_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The served harness, as its credentials file describes it.
struct Served {
    child: tokio::process::Child,
    pid: u32,
    onelogin: String,
    /// The fake Asana's `/Users`, and the service account's token.
    scim_users: String,
    scim_token: String,
    access: String,
    role: u64,
}

pub(crate) async fn bench_soak(
    client: &reqwest::Client,
    exe: &Path,
    sizes: &Sizes,
) -> Result<Vec<Row>, BenchError> {
    let mut served = serve(client, exe, sizes).await?;
    let result = drive(client, &served, sizes).await;
    let _ = served.child.kill().await;
    result
}

async fn drive(
    client: &reqwest::Client,
    served: &Served,
    sizes: &Sizes,
) -> Result<Vec<Row>, BenchError> {
    let mut rows = Vec::new();
    let mut done = 0;
    let members = asana_users(client, served).await?;
    for checkpoint in 0..=10 {
        let start = Instant::now();
        let mut requests = 0;
        let mut errors = 0;
        for _ in 0..sizes.soak_warmup.max(1) {
            let (r, e) = cycle(client, served, sizes.soak_people, done).await?;
            requests += r;
            // Every cycle ends with the organization as it began.
            errors += e + asana_users(client, served).await?.abs_diff(members);
            done += 1;
        }
        let seconds = start.elapsed().as_secs_f64();
        let person_cycles = sizes.soak_people * sizes.soak_warmup.max(1);
        rows.push(Row {
            workload: if checkpoint == 0 {
                "soak (warm-up)".into()
            } else {
                format!("soak ({}x)", checkpoint + 1)
            },
            size: sizes.soak_people * done,
            operations: requests,
            seconds,
            per_second: person_cycles as f64 / seconds.max(f64::EPSILON),
            vs_baseline: None,
            baseline_per_second: None,
            p50_ms: None,
            p99_ms: None,
            bytes_per_user: None,
            payload_per_user: None,
            resident_bytes: resident_bytes_of(served.pid),
            errors,
        });
    }
    Ok(rows)
}

/// Starts `serve` on free ports and connects the Asana app the way the KB article does.
async fn serve(client: &reqwest::Client, exe: &Path, sizes: &Sizes) -> Result<Served, BenchError> {
    let credentials =
        std::env::temp_dir().join(format!("asana-harness-soak-{}.json", std::process::id()));
    let (child, pid) = start(exe, sizes, &credentials).await?;
    let text = std::fs::read_to_string(&credentials).map_err(BenchError::io("soak: "))?;
    let _ = std::fs::remove_file(&credentials);
    let file: Value = serde_json::from_str(&text).map_err(BenchError::Credentials)?;
    let mut served = sign_in(client, child, pid, &file).await?;
    connect(client, &mut served, &file).await?;
    Ok(served)
}

/// `serve` on free ports, in a process of its own, up to its banner's first line.
async fn start(
    exe: &Path,
    sizes: &Sizes,
    credentials: &Path,
) -> Result<(tokio::process::Child, u32), BenchError> {
    let mut command = tokio::process::Command::new(exe);
    command.args(["serve", "--asana-addr", "127.0.0.1:0", "--onelogin-addr"]);
    command.args(["127.0.0.1:0", "--profile", "rfc", "--credentials-out"]);
    command.arg(credentials);
    if let Some(count) = sizes.soak_retention {
        command.args(["--retention-count", &count.to_string()]);
    }
    // glibc gives busy threads arenas of their own, each creeping up to its own high-water mark
    // over minutes of churn: two arenas measure the harness's data, not that (PERFORMANCE.md,
    // Soak). A setting in the environment wins, to compare.
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        command.env("MALLOC_ARENA_MAX", "2");
    }
    let mut child = command
        .env_remove("ASANA_HARNESS_ADMIN_TOKEN")
        .env_remove("ASANA_HARNESS_RETENTION_COUNT")
        .env_remove("ASANA_HARNESS_RETENTION_DAYS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| BenchError::Start {
            at: "soak: ",
            what: exe.display().to_string(),
            reason: e.to_string(),
        })?;
    let pid = child
        .id()
        .ok_or_else(|| BenchError::refused("soak: ", "the served process has no id"))?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("piped")).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) if line.starts_with("The harness is ready") => break,
            Ok(Some(_)) => {}
            _ => {
                return Err(BenchError::refused(
                    "soak: ",
                    "serve stopped before it was ready",
                ));
            }
        }
    }
    // Whatever serve prints later must not fill the pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, pid))
}

/// The served harness as its credentials file describes it, with an API access token.
async fn sign_in(
    client: &reqwest::Client,
    child: tokio::process::Child,
    pid: u32,
    file: &Value,
) -> Result<Served, BenchError> {
    let onelogin = file["onelogin"]["base_url"].as_str().unwrap_or_default();
    let token: Value = client
        .post(format!("{onelogin}/auth/oauth2/v2/token"))
        .basic_auth(
            file["onelogin"]["client_id"].as_str().unwrap_or_default(),
            file["onelogin"]["client_secret"].as_str(),
        )
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .map_err(BenchError::request(""))?
        .json()
        .await
        .map_err(BenchError::request(""))?;
    Ok(Served {
        child,
        pid,
        onelogin: onelogin.to_owned(),
        scim_users: format!(
            "{}/Users",
            file["asana"]["scim_url"].as_str().unwrap_or_default()
        ),
        scim_token: file["asana"]["service_account_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        access: token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        role: 0,
    })
}

/// Rate limits off, the app connected the way the KB article does, and a role that gives it.
async fn connect(
    client: &reqwest::Client,
    served: &mut Served,
    file: &Value,
) -> Result<(), BenchError> {
    let app = file["onelogin"]["asana_app_id"]
        .as_u64()
        .unwrap_or_default();
    // Asana's per-token rate limit would turn a soak into a minute's wait per 1,500 requests.
    let asana = served
        .scim_users
        .split("/api/1.0")
        .next()
        .unwrap_or_default();
    let off = json!({"rate_limit": {"requests_per_minute": null, "concurrent_reads": null, "concurrent_writes": null}});
    let answer = client
        .put(format!("{asana}/__admin/config"))
        .json(&off)
        .send()
        .await
        .map_err(BenchError::request("soak: "))?;
    if !answer.status().is_success() {
        return Err(BenchError::refused(
            "soak: ",
            format!("the fake Asana refused its config: {}", answer.status()),
        ));
    }
    let settings = json!({
        "token": file["asana"]["service_account_token"],
        "enabled": true,
        "connector": "scim",
        "schema_urns": "rfc",
    });
    let path = format!("/__admin/apps/{app}/provisioning");
    call(client, served, reqwest::Method::PUT, &path, Some(settings)).await?;
    let path = format!("/__admin/apps/{app}/enable");
    let enabled = call(client, served, reqwest::Method::POST, &path, None).await?;
    if enabled["api_status"] != "connected" {
        return Err(BenchError::refused(
            "soak: ",
            format!("the app did not connect: {enabled}"),
        ));
    }
    let role = json!({"name": "Soak"});
    let role = call(
        client,
        served,
        reqwest::Method::POST,
        "/api/2/roles",
        Some(role),
    )
    .await?;
    served.role = role["id"]
        .as_u64()
        .ok_or_else(|| BenchError::refused("soak: ", "no role id"))?;
    let path = format!("/api/2/roles/{}/apps", served.role);
    call(
        client,
        served,
        reqwest::Method::PUT,
        &path,
        Some(json!([app])),
    )
    .await?;
    Ok(())
}

/// One request to the fake OneLogin; `/__admin` without a token, the API with the access token.
async fn call(
    client: &reqwest::Client,
    served: &Served,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, BenchError> {
    let mut request = client.request(method, format!("{}{path}", served.onelogin));
    if !path.starts_with("/__admin") {
        request = request.bearer_auth(&served.access);
    }
    request = match body {
        Some(b) => request.json(&b),
        None => request.header("content-type", "application/json"),
    };
    let response = request
        .send()
        .await
        .map_err(BenchError::request("soak: "))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(BenchError::request("soak: "))?;
    if !status.is_success() {
        return Err(BenchError::refused(
            "soak: ",
            format!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            ),
        ));
    }
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Every person created and given Asana, changed, then deleted, each step provisioned before
/// the next. Returns the requests made and the wrong answers (a step that was refused, or a
/// task that did not provision).
async fn cycle(
    client: &reqwest::Client,
    served: &Served,
    people: usize,
    round: usize,
) -> Result<(u64, u64), BenchError> {
    let mut errors = 0;
    let mut requests = 0;
    let created = many(client, served, people, |i| {
        let body = json!({
            "username": format!("soak{i}"),
            "email": format!("soak{i}@acme.test"),
            "firstname": "Soak",
            "lastname": format!("Person {i}"),
        });
        (reqwest::Method::POST, "/api/2/users".to_owned(), Some(body))
    })
    .await;
    requests += people as u64;
    let ids: Vec<u64> = created
        .iter()
        .filter_map(|r| r.as_ref().ok().and_then(|v| v["id"].as_u64()))
        .collect();
    errors += (people - ids.len()) as u64;
    for batch in ids.chunks(1_000) {
        let path = format!("/api/2/roles/{}/users", served.role);
        let added = call(
            client,
            served,
            reqwest::Method::POST,
            &path,
            Some(json!(batch)),
        )
        .await;
        requests += 1;
        errors += u64::from(added.is_err());
    }
    errors += settle(client, served).await?;
    let changed = many(client, served, ids.len(), |i| {
        let body = json!({"title": format!("Title {round}")});
        (
            reqwest::Method::PUT,
            format!("/api/2/users/{}", ids[i]),
            Some(body),
        )
    })
    .await;
    requests += ids.len() as u64;
    errors += changed.iter().filter(|r| r.is_err()).count() as u64;
    errors += settle(client, served).await?;
    let deleted = many(client, served, ids.len(), |i| {
        (
            reqwest::Method::DELETE,
            format!("/api/2/users/{}", ids[i]),
            None,
        )
    })
    .await;
    requests += ids.len() as u64;
    errors += deleted.iter().filter(|r| r.is_err()).count() as u64;
    errors += settle(client, served).await?;
    Ok((requests, errors))
}

/// How many users the fake Asana's SCIM API lists.
async fn asana_users(client: &reqwest::Client, served: &Served) -> Result<u64, BenchError> {
    let list: Value = client
        .get(format!("{}?count=1", served.scim_users))
        .bearer_auth(&served.scim_token)
        .send()
        .await
        .map_err(BenchError::request("soak: "))?
        .json()
        .await
        .map_err(BenchError::request("soak: "))?;
    list["totalResults"].as_u64().ok_or_else(|| {
        BenchError::refused(
            "soak: ",
            format!("the SCIM list has no totalResults: {list}"),
        )
    })
}

/// Runs the queue until nothing is runnable (`POST /__admin/provisioning/run`, beside the
/// worker); returns the tasks that did not provision.
async fn settle(client: &reqwest::Client, served: &Served) -> Result<u64, BenchError> {
    let path = "/__admin/provisioning/run";
    let ran = call(client, served, reqwest::Method::POST, path, None).await?;
    let ran = ran["ran"].as_array().cloned().unwrap_or_default();
    Ok(ran.iter().filter(|t| t["status"] != "provisioned").count() as u64)
}

/// `count` requests, `CONCURRENCY` at a time, in order of `i`.
async fn many(
    client: &reqwest::Client,
    served: &Served,
    count: usize,
    request: impl Fn(usize) -> (reqwest::Method, String, Option<Value>),
) -> Vec<Result<Value, BenchError>> {
    let mut results = Vec::with_capacity(count);
    let requests: Vec<_> = (0..count).map(request).collect();
    for chunk in requests.chunks(CONCURRENCY) {
        let mut set = tokio::task::JoinSet::new();
        for (n, (method, path, body)) in chunk.iter().cloned().enumerate() {
            let client = client.clone();
            let (base, access) = (served.onelogin.clone(), served.access.clone());
            set.spawn(async move {
                let mut request = client
                    .request(method, format!("{base}{path}"))
                    .bearer_auth(access);
                if let Some(b) = body {
                    request = request.json(&b);
                }
                let result = match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        Ok(r.json::<Value>().await.unwrap_or(Value::Null))
                    }
                    Ok(r) => Err(BenchError::refused("", format!("{path}: {}", r.status()))),
                    Err(e) => Err(BenchError::request("")(e)),
                };
                (n, result)
            });
        }
        let mut answers: Vec<_> = set.join_all().await;
        answers.sort_by_key(|(n, _)| *n);
        results.extend(answers.into_iter().map(|(_, r)| r));
    }
    results
}
