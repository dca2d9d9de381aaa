//! List responses and list-request query parameters (RFC 7644 §3.4.2).

use serde_json::{Value, json};

use crate::error::ScimError;
use crate::filter::Filter;
use crate::names::LIST_RESPONSE_URN;

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
        let mut out = ListQuery { start_index: 1, ..ListQuery::default() };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.to_ascii_lowercase().as_str() {
                "filter" => out.filter = Some(Filter::parse(&value)?),
                "startindex" => out.start_index = parse_int("startIndex", &value)?.max(1) as usize,
                "count" => out.count = Some(parse_int("count", &value)?.max(0) as usize),
                "attributes" => out.attributes = split_list(&value),
                "excludedattributes" => out.excluded_attributes = split_list(&value),
                _ => {}
            }
        }
        Ok(out)
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
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A list response. `paging` adds `startIndex` and `itemsPerPage`, which RFC 7644 requires and
/// Asana's documented responses leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse {
    pub total_results: usize,
    pub resources: Vec<Value>,
    pub start_index: usize,
}

impl ListResponse {
    pub fn to_json(&self, paging: bool) -> Value {
        let mut body = json!({
            "schemas": [LIST_RESPONSE_URN],
            "totalResults": self.total_results,
            "Resources": self.resources,
        });
        if paging {
            body["startIndex"] = json!(self.start_index);
            body["itemsPerPage"] = json!(self.resources.len());
        }
        body
    }
}

/// Applies `attributes` / `excludedAttributes` (RFC 7644 §3.9) to a resource. `id` and
/// `schemas` are always returned.
pub fn project(resource: &mut Value, attributes: &[String], excluded: &[String]) {
    let Value::Object(map) = resource else { return };
    let always = |k: &str| k == "id" || k == "schemas";
    let named = |list: &[String], key: &str| {
        list.iter().any(|a| {
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
    fn projection_keeps_id_and_schemas() {
        let mut v = serde_json::json!({"id": "1", "schemas": [], "userName": "a", "title": "t"});
        project(&mut v, &["userName".into()], &[]);
        assert_eq!(v, serde_json::json!({"id": "1", "schemas": [], "userName": "a"}));
        project(&mut v, &[], &["USERNAME".into()]);
        assert_eq!(v, serde_json::json!({"id": "1", "schemas": []}));
    }
}
