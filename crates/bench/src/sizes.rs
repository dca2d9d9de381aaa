//! What the report is made of: how big each workload is, and one row per measurement.

use serde::Serialize;

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
    /// IdP-initiated sign-ins `sign-in` makes, and the people it cycles through.
    pub sign_ins: usize,
    pub sign_in_people: usize,
    /// Runs of each read workload; the best counts, since noise only ever slows a run down.
    pub rounds: usize,
    /// People `soak` creates, changes and deletes in each cycle, and the cycles of its warm-up
    /// (ten times as many follow it).
    pub soak_people: usize,
    pub soak_warmup: usize,
    /// `serve --retention-count` for `soak`'s served process (default: serve's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soak_retention: Option<usize>,
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
            sign_ins: 5_000,
            sign_in_people: 1_000,
            rounds: 3,
            soak_people: 2_000,
            soak_warmup: 3,
            soak_retention: None,
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
            sign_ins: 20,
            sign_in_people: 5,
            rounds: 1,
            soak_people: 10,
            soak_warmup: 1,
            soak_retention: Some(20),
        }
    }
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
