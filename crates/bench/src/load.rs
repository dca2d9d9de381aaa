//! The load driver and the baseline: N workers over one client pulling job numbers from a
//! counter, latencies per request; the same stack answering a constant body, measured beside
//! every throughput row.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::BenchError;
use crate::sizes::{Row, Sizes};

/// One request's latency and whether its answer was the expected one.
pub(crate) type Sample = (Duration, bool);
pub(crate) type Job =
    Arc<dyn Fn(usize) -> Pin<Box<dyn Future<Output = Vec<Sample>> + Send>> + Send + Sync>;

pub(crate) struct Load {
    pub(crate) seconds: f64,
    pub(crate) latencies: Vec<Duration>,
    pub(crate) errors: u64,
}

impl Load {
    pub(crate) fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds.max(f64::EPSILON)
    }

    pub(crate) fn row(mut self, workload: String, size: usize) -> Row {
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
pub(crate) async fn drive(connections: usize, jobs: usize, job: Job) -> Load {
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
pub(crate) async fn interleaved(
    sizes: &Sizes,
    job: Job,
    baseline: Option<&Baseline>,
) -> (Load, Option<f64>) {
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
pub(crate) async fn timed(
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

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    (0..haystack.len())
        .filter(|&i| haystack[i] == first)
        .any(|i| haystack[i..].starts_with(needle))
}

/// Opens the connections before the clock starts, so every workload measures warm ones.
pub(crate) async fn warm(client: &reqwest::Client, url: &str, connections: usize) {
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
    pub(crate) async fn pair(&mut self, baseline: Option<&Baseline>, sizes: &Sizes) {
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
pub(crate) struct Baseline {
    server: tokio::task::JoinHandle<()>,
    job: Job,
    best: std::sync::Mutex<Option<Load>>,
}

impl Baseline {
    pub(crate) async fn start(
        client: &reqwest::Client,
        sizes: &Sizes,
    ) -> Result<Baseline, BenchError> {
        use axum::routing::get;
        const BODY: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;
        let app = axum::Router::new().route(
            "/",
            get(|| async { ([("content-type", "application/scim+json")], BODY) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(BenchError::io("baseline: cannot bind: "))?;
        let url = format!(
            "http://{}/",
            listener.local_addr().map_err(BenchError::io(""))?
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
    pub(crate) async fn measure(&self, sizes: &Sizes) -> f64 {
        let mut best: f64 = 0.0;
        for _ in 0..sizes.rounds.max(1) {
            best = best.max(self.round(sizes).await);
        }
        best
    }

    /// One run, in requests per second; the baseline row keeps the best run of all.
    pub(crate) async fn round(&self, sizes: &Sizes) -> f64 {
        let load = drive(sizes.connections, sizes.requests, self.job.clone()).await;
        let per_second = load.per_second();
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        if best.as_ref().is_none_or(|b| b.seconds > load.seconds) {
            *best = Some(load);
        }
        per_second
    }

    /// The baseline row: the best of every measurement, or a first one.
    pub(crate) async fn finish(self, sizes: &Sizes) -> Row {
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
