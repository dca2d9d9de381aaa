//! `GET /__admin/health` on both fakes: whether the fake answers, and what it is (its name,
//! version and profile) and for how long it has been up. No token is needed, nothing secret is
//! in it: a container's health check and a CI job's readiness probe can ask it freely.

use std::sync::LazyLock;
use std::time::Instant;

use serde_json::{Value, json};

/// When the first fake of this process started serving.
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Marks the process's start of service (the first call counts): a fake calls it as it starts.
pub fn mark_start() {
    LazyLock::force(&STARTED);
}

/// The health document of `service` (`fake-asana`, `fake-onelogin`), with its `profile` if it
/// has one.
pub fn health(service: &str, profile: Option<&str>) -> Value {
    let mut doc = json!({
        "status": "ok",
        "service": service,
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_seconds": STARTED.elapsed().as_secs(),
    });
    if let Some(profile) = profile {
        doc["profile"] = json!(profile);
    }
    doc
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_what_answers_and_nothing_else() {
        super::mark_start();
        let doc = super::health("fake-asana", Some("asana"));
        assert_eq!(doc["status"], "ok");
        assert_eq!(doc["service"], "fake-asana");
        assert_eq!(doc["profile"], "asana");
        assert!(doc["uptime_seconds"].is_u64());
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5, "{keys:?}");
    }
}
