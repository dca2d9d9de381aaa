//! What both fakes share in serving, in one place: a listener bound (or given) with its origin,
//! the `Host` guard against DNS rebinding ([`host`]), plain HTTP or TLS (`harness-tls`), and one
//! handle, [`Server`], that stops the server gracefully on request and when dropped. Besides,
//! what every request of both fakes goes through or ends in: the bearer and cookie parsers, the
//! admin guard (the token, and JSON-only admin writes), the bounded request log, which recorded
//! values are secrets ([`redact`]), HAR output for the journals, the health document, the pool
//! that keeps XML and RSA work off the async workers, and a stable hash for what is derived from
//! names.

mod admin;
mod cpu;
mod credentials;
pub mod har;
mod hash;
pub mod health;
pub mod host;
mod log;
pub mod redact;
mod server;

pub use admin::{JSON_REQUIRED, admin_authorized, admin_request_allowed};
pub use cpu::CpuPool;
pub use credentials::{bearer, cookie};
pub use hash::stable_hash;
pub use log::BoundedLog;
pub use server::{App, BindError, Listener, Server, bind};
