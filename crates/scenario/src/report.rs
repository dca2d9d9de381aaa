//! What a run says: per scenario and per step, as human text, JSON or JUnit XML. Reports hold
//! no wall-clock durations, so the same files give byte-identical JSON on every run.

use std::fmt::Write as _;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub path: String,
    pub name: String,
    pub tags: Vec<String>,
    /// Printed on failure: the same seed replays the same run.
    pub seed: u64,
    pub outcome: Outcome,
    pub steps: Vec<StepReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Steps that could not run here (against an external endpoint), each with its reason in
    /// `steps`. A passed scenario may have some: expectations only the fake can check.
    pub skipped_steps: usize,
    /// Against an external endpoint: what the run created there, and in what state it left it,
    /// so an admin can clean a sandbox.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub created: Vec<CreatedResource>,
    /// Both hops, redacted; only when asked for.
    #[serde(skip)]
    pub transcript: Option<String>,
    /// Both hops as HAR 1.2, redacted; only when asked for (`run --har`).
    #[serde(skip)]
    pub har: Option<serde_json::Value>,
    /// The exchanges with the SCIM target, normalized, for `run --compare`.
    #[serde(skip)]
    pub exchanges: Vec<ExchangeShape>,
}

/// One exchange with the SCIM target as `run --compare` sees it: the request, the status, and
/// the response body with ids, times and secrets normalized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExchangeShape {
    pub method: String,
    /// With ids in the path replaced by `{id}`.
    pub path: String,
    pub query: Option<String>,
    pub status: Option<u16>,
    pub body: serde_json::Value,
}

/// A user or group a run created on an external endpoint, and its state when the scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedResource {
    /// `User` or `Group`.
    pub resource: &'static str,
    /// The endpoint's SCIM id.
    pub id: String,
    /// userName or displayName.
    pub name: String,
    /// `active`, `inactive` (deprovisioned), `gone` (404), or `unknown` (the read failed).
    pub final_state: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub index: usize,
    pub line: u64,
    pub kind: &'static str,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why a step failed, before the runner knows where the step is.
#[derive(Debug, Clone)]
pub struct StepFailure {
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl StepFailure {
    pub fn at(
        self,
        step: usize,
        line: u64,
        column: u64,
        kind: &'static str,
        exchanges: Vec<String>,
    ) -> FailureReport {
        FailureReport {
            step,
            line,
            column,
            kind,
            message: self.message,
            expected: self.expected,
            actual: self.actual,
            exchanges,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    /// 0 for `given`.
    pub step: usize,
    pub line: u64,
    pub column: u64,
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The last exchanges with the SCIM target before the failure.
    pub exchanges: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

pub fn summarize(reports: &[ScenarioReport]) -> Summary {
    let mut s = Summary::default();
    for r in reports {
        match r.outcome {
            Outcome::Passed => s.passed += 1,
            Outcome::Failed => s.failed += 1,
            Outcome::Skipped => s.skipped += 1,
        }
    }
    s
}

/// The distinct reasons a scenario's steps were skipped.
fn skip_reasons(r: &ScenarioReport) -> String {
    let mut reasons: Vec<&str> = Vec::new();
    for step in r.steps.iter().filter(|s| s.outcome == Outcome::Skipped) {
        let why = step.message.as_deref().unwrap_or("");
        if !reasons.contains(&why) {
            reasons.push(why);
        }
    }
    reasons.join("; ")
}

/// The human form of one scenario's result.
pub fn human(r: &ScenarioReport) -> String {
    let mut out = String::new();
    match r.outcome {
        Outcome::Passed if r.skipped_steps > 0 => {
            let _ = write!(
                out,
                "PASS  {}  ({} steps, {} skipped: {})",
                r.path,
                r.steps.len(),
                r.skipped_steps,
                skip_reasons(r)
            );
        }
        Outcome::Passed => {
            let _ = write!(out, "PASS  {}  ({} steps)", r.path, r.steps.len());
        }
        Outcome::Skipped => {
            let _ = write!(
                out,
                "SKIP  {}  {}",
                r.path,
                r.skip_reason.as_deref().unwrap_or_default()
            );
        }
        Outcome::Failed => {
            let _ = writeln!(out, "FAIL  {}  ({})", r.path, r.name);
            if let Some(f) = &r.failure {
                let place = if f.step == 0 {
                    "given".to_owned()
                } else {
                    format!("step {} `{}`", f.step, f.kind)
                };
                let _ = writeln!(out, "      at {}:{}:{}: {place}", r.path, f.line, f.column);
                let _ = writeln!(out, "      {}", f.message);
                if let Some(e) = &f.expected {
                    let _ = writeln!(out, "      expected: {}", indent(e));
                }
                if let Some(a) = &f.actual {
                    let _ = writeln!(out, "      actual:   {}", indent(a));
                }
                if !f.exchanges.is_empty() {
                    let _ = writeln!(out, "      last exchanges with the SCIM target:");
                    for x in &f.exchanges {
                        let _ = writeln!(out, "        {x}");
                    }
                }
            }
            let _ = write!(
                out,
                "      seed: {} (set `seed: {}` in the file to replay exactly)",
                r.seed, r.seed
            );
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n                ")
}

pub fn json(reports: &[ScenarioReport]) -> String {
    json_for(reports, None)
}

/// The JSON report; `target` (an external run's endpoint, domain and run id) heads it, and then
/// everything the run created there is listed once more, together.
pub fn json_for(reports: &[ScenarioReport], target: Option<&serde_json::Value>) -> String {
    let mut body = serde_json::json!({"summary": summarize(reports), "scenarios": reports});
    if let Some(t) = target {
        body["target"] = t.clone();
        let created: Vec<serde_json::Value> = reports
            .iter()
            .flat_map(|r| {
                r.created.iter().map(|c| {
                    let mut v = serde_json::to_value(c).expect("serializes");
                    v["scenario"] = serde_json::json!(r.path);
                    v
                })
            })
            .collect();
        body["created"] = serde_json::json!(created);
    }
    serde_json::to_string_pretty(&body).expect("reports serialize")
}

/// What a run created on an external endpoint, for the human report: one line per resource.
pub fn created_lines(reports: &[ScenarioReport]) -> Vec<String> {
    reports
        .iter()
        .flat_map(|r| {
            r.created.iter().map(move |c| {
                format!(
                    "{} {} {}  {}  ({})",
                    c.resource, c.id, c.name, c.final_state, r.path
                )
            })
        })
        .collect()
}

/// JUnit XML: one testsuite, a testcase per scenario, named by its path.
pub fn junit(reports: &[ScenarioReport]) -> String {
    let s = summarize(reports);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n  <testsuite name=\"scenarios\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        reports.len(),
        s.failed,
        s.skipped,
        reports.len(),
        s.failed,
        s.skipped
    );
    for r in reports {
        let class = r.path.rsplit_once('/').map_or("scenarios", |(dir, _)| dir);
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(class),
            xml(&r.path)
        );
        match r.outcome {
            Outcome::Passed => {}
            Outcome::Skipped => {
                let _ = write!(
                    out,
                    "<skipped message=\"{}\"/>",
                    xml(r.skip_reason.as_deref().unwrap_or_default())
                );
            }
            Outcome::Failed => {
                let message = r
                    .failure
                    .as_ref()
                    .map_or(String::new(), |f| f.message.clone());
                let _ = write!(
                    out,
                    "<failure message=\"{}\">{}</failure>",
                    xml(&message),
                    xml(&human(r))
                );
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: Outcome) -> ScenarioReport {
        ScenarioReport {
            path: "scenarios/a/b.yaml".into(),
            name: "a <b> & c".into(),
            tags: vec![],
            seed: 7,
            outcome,
            steps: vec![],
            failure: (outcome == Outcome::Failed).then(|| FailureReport {
                step: 2,
                line: 9,
                column: 5,
                kind: "check_step",
                message: "status \"x\"".into(),
                expected: Some("pending".into()),
                actual: Some("provisioned".into()),
                exchanges: vec!["POST /Users 201".into()],
            }),
            skip_reason: (outcome == Outcome::Skipped).then(|| "needs the fake".into()),
            skipped_steps: 0,
            created: vec![],
            transcript: None,
            har: None,
            exchanges: vec![],
        }
    }

    #[test]
    fn human_failure_says_where_what_and_the_seed() {
        let text = human(&report(Outcome::Failed));
        assert!(text.contains("scenarios/a/b.yaml:9:5: step 2 `check_step`"));
        assert!(text.contains("expected: pending"));
        assert!(text.contains("actual:   provisioned"));
        assert!(text.contains("POST /Users 201"));
        assert!(text.contains("seed: 7"));
    }

    #[test]
    fn junit_is_escaped_and_counts() {
        let xml = junit(&[
            report(Outcome::Passed),
            report(Outcome::Failed),
            report(Outcome::Skipped),
        ]);
        assert!(xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\""));
        assert!(xml.contains("classname=\"scenarios/a\" name=\"scenarios/a/b.yaml\""));
        assert!(xml.contains("message=\"status &quot;x&quot;\""));
        assert!(!xml.contains("<b>"));
    }
}
