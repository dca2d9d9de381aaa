//! `run --compare`: the same scenarios against the fake Asana and an external endpoint, their
//! SCIM exchanges side by side, and every difference named, with the fidelity switch that
//! explains it where one does. That is the parity report a team keeps in CI: "our fake still
//! matches our Asana", up to the switches it names.
//!
//! The two sequences are aligned by request: method and path (ids normalized, relative to each
//! side's SCIM base), so an exchange one side makes and the other does not is a difference of
//! its own and the rest still pair up. Each pair is compared by status and by the response
//! body's shape: its keys and the types of its values, with ids, times and secrets normalized
//! (as transcripts redact them). Values themselves are the endpoint's data (another org's teams,
//! an id in a message) and are not compared. A body difference is reported per JSON path. An
//! unpaired exchange is put down to the switch of the status difference before it (or, with
//! none, of a body difference): the sequences part ways where the two sides answered apart.
//! Which switch explains which difference is the probe's switch table
//! (`harness_probe::switches`), the one place a switch says what reveals it.

use std::collections::BTreeMap;

use fake_asana::Switch;
use harness_probe::switches;
use serde::Serialize;
use serde_json::Value;

use crate::report::ExchangeShape;
use align::align;

mod align;

/// One difference between the fake's exchanges and the endpoint's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub scenario: String,
    /// The line of the two sequences side by side, from 1: the exchange's place in both while
    /// they make the same requests.
    pub exchange: usize,
    /// `GET /Users/{id}` and its status on each side.
    pub fake: Option<String>,
    pub external: Option<String>,
    /// What differs: `status`, a body path such as `meta` or `name.givenName`, or `request`.
    pub what: String,
    /// The fidelity switch whose behaviour this is, when one is.
    pub switch: Option<&'static str>,
}

/// Ids in a path (`/Users/1200000000000004`, `/Users/2819c223-...`) as `{id}`.
pub fn normalize_path(path: &str) -> String {
    let mut out = Vec::new();
    let mut after_collection = false;
    for seg in path.split('/') {
        if after_collection && !seg.is_empty() {
            out.push("{id}".to_owned());
            after_collection = false;
            continue;
        }
        after_collection = matches!(seg, "Users" | "Groups");
        out.push(seg.to_owned());
    }
    out.join("/")
}

fn line(e: &ExchangeShape) -> String {
    let status = e.status.map_or("dropped".to_owned(), |s| s.to_string());
    format!("{} {} {status}", e.method, e.path)
}

/// A path under a SCIM base as a path relative to it (`/api/1.0/scim/Users/{id}` under
/// `/api/1.0/scim` is `/Users/{id}`), so that two servers rooted in different places compare by
/// what they serve. A path outside the base is kept whole: that is a difference of its own.
pub fn relative_path(path: &str, base_path: &str) -> String {
    let base = base_path.trim_end_matches('/');
    match path.strip_prefix(base) {
        Some("") => "/".to_owned(),
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => path.to_owned(),
    }
}

/// The differences between one scenario's two sequences, every one of them: the sequences are
/// aligned by request ([`align`]), each pair compared, and each exchange one side made and the
/// other did not is a `request` difference. `exchange` is the line of the aligned sequences, as
/// [`side_by_side`] shows them. Paths are expected relative to each side's SCIM base
/// ([`relative_path`]).
pub fn compare(
    scenario: &str,
    fake: &[ExchangeShape],
    external: &[ExchangeShape],
) -> Vec<Difference> {
    let mut out = Vec::new();
    let diff = |row: usize,
                f: Option<&ExchangeShape>,
                e: Option<&ExchangeShape>,
                what: String,
                switch: Option<Switch>| Difference {
        scenario: scenario.to_owned(),
        exchange: row + 1,
        fake: f.map(line),
        external: e.map(line),
        what,
        switch: switch.map(Switch::name),
    };
    // A status difference changes what the client does next (a refused create, a scenario
    // that stops at a failed expectation): the switch of the latest one explains the exchanges
    // one side makes and the other does not after it, and an unexplained one leaves them
    // unexplained. Before any status difference, a body difference is the likely cause (a
    // failed body expectation): the latest explained one stands in.
    let mut last_status: Option<Option<Switch>> = None;
    let mut last_body: Option<Switch> = None;
    for (row, (i, j)) in align(fake, external).into_iter().enumerate() {
        let (f, e) = (i.map(|i| &fake[i]), j.map(|j| &external[j]));
        let (Some(f), Some(e)) = (f, e) else {
            let switch = last_status.unwrap_or(last_body);
            out.push(diff(row, f, e, "request".into(), switch));
            continue;
        };
        if f.status != e.status {
            let switch = explain_status(f, e);
            last_status = Some(switch);
            out.push(diff(row, Some(f), Some(e), "status".into(), switch));
            continue;
        }
        let mut paths = Vec::new();
        body_paths(&shape(&f.body), &shape(&e.body), "", &mut paths);
        for path in paths {
            let switch = explain_path(&path, f);
            last_body = switch.or(last_body);
            out.push(diff(row, Some(f), Some(e), path, switch));
        }
    }
    out
}

/// One line of the two sequences side by side: the exchange on each side (absent where one
/// side made an exchange the other did not), and what differs there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideBySide {
    /// The line, from 1.
    pub exchange: usize,
    pub fake: Option<String>,
    pub external: Option<String>,
    /// What differs at this place.
    pub differences: Vec<LineDifference>,
}

/// What differs on one line of [`SideBySide`], and the switch that explains it (`unexplained`
/// when none does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineDifference {
    pub what: String,
    pub switch: &'static str,
}

/// One scenario's two sequences side by side, aligned as [`compare`] aligns them, with
/// `differences` (from [`compare`]) on their lines.
pub fn side_by_side(
    fake: &[ExchangeShape],
    external: &[ExchangeShape],
    differences: &[Difference],
) -> Vec<SideBySide> {
    align(fake, external)
        .into_iter()
        .enumerate()
        .map(|(row, (i, j))| SideBySide {
            exchange: row + 1,
            fake: i.map(|i| line(&fake[i])),
            external: j.map(|j| line(&external[j])),
            differences: differences
                .iter()
                .filter(|d| d.exchange == row + 1)
                .map(|d| LineDifference {
                    what: d.what.clone(),
                    switch: d.switch.unwrap_or("unexplained"),
                })
                .collect(),
        })
        .collect()
}

/// A body's shape: the same keys, each leaf replaced by its type, each array by the merged
/// shape of its elements.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // These values are behaviour, not data: kept as they are.
                    let kept = matches!(k.as_str(), "scimType" | "active") && !v.is_object();
                    (k.clone(), if kept { v.clone() } else { shape(v) })
                })
                .collect(),
        ),
        Value::Array(items) => {
            let mut merged = Value::Null;
            for item in items {
                merged = merge(merged, shape(item));
            }
            Value::Array(if merged.is_null() {
                vec![]
            } else {
                vec![merged]
            })
        }
        Value::String(_) => Value::String("string".into()),
        Value::Number(_) => Value::String("number".into()),
        Value::Bool(_) => Value::String("boolean".into()),
        Value::Null => Value::Null,
    }
}

fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Null, b) => b,
        (Value::Object(mut x), Value::Object(y)) => {
            for (k, v) in y {
                let merged = match x.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                x.insert(k, merged);
            }
            Value::Object(x)
        }
        (a, _) => a,
    }
}

/// The JSON paths where two bodies differ: a key on one side only, or a different leaf.
fn body_paths(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_owned()
        } else {
            format!("{at}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => body_paths(va, vb, &join(k), out),
                    _ => out.push(join(k)),
                }
            }
        }
        // An empty list says nothing of its elements' shape: it is data, not behaviour.
        (Value::Array(x), Value::Array(y)) if x.is_empty() || y.is_empty() => {}
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (va, vb) in x.iter().zip(y) {
                body_paths(va, vb, &format!("{at}[]"), out);
            }
        }
        _ if a != b => out.push(if at.is_empty() {
            "body".into()
        } else {
            at.to_owned()
        }),
        _ => {}
    }
    out.dedup();
}

/// Which switch a body difference is, by the attribute it is about (the switch table's
/// body rules).
/// A list answer's resource is a resource: `Resources[].meta` is the `meta` a read by id shows.
fn explain_path(path: &str, fake: &ExchangeShape) -> Option<Switch> {
    let in_resource = path.strip_prefix("Resources[].").unwrap_or(path);
    switches::explain_body(in_resource, fake.status)
}

/// Which switch a status difference is, by the request and the two statuses (the switch
/// table's status rules).
fn explain_status(fake: &ExchangeShape, external: &ExchangeShape) -> Option<Switch> {
    switches::explain_status(&switches::StatusDifference {
        method: &fake.method,
        path: &fake.path,
        query: fake.query.as_deref(),
        fake: fake.status?,
        external: external.status?,
    })
}

/// Differences counted by switch (`unexplained` for those no switch explains).
pub fn by_switch(differences: &[Difference]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for d in differences {
        *out.entry(d.switch.unwrap_or("unexplained")).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exchange(method: &str, path: &str, status: u16, body: Value) -> ExchangeShape {
        ExchangeShape {
            method: method.into(),
            path: normalize_path(path),
            query: None,
            status: Some(status),
            body,
        }
    }

    #[test]
    fn side_by_side_puts_each_difference_on_its_line() {
        let fake = [
            exchange("GET", "/Users", 200, json!({"Resources": []})),
            exchange("POST", "/Users", 201, json!({"id": "[id]"})),
        ];
        let rfc = [exchange(
            "GET",
            "/Users",
            200,
            json!({"Resources": [], "startIndex": 1}),
        )];
        let d = compare("s", &fake, &rfc);
        let rows = side_by_side(&fake, &rfc, &d);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].fake.as_deref(), Some("GET /Users 200"));
        assert_eq!(
            rows[0].differences,
            [LineDifference {
                what: "startIndex".into(),
                switch: "list_without_paging"
            }]
        );
        assert_eq!(rows[1].external, None);
        assert_eq!(rows[1].differences.len(), 1, "the parting: {rows:?}");
    }

    #[test]
    fn ids_in_paths_are_normalized() {
        assert_eq!(
            normalize_path("/api/1.0/scim/Users/120000"),
            "/api/1.0/scim/Users/{id}"
        );
        assert_eq!(
            normalize_path("/scim/v2/Groups/2819c223-7f76"),
            "/scim/v2/Groups/{id}"
        );
        assert_eq!(normalize_path("/scim/Users"), "/scim/Users");
    }

    #[test]
    fn body_differences_are_named_by_path_and_explained_by_switch() {
        let fake = [exchange(
            "GET",
            "/Users/1",
            200,
            json!({"id": "[id]", "name": {"formatted": "A", "givenName": "A"}}),
        )];
        let rfc = [exchange(
            "GET",
            "/Users/9",
            200,
            json!({"id": "[id]", "name": {"formatted": "A"}, "meta": {"resourceType": "User"}}),
        )];
        let d = compare("s", &fake, &rfc);
        let got: Vec<(&str, Option<&str>)> =
            d.iter().map(|d| (d.what.as_str(), d.switch)).collect();
        assert_eq!(
            got,
            [
                ("meta", Some("omit_meta")),
                ("name.givenName", Some("response_fills_name_parts"))
            ]
        );
        assert!(compare("s", &fake, &fake).is_empty());
    }

    #[test]
    fn a_listed_resource_is_explained_as_the_resource_itself() {
        let asana = [exchange(
            "GET",
            "/Users",
            200,
            json!({"Resources": [{"id": "[id]", "name": {"formatted": "A", "givenName": "A"}}]}),
        )];
        let rfc = [exchange(
            "GET",
            "/Users",
            200,
            json!({"Resources": [{"id": "[id]", "name": {"formatted": "A"}, "meta": {}}]}),
        )];
        let found: Vec<(String, Option<&str>)> = compare("s", &asana, &rfc)
            .into_iter()
            .map(|d| (d.what, d.switch))
            .collect();
        assert_eq!(
            found,
            [
                ("Resources[].meta".to_owned(), Some("omit_meta")),
                (
                    "Resources[].name.givenName".to_owned(),
                    Some("response_fills_name_parts")
                ),
            ]
        );
    }

    #[test]
    fn values_are_data_and_only_the_shape_is_compared() {
        let one = [exchange(
            "GET",
            "/Groups",
            200,
            json!({"totalResults": 0, "Resources": []}),
        )];
        let two = [exchange(
            "GET",
            "/Groups",
            200,
            json!({"totalResults": 3, "Resources": [{"id": "x"}, {"id": "y"}]}),
        )];
        assert_eq!(compare("s", &one, &two), []);
        let three = [exchange(
            "GET",
            "/Groups",
            200,
            json!({"totalResults": 1, "Resources": [{"id": "z", "meta": {}}]}),
        )];
        let d = compare("s", &two, &three);
        assert_eq!(
            d.iter().map(|d| d.what.as_str()).collect::<Vec<_>>(),
            ["Resources[].meta"]
        );
        // Some values are behaviour, not data: an error's scimType.
        let invalid = |t: &str| [exchange("POST", "/Users", 400, json!({"scimType": t}))];
        let d = compare("s", &invalid("invalidValue"), &invalid("invalidSyntax"));
        assert_eq!(d[0].what, "scimType");
    }

    #[test]
    fn a_parting_after_an_explained_status_is_put_down_to_the_same_switch() {
        let fake = [
            exchange("POST", "/Users", 201, Value::Null),
            exchange("GET", "/Users", 200, Value::Null),
        ];
        let rfc = [exchange("POST", "/Users", 400, Value::Null)];
        let d = compare("s", &fake, &rfc);
        assert_eq!(d.len(), 2);
        assert!(
            d.iter().all(|d| d.switch == Some("lenient_schemas")),
            "{d:?}"
        );
    }

    #[test]
    fn an_exchange_on_one_side_only_is_a_difference_and_the_rest_still_pair_up() {
        let fake = [
            exchange("GET", "/Users", 200, Value::Null),
            exchange("POST", "/Users", 201, Value::Null),
            exchange("GET", "/Users/1", 200, json!({"id": "[id]"})),
        ];
        // The endpoint makes one more exchange in the middle, and answers the last one
        // with a body of another shape: both are reported.
        let external = [
            exchange("GET", "/Users", 200, Value::Null),
            exchange("GET", "/Groups", 200, Value::Null),
            exchange("POST", "/Users", 201, Value::Null),
            exchange("GET", "/Users/9", 200, json!({"id": "[id]", "meta": {}})),
        ];
        let d = compare("s", &fake, &external);
        let got: Vec<(usize, &str, Option<&str>, Option<&str>)> = d
            .iter()
            .map(|d| {
                (
                    d.exchange,
                    d.what.as_str(),
                    d.fake.as_deref(),
                    d.external.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "request", None, Some("GET /Groups 200")),
                (
                    4,
                    "meta",
                    Some("GET /Users/{id} 200"),
                    Some("GET /Users/{id} 200")
                ),
            ]
        );
        assert_eq!(d[0].switch, None, "no difference came before it");
        assert_eq!(d[1].switch, Some("omit_meta"));
        // The same the other way round: the fake's extra exchange is the deletion.
        let back = compare("s", &external, &fake);
        assert_eq!(back[0].what, "request");
        assert_eq!(back[0].fake.as_deref(), Some("GET /Groups 200"));
        assert_eq!(back[0].external, None);
        assert_eq!(back.len(), 2);
        let rows = side_by_side(&fake, &external, &d);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].fake, None);
        assert_eq!(rows[3].differences[0].what, "meta");
    }

    #[test]
    fn after_a_status_parting_every_later_difference_is_reported() {
        // The fake refuses the create, so its client reads the user list instead; the
        // endpoint creates and reads the user. Later pairs are still compared.
        let fake = [
            exchange("POST", "/Users", 400, json!({"scimType": "invalidValue"})),
            exchange("GET", "/Users", 200, json!({"Resources": []})),
            exchange("DELETE", "/Groups/1", 204, Value::Null),
        ];
        let external = [
            exchange("POST", "/Users", 201, json!({"id": "[id]"})),
            exchange("GET", "/Users/7", 200, json!({"id": "[id]"})),
            exchange("DELETE", "/Groups/2", 404, Value::Null),
        ];
        let d = compare("s", &fake, &external);
        let got: Vec<(usize, &str)> = d.iter().map(|d| (d.exchange, d.what.as_str())).collect();
        assert_eq!(
            got,
            [(1, "status"), (2, "request"), (3, "request"), (4, "status")]
        );
        // The unpaired exchanges are put down to the switch that explained the parting.
        assert_eq!(d[0].switch, Some("username_must_be_email"));
        assert_eq!(d[1].switch, d[0].switch);
        assert_eq!(d[2].switch, d[0].switch);
    }

    #[test]
    fn a_parting_is_put_down_to_the_latest_status_difference_even_an_unexplained_one() {
        let fake = [
            exchange("POST", "/Users", 400, Value::Null),
            exchange("PATCH", "/Users/1", 200, Value::Null),
            exchange("GET", "/Users/1", 200, Value::Null),
        ];
        let external = [
            exchange("POST", "/Users", 201, Value::Null),
            exchange("PATCH", "/Users/2", 204, Value::Null),
        ];
        let d = compare("s", &fake, &external);
        let got: Vec<(&str, Option<&str>)> =
            d.iter().map(|d| (d.what.as_str(), d.switch)).collect();
        assert_eq!(
            got,
            [
                ("status", Some("username_must_be_email")),
                ("status", None),
                ("request", None)
            ]
        );
    }

    #[test]
    fn paths_are_compared_relative_to_each_sides_scim_base() {
        assert_eq!(
            relative_path("/api/1.0/scim/Users/{id}", "/api/1.0/scim"),
            "/Users/{id}"
        );
        assert_eq!(relative_path("/Users", "/"), "/Users");
        assert_eq!(relative_path("/scim/v2/Groups", "/scim/v2/"), "/Groups");
        assert_eq!(relative_path("/scim/v2", "/scim/v2"), "/");
        // Outside the base, or a longer segment that only starts like it: kept whole.
        assert_eq!(relative_path("/other/Users", "/scim/v2"), "/other/Users");
        assert_eq!(
            relative_path("/scim/v2x/Users", "/scim/v2"),
            "/scim/v2x/Users"
        );
        let on = |base: &str, path: &str| {
            let mut e = exchange("GET", path, 200, Value::Null);
            e.path = relative_path(&e.path, base);
            e
        };
        let fake = [on("/api/1.0/scim", "/api/1.0/scim/Users/12")];
        let rooted = [on("/", "/Users/2819c223")];
        assert_eq!(compare("s", &fake, &rooted), []);
        // Left absolute, the same exchange is a request on each side and nothing pairs.
        let absolute = [exchange("GET", "/api/1.0/scim/Users/12", 200, Value::Null)];
        let d = compare("s", &absolute, &rooted);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d.iter().all(|d| d.what == "request"));
    }
}
