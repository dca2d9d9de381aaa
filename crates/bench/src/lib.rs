//! The workloads behind `asana-harness bench`.
//!
//! Every throughput figure is measured next to `baseline`, the same HTTP stack (tokio, hyper,
//! axum, the same reqwest client) answering a constant body, in the same run: the ratio holds on
//! a noisy or shared machine where absolute figures do not. Client and servers share the
//! process and its cores, as they do when a test starts a fake in one line.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fake_asana::fixture::{OrganizationFixture, UserFixture};
use fake_asana::{FakeAsana, Fixture, RateLimits, Scope};
use fake_onelogin::FakeOneLogin;
use fake_onelogin::directory::{Directory, DirectoryRole, DirectoryUser};
use serde::Serialize;
use serde_json::{Value, json};

/// One benchmark workload; `asana-harness bench` runs them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Baseline,
    ScimRead,
    ScimWrite,
    Provision,
    Scenarios,
    Startup,
}

impl Workload {
    pub const ALL: [Workload; 6] = [
        Workload::Baseline,
        Workload::ScimRead,
        Workload::ScimWrite,
        Workload::Provision,
        Workload::Scenarios,
        Workload::Startup,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Baseline => "baseline",
            Workload::ScimRead => "scim-read",
            Workload::ScimWrite => "scim-write",
            Workload::Provision => "provision",
            Workload::Scenarios => "scenarios",
            Workload::Startup => "startup",
        }
    }
}

impl std::str::FromStr for Workload {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Workload::ALL.iter().map(|w| w.name()).collect();
                format!("unknown workload {s:?}; one of {}", names.join(", "))
            })
    }
}

/// How big each workload is.
#[derive(Debug, Clone, Serialize)]
pub struct Sizes {
    /// Users in the organization `scim-read` looks up in (it also runs at 1,000 to show that
    /// lookups stay flat).
    pub users: usize,
    /// Requests per read workload (`baseline`, each `scim-read` size).
    pub requests: usize,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Users `scim-write` creates, updates and deprovisions (three requests each).
    pub writes: usize,
    /// OneLogin users `provision` gives the Asana app.
    pub provision: usize,
    /// Times `startup` starts `serve`.
    pub starts: usize,
    /// Runs of each read workload; the best counts, since noise only ever slows a run down.
    pub rounds: usize,
}

impl Sizes {
    /// The sizes the performance targets are stated at.
    pub fn full() -> Sizes {
        Sizes {
            users: 1_000_000,
            requests: 200_000,
            connections: 64,
            writes: 20_000,
            provision: 100_000,
            starts: 10,
            rounds: 3,
        }
    }

    /// Small enough for CI, big enough to exercise every path.
    pub fn smoke() -> Sizes {
        Sizes {
            users: 2_000,
            requests: 500,
            connections: 8,
            writes: 30,
            provision: 50,
            starts: 1,
            rounds: 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub sizes: Sizes,
    /// The scenario library `scenarios` runs.
    pub scenarios: PathBuf,
    /// The `asana-harness` executable `startup` starts.
    pub executable: Option<PathBuf>,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub workload: String,
    /// Users in the organization, users provisioned, scenarios or starts.
    pub size: usize,
    /// Requests (or users, scenarios, starts) completed.
    pub operations: u64,
    pub seconds: f64,
    pub per_second: f64,
    /// `per_second` over `baseline`'s: the figure that holds across machines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<f64>,
    /// The baseline `vs_baseline` divides by, measured alongside this row: a run after each of
    /// a read row's runs (the best of them), or one run right after a write row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_per_second: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
    /// Resident memory the organization added, per user (Linux only); an upper bound, since
    /// the allocator keeps what building it freed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_user: Option<f64>,
    /// The bytes of attribute values each stored user holds: what `bytes_per_user` would be
    /// with no overhead at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_per_user: Option<f64>,
    /// The whole process's resident memory once the organization was built (Linux only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resident_bytes: Option<u64>,
    /// Requests or scenarios that did not give the expected answer; a sound run has none.
    pub errors: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cores: usize,
    pub sizes: Sizes,
    pub rows: Vec<Row>,
}

impl Report {
    pub fn errors(&self) -> u64 {
        self.rows.iter().map(|r| r.errors).sum()
    }

    /// The report as an aligned table.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<22} {:>9} {:>10} {:>8} {:>11} {:>7} {:>8} {:>8} {:>7} {:>7} {:>7} {:>6}\n",
            "workload",
            "size",
            "ops",
            "secs",
            "per sec",
            "vs base",
            "p50 ms",
            "p99 ms",
            "B/user",
            "payload",
            "RSS MiB",
            "errors"
        );
        let opt = |v: Option<f64>, prec: usize| v.map_or("-".to_owned(), |v| format!("{v:.prec$}"));
        for r in &self.rows {
            out += &format!(
                "{:<22} {:>9} {:>10} {:>8.3} {:>11.0} {:>7} {:>8} {:>8} {:>7} {:>7} {:>7} {:>6}\n",
                r.workload,
                r.size,
                r.operations,
                r.seconds,
                r.per_second,
                r.vs_baseline
                    .map_or("-".to_owned(), |v| format!("{:.0}%", v * 100.0)),
                opt(r.p50_ms, 3),
                opt(r.p99_ms, 3),
                opt(r.bytes_per_user, 0),
                opt(r.payload_per_user, 0),
                opt(r.resident_bytes.map(|b| b as f64 / 1024.0 / 1024.0), 0),
                r.errors
            );
        }
        out
    }
}

/// Runs the workloads in order. Fails only when a workload cannot start; wrong answers are
/// counted in each row's `errors`.
pub async fn run(workloads: &[Workload], options: &Options) -> Result<Report, String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let sizes = &options.sizes;
    let throughput = |w: &Workload| {
        matches!(
            w,
            Workload::ScimRead | Workload::ScimWrite | Workload::Provision
        )
    };
    // The baseline runs whenever a throughput row needs it.
    let baseline = if workloads.contains(&Workload::Baseline) || workloads.iter().any(throughput) {
        Some(Baseline::start(&client, sizes).await?)
    } else {
        None
    };
    let mut rows = Vec::new();
    for &w in Workload::ALL.iter().filter(|w| workloads.contains(w)) {
        let mut new_rows = match w {
            Workload::Baseline => Vec::new(),
            Workload::ScimRead => {
                let mut rows = Vec::new();
                if sizes.users > 1_000 {
                    rows.push(bench_scim_read(&client, sizes, 1_000, baseline.as_ref()).await?);
                }
                rows.push(bench_scim_read(&client, sizes, sizes.users, baseline.as_ref()).await?);
                rows
            }
            Workload::ScimWrite => vec![bench_scim_write(&client, sizes).await?],
            Workload::Provision => vec![bench_provision(&client, sizes.provision).await?],
            Workload::Scenarios => vec![bench_scenarios(&options.scenarios).await?],
            Workload::Startup => match &options.executable {
                Some(exe) => vec![bench_startup(exe, sizes.starts).await?],
                None => Vec::new(),
            },
        };
        // Read rows interleave their baseline; the others are paired with one run right after.
        if matches!(w, Workload::ScimWrite | Workload::Provision)
            && let Some(last) = new_rows.last_mut()
        {
            last.pair(baseline.as_ref(), sizes).await;
        }
        rows.extend(new_rows);
    }
    if let Some(baseline) = baseline {
        rows.insert(0, baseline.finish(sizes).await);
    }
    Ok(Report {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        sizes: sizes.clone(),
        rows,
    })
}

/// One request's latency and whether its answer was the expected one.
type Sample = (Duration, bool);
type Job = Arc<dyn Fn(usize) -> Pin<Box<dyn Future<Output = Vec<Sample>> + Send>> + Send + Sync>;

struct Load {
    seconds: f64,
    latencies: Vec<Duration>,
    errors: u64,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds.max(f64::EPSILON)
    }

    fn row(mut self, workload: String, size: usize) -> Row {
        self.latencies.sort_unstable();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
            self.latencies.get(i).map(|d| d.as_secs_f64() * 1000.0)
        };
        let operations = self.latencies.len() as u64;
        let per_second = self.per_second();
        Row {
            workload,
            size,
            operations,
            seconds: self.seconds,
            per_second,
            vs_baseline: None,
            baseline_per_second: None,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            bytes_per_user: None,
            payload_per_user: None,
            resident_bytes: None,
            errors: self.errors,
        }
    }
}

/// Runs `jobs` jobs over `connections` concurrent workers, each job's requests in order.
async fn drive(connections: usize, jobs: usize, job: Job) -> Load {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..connections.max(1) {
        let (next, job) = (next.clone(), job.clone());
        workers.spawn(async move {
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs {
                    return samples;
                }
                samples.extend(job(i).await);
            }
        });
    }
    let mut load = Load {
        seconds: 0.0,
        latencies: Vec::with_capacity(jobs),
        errors: 0,
    };
    while let Some(done) = workers.join_next().await {
        for (latency, ok) in done.expect("a bench worker does not panic") {
            load.latencies.push(latency);
            load.errors += u64::from(!ok);
        }
    }
    load.seconds = start.elapsed().as_secs_f64();
    load
}

/// The best of `sizes.rounds` runs of a read-only `job`, each followed by a baseline run, whose best comes
/// back too: both sides see the same quiet and busy moments of a shared machine.
async fn interleaved(sizes: &Sizes, job: Job, baseline: Option<&Baseline>) -> (Load, Option<f64>) {
    let mut best: Option<Load> = None;
    let mut base: Option<f64> = None;
    for _ in 0..sizes.rounds.max(1) {
        let load = drive(sizes.connections, sizes.requests, job.clone()).await;
        if best.as_ref().is_none_or(|b| b.seconds > load.seconds) {
            best = Some(load);
        }
        if let Some(baseline) = baseline {
            let run = baseline.round(sizes).await;
            base = Some(base.map_or(run, |b| b.max(run)));
        }
    }
    (best.expect("at least one round"), base)
}

/// Sends a request, reads the whole answer; the body comes back when the status is `expect`.
/// Bodies are not parsed here: the client's work should not count against the server.
async fn timed(
    request: reqwest::RequestBuilder,
    expect: u16,
) -> (Sample, Option<axum::body::Bytes>) {
    let start = Instant::now();
    let result = match request.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            r.bytes().await.ok().filter(|_| status == expect)
        }
        Err(_) => None,
    };
    let latency = start.elapsed();
    ((latency, result.is_some()), result)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    (0..haystack.len())
        .filter(|&i| haystack[i] == first)
        .any(|i| haystack[i..].starts_with(needle))
}

/// Opens the connections before the clock starts, so every workload measures warm ones.
async fn warm(client: &reqwest::Client, url: &str, connections: usize) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (client, url) = (client.clone(), url.to_owned());
        set.spawn(async move {
            let _ = client.get(url).send().await.map(|r| r.bytes());
        });
    }
    while set.join_next().await.is_some() {}
}

impl Row {
    /// States this row against a baseline measured right after it: a machine's speed drifts
    /// over a run, and a ratio to a baseline taken minutes earlier would drift with it.
    async fn pair(&mut self, baseline: Option<&Baseline>, sizes: &Sizes) {
        if let Some(baseline) = baseline {
            let base = baseline.measure(sizes).await;
            self.vs_baseline = Some(self.per_second / base.max(f64::EPSILON));
            self.baseline_per_second = Some(base);
        }
    }
}

/// The same HTTP stack answering a constant small body: the ceiling the other rows are
/// compared with. It stays up for the whole run, so each throughput row gets a baseline of its
/// own.
struct Baseline {
    server: tokio::task::JoinHandle<()>,
    job: Job,
    best: std::sync::Mutex<Option<Load>>,
}

impl Baseline {
    async fn start(client: &reqwest::Client, sizes: &Sizes) -> Result<Baseline, String> {
        use axum::routing::get;
        const BODY: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;
        let app = axum::Router::new().route(
            "/",
            get(|| async { ([("content-type", "application/scim+json")], BODY) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("baseline: cannot bind: {e}"))?;
        let url = format!(
            "http://{}/",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        warm(client, &url, sizes.connections).await;
        let job: Job = {
            let client = client.clone();
            Arc::new(move |_| {
                let request = client.get(&url);
                Box::pin(async move { vec![timed(request, 200).await.0] })
            })
        };
        Ok(Baseline {
            server,
            job,
            best: std::sync::Mutex::new(None),
        })
    }

    /// Measures now, best of `sizes.rounds`, and returns requests per second.
    async fn measure(&self, sizes: &Sizes) -> f64 {
        let mut best: f64 = 0.0;
        for _ in 0..sizes.rounds.max(1) {
            best = best.max(self.round(sizes).await);
        }
        best
    }

    /// One run, in requests per second; the baseline row keeps the best run of all.
    async fn round(&self, sizes: &Sizes) -> f64 {
        let load = drive(sizes.connections, sizes.requests, self.job.clone()).await;
        let per_second = load.per_second();
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        if best.as_ref().is_none_or(|b| b.seconds > load.seconds) {
            *best = Some(load);
        }
        per_second
    }

    /// The baseline row: the best of every measurement, or a first one.
    async fn finish(self, sizes: &Sizes) -> Row {
        if self
            .best
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
        {
            self.measure(sizes).await;
        }
        self.server.abort();
        let best = self.best.into_inner().unwrap_or_else(|e| e.into_inner());
        best.expect("measured").row("baseline".into(), 0)
    }
}

/// Resident memory in bytes, where the platform tells.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
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

async fn asana_with(fixture: Fixture) -> Result<(FakeAsana, String), String> {
    let asana = FakeAsana::builder()
        .fixture(fixture)
        .rate_limits(RateLimits::OFF)
        .try_start()
        .await
        .map_err(|e| format!("cannot start the fake Asana: {e}"))?;
    let token = asana.create_service_account("bench", Scope::Scim).token;
    Ok((asana, token))
}

async fn bench_scim_read(
    client: &reqwest::Client,
    sizes: &Sizes,
    users: usize,
    baseline: Option<&Baseline>,
) -> Result<Row, String> {
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

async fn bench_scim_write(client: &reqwest::Client, sizes: &Sizes) -> Result<Row, String> {
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

async fn bench_provision(client: &reqwest::Client, users: usize) -> Result<Row, String> {
    let (asana, token) = asana_with(organization(0)).await?;
    let directory = Directory {
        users: (0..users)
            .map(|i| DirectoryUser {
                email: format!("person{i}@bench.test"),
                username: None,
                firstname: "Person".into(),
                lastname: i.to_string(),
                title: None,
                department: None,
            })
            .collect(),
        roles: vec![DirectoryRole {
            name: "Asana users".into(),
            apps: vec!["asana".into()],
            users: Vec::new(),
        }],
    };
    let mut onelogin = FakeOneLogin::builder()
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
        return Err(format!(
            "provision: the app did not connect: {:?}",
            config.api_error
        ));
    }
    onelogin.spawn_worker();
    let state = onelogin.state();
    let role = state
        .roles
        .iter()
        .find(|r| r.name == "Asana users")
        .ok_or("provision: no role")?
        .id;
    let ids: Vec<u64> = state.users.iter().map(|u| u.id).collect();
    drop(state);
    let creds = onelogin.api_credentials().clone();
    let token: Value = client
        .post(format!("{}/auth/oauth2/v2/token", onelogin.uri()))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let access = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

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
            .map_err(|e| e.to_string())?;
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

async fn bench_scenarios(dir: &std::path::Path) -> Result<Row, String> {
    let files = harness_scenario::discover(&[dir.to_owned()]).map_err(|e| e.to_string())?;
    let loaded = files
        .iter()
        .map(|f| harness_scenario::load_file(f).map_err(|e| e.to_string()))
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
async fn bench_startup(exe: &std::path::Path, starts: usize) -> Result<Row, String> {
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
            .map_err(|e| format!("startup: cannot start {}: {e}", exe.display()))?;
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
