//! What the doctor reports: a pitfall found, or a check it could not make.

use serde::Serialize;

/// How bad a finding is; the report groups by it, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// People cannot sign in, or changes do not reach Asana, or access outlives deletion.
    Critical,
    /// Works today, but weak or about to break.
    Warning,
    /// A check that needs a value only the admin can give, left out. Not a problem found, but
    /// not silence either: the report says what to give.
    NotChecked,
}

impl Severity {
    pub fn heading(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::Warning => "Warning",
            Severity::NotChecked => "Not checked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable: scripts and tickets refer to it.
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// What was read that shows it.
    pub evidence: String,
    /// What to do, in the admin's words.
    pub fix: String,
    /// The customer case reproducing it, `scenarios/customer-cases/<case>.yaml`.
    pub case: Option<&'static str>,
}
