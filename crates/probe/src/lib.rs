//! Contract checks for an Asana SCIM endpoint: the behaviours the provisioner relies on
//! (fidelity/asana §1, §2, §5, §7), each observed on the endpoint and on an in-process fake
//! Asana in the `asana` profile, and compared.
//!
//! Against the fake in the `asana` profile everything matches; against the `rfc` profile the
//! differences are exactly the checks tied to a fidelity switch. Against a real Asana, a
//! difference says the fake no longer matches the service.
//!
//! Read-only checks make only GETs and a search; checks with side effects (creating, changing
//! and deprovisioning probe users and a team) run only when asked.

mod check;
mod endpoint;
mod observe;
pub mod switches;

use fake_asana::{FakeAsana, Scope, Switch};
use serde::Serialize;

pub use check::Check;
pub use endpoint::{Endpoint, ProbeError};

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: &'static str,
    pub behaviour: &'static str,
    pub fact: &'static str,
    /// The fidelity switch this behaviour depends on, if any.
    pub switch: Option<&'static str>,
    pub writes: bool,
    pub expected: String,
    pub observed: String,
    pub matches: bool,
}

/// Runs the checks against `target` and against a fresh fake Asana (`asana` profile).
/// Without `side_effects`, only the read-only checks run.
///
/// Boxed: the checks' async bodies are compiled here once, not again in the binary (an
/// optimized build shares no generic code between crates, and async bodies count as generic).
pub fn probe<'a>(
    client: &'a reqwest::Client,
    target: &'a Endpoint,
    side_effects: bool,
) -> std::pin::Pin<Box<dyn Future<Output = Vec<Row>> + Send + 'a>> {
    Box::pin(probe_all(client, target, side_effects))
}

async fn probe_all(client: &reqwest::Client, target: &Endpoint, side_effects: bool) -> Vec<Row> {
    let reference = FakeAsana::builder()
        .clock(harness_clock::Clock::manual())
        .seed(1)
        .start()
        .await;
    let sa = reference.create_service_account("probe", Scope::Scim);
    let fake = Endpoint {
        scim_url: reference.scim_url(),
        token: sa.token,
        domain: "acme.test".into(),
    };
    let mut rows = Vec::new();
    for &check in Check::ALL.iter().filter(|c| side_effects || !c.writes()) {
        let expected = check.observe(client, &fake, 1).await;
        let observed = check.observe(client, target, 2).await;
        rows.push(Row {
            id: check.id(),
            behaviour: check.behaviour(),
            fact: check.fact(),
            switch: check.switch().map(Switch::name),
            writes: check.writes(),
            matches: expected == observed,
            expected,
            observed,
        });
    }
    reference.shutdown().await;
    rows
}

/// The table people read.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    let w = |s: &str, n: usize| format!("{s:<n$}");
    out.push_str(&format!(
        "{} {} {} {} {}\n",
        w("behaviour", 48),
        w("fact", 11),
        w("fake Asana", 36),
        w("endpoint", 36),
        "match"
    ));
    for r in rows {
        let verdict = if r.matches {
            "yes".to_owned()
        } else {
            format!(
                "NO{}",
                r.switch
                    .map(|s| format!(" (switch {s})"))
                    .unwrap_or_default()
            )
        };
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            w(r.behaviour, 48),
            w(r.fact, 11),
            w(&r.expected, 36),
            w(&r.observed, 36),
            verdict
        ));
    }
    let differ = rows.iter().filter(|r| !r.matches).count();
    out.push_str(&format!(
        "\n{} of {} behaviours match the fake Asana",
        rows.len() - differ,
        rows.len()
    ));
    out
}
