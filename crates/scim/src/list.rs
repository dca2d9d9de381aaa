//! List responses and list-request query parameters (RFC 7644 §3.4.2).

use std::sync::LazyLock;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::ScimError;
use crate::filter::Filter;
use crate::names::{LIST_RESPONSE_URN, schemas_json};

/// The query of a `GET /Users` or `GET /Groups`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    /// 1-based, as in RFC 7644 §3.4.2.4; values below 1 are read as 1.
    pub start_index: usize,
    /// `None` means "everything".
    pub count: Option<usize>,
    pub attributes: Vec<String>,
    pub excluded_attributes: Vec<String>,
}

impl ListQuery {
    /// Parses a raw query string the way real IdPs send it: `+` for space, a trailing `&`, an
    /// empty query, parameter names in any case. Unknown parameters (`sortBy`, ...) are ignored.
    pub fn parse(query: &str) -> Result<ListQuery, ScimError> {
        let mut out = ListQuery {
            start_index: 1,
            ..ListQuery::default()
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let is = |name: &str| key.eq_ignore_ascii_case(name);
            if is("filter") {
                out.filter = Some(Filter::parse(&value)?);
            } else if is("startIndex") {
                out.start_index = parse_int("startIndex", &value)?.max(1) as usize;
            } else if is("count") {
                out.count = Some(parse_int("count", &value)?.max(0) as usize);
            } else if is("attributes") {
                out.attributes = split_list(&value);
            } else if is("excludedAttributes") {
                out.excluded_attributes = split_list(&value);
            }
        }
        Ok(out)
    }

    /// Reads the body of `POST /.search` (RFC 7644 §3.4.3) into the same query.
    pub fn from_search_request(body: &Value) -> Result<ListQuery, ScimError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("a SearchRequest must be a JSON object"))?;
        let mut out = ListQuery {
            start_index: 1,
            ..ListQuery::default()
        };
        let list = |v: &Value, name: &str| -> Result<Vec<String>, ScimError> {
            match v {
                Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_owned).ok_or_else(|| {
                            ScimError::invalid_value(format!("{name} must be strings"))
                        })
                    })
                    .collect(),
                Value::String(s) => Ok(split_list(s)),
                _ => Err(ScimError::invalid_value(format!(
                    "{name} must be a list of attribute names"
                ))),
            }
        };
        let int = |v: &Value, name: &str| -> Result<i64, ScimError> {
            v.as_i64()
                .ok_or_else(|| ScimError::invalid_value(format!("{name} must be an integer")))
        };
        for (key, value) in obj {
            match key.to_ascii_lowercase().as_str() {
                "filter" => {
                    let text = value
                        .as_str()
                        .ok_or_else(|| ScimError::invalid_value("filter must be a string"))?;
                    out.filter = Some(Filter::parse(text)?);
                }
                "startindex" => out.start_index = int(value, "startIndex")?.max(1) as usize,
                "count" => out.count = Some(int(value, "count")?.max(0) as usize),
                "attributes" => out.attributes = list(value, "attributes")?,
                "excludedattributes" => {
                    out.excluded_attributes = list(value, "excludedAttributes")?
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Whether `attributes` or `excludedAttributes` reshape the resources.
    pub fn projects(&self) -> bool {
        !self.attributes.is_empty() || !self.excluded_attributes.is_empty()
    }

    /// The page of `total` items this query asks for, as a range of 0-based indices.
    pub fn page(&self, total: usize) -> std::ops::Range<usize> {
        let start = (self.start_index - 1).min(total);
        let end = match self.count {
            Some(count) => start.saturating_add(count).min(total),
            None => total,
        };
        start..end
    }
}

fn parse_int(name: &str, value: &str) -> Result<i64, ScimError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer, not {value:?}")))
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A list response (RFC 7644 §3.4.2). `paging` adds `startIndex` and `itemsPerPage`, which
/// RFC 7644 requires and Asana's documented responses leave out. Resources may be typed: the
/// list serializes straight to the response, with no JSON tree in between.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse<T = Value> {
    pub total_results: usize,
    pub resources: Vec<T>,
    pub start_index: usize,
    pub paging: bool,
}

impl<T: Serialize> Serialize for ListResponse<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_map(None)?;
        static SCHEMAS: LazyLock<Box<RawValue>> =
            LazyLock::new(|| schemas_json(&[LIST_RESPONSE_URN]));
        body.serialize_entry("schemas", &**SCHEMAS)?;
        body.serialize_entry("totalResults", &self.total_results)?;
        body.serialize_entry("Resources", &self.resources)?;
        if self.paging {
            body.serialize_entry("startIndex", &self.start_index)?;
            body.serialize_entry("itemsPerPage", &self.resources.len())?;
        }
        body.end()
    }
}

/// Applies `attributes` / `excludedAttributes` (RFC 7644 §3.9) to a resource. `id` and
/// `schemas` are always returned. Names may be URN-qualified; a whole extension URN selects
/// the extension object.
pub fn project(resource: &mut Value, attributes: &[String], excluded: &[String]) {
    let Value::Object(map) = resource else { return };
    let is_schema_key = |a: &str, key: &str| key.contains(':') && a.eq_ignore_ascii_case(key);
    let always = |k: &str| k == "id" || k == "schemas";
    let named = |list: &[String], key: &str| {
        list.iter().any(|a| {
            if is_schema_key(a, key)
                || (key.contains(':')
                    && a.len() > key.len()
                    && a[..key.len()].eq_ignore_ascii_case(key))
            {
                return true;
            }
            let top = a.rsplit(':').next().unwrap_or(a);
            let top = top.split('.').next().unwrap_or(top);
            top.eq_ignore_ascii_case(key) || a.eq_ignore_ascii_case(key)
        })
    };
    if !attributes.is_empty() {
        map.retain(|k, _| always(k) || named(attributes, k));
    }
    if !excluded.is_empty() {
        map.retain(|k, _| always(k) || !named(excluded, k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_onelogin_wire_form() {
        let q = ListQuery::parse("filter=userName+eq+%22ada%40acme.test%22&").unwrap();
        let filter = q.filter.unwrap();
        assert_eq!(filter.as_equality().unwrap().1, "ada@acme.test");
        assert_eq!(q.start_index, 1);
        assert_eq!(q.count, None);
        assert_eq!(ListQuery::parse("").unwrap().start_index, 1);
    }

    #[test]
    fn paging_is_one_based_and_clamped() {
        let q = ListQuery::parse("startIndex=0&COUNT=2").unwrap();
        assert_eq!(q.page(5), 0..2);
        let q = ListQuery::parse("startIndex=4&count=10").unwrap();
        assert_eq!(q.page(5), 3..5);
        let q = ListQuery::parse("startIndex=9").unwrap();
        assert_eq!(q.page(5), 5..5);
        assert!(ListQuery::parse("count=ten").is_err());
        assert_eq!(ListQuery::parse("count=-3").unwrap().count, Some(0));
    }

    #[test]
    fn a_bad_filter_is_invalid_filter() {
        let err = ListQuery::parse("filter=userName+eq").unwrap_err();
        assert_eq!(err.scim_type, Some(crate::ScimType::InvalidFilter));
    }

    #[test]
    fn search_requests_read_like_query_strings() {
        let q = ListQuery::from_search_request(&serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": "userName sw \"a\"", "startIndex": 2, "count": 5, "attributes": ["userName"]
        }))
        .unwrap();
        assert_eq!(
            (q.start_index, q.count, q.attributes.len()),
            (2, Some(5), 1)
        );
        assert!(q.filter.is_some());
        assert!(ListQuery::from_search_request(&serde_json::json!({"count": "x"})).is_err());
    }

    #[test]
    fn projection_keeps_id_and_schemas() {
        let mut v = serde_json::json!({"id": "1", "schemas": [], "userName": "a", "title": "t"});
        project(&mut v, &["userName".into()], &[]);
        assert_eq!(
            v,
            serde_json::json!({"id": "1", "schemas": [], "userName": "a"})
        );
        project(&mut v, &[], &["USERNAME".into()]);
        assert_eq!(v, serde_json::json!({"id": "1", "schemas": []}));
    }
}
