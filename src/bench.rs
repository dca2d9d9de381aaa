//! `asana-harness bench`: throughput and latency of the fakes next to a same-stack baseline.

use std::path::PathBuf;
use std::process::ExitCode;

use harness_bench::{Options, Sizes, Workload};

use crate::BadInput;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Workloads to run (default: all but soak): baseline, scim-read, scim-write, provision,
    /// scenarios, startup, sign-in, soak. Throughput rows bring `baseline` along; `sign-in` is
    /// measured against the RSA signing rate instead; `soak` reads a served process's memory
    /// after a warm-up and after ten times more traffic.
    #[arg(value_parser = parse_workload)]
    workloads: Vec<Workload>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Tiny sizes, to check that every workload still runs (what CI does).
    #[arg(long)]
    smoke: bool,
    /// Users in the organization `scim-read` looks up in.
    #[arg(long)]
    users: Option<usize>,
    /// Requests per read workload.
    #[arg(long)]
    requests: Option<usize>,
    /// Concurrent keep-alive connections.
    #[arg(long)]
    connections: Option<usize>,
    /// Users `scim-write` creates, updates and deprovisions.
    #[arg(long)]
    writes: Option<usize>,
    /// OneLogin users `provision` gives the Asana app.
    #[arg(long)]
    provision: Option<usize>,
    /// People `soak` creates, changes and deletes in each cycle.
    #[arg(long)]
    soak_people: Option<usize>,
    /// Cycles of `soak`'s warm-up; ten times as many follow it.
    #[arg(long)]
    soak_warmup: Option<usize>,
    /// `--retention-count` of the harness `soak` serves (default: serve's own).
    #[arg(long)]
    soak_retention: Option<usize>,
    /// The scenario library `scenarios` runs.
    #[arg(long, default_value = "scenarios")]
    scenarios: PathBuf,
}

fn parse_workload(s: &str) -> Result<Workload, harness_bench::UnknownWorkload> {
    s.parse()
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let mut sizes = if args.smoke {
        Sizes::smoke()
    } else {
        Sizes::full()
    };
    let set = |field: &mut usize, value: Option<usize>| {
        if let Some(v) = value {
            *field = v;
        }
    };
    set(&mut sizes.users, args.users);
    set(&mut sizes.requests, args.requests);
    set(&mut sizes.connections, args.connections);
    set(&mut sizes.writes, args.writes);
    set(&mut sizes.provision, args.provision);
    set(&mut sizes.soak_people, args.soak_people);
    set(&mut sizes.soak_warmup, args.soak_warmup);
    if args.soak_retention.is_some() {
        sizes.soak_retention = args.soak_retention;
    }
    let workloads = if args.workloads.is_empty() {
        Workload::ALL.to_vec()
    } else {
        args.workloads.clone()
    };
    if workloads.contains(&Workload::Scenarios) && !args.scenarios.is_dir() {
        return Err(BadInput(format!(
            "no scenario library at {} (pass --scenarios DIR)",
            args.scenarios.display()
        ))
        .into());
    }
    let options = Options {
        sizes,
        scenarios: args.scenarios.clone(),
        executable: std::env::current_exe().ok(),
    };
    let report = harness_bench::run(&workloads, &options)
        .await
        .map_err(anyhow::Error::msg)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(if report.errors() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
