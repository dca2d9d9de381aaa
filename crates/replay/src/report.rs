//! The replay's report: the recorded and the replayed exchanges side by side, as `run --compare`
//! puts the fake's beside an endpoint's, and for each difference what each side said.
//!
//! Two layers: `harness_scenario::compare` (the same matching `run --compare` does: method, path
//! relative to the SCIM base, status, the body's shape, each difference with the fidelity switch
//! that explains it), then `values` (what a person is: the same request sent twice must get
//! the same values back). In `compare`'s terms the replayed side is the fake and the recording
//! the external endpoint, so a switch names where the fake departs from the recorded service.

use harness_scenario::compare::{Difference, compare, side_by_side};
use harness_scenario::report::ExchangeShape;
use serde::Serialize;
use serde_json::Value;

use crate::har::Recording;
use crate::ids::IdMap;
use crate::send::Replayed;
use crate::values;

/// The whole replay, as `--format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The recording's SCIM base.
    pub recorded_base_url: String,
    /// Where the exchanges were replayed.
    pub target: String,
    /// The people seeded into the fresh fake before the first exchange.
    pub seeded: Vec<String>,
    /// The people the recording found that could not be seeded (`--against`): lookups of them
    /// answer as the endpoint's data has them.
    pub not_seeded: Vec<String>,
    /// Entries of the file that were not SCIM exchanges with the recording's base.
    pub skipped_entries: usize,
    pub exchanges: Vec<Line>,
    pub matching: usize,
    pub differing: usize,
}

/// One exchange, recorded and replayed.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// From 1, in the recording's order.
    pub exchange: usize,
    /// `POST /Users 201`.
    pub recorded: String,
    pub replayed: String,
    /// Why the replayed request got no answer (a refused connection, a TLS failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_answer: Option<String>,
    pub differences: Vec<Said>,
}

/// One difference: where, and what each side said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Said {
    /// `status`, or a body path: `active`, `emails[0].value`, `meta`.
    pub what: String,
    pub recorded: Value,
    pub replayed: Value,
    /// The fidelity switch whose behaviour this is, when one is.
    pub switch: Option<&'static str>,
}

fn shape(
    method: &str,
    path: &str,
    query: Option<&str>,
    status: Option<u16>,
    body: &Value,
) -> ExchangeShape {
    ExchangeShape {
        method: method.to_owned(),
        path: harness_scenario::compare::normalize_path(path),
        query: query.map(str::to_owned),
        status,
        body: body.clone(),
    }
}

/// Which side behaves as Asana does: `compare`'s switch table reads a difference as the fake
/// in Asana's profile beside another server, so the side in Asana's place is its fake side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsanaSide {
    /// Replayed to a fake in the `asana` profile: a switch names where the fake departs from
    /// the recorded service.
    Replayed,
    /// Replayed to a fake in the `rfc` profile: the recording is Asana's behaviour, and a
    /// switch names what of it plain RFC 7644 does otherwise.
    Recorded,
}

impl AsanaSide {
    /// `compare`'s differences as this report reads them: `fake` the replayed side.
    fn oriented(self, found: Vec<Difference>) -> Vec<Difference> {
        match self {
            AsanaSide::Replayed => found,
            AsanaSide::Recorded => found
                .into_iter()
                .map(|d| Difference {
                    fake: d.external.clone(),
                    external: d.fake.clone(),
                    ..d
                })
                .collect(),
        }
    }
}

/// The lines of a replay: each recorded exchange beside its replay, with every difference.
pub fn lines(
    recording: &Recording,
    replayed: &[Replayed],
    ids: &IdMap,
    asana: AsanaSide,
) -> Vec<Line> {
    let recorded_shapes: Vec<ExchangeShape> = recording
        .exchanges
        .iter()
        .map(|e| {
            shape(
                &e.method,
                &e.path,
                e.query.as_deref(),
                e.status,
                &e.response,
            )
        })
        .collect();
    let replayed_shapes: Vec<ExchangeShape> = recording
        .exchanges
        .iter()
        .zip(replayed)
        .map(|(e, r)| {
            shape(
                &e.method,
                &e.path,
                e.query.as_deref(),
                r.status,
                &r.response,
            )
        })
        .collect();
    let found = asana.oriented(match asana {
        AsanaSide::Replayed => compare("replay", &replayed_shapes, &recorded_shapes),
        AsanaSide::Recorded => compare("replay", &recorded_shapes, &replayed_shapes),
    });
    let rows = side_by_side(&replayed_shapes, &recorded_shapes, &found);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let e = recording.exchanges.get(i);
            let r = replayed.get(i);
            let mut said: Vec<Said> = found
                .iter()
                .filter(|d| d.exchange == i + 1)
                .map(|d| shape_said(d, e.map(|e| &e.response), r.map(|r| &r.response)))
                .collect();
            if let (Some(e), Some(r)) = (e, r)
                && e.status == r.status
            {
                for v in values::differences(&ids.body(&e.response), &r.response) {
                    let general = generalized(&v.what);
                    if !said.iter().any(|s| generalized(&s.what) == general) {
                        said.push(Said {
                            what: v.what,
                            recorded: v.recorded,
                            replayed: v.replayed,
                            switch: None,
                        });
                    }
                }
            }
            Line {
                exchange: row.exchange,
                recorded: labeled(row.external, e.and_then(|e| e.query.as_deref())),
                replayed: labeled(
                    row.fake,
                    r.and_then(|r| r.target.split_once('?').map(|t| t.1)),
                ),
                no_answer: r.and_then(|r| r.error.clone()),
                differences: said,
            }
        })
        .collect()
}

/// A side's `GET /Users 200` with its query decoded after the path, so that a lookup says whom
/// it looked up (`GET /Users?filter=userName eq "ada@acme.test" 200`); `(none)` for no exchange.
fn labeled(line: Option<String>, query: Option<&str>) -> String {
    let Some(line) = line else {
        return "(none)".into();
    };
    let decoded: Vec<String> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| {
            if v.is_empty() {
                k.into_owned()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    let parts = line.split_once(' ').and_then(|(method, rest)| {
        rest.rsplit_once(' ')
            .map(|(path, status)| (method, path, status))
    });
    match parts {
        Some((method, path, status)) if !decoded.is_empty() => {
            format!("{method} {path}?{} {status}", decoded.join("&"))
        }
        _ => line,
    }
}

/// A difference `compare` found, with the value each side had there.
fn shape_said(d: &Difference, recorded: Option<&Value>, replayed: Option<&Value>) -> Said {
    let (recorded, replayed) = if d.what == "status" || d.what == "request" {
        (
            status_of(d.external.as_deref()),
            status_of(d.fake.as_deref()),
        )
    } else {
        (
            recorded.map_or(Value::Null, |b| value_at(b, &d.what)),
            replayed.map_or(Value::Null, |b| value_at(b, &d.what)),
        )
    };
    Said {
        what: d.what.clone(),
        recorded,
        replayed,
        switch: d.switch,
    }
}

/// The last word of `GET /Users 200`: the status, or `dropped`.
fn status_of(line: Option<&str>) -> Value {
    match line.and_then(|l| l.rsplit(' ').next()) {
        Some(s) => s
            .parse::<u16>()
            .map_or(Value::String(s.into()), Value::from),
        None => Value::Null,
    }
}

/// The value at a body path such as `Resources[].meta` (a list's first element stands for it).
/// A key may hold dots itself (the enterprise extension's URN): the longest key of the object
/// that the path goes on from is the one meant.
fn value_at(body: &Value, path: &str) -> Value {
    let mut at = body;
    let mut rest = path;
    while !rest.is_empty() {
        let key = at
            .as_object()
            .and_then(|o| {
                o.keys()
                    .filter(|k| {
                        rest.strip_prefix(k.as_str()).is_some_and(|r| {
                            r.is_empty() || r.starts_with('.') || r.starts_with("[]")
                        })
                    })
                    .max_by_key(|k| k.len())
            })
            .map_or_else(
                || rest.split(['.', '[']).next().unwrap_or(rest),
                String::as_str,
            );
        at = &at[key];
        rest = &rest[key.len()..];
        if let Some(r) = rest.strip_prefix("[]") {
            at = &at[0];
            rest = r;
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    at.clone()
}

/// `Resources[0].active` and `Resources[].active` name the same place.
fn generalized(what: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in what.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

impl Report {
    pub fn all_match(&self) -> bool {
        self.differing == 0
    }
}

/// The report, counted.
pub fn report(
    recording: &Recording,
    target: String,
    seeded: Vec<String>,
    not_seeded: Vec<String>,
    lines: Vec<Line>,
) -> Report {
    let differing = lines.iter().filter(|l| !l.differences.is_empty()).count();
    Report {
        recorded_base_url: recording.base_url.clone(),
        target,
        seeded,
        not_seeded,
        skipped_entries: recording.skipped,
        matching: lines.len() - differing,
        differing,
        exchanges: lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::har::Exchange;
    use serde_json::json;

    fn recording(status: u16, active: bool) -> Recording {
        Recording {
            base_url: "https://app.asana.com/api/1.0/scim".into(),
            exchanges: vec![Exchange {
                method: "GET".into(),
                path: "/Users/1".into(),
                query: None,
                request_type: None,
                request: None,
                status: Some(status),
                response: json!({"id": "1", "userName": "a@acme.test", "active": active}),
            }],
            skipped: 0,
        }
    }

    fn replayed(status: u16, active: bool) -> Vec<Replayed> {
        vec![Replayed {
            target: "/Users/9".into(),
            status: Some(status),
            response: json!({"id": "9", "userName": "a@acme.test", "active": active}),
            error: None,
        }]
    }

    #[test]
    fn the_same_answers_make_one_matching_line() {
        let mut ids = IdMap::default();
        ids.learn(&json!({"id": "1"}), &json!({"id": "9"}));
        let l = lines(
            &recording(200, true),
            &replayed(200, true),
            &ids,
            AsanaSide::Replayed,
        );
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].recorded, "GET /Users/{id} 200");
        assert_eq!(l[0].differences, []);
    }

    #[test]
    fn a_status_and_a_value_say_which_side_said_what() {
        let ids = IdMap::default();
        let l = lines(
            &recording(200, true),
            &replayed(404, true),
            &ids,
            AsanaSide::Replayed,
        );
        assert_eq!(l[0].differences[0].what, "status");
        assert_eq!(l[0].differences[0].recorded, json!(200));
        assert_eq!(l[0].differences[0].replayed, json!(404));
        // `active` is behaviour to `compare` too: one difference, not two.
        let l = lines(
            &recording(200, true),
            &replayed(200, false),
            &ids,
            AsanaSide::Replayed,
        );
        let d = &l[0].differences;
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].what.as_str(), &d[0].recorded, &d[0].replayed),
            ("active", &json!(true), &json!(false))
        );
        let mut title = replayed(200, true);
        title[0].response["title"] = json!("CEO");
        let d = &lines(&recording(200, true), &title, &ids, AsanaSide::Replayed)[0].differences;
        assert_eq!(
            d.iter().map(|d| d.what.as_str()).collect::<Vec<_>>(),
            ["title"]
        );
    }

    #[test]
    fn against_the_rfc_profile_the_recording_is_asanas_side_of_the_switch_table() {
        // Asana accepted the create; plain RFC refused it. Read from Asana's side, that is the
        // lenient schemas Asana has, not the email-only user names the rfc fake does not have.
        let mut recorded = recording(201, true);
        recorded.exchanges[0].method = "POST".into();
        recorded.exchanges[0].path = "/Users".into();
        let refused = vec![Replayed {
            target: "/Users".into(),
            status: Some(400),
            response: json!({"detail": "unknown schema"}),
            error: None,
        }];
        let ids = IdMap::default();
        let l = lines(&recorded, &refused, &ids, AsanaSide::Recorded);
        assert_eq!(
            (l[0].recorded.as_str(), l[0].replayed.as_str()),
            ("POST /Users 201", "POST /Users 400")
        );
        let d = &l[0].differences[0];
        assert_eq!((&d.recorded, &d.replayed), (&json!(201), &json!(400)));
        assert_eq!(d.switch, Some("lenient_schemas"));
        let l = lines(&recorded, &refused, &ids, AsanaSide::Replayed);
        assert_eq!(l[0].differences[0].switch, Some("username_must_be_email"));
    }

    #[test]
    fn a_lookup_is_shown_with_its_query_decoded() {
        let line = Some("GET /Users 200".to_owned());
        assert_eq!(
            labeled(
                line.clone(),
                Some("filter=userName+eq+%22ada%40acme.test%22&")
            ),
            r#"GET /Users?filter=userName eq "ada@acme.test" 200"#
        );
        assert_eq!(labeled(line.clone(), None), "GET /Users 200");
        assert_eq!(labeled(line, Some("")), "GET /Users 200");
        assert_eq!(labeled(None, Some("a=b")), "(none)");
    }

    #[test]
    fn paths_name_places_with_or_without_an_index() {
        assert_eq!(
            generalized("Resources[3].emails[0].value"),
            "Resources[].emails[].value"
        );
        assert_eq!(
            value_at(
                &json!({"Resources": [{"meta": {"a": 1}}]}),
                "Resources[].meta"
            ),
            json!({"a": 1})
        );
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert_eq!(
            value_at(
                &json!({"Resources": [{urn: {"department": "Engineering"}}]}),
                &format!("Resources[].{urn}.department")
            ),
            json!("Engineering")
        );
        assert_eq!(value_at(&json!({"a": 1}), "b.c"), Value::Null);
    }
}
