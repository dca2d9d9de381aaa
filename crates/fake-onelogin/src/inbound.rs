//! The API calls the fake OneLogin answered (`GET /__admin/api-requests`): what a client such as
//! `doctor` or a team's script asked of OneLogin's API, bounded. The outbound SCIM journal
//! (`/__admin/requests`) says what OneLogin sent; this one says what it was sent, so a test can
//! show that a client only read.

use harness_server::BoundedLog;
use serde::Serialize;

/// One answered call to `/api/1`, `/api/2` or `/auth/oauth2`. Only the request line and the
/// status: bodies carry client secrets and tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiCall {
    pub seq: u64,
    /// When it arrived, on the harness clock.
    pub at: jiff::Timestamp,
    pub method: String,
    /// The path and query as sent.
    pub uri: String,
    pub status: u16,
}

pub struct Inbound {
    log: BoundedLog<ApiCall>,
}

impl Inbound {
    pub fn new(capacity: usize) -> Self {
        Self {
            log: BoundedLog::new(capacity),
        }
    }

    pub fn record(&self, at: jiff::Timestamp, method: String, uri: String, status: u16) {
        self.log.push(|seq| ApiCall {
            seq,
            at,
            method,
            uri,
            status,
        });
    }

    pub fn entries(&self) -> Vec<ApiCall> {
        self.log.read(ApiCall::clone)
    }

    pub fn clear(&self) {
        self.log.clear();
    }
}
