//! Replay: the SCIM exchanges of a HAR file (from `record`, from the harness's own `--har`, or a
//! browser's export) sent again, in order, to a fresh fake Asana or to any SCIM endpoint, each
//! answer compared with the recorded one; and the same recording written as a scenario.
//!
//! The map:
//! - [`har`]: reading the file (bounded in size) into the SCIM exchanges and their base.
//! - [`people`]: who the recording found before it made them, and on which domains.
//! - [`ids`]: recorded ids mapped to the replay's as the run learns them.
//! - [`send`]: a fresh, seeded fake Asana and its token; sending the exchanges.
//! - [`values`]: the values of an answer that matter, and their differences.
//! - [`report`]: the two sides, exchange by exchange, with `run --compare`'s matching on top.
//! - [`render`]: the report as people read it.
//! - [`scenario`]: the recording as a scenario file (`replay --to-scenario`).
//!
//! Architecture invariant: nothing of the file's headers is sent; a token is the target's own.

pub mod har;
pub mod ids;
pub mod people;
pub mod render;
pub mod report;
pub mod scenario;
pub mod send;
pub mod values;

pub use har::{Exchange, MAX_HAR_BYTES, ReadError, Recording, read_file};
pub use report::{Line, Report, Said};
pub use send::{Fresh, Replayed, StartError, Target, fresh_fake, replay};
