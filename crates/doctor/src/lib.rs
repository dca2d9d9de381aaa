//! `doctor`: reads a OneLogin + Asana provisioning setup and names every known pitfall it finds,
//! each with its evidence, the fix in the admin's words, and the customer case
//! (`scenarios/customer-cases/<case>.yaml`) that reproduces it.
//!
//! - `inputs.rs`: what the admin gives: both APIs' addresses and secrets, and the values only
//!   a person can read off a screen (Asana's Security tab, OneLogin's deletion policy).
//! - `read/`: [`Readings`], everything read, read-only, before any check runs (`onelogin.rs`,
//!   `asana.rs`, and in `mod.rs` the HTTP plumbing and [`ReadError`]).
//! - `finding.rs`: a [`Finding`] and its [`Severity`].
//! - `checks/`: one check per file; `checks/mod.rs` is the table (code, severity, case).
//! - `report.rs`: a run's [`Report`]; `render.rs` its human form.
//!
//! **Invariant:** the doctor writes nothing. Its only request that is not a GET is OneLogin's
//! OAuth2 token grant, which every API client must make first; checks see only [`Readings`].

mod checks;
mod finding;
mod inputs;
mod read;
mod render;
mod report;

pub use checks::{CHECKS, Check};
pub use finding::{Finding, Severity};
pub use inputs::{AsanaSecurity, DeletionPolicy, Inputs, SamlMode};
pub use read::{
    AppReading, AppUser, AsanaReadings, Event, OneLoginReadings, ReadError, ReadFailure, Readings,
    Response, SentRequest,
};
pub use render::render;
pub use report::Report;

use std::future::Future;
use std::pin::Pin;

/// Reads everything, then runs every check. Boxed so that its body is compiled once, here.
pub fn diagnose<'a>(
    client: &'a reqwest::Client,
    inputs: &'a Inputs,
    now: jiff::Timestamp,
) -> Pin<Box<dyn Future<Output = Result<Report, ReadError>> + Send + 'a>> {
    Box::pin(async move {
        let readings = read::read(client, inputs, now).await?;
        let findings = checks::run(&readings, inputs, now);
        Ok(Report {
            findings,
            requests: readings.requests.clone(),
        })
    })
}
