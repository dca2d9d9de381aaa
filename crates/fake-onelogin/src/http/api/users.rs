//! `/api/2/users`: the v2 user, its fields read one by one, the list with OneLogin's filters and
//! cursor paging, and a user's apps.

use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{ApiResult, field_matches, params, ts};
use crate::http::{Id, OlError, json_body, require};
use crate::model::{ApiScope, OneLoginUser};
use crate::state::Shared;
use crate::store::{Store, UserChanges};

/// A user in the v2 shape: every documented field, `null` where the fake keeps nothing.
pub(crate) fn user_json(u: &OneLoginUser, store: &Store) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "firstname": u.firstname,
        "lastname": u.lastname,
        "title": u.title,
        "department": u.department,
        "company": u.company,
        "comment": null,
        "group_id": null,
        "role_ids": store.role_ids(u.id),
        "phone": u.phone,
        "state": u.state,
        "status": u.status,
        "directory_id": null,
        "trusted_idp_id": null,
        "manager_ad_id": null,
        "manager_user_id": null,
        "samaccountname": null,
        "member_of": null,
        "userprincipalname": null,
        "distinguished_name": null,
        "external_id": u.external_id,
        "activated_at": ts(u.created_at),
        "last_login": null,
        "invitation_sent_at": null,
        "updated_at": ts(u.updated_at),
        "preferred_locale_code": null,
        "created_at": ts(u.created_at),
        "invalid_login_attempts": 0,
        "locked_until": null,
        "password_changed_at": null,
        "custom_attributes": {},
    })
}

/// Reads a user body field by field, so that a wrong type is a 422 naming the field.
pub(crate) fn user_changes(body: &Value) -> Result<UserChanges, OlError> {
    let obj = body
        .as_object()
        .ok_or_else(|| OlError::bad_request("The request body must be a JSON object"))?;
    let string = |name: &str| -> Result<Option<String>, OlError> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(OlError::field(name, format!("{name} must be a string"))),
        }
    };
    let optional = |name: &str| -> Result<Option<Option<String>>, OlError> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(_) => Err(OlError::field(
                name,
                format!("{name} must be a string or null"),
            )),
        }
    };
    let code = |name: &str| -> Result<Option<u8>, OlError> {
        match obj.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| OlError::field(name, format!("{name} must be an integer code"))),
        }
    };
    Ok(UserChanges {
        username: string("username")?,
        email: string("email")?,
        firstname: string("firstname")?,
        lastname: string("lastname")?,
        title: optional("title")?,
        department: optional("department")?,
        company: optional("company")?,
        phone: optional("phone")?,
        external_id: optional("external_id")?,
        status: code("status")?,
        state: code("state")?,
    })
}

/// `GET /api/2/users`'s query: paging, the fields to keep, and OneLogin's filters.
struct UserQuery {
    limit: usize,
    page: usize,
    fields: Option<Vec<String>>,
    filters: Vec<(String, String)>,
}

impl UserQuery {
    fn parse(q: &Option<String>) -> Result<UserQuery, OlError> {
        let mut query = UserQuery {
            limit: 50,
            page: 1,
            fields: None,
            filters: Vec::new(),
        };
        for (k, v) in params(q) {
            match k.as_str() {
                "limit" => {
                    query.limit = v
                        .parse::<usize>()
                        .map_err(|_| OlError::bad_request("limit must be a number"))?
                        .clamp(1, 100)
                }
                "page" => {
                    query.page = v
                        .parse::<usize>()
                        .map_err(|_| OlError::bad_request("page must be a number"))?
                        .max(1)
                }
                "cursor" => {
                    query.page = decode_cursor(&v)
                        .ok_or_else(|| OlError::bad_request("cursor is not valid"))?
                }
                "fields" => {
                    query.fields = Some(v.split(',').map(|f| f.trim().to_owned()).collect())
                }
                "email" | "username" | "firstname" | "lastname" | "external_id" | "user_ids"
                | "id" | "status" | "title" | "department" => query.filters.push((k, v)),
                _ => {}
            }
        }
        Ok(query)
    }

    /// Whether a user passes every filter.
    fn matches(&self, u: &OneLoginUser) -> bool {
        self.filters.iter().all(|(k, v)| match k.as_str() {
            "email" => field_matches(&u.email, v),
            "username" => field_matches(&u.username, v),
            "firstname" => field_matches(&u.firstname, v),
            "lastname" => field_matches(&u.lastname, v),
            "title" => u.title.as_deref().is_some_and(|t| field_matches(t, v)),
            "department" => u.department.as_deref().is_some_and(|d| field_matches(d, v)),
            "external_id" => u
                .external_id
                .as_deref()
                .is_some_and(|x| field_matches(x, v)),
            "status" => v
                .split(',')
                .any(|s| s.trim() == u.status.code().to_string()),
            "user_ids" | "id" => v.split(',').any(|s| s.trim() == u.id.to_string()),
            _ => true,
        })
    }
}

pub(super) async fn list_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    require(scope.can_read_users(), "Read Users")?;
    let query = UserQuery::parse(&q)?;
    let (limit, page) = (query.limit, query.page);
    let store = app.store();
    let matched: Vec<&OneLoginUser> = store.users().filter(|u| query.matches(u)).collect();
    let total = matched.len();
    let pages = total.div_ceil(limit).max(1);
    let items: Vec<Value> = matched
        .iter()
        .skip((page - 1) * limit)
        .take(limit)
        .map(|u| {
            let mut v = user_json(u, &store);
            if let (Some(fields), Value::Object(map)) = (&query.fields, &mut v) {
                map.retain(|k, _| k == "id" || fields.iter().any(|f| f == k));
            }
            v
        })
        .collect();
    let headers = paging_headers(total, items.len(), page, pages);
    Ok((StatusCode::OK, headers, axum::Json(Value::Array(items))).into_response())
}

/// OneLogin's paging headers, with cursors to the pages either side.
fn paging_headers(total: usize, items: usize, page: usize, pages: usize) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let set = |h: &mut HeaderMap, name: &'static str, value: String| {
        h.insert(name, HeaderValue::from_str(&value).expect("ascii"));
    };
    set(&mut headers, "Total-Count", total.to_string());
    set(&mut headers, "Page-Items", items.to_string());
    set(&mut headers, "Total-Pages", pages.to_string());
    set(&mut headers, "Current-Page", page.to_string());
    if page < pages {
        set(&mut headers, "After-Cursor", encode_cursor(page + 1));
    }
    if page > 1 {
        set(&mut headers, "Before-Cursor", encode_cursor(page - 1));
    }
    headers
}

/// Cursors are opaque to clients; here they name a page.
fn encode_cursor(page: usize) -> String {
    crate::tokens::base64_encode(format!("page:{page}").as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let text = String::from_utf8(crate::tokens::base64_decode(cursor)?).ok()?;
    text.strip_prefix("page:")?.parse().ok().filter(|p| *p >= 1)
}

pub(super) async fn create_user(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_users(), "Manage Users")?;
    let changes = user_changes(&json_body(&body)?)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    let id = store.create_user(changes, now)?;
    let user = user_json(store.user(id).expect("just created"), &store);
    Ok((StatusCode::CREATED, axum::Json(user)).into_response())
}

pub(super) async fn get_user(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_users(), "Read Users")?;
    let store = app.store();
    let user = store.user(id).ok_or_else(OlError::not_found)?;
    Ok(axum::Json(user_json(user, &store)).into_response())
}

pub(super) async fn update_user(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_users(), "Manage Users")?;
    let changes = user_changes(&json_body(&body)?)?;
    let now = app.clock.now();
    let response = {
        let mut store = app.store_mut();
        store.update_user(id, changes, now)?;
        user_json(store.user(id).expect("exists"), &store)
    };
    app.kick();
    Ok(axum::Json(response).into_response())
}

pub(super) async fn delete_user(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_manage_users(), "Manage Users")?;
    let now = app.clock.now();
    app.store_mut().delete_user(id, now)?;
    app.kick();
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn user_apps(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_users(), "Read Users")?;
    let store = app.store();
    store.user(id).ok_or_else(OlError::not_found)?;
    let apps: Vec<Value> = store
        .apps()
        .filter(|a| store.has_access(id, a.id))
        .map(|a| {
            json!({
                "id": a.id,
                "icon_url": format!("https://cdn.onelogin.test/images/icons/{}.png", a.connector_id),
                "extension": false,
                "login_id": null,
                "name": a.name,
                "provisioning_status": if a.provisioning.enabled { "enabled" } else { "disabled" },
                "provisioning_state": store.provisioning_state(id, a.id),
                "provisioning_enabled": a.provisioning.enabled,
                // The harness's addition: the target's id for the user, stored when it was
                // created or adopted (OneLogin's documented item has no such field).
                "scim_id": store.link(id, a.id).and_then(|l| l.scim_id.clone()),
            })
        })
        .collect();
    Ok(axum::Json(Value::Array(apps)).into_response())
}
