//! Why a workload could not run. Wrong answers are not errors: each row counts them.

/// A workload that could not start or go on, and why. `at` names the workload in the message
/// (`soak: `), empty where the message says it already.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// A fake, the baseline server or a served harness did not start.
    #[error("{at}cannot start {what}: {reason}")]
    Start {
        at: &'static str,
        what: String,
        reason: String,
    },
    /// A request the workload depends on got no answer, or an answer it could not read.
    #[error("{at}{source}")]
    Request {
        at: &'static str,
        source: reqwest::Error,
    },
    /// A socket or file the workload uses.
    #[error("{at}{source}")]
    Io {
        at: &'static str,
        source: std::io::Error,
    },
    /// The served harness's credentials file is not the JSON it writes.
    #[error("soak: {0}")]
    Credentials(#[source] serde_json::Error),
    /// The harness answered in a way the workload cannot go on from.
    #[error("{at}{what}")]
    Refused { at: &'static str, what: String },
    /// The scenario library did not load.
    #[error("{0}")]
    Scenarios(#[from] harness_scenario::LoadError),
}

impl BenchError {
    pub(crate) fn request(at: &'static str) -> impl FnOnce(reqwest::Error) -> BenchError {
        move |source| BenchError::Request { at, source }
    }

    pub(crate) fn io(at: &'static str) -> impl FnOnce(std::io::Error) -> BenchError {
        move |source| BenchError::Io { at, source }
    }

    pub(crate) fn refused(at: &'static str, what: impl Into<String>) -> BenchError {
        BenchError::Refused {
            at,
            what: what.into(),
        }
    }
}

/// A workload name `bench --workload` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown workload {name:?}; one of {known}")]
pub struct UnknownWorkload {
    pub name: String,
    /// The known names, comma-separated.
    pub known: String,
}
