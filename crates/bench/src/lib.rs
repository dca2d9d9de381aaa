//! The workloads behind `asana-harness bench`.
//!
//! Every throughput figure is measured next to its ceiling: `sign-in` next to the RSA signature
//! each sign-in needs (`signin.rs`), the others next to `baseline`, the same HTTP stack (tokio, hyper,
//! axum, the same reqwest client) answering a constant body, in the same run: the ratio holds on
//! a noisy or shared machine where absolute figures do not. Client and servers share the
//! process and its cores, as they do when a test starts a fake in one line.

mod error;
mod load;
mod signin;
mod sizes;
mod soak;
mod workloads;

use std::path::PathBuf;

use serde::Serialize;

pub use error::{BenchError, UnknownWorkload};
use load::Baseline;
pub use sizes::{Row, Sizes};
use workloads::{
    bench_provision, bench_scenarios, bench_scim_read, bench_scim_write, bench_startup,
};

/// One benchmark workload; `asana-harness bench` runs them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Baseline,
    ScimRead,
    ScimWrite,
    Provision,
    Scenarios,
    Startup,
    SignIn,
    Soak,
}

impl Workload {
    /// What a bare `bench` runs: every workload but `soak`, which is asked for by name.
    pub const ALL: [Workload; 7] = [
        Workload::Baseline,
        Workload::ScimRead,
        Workload::ScimWrite,
        Workload::Provision,
        Workload::Scenarios,
        Workload::Startup,
        Workload::SignIn,
    ];
    /// Every workload, in the order they run.
    pub const EVERY: [Workload; 8] = [
        Workload::Baseline,
        Workload::ScimRead,
        Workload::ScimWrite,
        Workload::Provision,
        Workload::Scenarios,
        Workload::Startup,
        Workload::SignIn,
        Workload::Soak,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Baseline => "baseline",
            Workload::ScimRead => "scim-read",
            Workload::ScimWrite => "scim-write",
            Workload::Provision => "provision",
            Workload::Scenarios => "scenarios",
            Workload::Startup => "startup",
            Workload::SignIn => "sign-in",
            Workload::Soak => "soak",
        }
    }
}

impl std::str::FromStr for Workload {
    type Err = UnknownWorkload;

    fn from_str(s: &str) -> Result<Self, UnknownWorkload> {
        Workload::EVERY
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Workload::EVERY.iter().map(|w| w.name()).collect();
                UnknownWorkload {
                    name: s.to_owned(),
                    known: names.join(", "),
                }
            })
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub sizes: Sizes,
    /// The scenario library `scenarios` runs.
    pub scenarios: PathBuf,
    /// The `asana-harness` executable `startup` and `soak` start.
    pub executable: Option<PathBuf>,
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
                opt(r.resident_bytes.map(|b| b as f64 / 1024.0 / 1024.0), 1),
                r.errors
            );
        }
        out
    }
}

/// Runs the workloads in order. Fails only when a workload cannot start; wrong answers are
/// counted in each row's `errors`.
/// Boxed: the workloads' async bodies are compiled here once, not again in the binary (an
/// optimized build shares no generic code between crates, and async bodies count as generic).
pub fn run<'a>(
    workloads: &'a [Workload],
    options: &'a Options,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Report, BenchError>> + Send + 'a>> {
    Box::pin(run_workloads(workloads, options))
}

async fn run_workloads(workloads: &[Workload], options: &Options) -> Result<Report, BenchError> {
    let client = harness_tls::client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .map_err(BenchError::Client)?;
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
    for &w in Workload::EVERY.iter().filter(|w| workloads.contains(w)) {
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
            Workload::SignIn => vec![signin::bench_sign_in(&client, sizes).await?],
            Workload::Startup => match &options.executable {
                Some(exe) => vec![bench_startup(exe, sizes.starts).await?],
                None => Vec::new(),
            },
            Workload::Soak => match &options.executable {
                Some(exe) => soak::bench_soak(&client, exe, sizes).await?,
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
