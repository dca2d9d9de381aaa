//! Everything the doctor reads, read before any check runs, so that checks are pure functions
//! of [`Readings`] and a run sends each request once. `onelogin.rs` reads OneLogin's API,
//! `asana.rs` Asana's SCIM API and the token's identity; `session.rs` holds the requests they
//! are made of and what a failed read says.

mod asana;
mod onelogin;
mod session;

use serde::Serialize;

use crate::inputs::Inputs;

pub use asana::AsanaReadings;
pub use onelogin::{AppReading, AppUser, Event, OneLoginReadings};
pub use session::{ReadError, ReadFailure, Response, SentRequest};

#[derive(Debug, Clone, Serialize)]
pub struct Readings {
    pub onelogin: OneLoginReadings,
    pub asana: AsanaReadings,
    pub requests: Vec<SentRequest>,
}

pub async fn read(
    client: &reqwest::Client,
    inputs: &Inputs,
    now: jiff::Timestamp,
) -> Result<Readings, ReadError> {
    let mut session = session::Session {
        client,
        requests: Vec::new(),
    };
    let onelogin = onelogin::read(&mut session, inputs, now).await?;
    let asana = asana::read(&mut session, inputs).await?;
    Ok(Readings {
        onelogin,
        asana,
        requests: session.requests,
    })
}
