//! The fake Asana over real loopback HTTP. One test binary; each module is one concern.

mod helpers;

mod admin;
mod auth;
mod bad_input;
mod concurrency;
mod console;
mod cross_site;
mod groups;
mod hostile;
mod limits_and_faults;
mod rest;
mod sign_in_pages;
mod snapshots;
mod sso;
mod users;
