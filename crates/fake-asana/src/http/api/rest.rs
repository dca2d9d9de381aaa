//! The REST subset under `/api/1.0` that provisioning touches: who am I, users, workspaces,
//! and removing a user (asana-rest-subset.oas.yaml). Bodies are `{"data": ...}`.

use axum::body::Bytes;
use axum::extract::{Extension, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{Shared, parse_json, rest_error};
use crate::model::{Gid, Organization, UserRecord};
use crate::store::{Principal, Store};

/// The REST routes as full paths (no `nest`: each would rebuild the URI per request), with
/// Asana's 404 for any other path under `/api/1.0` and its 405 for a method a route lacks.
pub(super) fn router() -> Router<Shared> {
    let not_allowed = || async {
        RestError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "This method is not allowed on this route",
        )
    };
    let no_route =
        || async { RestError::new(StatusCode::NOT_FOUND, "No matching route for request") };
    Router::new()
        .route("/api/1.0/users", get(list_users).fallback(not_allowed))
        .route("/api/1.0/users/{user}", get(get_user).fallback(not_allowed))
        .route(
            "/api/1.0/workspaces",
            get(list_workspaces).fallback(not_allowed),
        )
        .route(
            "/api/1.0/workspaces/{workspace}",
            get(get_workspace).fallback(not_allowed),
        )
        .route(
            "/api/1.0/workspaces/{workspace}/users",
            get(workspace_users).fallback(not_allowed),
        )
        .route(
            "/api/1.0/workspaces/{workspace}/removeUser",
            post(remove_user).fallback(not_allowed),
        )
        .route("/api/1.0", any(no_route))
        .route("/api/1.0/", any(no_route))
        .route("/api/1.0/{*rest}", any(no_route))
}

type RestResult = Result<Response, RestError>;

/// An error of the REST API, rendered as Asana's `{"errors":[...]}` body in one place.
pub(super) struct RestError(StatusCode, String);

impl RestError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        RestError(status, message.into())
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        rest_error(self.0, &self.1)
    }
}

/// A path segment, with undecodable ones answered in Asana's error format.
struct Segment(String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = RestError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| Segment(s))
            .map_err(|e| RestError::new(StatusCode::NOT_FOUND, format!("Not a recognized ID: {e}")))
    }
}

/// Query parameters, with malformed ones (a repeated `limit`) answered as Asana's 400.
struct Params(RawParams);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = RestError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Query::<RawParams>::from_request_parts(parts, state)
            .await
            .map(|Query(p)| Params(p))
            .map_err(|e| {
                RestError::new(
                    StatusCode::BAD_REQUEST,
                    format!("Invalid query: {}", e.body_text()),
                )
            })
    }
}

impl std::ops::Deref for Params {
    type Target = RawParams;
    fn deref(&self) -> &RawParams {
        &self.0
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawParams {
    opt_fields: Option<String>,
    opt_pretty: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    workspace: Option<String>,
}

impl RawParams {
    fn wants(&self, field: &str) -> bool {
        self.opt_fields
            .as_deref()
            .is_some_and(|f| f.split(',').any(|x| x.trim() == field))
    }

    /// `limit` must be 1..=100 (OAS `limit` parameter).
    fn limit(&self) -> Result<Option<usize>, RestError> {
        match self.limit.as_deref() {
            None => Ok(None),
            Some(l) => match l.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => Ok(Some(n)),
                _ => Err(RestError::new(
                    StatusCode::BAD_REQUEST,
                    "limit: Value must be between 1 and 100",
                )),
            },
        }
    }

    fn offset(&self) -> Result<usize, RestError> {
        match self.offset.as_deref() {
            None => Ok(0),
            Some(o) => o.parse().map_err(|_| {
                RestError::new(
                    StatusCode::BAD_REQUEST,
                    "offset: Your pagination token is invalid",
                )
            }),
        }
    }
}

/// `{"data": ...}`, pretty-printed when `opt_pretty` asks for it.
fn data(params: &RawParams, value: Value, next_page: Option<Value>) -> Response {
    let mut body = json!({"data": value});
    if let Some(next) = next_page {
        body["next_page"] = next;
    }
    if params.opt_pretty.is_some() {
        let text = serde_json::to_string_pretty(&body).expect("serializes");
        return (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            text,
        )
            .into_response();
    }
    Json(body).into_response()
}

fn workspace_compact(org: &Organization) -> Value {
    json!({"gid": org.gid.to_string(), "resource_type": "workspace", "name": org.name})
}

fn user_compact(u: &UserRecord, params: &RawParams, org: &Organization) -> Value {
    let mut v =
        json!({"gid": u.gid.to_string(), "resource_type": "user", "name": u.display_name()});
    if params.wants("email") {
        v["email"] = json!(u.email());
    }
    if params.wants("workspaces") {
        v["workspaces"] = json!(if u.is_active() {
            vec![workspace_compact(org)]
        } else {
            vec![]
        });
    }
    v
}

fn user_full(u: &UserRecord, org: &Organization) -> Value {
    json!({
        "gid": u.gid.to_string(),
        "resource_type": "user",
        "name": u.display_name(),
        "email": u.email(),
        "photo": null,
        "workspaces": if u.is_active() { vec![workspace_compact(org)] } else { vec![] },
    })
}

/// The user record `/users/me` returns for a service account: its own, with a generated email
/// and the one organization (fidelity/asana §3.3, [I]).
fn service_account_user(store: &Store, org: Gid, account: Gid) -> Option<Value> {
    let info = store.organization(org)?;
    let sa = store
        .service_accounts()
        .into_iter()
        .find(|(sa_org, sa)| *sa_org == org && sa.gid == account)?
        .1;
    let domain = info.domains.first().map_or("asana.test", String::as_str);
    Some(json!({
        "gid": sa.gid.to_string(),
        "resource_type": "user",
        "name": sa.name,
        "email": format!("service-account-{}@{domain}", sa.gid),
        "photo": null,
        "workspaces": [workspace_compact(info)],
    }))
}

fn org_of<'a>(store: &'a Store, p: &Principal) -> &'a Organization {
    store
        .organization(p.org())
        .expect("a principal's organization exists")
}

async fn get_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Segment(user): Segment,
    params: Params,
) -> RestResult {
    let store = app.store();
    let org = org_of(&store, &p);
    let value = match (user.as_str(), p) {
        ("me", Principal::ServiceAccount { org, account, .. }) => {
            service_account_user(&store, org, account)
        }
        ("me", Principal::Personal { user, .. }) => {
            store.user(p.org(), user).map(|u| user_full(u, org))
        }
        // A service account is a user of its organization: the gid `/users/me` gave resolves
        // too, as Asana's OpenAPI spec has it for any user gid (fidelity/asana §3.3).
        (reference, _) => store
            .resolve_user(p.org(), reference)
            .map(|u| user_full(u, org))
            .or_else(|| {
                let gid = reference.parse::<Gid>().ok()?;
                service_account_user(&store, p.org(), gid)
            }),
    };
    let value = value.ok_or_else(|| {
        RestError::new(
            StatusCode::NOT_FOUND,
            format!("user: Not a recognized ID: {user}"),
        )
    })?;
    Ok(data(&params, value, None))
}

async fn list_users(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    params: Params,
) -> RestResult {
    if let Some(ws) = &params.workspace
        && ws.parse::<Gid>().ok() != Some(p.org())
    {
        return Err(RestError::new(
            StatusCode::NOT_FOUND,
            format!("workspace: Not a recognized ID: {ws}"),
        ));
    }
    let limit = params.limit()?;
    let offset = params.offset()?;
    let store = app.store();
    let org = org_of(&store, &p);
    // Sorted by user ID (OAS getUsers); deprovisioned users have left the organization.
    let users: Vec<&UserRecord> = store
        .resolve_all(p.org())
        .filter(|u| u.is_active())
        .collect();
    let (page, next) = paginate(&users, limit, offset, "/users", &app.origin);
    let values = page.iter().map(|u| user_compact(u, &params, org)).collect();
    Ok(data(&params, Value::Array(values), next))
}

/// One page and, when `limit` was given, its `next_page` (null on the last page).
fn paginate<'a, T>(
    items: &'a [T],
    limit: Option<usize>,
    offset: usize,
    path: &str,
    origin: &str,
) -> (&'a [T], Option<Value>) {
    let start = offset.min(items.len());
    let Some(limit) = limit else {
        return (&items[start..], None);
    };
    let end = (start + limit).min(items.len());
    let next = if end < items.len() {
        let rel = format!("{path}?limit={limit}&offset={end}");
        json!({"offset": end.to_string(), "path": rel, "uri": format!("{origin}/api/1.0{rel}")})
    } else {
        Value::Null
    };
    (&items[start..end], Some(next))
}

async fn list_workspaces(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    params: Params,
) -> RestResult {
    params.limit()?;
    let store = app.store();
    let org = org_of(&store, &p);
    let mut ws = workspace_compact(org);
    if params.wants("email_domains") {
        ws["email_domains"] = json!(org.domains);
    }
    if params.wants("is_organization") {
        ws["is_organization"] = json!(true);
    }
    let next = params.limit.is_some().then_some(Value::Null);
    Ok(data(&params, json!([ws]), next))
}

fn own_workspace<'a>(
    store: &'a Store,
    p: &Principal,
    workspace: &str,
) -> Result<&'a Organization, RestError> {
    workspace
        .parse::<Gid>()
        .ok()
        .filter(|g| *g == p.org())
        .and_then(|g| store.organization(g))
        .ok_or_else(|| {
            RestError::new(
                StatusCode::NOT_FOUND,
                format!("workspace: Not a recognized ID: {workspace}"),
            )
        })
}

async fn get_workspace(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Segment(workspace): Segment,
    params: Params,
) -> RestResult {
    let store = app.store();
    let org = own_workspace(&store, &p, &workspace)?;
    let mut ws = workspace_compact(org);
    ws["email_domains"] = json!(org.domains);
    ws["is_organization"] = json!(true);
    Ok(data(&params, ws, None))
}

async fn workspace_users(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Segment(workspace): Segment,
    params: Params,
) -> RestResult {
    let offset = params.offset()?;
    let store = app.store();
    let org = own_workspace(&store, &p, &workspace)?;
    // "Results are sorted alphabetically and limited to 2000" (OAS getUsersForWorkspace).
    let mut users: Vec<&UserRecord> = store
        .resolve_all(p.org())
        .filter(|u| u.is_active())
        .collect();
    users.sort_by_cached_key(|u| (u.display_name().to_lowercase(), u.gid));
    let page: Vec<Value> = users
        .iter()
        .skip(offset)
        .take(2000)
        .map(|u| user_compact(u, &params, org))
        .collect();
    Ok(data(&params, Value::Array(page), None))
}

#[derive(Deserialize)]
struct RemoveUserBody {
    data: Option<RemoveUserData>,
}

#[derive(Deserialize)]
struct RemoveUserData {
    user: Option<String>,
}

async fn remove_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Segment(workspace): Segment,
    params: Params,
    body: Bytes,
) -> RestResult {
    let json =
        parse_json(&body).map_err(|e| RestError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let parsed: RemoveUserBody = serde_json::from_value(json)
        .map_err(|e| RestError::new(StatusCode::BAD_REQUEST, format!("data: {e}")))?;
    let user = parsed
        .data
        .and_then(|d| d.user)
        .ok_or_else(|| RestError::new(StatusCode::BAD_REQUEST, "user: Missing input"))?;
    let cfg = app.config();
    let mut store = app.store_mut();
    own_workspace(&store, &p, &workspace)?;
    let reference = match (user.as_str(), p) {
        ("me", Principal::Personal { user, .. }) => user.to_string(),
        (other, _) => other.to_owned(),
    };
    store
        .remove_user_from_workspace(&app.write_context(&p, &cfg), &reference)
        .map_err(|_| {
            RestError::new(
                StatusCode::NOT_FOUND,
                format!("user: Not a recognized ID: {user}"),
            )
        })?;
    Ok(data(&params, json!({}), None))
}
