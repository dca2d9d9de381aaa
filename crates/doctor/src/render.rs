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
        "{verdict} ({reads} read{}; {} other request: the OneLogin API token)",
        if reads == 1 { "" } else { "s" },
        report.requests.len() - reads
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::read::SentRequest;

    fn finding(code: &'static str, severity: Severity) -> Finding {
        Finding {
            code,
            severity,
            title: "a title",
            evidence: format!("{code} evidence"),
            fix: format!("{code} fix"),
            case: Some("a-case"),
        }
    }

    #[test]
    fn worst_first_and_the_fix_before_the_evidence() {
        let report = Report {
            findings: vec![
                finding("w", Severity::Warning),
                finding("n", Severity::NotChecked),
                finding("c", Severity::Critical),
            ],
            requests: vec![
                SentRequest {
                    method: "POST".into(),
                    url: "t".into(),
                    status: 200,
                },
                SentRequest {
                    method: "GET".into(),
                    url: "a".into(),
                    status: 200,
                },
            ],
        };
        let text = render(&report);
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
        assert!(at("Critical (1)") < at("Warning (1)"));
        assert!(at("Warning (1)") < at("Not checked (1)"));
        assert!(at("c fix") < at("c evidence"));
        assert!(text.contains("    case:     scenarios/customer-cases/a-case.yaml"));
        assert!(
            text.ends_with("2 pitfalls found (1 read; 1 other request: the OneLogin API token)\n")
        );
    }
}
