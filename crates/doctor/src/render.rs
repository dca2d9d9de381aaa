//! The human report: findings grouped by severity, worst first, each with what to do first,
//! then what shows it and the case that reproduces it.

use std::fmt::Write as _;

use crate::finding::Severity;
use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let problems = report.problems().count();
    for severity in [Severity::Critical, Severity::Warning, Severity::NotChecked] {
        let group: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{} ({})", severity.heading(), group.len());
        for f in group {
            let _ = writeln!(out, "  [{}] {}", f.code, f.title);
            let _ = writeln!(out, "    fix:      {}", f.fix);
            let _ = writeln!(out, "    evidence: {}", f.evidence);
            if let Some(case) = f.case {
                let _ = writeln!(out, "    case:     scenarios/customer-cases/{case}.yaml");
            }
        }
        out.push('\n');
    }
    let reads = report.requests.iter().filter(|r| r.method == "GET").count();
    let verdict = match problems {
        0 => "No known pitfall found".to_owned(),
        1 => "1 pitfall found".to_owned(),
        n => format!("{n} pitfalls found"),
    };
    let _ = writeln!(
        out,
        "{verdict} ({reads} reads; {} other request: the OneLogin API token)",
        report.requests.len() - reads
    );
    out
}
