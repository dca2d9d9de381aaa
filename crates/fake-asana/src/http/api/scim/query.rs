//! List and search queries: `POST .search` bodies, pages and projections, in the dialect's
//! shape.

use axum::body::Bytes;
use harness_scim::{ListQuery, ListResponse};
use serde_json::Value;

use super::reply::ScimFailure;
use super::request::*;
use crate::store::ScimDialect;

pub(super) fn search_query(dialect: &ScimDialect, body: &Bytes) -> Result<ListQuery, ScimFailure> {
    dialect.search_allowed()?;
    Ok(ListQuery::from_search_request(&parse_body(body)?)?)
}

/// The page `query` asks for, each resource passed through `shape`.
pub(super) fn page_of<T>(
    matched: Vec<T>,
    query: &ListQuery,
    dialect: &ScimDialect,
    shape: impl Fn(T) -> T,
) -> ListResponse<T> {
    let total = matched.len();
    let page = dialect.page(query, total);
    let resources = matched
        .into_iter()
        .skip(page.start)
        .take(page.len())
        .map(shape)
        .collect();
    list_response(total, resources, query, dialect)
}

/// A list of `resources` out of `total` matches, with the paging fields when the dialect
/// shows them.
pub(super) fn list_response<T>(
    total: usize,
    resources: Vec<T>,
    query: &ListQuery,
    dialect: &ScimDialect,
) -> ListResponse<T> {
    ListResponse {
        total_results: total,
        resources,
        start_index: dialect.start_index(query),
        paging: dialect.paging_fields(),
    }
}

pub(super) fn project(mut resource: Value, query: &ListQuery) -> Value {
    harness_scim::list::project(&mut resource, &query.attributes, &query.excluded_attributes);
    resource
}
