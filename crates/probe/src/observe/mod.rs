//! What each check sees on one side, one function per check: the read-only requests
//! (`reads.rs`), the writes to users (`users.rs`), and teams and guests (`teams.rs`).

pub(crate) mod reads;
pub(crate) mod teams;
pub(crate) mod users;

use std::pin::Pin;

use reqwest::Method;
use serde_json::Value;

use crate::endpoint::{self, Endpoint, ProbeError, Reply};

/// A check's observation in progress; boxed so the check table can hold plain function
/// pointers.
pub(crate) type Observation<'a> =
    Pin<Box<dyn Future<Output = Result<String, ProbeError>> + Send + 'a>>;

/// One check's observation: what the check table points at.
pub(crate) type Observe = for<'a> fn(Side<'a>) -> Observation<'a>;

/// One side of the comparison: the endpoint, and a number keeping its probe users apart from
/// the other side's.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub(crate) client: &'a reqwest::Client,
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) side: u8,
}

/// `GET /Users` filtered on a userName no endpoint has, in OneLogin's form (`+`, trailing `&`).
pub(crate) const LOOKUP_NOBODY: &str = "/Users?filter=userName+eq+%22never-existing-user%22&";

impl<'a> Side<'a> {
    fn token(self) -> Option<&'a str> {
        Some(self.endpoint.token.as_str())
    }

    /// A request with an explicit token (or none).
    async fn call_as(
        self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Reply, ProbeError> {
        endpoint::call(self.client, self.endpoint, method, path, token, body).await
    }

    /// A request with the endpoint's token.
    async fn call(
        self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, ProbeError> {
        self.call_as(method, path, self.token(), body).await
    }

    fn email(self, tag: &str) -> String {
        endpoint::probe_email(self.endpoint, self.side, tag)
    }

    async fn create_user(self, email: &str) -> Result<String, ProbeError> {
        endpoint::create_user(self.client, self.endpoint, self.token(), email).await
    }

    async fn remove_user(self, id: &Value) {
        endpoint::remove_user(self.client, self.endpoint, self.token(), id).await;
    }
}
