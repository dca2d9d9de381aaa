//! The replay report as people read it: the recorded and replayed exchanges in two columns, as
//! `run --compare` prints the fake's beside an endpoint's, and under each differing line what
//! each side said there.

use std::fmt::Write as _;

use serde_json::Value;

use crate::report::Report;

pub fn human(report: &Report) -> String {
    let mut out = String::new();
    header(report, &mut out);
    columns(report, &mut out);
    verdict(report, &mut out);
    out
}

/// What was replayed where, and what was seeded or could not be.
fn header(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "Replayed {} SCIM exchanges recorded with {} against {}",
        report.exchanges.len(),
        report.recorded_base_url,
        report.target
    );
    if report.skipped_entries > 0 {
        let _ = writeln!(
            out,
            "({} entries of the file were not SCIM exchanges with that base and were skipped)",
            report.skipped_entries
        );
    }
    if !report.seeded.is_empty() {
        let _ = writeln!(
            out,
            "Seeded the people the recording found first: {}",
            report.seeded.join(", ")
        );
    }
    if !report.not_seeded.is_empty() {
        let _ = writeln!(
            out,
            "Cannot seed --against an endpoint: the recording found {} there before it made them; \
             lookups of them answer with the endpoint's own data, so exchanges after them may differ \
             for that reason alone.",
            report.not_seeded.join(", ")
        );
    }
    out.push('\n');
}

/// The two sequences side by side, each difference under its line.
fn columns(report: &Report, out: &mut String) {
    let width = report
        .exchanges
        .iter()
        .map(|l| l.recorded.len())
        .max()
        .unwrap_or(0)
        .max("recorded".len());
    let _ = writeln!(out, "  {:>3}  {:<width$}  replayed", "#", "recorded");
    for line in &report.exchanges {
        let mark = if line.differences.is_empty() {
            ""
        } else {
            "  ≠"
        };
        let row = format!(
            "  {:>3}  {:<width$}  {}{mark}",
            line.exchange, line.recorded, line.replayed
        );
        let _ = writeln!(out, "{}", row.trim_end());
        if let Some(why) = &line.no_answer {
            let _ = writeln!(out, "         no answer: {why}");
        }
        for d in &line.differences {
            let switch = d
                .switch
                .map(|s| format!(" (fidelity switch {s})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "         {}: recorded {}, replayed {}{switch}",
                d.what,
                shown(&d.recorded),
                shown(&d.replayed)
            );
        }
    }
    out.push('\n');
}

fn verdict(report: &Report, out: &mut String) {
    if report.all_match() {
        let _ = writeln!(
            out,
            "All {} exchanges match the recording.",
            report.exchanges.len()
        );
    } else {
        let _ = writeln!(
            out,
            "{} of {} exchanges differ. Each difference is either where the replayed service \
             departs from the recorded one (a fidelity switch names the known ones), or the \
             recorded problem itself: what the recorded service said and the replayed one, \
             following Asana's documented behaviour, does not.",
            report.differing,
            report.exchanges.len()
        );
    }
}

/// A value as one line: JSON, cut short when long; an absent value says so.
fn shown(value: &Value) -> String {
    if value.is_null() {
        return "nothing".into();
    }
    let text = value.to_string();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Line, Said};
    use serde_json::json;

    #[test]
    fn a_differing_line_says_what_each_side_said() {
        let report = Report {
            recorded_base_url: "https://app.asana.com/api/1.0/scim".into(),
            target: "http://127.0.0.1:1/api/1.0/scim".into(),
            seeded: vec!["grace@acme.test".into()],
            not_seeded: vec![],
            skipped_entries: 0,
            exchanges: vec![Line {
                exchange: 1,
                recorded: "POST /Users 201".into(),
                replayed: "POST /Users 400".into(),
                no_answer: None,
                differences: vec![Said {
                    what: "status".into(),
                    recorded: json!(201),
                    replayed: json!(400),
                    switch: Some("lenient_schemas"),
                }],
            }],
            matching: 0,
            differing: 1,
        };
        let text = human(&report);
        assert!(
            text.contains("    1  POST /Users 201  POST /Users 400  ≠\n"),
            "{text}"
        );
        assert!(
            text.contains("status: recorded 201, replayed 400 (fidelity switch lenient_schemas)"),
            "{text}"
        );
        assert!(text.contains("1 of 1 exchanges differ"), "{text}");
        assert!(text.contains("Seeded the people the recording found first: grace@acme.test"));
    }
}
