//! How both fakes serve, in one place: a listener bound (or given) with its origin, the `Host`
//! guard against DNS rebinding ([`host`]), plain HTTP or TLS (`harness-tls`), and one handle,
//! [`Server`], that stops the server gracefully on request and when dropped.

pub mod host;
mod server;

pub use server::{BindError, Listener, Server, bind};
