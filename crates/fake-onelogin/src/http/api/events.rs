//! OneLogin's Events API, v1 (`GET /api/1/events`, fidelity/onelogin §2, S14): the event log with
//! the usual filters (`event_type_id`, `user_id`, `since`, `until`) and cursor paging, in v1's
//! envelope (`status`, `pagination`, `data`). `GET /api/1/events/types` lists the event types.
//! v1 has its own authorization header and error bodies, so it has its own guard.

use axum::Json;
use axum::extract::{Extension, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::model::ApiScope;
use crate::state::Shared;
use crate::store::events::{Event, EventType};

/// v1's page size.
const PAGE: usize = 50;

pub(in crate::http) fn router(state: Shared) -> axum::Router<Shared> {
    axum::Router::new()
        .route("/events", get(list_events))
        .route("/events/types", get(list_types))
        .layer(middleware::from_fn_with_state(state, authenticate))
}

/// The access token in a v1 `Authorization` header: v1's documented `bearer:<token>` (S14), or
/// `Bearer <token>`, which OneLogin's current SDKs send for every version (S9, S10, S13; that v1
/// takes it is [I], and the Python SDK's events call needs it).
fn v1_token(header: &str) -> Option<&str> {
    let header = header.trim();
    match header.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer:") => {
            let token = header[7..].trim();
            (!token.is_empty() && !token.contains(char::is_whitespace)).then_some(token)
        }
        _ => harness_server::bearer(header),
    }
}

/// v1's guard (fidelity/onelogin §3.1, S14): a header in neither form is v1's 400 "Authorization
/// Information is incorrect"; a token that is not live (unknown, revoked, expired on the harness
/// clock) is its 401 "Authentication Failure", and so, the harness's choice, is no header at all.
async fn authenticate(State(app): State<Shared>, mut request: Request, next: Next) -> Response {
    let failure = || {
        v1_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Authentication Failure",
        )
    };
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return failure();
    };
    let Some(token) = value.to_str().ok().and_then(v1_token).map(str::to_owned) else {
        return v1_error(
            StatusCode::BAD_REQUEST,
            "bad request",
            "Authorization Information is incorrect",
        );
    };
    let Some(scope) = app.token_scope(&token) else {
        return failure();
    };
    request.extensions_mut().insert(scope);
    next.run(request).await
}

/// v1's envelope for an error: `{"status":{"error":true,"code","type","message"}}` (S14).
fn v1_error(code: StatusCode, kind: &str, message: impl Into<String>) -> Response {
    (
        code,
        Json(json!({"status": {"error": true, "code": code.as_u16(), "type": kind, "message": message.into()}})),
    )
        .into_response()
}

fn v1_ok(data: Value, pagination: Value) -> Response {
    Json(json!({
        "status": {"error": false, "code": 200, "type": "success", "message": "Success"},
        "pagination": pagination,
        "data": data,
    }))
    .into_response()
}

async fn list_types(Extension(scope): Extension<ApiScope>) -> Response {
    if !scope.can_read_all() {
        return v1_error(StatusCode::FORBIDDEN, "forbidden", "Read All is needed");
    }
    let data: Vec<Value> = EventType::ALL
        .iter()
        .map(|t| json!({"id": t.id(), "name": t.name()}))
        .collect();
    v1_ok(
        json!(data),
        json!({"before_cursor": null, "after_cursor": null, "previous_link": null, "next_link": null}),
    )
}

/// A query parameter that is not what it must be: v1's 400.
struct BadQuery(String);

impl IntoResponse for BadQuery {
    fn into_response(self) -> Response {
        v1_error(StatusCode::BAD_REQUEST, "bad request", self.0)
    }
}

/// `GET /api/1/events`'s filters and cursor.
#[derive(Default)]
struct EventQuery {
    event_type_id: Option<u32>,
    user_id: Option<u64>,
    since: Option<jiff::Timestamp>,
    until: Option<jiff::Timestamp>,
    after: u64,
}

impl EventQuery {
    /// The query, or why a parameter is not what it must be.
    fn parse(query: &str) -> Result<EventQuery, BadQuery> {
        let mut q = EventQuery::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let bad = |what: &str| BadQuery(format!("{k} must be {what}, not {v:?}"));
            match &*k {
                "event_type_id" => match v.parse::<u32>() {
                    Ok(n) => q.event_type_id = Some(n),
                    Err(_) => return Err(bad("a number")),
                },
                "user_id" => match v.parse::<u64>() {
                    Ok(n) => q.user_id = Some(n),
                    Err(_) => return Err(bad("a number")),
                },
                "since" => match v.parse::<jiff::Timestamp>() {
                    Ok(t) => q.since = Some(t),
                    Err(_) => return Err(bad("an ISO 8601 time")),
                },
                "until" => match v.parse::<jiff::Timestamp>() {
                    Ok(t) => q.until = Some(t),
                    Err(_) => return Err(bad("an ISO 8601 time")),
                },
                "after_cursor" | "cursor" => match v.parse::<u64>() {
                    Ok(n) => q.after = n,
                    Err(_) => return Err(bad("a cursor this API gave")),
                },
                _ => {}
            }
        }
        Ok(q)
    }

    fn matches(&self, e: &Event) -> bool {
        self.event_type_id.is_none_or(|t| e.event_type_id.id() == t)
            && self.user_id.is_none_or(|u| e.user_id == Some(u))
            && self.since.is_none_or(|s| e.created_at >= s)
            && self.until.is_none_or(|u| e.created_at <= u)
    }
}

async fn list_events(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    RawQuery(query): RawQuery,
) -> Response {
    if !scope.can_read_all() {
        return v1_error(StatusCode::FORBIDDEN, "forbidden", "Read All is needed");
    }
    let filter = match EventQuery::parse(query.as_deref().unwrap_or("")) {
        Ok(filter) => filter,
        Err(refusal) => return refusal.into_response(),
    };
    app.sweep();
    let store = app.store();
    let mut matching = store
        .events_after(filter.after)
        .filter(|e| filter.matches(e));
    let page: Vec<Value> = matching
        .by_ref()
        .take(PAGE)
        .map(|e| serde_json::to_value(e).expect("serializes"))
        .collect();
    let more = matching.next().is_some();
    let after_cursor = more
        .then(|| page.last().and_then(|e| e["id"].as_u64()))
        .flatten()
        .map(|id| id.to_string());
    let next_link = after_cursor.as_ref().map(|c| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
            if k != "after_cursor" && k != "cursor" {
                q.append_pair(&k, &v);
            }
        }
        q.append_pair("after_cursor", c);
        format!("{}/api/1/events?{}", app.origin, q.finish())
    });
    v1_ok(
        json!(page),
        json!({
            "before_cursor": null,
            "after_cursor": after_cursor,
            "previous_link": null,
            "next_link": next_link,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::v1_token;

    #[test]
    fn v1_takes_its_documented_header_and_the_sdks_bearer() {
        assert_eq!(v1_token("bearer:abc"), Some("abc"));
        assert_eq!(v1_token("Bearer:abc "), Some("abc"));
        assert_eq!(v1_token("Bearer abc"), Some("abc"));
        assert_eq!(v1_token("bearer:"), None);
        assert_eq!(v1_token("bearer:a b"), None);
        assert_eq!(v1_token("Basic abc"), None);
        assert_eq!(v1_token("abc"), None);
    }
}
