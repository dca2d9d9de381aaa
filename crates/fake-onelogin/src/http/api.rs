//! The OneLogin API v2 subset under `/api/2`: users, a user's apps, apps, roles and their users
//! and apps. Shapes follow fidelity/onelogin §3.2–3.3.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::{Id, OlError, json_body, require};
use crate::Shared;
use crate::model::{ApiScope, App, Mapping, OneLoginUser, ProvisioningState, TaskStatus};
use crate::store::{Store, UserChanges};

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route(
            "/users/{id}",
            get(get_user).put(update_user).delete(delete_user),
        )
        .route("/users/{id}/apps", get(user_apps))
        .route("/apps", get(list_apps))
        .route("/apps/{id}", get(get_app))
        .route("/apps/{id}/users", get(app_users))
        .route("/roles", get(list_roles).post(create_role))
        .route("/roles/{id}", get(get_role))
        .route(
            "/roles/{id}/users",
            get(role_users)
                .post(add_role_users)
                .delete(remove_role_users),
        )
        .route("/roles/{id}/apps", get(role_apps).put(set_role_apps))
        .fallback(|| async { OlError::not_found() })
        .method_not_allowed_fallback(|| async { OlError::method_not_allowed() })
}

type ApiResult = Result<Response, OlError>;

fn ts(t: jiff::Timestamp) -> Value {
    json!(t.to_string())
}

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

// -- users -------------------------------------------------------------------------------------

/// Query parameters as pairs, `+` and percent-escapes decoded.
fn params(query: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// OneLogin's filter match: exact, case-insensitive; a trailing `*` matches a prefix.
fn field_matches(actual: &str, wanted: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => actual.to_lowercase().starts_with(&prefix.to_lowercase()),
        None => actual.eq_ignore_ascii_case(wanted),
    }
}

async fn list_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    require(scope.can_read_users(), "Read Users")?;
    let mut limit = 50usize;
    let mut page = 1usize;
    let mut fields: Option<Vec<String>> = None;
    let mut filters: Vec<(String, String)> = Vec::new();
    for (k, v) in params(&q) {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .map_err(|_| OlError::bad_request("limit must be a number"))?
                    .clamp(1, 100)
            }
            "page" => {
                page = v
                    .parse::<usize>()
                    .map_err(|_| OlError::bad_request("page must be a number"))?
                    .max(1)
            }
            "cursor" => {
                page =
                    decode_cursor(&v).ok_or_else(|| OlError::bad_request("cursor is not valid"))?
            }
            "fields" => fields = Some(v.split(',').map(|f| f.trim().to_owned()).collect()),
            "email" | "username" | "firstname" | "lastname" | "external_id" | "user_ids" | "id"
            | "status" | "title" | "department" => filters.push((k, v)),
            _ => {}
        }
    }
    let store = app.store();
    let matched: Vec<&OneLoginUser> = store
        .users()
        .filter(|u| {
            filters.iter().all(|(k, v)| match k.as_str() {
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
        })
        .collect();
    let total = matched.len();
    let pages = total.div_ceil(limit).max(1);
    let items: Vec<Value> = matched
        .iter()
        .skip((page - 1) * limit)
        .take(limit)
        .map(|u| {
            let mut v = user_json(u, &store);
            if let (Some(fields), Value::Object(map)) = (&fields, &mut v) {
                map.retain(|k, _| k == "id" || fields.iter().any(|f| f == k));
            }
            v
        })
        .collect();
    let mut headers = HeaderMap::new();
    let set = |h: &mut HeaderMap, name: &'static str, value: String| {
        h.insert(name, HeaderValue::from_str(&value).expect("ascii"));
    };
    set(&mut headers, "Total-Count", total.to_string());
    set(&mut headers, "Page-Items", items.len().to_string());
    set(&mut headers, "Total-Pages", pages.to_string());
    set(&mut headers, "Current-Page", page.to_string());
    if page < pages {
        set(&mut headers, "After-Cursor", encode_cursor(page + 1));
    }
    if page > 1 {
        set(&mut headers, "Before-Cursor", encode_cursor(page - 1));
    }
    Ok((StatusCode::OK, headers, axum::Json(Value::Array(items))).into_response())
}

/// Cursors are opaque to clients; here they name a page.
fn encode_cursor(page: usize) -> String {
    crate::oauth::base64_encode(format!("page:{page}").as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let text = String::from_utf8(crate::oauth::base64_decode(cursor)?).ok()?;
    text.strip_prefix("page:")?.parse().ok().filter(|p| *p >= 1)
}

async fn create_user(
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

async fn get_user(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_users(), "Read Users")?;
    let store = app.store();
    let user = store.user(id).ok_or_else(OlError::not_found)?;
    Ok(axum::Json(user_json(user, &store)).into_response())
}

async fn update_user(
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

async fn delete_user(
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

/// `provisioning_state` for a user and app, from the open task or what the target holds.
pub(crate) fn provisioning_state(store: &Store, user: u64, app: u64) -> ProvisioningState {
    if let Some(task) = store.open_task(user, app) {
        return if task.status == TaskStatus::Pending {
            ProvisioningState::Pending
        } else {
            ProvisioningState::Provisioning
        };
    }
    if store
        .last_task(user, app)
        .is_some_and(|t| t.status == TaskStatus::Failed)
    {
        return ProvisioningState::Failed;
    }
    match store.link(user, app).map(|l| l.state) {
        Some(crate::model::Provisioned::Active) => ProvisioningState::Provisioned,
        Some(crate::model::Provisioned::Suspended) => ProvisioningState::Suspended,
        Some(crate::model::Provisioned::Deleted) => ProvisioningState::Deprovisioned,
        None => ProvisioningState::Unknown,
    }
}

async fn user_apps(
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
                "provisioning_state": provisioning_state(&store, id, a.id),
                "provisioning_enabled": a.provisioning.enabled,
                // The harness's addition: the target's id for the user, stored when it was
                // created or adopted (OneLogin's documented item has no such field).
                "scim_id": store.link(id, a.id).and_then(|l| l.scim_id.clone()),
            })
        })
        .collect();
    Ok(axum::Json(Value::Array(apps)).into_response())
}

// -- apps --------------------------------------------------------------------------------------

fn app_json(a: &App, store: &Store) -> Value {
    let role_ids: Vec<u64> = store
        .roles()
        .filter(|r| r.apps.contains(&a.id))
        .map(|r| r.id)
        .collect();
    json!({
        "id": a.id,
        "connector_id": a.connector_id,
        "name": a.name,
        "description": "",
        "notes": null,
        "visible": true,
        "auth_method": 2,
        "auth_method_description": "SAML2.0",
        "role_ids": role_ids,
        "provisioning": {"enabled": a.provisioning.enabled, "status": "Available"},
        "created_at": ts(a.created_at),
        "updated_at": ts(a.updated_at),
    })
}

async fn list_apps(State(app): State<Shared>, Extension(scope): Extension<ApiScope>) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    Ok(axum::Json(Value::Array(
        store.apps().map(|a| app_json(a, &store)).collect(),
    ))
    .into_response())
}

async fn get_app(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let a = store.app(id).ok_or_else(OlError::not_found)?;
    let mut v = app_json(a, &store);
    let mapping = |m: Mapping| match m {
        Mapping::Email => "email",
        Mapping::Username => "username",
        Mapping::ExternalId => "external_id",
    };
    // The token is configuration, not something the API hands out.
    v["parameters"] = json!({
        "scimusername": {"label": "SCIM Username", "user_attribute_mappings": mapping(a.provisioning.parameters.scim_username), "include_in_saml_assertion": false, "provisioned_entitlements": false},
        "saml_username": {"label": "NameID (Subject)", "user_attribute_mappings": mapping(a.provisioning.parameters.name_id), "include_in_saml_assertion": true, "provisioned_entitlements": false},
    });
    v["configuration"] = json!({});
    Ok(axum::Json(v).into_response())
}

async fn app_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    store.app(id).ok_or_else(OlError::not_found)?;
    let users: Vec<Value> = store
        .app_users(id)
        .into_iter()
        .filter_map(|u| store.user(u))
        .map(|u| json!({"id": u.id, "firstname": u.firstname, "lastname": u.lastname, "email": u.email, "username": u.username}))
        .collect();
    Ok(axum::Json(Value::Array(users)).into_response())
}

// -- roles -------------------------------------------------------------------------------------

async fn list_roles(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let name = params(&q)
        .into_iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v);
    let store = app.store();
    let roles: Vec<Value> = store
        .roles()
        .filter(|r| name.as_deref().is_none_or(|n| field_matches(&r.name, n)))
        .map(|r| json!({"id": r.id, "name": r.name}))
        .collect();
    Ok(axum::Json(Value::Array(roles)).into_response())
}

async fn create_role(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let body = json_body(&body)?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| OlError::field("name", "name is required"))?;
    let id = app.store_mut().create_role(name)?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
}

async fn get_role(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let r = store.role(id).ok_or_else(OlError::not_found)?;
    Ok(axum::Json(
        json!({"id": r.id, "name": r.name, "apps": r.apps, "users": r.users, "admins": []}),
    )
    .into_response())
}

async fn role_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let r = store.role(id).ok_or_else(OlError::not_found)?;
    let users: Vec<Value> = r
        .users
        .iter()
        .filter_map(|u| store.user(*u))
        .map(|u| json!({"id": u.id, "username": u.username, "email": u.email, "name": format!("{} {}", u.firstname, u.lastname).trim()}))
        .collect();
    Ok(axum::Json(Value::Array(users)).into_response())
}

/// A raw JSON array of ids, as OneLogin's role endpoints take.
fn id_list(bytes: &Bytes, field: &str) -> Result<Vec<u64>, OlError> {
    let body = json_body(bytes)?;
    let items = body
        .as_array()
        .ok_or_else(|| OlError::field(field, format!("{field} must be a JSON array of ids")))?;
    items
        .iter()
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| OlError::field(field, format!("{v} is not an id")))
        })
        .collect()
}

async fn add_role_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let ids = id_list(&body, "user_ids")?;
    let now = app.clock.now();
    let added = app.store_mut().add_role_users(id, &ids, now)?;
    app.kick();
    Ok(axum::Json(Value::Array(
        added.into_iter().map(|u| json!({"id": u})).collect(),
    ))
    .into_response())
}

async fn remove_role_users(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let ids = id_list(&body, "user_ids")?;
    let now = app.clock.now();
    app.store_mut().remove_role_users(id, &ids, now)?;
    app.kick();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn role_apps(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
) -> ApiResult {
    require(scope.can_read_all(), "Read All")?;
    let store = app.store();
    let r = store.role(id).ok_or_else(OlError::not_found)?;
    let apps: Vec<Value> = r
        .apps
        .iter()
        .filter_map(|a| store.app(*a))
        .map(|a| json!({"id": a.id, "name": a.name, "icon_url": format!("https://cdn.onelogin.test/images/icons/{}.png", a.connector_id)}))
        .collect();
    Ok(axum::Json(Value::Array(apps)).into_response())
}

async fn set_role_apps(
    State(app): State<Shared>,
    Extension(scope): Extension<ApiScope>,
    Id(id): Id,
    body: Bytes,
) -> ApiResult {
    require(scope.can_manage_all(), "Manage All")?;
    let ids = id_list(&body, "app_ids")?;
    let now = app.clock.now();
    app.store_mut().set_role_apps(id, &ids, now)?;
    app.kick();
    Ok(axum::Json(Value::Array(
        ids.into_iter().map(|a| json!({"id": a})).collect(),
    ))
    .into_response())
}
