//! What the fake OneLogin sent and ran, as `/__admin` shows it: the bounded journal of outbound
//! SCIM exchanges, tagged with their task, and what each task's run came to.

use std::collections::VecDeque;
use std::sync::Mutex;

use harness_provisioner::Exchange;
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
    inner: Mutex<(u64, VecDeque<OutboundExchange>)>,
    capacity: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboundExchange {
    pub seq: u64,
    /// The task, or `None` for the connection test.
    pub task_id: Option<u64>,
    #[serde(flatten)]
    pub exchange: Exchange,
}

impl Outbound {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new((0, VecDeque::new())),
            capacity: capacity.max(1),
        }
    }

    pub fn record(&self, task_id: Option<u64>, exchanges: Vec<Exchange>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        for exchange in exchanges {
            inner.0 += 1;
            let seq = inner.0;
            if inner.1.len() == self.capacity {
                inner.1.pop_front();
            }
            inner.1.push_back(OutboundExchange {
                seq,
                task_id,
                exchange,
            });
        }
    }

    pub fn entries(&self) -> Vec<OutboundExchange> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .iter()
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clear();
    }
}
