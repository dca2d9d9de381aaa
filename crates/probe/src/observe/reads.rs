//! The read-only checks: GETs and a search, nothing the endpoint keeps.

use reqwest::Method;
use serde_json::json;

use super::{LOOKUP_NOBODY, Observation, Side};
use crate::endpoint::error_form;

pub(crate) fn auth_missing(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s.call_as(Method::GET, "/Users", None, None).await?;
        Ok(format!("{} {}", r.status.as_u16(), error_form(&r.body)))
    })
}

pub(crate) fn auth_bad_token(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s
            .call_as(Method::GET, "/Users", Some("2/1/2:0000000000000000"), None)
            .await?;
        Ok(format!("{} {}", r.status.as_u16(), error_form(&r.body)))
    })
}

pub(crate) fn lookup_wire_form(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s.call(Method::GET, LOOKUP_NOBODY, None).await?;
        Ok(format!(
            "{} totalResults={}",
            r.status.as_u16(),
            r.body["totalResults"]
        ))
    })
}

pub(crate) fn list_paging_fields(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s.call(Method::GET, LOOKUP_NOBODY, None).await?;
        let paging = r.body.get("startIndex").is_some() && r.body.get("itemsPerPage").is_some();
        Ok(if paging {
            "with startIndex and itemsPerPage".into()
        } else {
            "without startIndex or itemsPerPage".into()
        })
    })
}

pub(crate) fn content_type(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move { Ok(s.call(Method::GET, LOOKUP_NOBODY, None).await?.content_type) })
}

pub(crate) fn bad_filter(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s
            .call(Method::GET, "/Users?filter=userName+eq", None)
            .await?;
        Ok(format!(
            "{} {}",
            r.status.as_u16(),
            r.body["scimType"].as_str().unwrap_or("(no scimType)")
        ))
    })
}

pub(crate) fn undocumented_filter(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s
            .call(
                Method::GET,
                "/Users?filter=title+eq+%22never-existing-title%22",
                None,
            )
            .await?;
        Ok(format!(
            "{} {}",
            r.status.as_u16(),
            r.body["scimType"].as_str().unwrap_or("")
        ))
    })
}

pub(crate) fn service_provider_config(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let r = s.call(Method::GET, "/ServiceProviderConfig", None).await?;
        Ok(format!(
            "{} patch={} bulk={}",
            r.status.as_u16(),
            r.body["patch"]["supported"],
            r.body["bulk"]["supported"]
        ))
    })
}

pub(crate) fn search_endpoint(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": "userName eq \"never-existing-user\""
        });
        let r = s.call(Method::POST, "/.search", Some(body)).await?;
        Ok(r.status.as_u16().to_string())
    })
}
