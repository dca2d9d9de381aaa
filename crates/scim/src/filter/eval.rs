//! Evaluating a filter against a resource as JSON: RFC 7644's comparison rules (case-exact or
//! not by attribute, `ne` as the negation of `eq`, multi-valued attributes flattened).

use std::cmp::Ordering;

use serde_json::Value;

use super::{AttrPath, CompValue, CompareOp, Filter, get_ci};
use crate::names::is_case_exact;

impl Filter {
    /// Whether `resource` (a SCIM resource as JSON, canonical attribute names) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(f) => !f.matches(resource),
            Filter::Present { path } => path.values(resource).iter().any(|v| is_present(v)),
            Filter::Compare { path, op, value } => {
                let values = path.values(resource);
                let case_exact = is_case_exact(&path.attr, path.sub_attr.as_deref());
                match op {
                    // `ne` is the negation of `eq`, so an absent attribute is "not equal".
                    CompareOp::Ne => !values
                        .iter()
                        .any(|v| compare(v, CompareOp::Eq, value, case_exact)),
                    CompareOp::Eq if *value == CompValue::Null => {
                        !values.iter().any(|v| is_present(v))
                    }
                    _ => values.iter().any(|v| compare(v, *op, value, case_exact)),
                }
            }
            Filter::ValuePath { path, filter } => {
                match path.container(resource).and_then(|c| get_ci(c, &path.attr)) {
                    Some(Value::Array(items)) => items.iter().any(|e| filter.matches(e)),
                    Some(single @ Value::Object(_)) => filter.matches(single),
                    _ => false,
                }
            }
        }
    }
}

impl AttrPath {
    /// Every value the path reaches, with multi-valued attributes flattened. For a multi-valued
    /// complex attribute compared without a sub-attribute, RFC 7644 compares its `value`.
    pub fn values<'a>(&self, resource: &'a Value) -> Vec<&'a Value> {
        let Some(top) = self.container(resource).and_then(|c| get_ci(c, &self.attr)) else {
            return Vec::new();
        };
        let items: Vec<&Value> = match top {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let sub = self.sub_attr.as_deref();
        items
            .into_iter()
            .filter_map(|item| match (item, sub) {
                (Value::Object(_), Some(sub)) => get_ci(item, sub),
                (Value::Object(_), None) if top.is_array() => get_ci(item, "value"),
                (_, Some(_)) => None,
                (v, None) => Some(v),
            })
            .collect()
    }
}

fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(actual: &Value, op: CompareOp, expected: &CompValue, case_exact: bool) -> bool {
    match (actual, expected) {
        (Value::String(a), CompValue::String(e)) => compare_strings(a, op, e, case_exact),
        (Value::Number(a), CompValue::Number(e)) => match (a.as_f64(), e.as_f64()) {
            (Some(a), Some(e)) => ordered(a.partial_cmp(&e), op),
            _ => false,
        },
        (Value::Bool(a), CompValue::Bool(e)) => match op {
            CompareOp::Eq => a == e,
            _ => false,
        },
        (Value::Null, CompValue::Null) => op == CompareOp::Eq,
        _ => false,
    }
}

fn compare_strings(actual: &str, op: CompareOp, expected: &str, case_exact: bool) -> bool {
    // Timestamps (meta.created, meta.lastModified) order as instants, not as text.
    if matches!(
        op,
        CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
    ) && let (Ok(a), Ok(e)) = (
        actual.parse::<jiff::Timestamp>(),
        expected.parse::<jiff::Timestamp>(),
    ) {
        return ordered(Some(a.cmp(&e)), op);
    }
    let (a, e) = if case_exact {
        (actual.to_owned(), expected.to_owned())
    } else {
        (actual.to_lowercase(), expected.to_lowercase())
    };
    match op {
        CompareOp::Eq => a == e,
        CompareOp::Ne => a != e,
        CompareOp::Co => a.contains(&e),
        CompareOp::Sw => a.starts_with(&e),
        CompareOp::Ew => a.ends_with(&e),
        _ => ordered(Some(a.cmp(&e)), op),
    }
}

fn ordered(ordering: Option<Ordering>, op: CompareOp) -> bool {
    let Some(o) = ordering else { return false };
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}
