//! The values that matter in a SCIM answer, and where two answers' values differ.
//!
//! `run --compare` compares shapes, since two servers' data differ; a replay sends the very same
//! requests, so it also compares the values: a person's `userName`, `active`, emails, name,
//! title, externalId, a group's members, a list's `totalResults`, an error's `status` and
//! `scimType`. Ids are compared through the id map (they are the server's to choose);
//! timestamps, `meta`, `schemas`, `$ref`s, an error's wording (`detail`) and secrets are not.

use serde::Serialize;
use serde_json::{Map, Value};

/// Keys whose values are behaviour: kept with everything under them (but ids, `meta`, `$ref`).
const KEPT: &[&str] = &[
    "userName",
    "active",
    "displayName",
    "title",
    "externalId",
    "userType",
    "name",
    "emails",
    "phoneNumbers",
    "members",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "totalResults",
    "status",
    "scimType",
];

/// Never compared, wherever they are: the server's bookkeeping and secrets.
const IGNORED: &[&str] = &["id", "meta", "schemas", "$ref", "detail", "password"];

/// One value that differs between the recorded answer and the replayed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueDifference {
    /// A JSON path: `active`, `emails[0].value`, `Resources[1].userName`, `body`.
    pub what: String,
    pub recorded: Value,
    pub replayed: Value,
}

/// The values of an answer that matter (see the module's note); a non-JSON answer is itself.
pub fn that_matter(answer: &Value) -> Value {
    match answer {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if k == "Resources" {
                    let items = v.as_array().map(|a| a.iter().map(that_matter).collect());
                    out.insert(k.clone(), items.map_or(Value::Null, Value::Array));
                } else if KEPT.contains(&k.as_str()) {
                    out.insert(k.clone(), without_bookkeeping(v));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn without_bookkeeping(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !IGNORED.contains(&k.as_str()) && !is_secret(k))
                .map(|(k, v)| (k.clone(), without_bookkeeping(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_bookkeeping).collect()),
        other => other.clone(),
    }
}

fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["token", "secret", "password"]
        .iter()
        .any(|s| key.contains(s))
}

/// Where two answers' values that matter differ; `recorded` has its ids mapped already.
pub fn differences(recorded: &Value, replayed: &Value) -> Vec<ValueDifference> {
    let mut out = Vec::new();
    walk(&that_matter(recorded), &that_matter(replayed), "", &mut out);
    out
}

fn walk(a: &Value, b: &Value, at: &str, out: &mut Vec<ValueDifference>) {
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
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                walk(va, vb, &join(k), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                walk(va, vb, &format!("{at}[{i}]"), out);
            }
        }
        _ if !same_leaf(a, b) => out.push(ValueDifference {
            what: if at.is_empty() {
                "body".into()
            } else {
                at.to_owned()
            },
            recorded: a.clone(),
            replayed: b.clone(),
        }),
        _ => {}
    }
}

/// Equal values; emails and userNames compare without regard to case, as Asana matches them.
fn same_leaf(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if x.contains('@') => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bookkeeping_and_wording_are_not_compared() {
        let recorded = json!({
            "id": "1", "userName": "ada@acme.test", "active": true,
            "meta": {"created": "2026-01-01T00:00:00Z"}, "schemas": ["x"],
            "emails": [{"value": "ada@acme.test", "primary": true}],
        });
        let replayed = json!({
            "id": "2", "userName": "ADA@acme.test", "active": true,
            "meta": {"created": "2026-12-02T10:00:00Z"},
            "emails": [{"value": "ada@acme.test", "primary": true}],
        });
        assert_eq!(differences(&recorded, &replayed), []);
        let err = |detail: &str, t: &str| json!({"status": "400", "scimType": t, "detail": detail});
        assert_eq!(
            differences(&err("a", "invalidValue"), &err("b", "invalidValue")),
            []
        );
    }

    #[test]
    fn each_difference_says_which_side_said_what() {
        let d = differences(
            &json!({"Resources": [{"userName": "a@x.test", "active": true}], "totalResults": 1}),
            &json!({"Resources": [{"userName": "a@x.test", "active": false}], "totalResults": 1}),
        );
        assert_eq!(
            d,
            [ValueDifference {
                what: "Resources[0].active".into(),
                recorded: json!(true),
                replayed: json!(false),
            }]
        );
        let d = differences(&json!({"title": "CEO"}), &json!({}));
        assert_eq!(
            (d[0].what.as_str(), &d[0].replayed),
            ("title", &Value::Null)
        );
    }
}
