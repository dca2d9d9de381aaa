//! What a run is given besides its file: an external SCIM endpoint, whether to keep a
//! transcript, and the seed.

use crate::format::Scenario;

/// Where SCIM goes when not to the fake Asana.
#[derive(Debug, Clone)]
pub struct ExternalTarget {
    pub scim_url: String,
    pub token: String,
    /// A CA (PEM) to trust besides the system's, for an HTTPS endpoint with its own CA.
    pub ca_cert: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run against this SCIM endpoint in place of the fake Asana.
    pub external: Option<ExternalTarget>,
    /// Keep a redacted transcript of both hops.
    pub transcript: bool,
    /// Keep both hops as a HAR document (`run --har DIR`).
    pub har: bool,
    /// The fake Asana's organization domain when the scenario names none (`run --compare
    /// --domain`: the fake's members are the endpoint's).
    pub organization_domain: Option<String>,
}

/// The seed a scenario runs with: its own, or one derived from its name.
pub fn seed_of(scenario: &Scenario) -> u64 {
    scenario
        .seed
        .unwrap_or_else(|| harness_server::stable_hash(&scenario.name))
}
