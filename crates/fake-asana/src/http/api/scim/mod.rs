//! SCIM 2.0 under `/api/1.0/scim`: discovery, Users and Groups (Asana teams).
//!
//! - `routes`: which handler answers which method and path (the dispatch).
//! - `reply`: handler errors (always a SCIM error body) and ids read from a path.
//! - `request`: the `Call` a handler gets; reading bodies (schemas, OneLogin's extension key)
//!   and ids.
//! - `query`: list and search queries: Asana's documented filters, pages, projections.
//! - `resource`: the one rendering of a user, a view borrowed from the record.
//! - `render`: a user as a JSON tree, and the rendering of a group.
//! - `discovery`, `users`, `groups`: the handlers.

mod discovery;
mod groups;
mod query;
mod render;
mod reply;
mod request;
mod resource;
mod routes;
mod users;

pub(super) use routes::{BASE, allow, answer};
