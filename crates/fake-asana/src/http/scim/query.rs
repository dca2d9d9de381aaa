//! List and search queries: `POST .search` bodies, Asana's documented filters, pages and
//! projections.

use axum::body::Bytes;
use harness_scim::{ListQuery, ListResponse, ScimError};
use serde_json::Value;

use super::request::*;
use crate::config::{Config, Switch};
use crate::http::Shared;

pub(super) fn search_query(app: &Shared, body: &Bytes) -> Result<ListQuery, ScimError> {
    if app.config().on(Switch::NoSearchEndpoint) {
        return Err(ScimError::not_found("No SCIM endpoint at this path"));
    }
    ListQuery::from_search_request(&parse_body(body)?)
}

/// Under `only_documented_filters`, a filter other than the one Asana documents for the
/// resource (`attribute eq "value"`) is refused the way a client would see it.
pub(super) fn documented_filter_only(
    query: &ListQuery,
    documented: bool,
    attribute: &str,
    resource: &str,
    cfg: &Config,
) -> Result<(), ScimError> {
    if query.filter.is_none() || documented || !cfg.on(Switch::OnlyDocumentedFilters) {
        return Ok(());
    }
    Err(ScimError::bad_request(
        harness_scim::ScimType::InvalidFilter,
        format!("Unsupported filter: {resource} can only be filtered by {attribute} eq \"value\""),
    ))
}

/// The page `query` asks for, each resource passed through `shape`.
pub(super) fn page_of<T>(
    matched: Vec<T>,
    query: &ListQuery,
    cfg: &Config,
    shape: impl Fn(T) -> T,
) -> ListResponse<T> {
    let total = matched.len();
    let page = page(query, total, cfg);
    let resources = matched
        .into_iter()
        .skip(page.start)
        .take(page.len())
        .map(shape)
        .collect();
    list_response(total, resources, query, cfg)
}

/// The slice of `total` matches a list answers: the page `query` asks for, or every match when
/// Asana's "full list" is on (`list_ignores_paging`).
pub(super) fn page(query: &ListQuery, total: usize, cfg: &Config) -> std::ops::Range<usize> {
    if cfg.on(Switch::ListIgnoresPaging) {
        0..total
    } else {
        query.page(total)
    }
}

/// A list of `resources` out of `total` matches, with the paging fields when the profile shows
/// them.
pub(super) fn list_response<T>(
    total: usize,
    resources: Vec<T>,
    query: &ListQuery,
    cfg: &Config,
) -> ListResponse<T> {
    let start_index = if cfg.on(Switch::ListIgnoresPaging) {
        1
    } else {
        query.start_index
    };
    ListResponse {
        total_results: total,
        resources,
        start_index,
        paging: !cfg.on(Switch::ListWithoutPaging),
    }
}

pub(super) fn project(mut resource: Value, query: &ListQuery) -> Value {
    harness_scim::list::project(&mut resource, &query.attributes, &query.excluded_attributes);
    resource
}
