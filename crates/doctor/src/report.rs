//! What one run of the doctor found, and the requests it sent to find it.

use crate::finding::{Finding, Severity};
use crate::read::SentRequest;

/// What one run of the doctor found, and what it read to find it.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Every request sent, in order: the evidence that the doctor only read.
    pub requests: Vec<SentRequest>,
}

impl Report {
    /// Findings that are problems (not the ones saying what could not be checked).
    pub fn problems(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity != Severity::NotChecked)
    }
}
