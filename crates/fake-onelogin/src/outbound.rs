//! What the fake OneLogin sent and ran, as `/__admin` shows it: the bounded journal of outbound
//! SCIM exchanges, tagged with their task, and what each task's run came to.

use harness_provisioner::Exchange;
use harness_server::BoundedLog;
use serde::Serialize;

use crate::model::{TaskAction, TaskStatus};

/// What one task's run came to, as `POST /__admin/provisioning/run` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRun {
    pub task_id: u64,
    pub user_id: u64,
    pub action: TaskAction,
    pub status: TaskStatus,
    pub error: Option<String>,
    /// HTTP requests sent for the task, retries included.
    pub requests: u32,
}

/// The outbound SCIM exchanges, bounded, tagged with the task (or the Enable test) they belong to.
pub struct Outbound {
    log: BoundedLog<OutboundExchange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboundExchange {
    pub seq: u64,
    /// When the run that sent it ended, on the harness clock.
    pub at: jiff::Timestamp,
    /// The task, or `None` for the connection test.
    pub task_id: Option<u64>,
    #[serde(flatten)]
    pub exchange: Exchange,
}

impl Outbound {
    pub fn new(capacity: usize) -> Self {
        Self {
            log: BoundedLog::new(capacity),
        }
    }

    pub fn record(&self, task_id: Option<u64>, at: jiff::Timestamp, exchanges: Vec<Exchange>) {
        for exchange in exchanges {
            self.log.push(|seq| OutboundExchange {
                seq,
                at,
                task_id,
                exchange,
            });
        }
    }

    /// The journal as HAR 1.2 entries.
    pub fn har(&self) -> Vec<harness_server::har::HarEntry> {
        self.log.read(|e| {
            let x = &e.exchange;
            harness_server::har::HarEntry {
                started: harness_server::har::started(&e.at.to_string()),
                method: x.method.clone(),
                url: x.url.clone(),
                request_mime: x.request_content_type.clone(),
                request_body: x.request_body.as_ref().map(ToString::to_string),
                status: x.status,
                response_mime: x.response_content_type.clone(),
                response_body: x.response_body.as_ref().map(ToString::to_string),
                comment: Some(match (e.task_id, &x.error) {
                    (Some(t), None) => format!("task {t}"),
                    (Some(t), Some(err)) => format!("task {t}: {err}"),
                    (None, None) => "Enable test".to_owned(),
                    (None, Some(err)) => format!("Enable test: {err}"),
                }),
            }
        })
    }

    pub fn entries(&self) -> Vec<OutboundExchange> {
        self.log.read(OutboundExchange::clone)
    }

    pub fn clear(&self) {
        self.log.clear();
    }
}
