//! The fake OneLogin over loopback: its API in OneLogin's shapes, and the KB article's flow end to
//! end through the reference provisioner to a real fake Asana.

mod helpers;

mod api;
mod approvals;
mod connector;
mod console;
mod cross_site;
mod login;
mod policies;
mod queue;
mod retention;
mod sso;
mod tls;
mod workflows;
