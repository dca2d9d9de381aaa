//! The harness's control API under `/__admin` (README, "Admin API"): service accounts, state,
//! config, faults and the request journal. JSON in and out; errors are `{"error": "..."}`.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Shared, admin_error, parse_json};
use crate::faults::FaultSpec;
use crate::model::{Gid, SamlMode, SamlSettings, Scope, ServiceAccountRecord, State as Snapshot};
use crate::store::{Store, StoreError};

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/service-accounts",
            get(list_service_accounts).post(create_service_account),
        )
        .route(
            "/service-accounts/{id}",
            axum::routing::delete(delete_service_account).patch(rename_service_account),
        )
        .route(
            "/service-accounts/{id}/rotate",
            post(rotate_service_account),
        )
        .route(
            "/personal-access-tokens",
            post(create_personal_access_token),
        )
        .route(
            "/organizations",
            get(list_organizations).post(create_organization),
        )
        .route("/state", get(get_state).put(put_state))
        .route("/reset", post(reset))
        .route("/config", get(get_config).put(put_config))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/saml", get(get_saml).put(put_saml))
        .route("/sign-ins", get(list_sign_ins).delete(clear_sign_ins))
        .fallback(|| async {
            AdminError::new(StatusCode::NOT_FOUND, "no admin endpoint at this path")
        })
        .method_not_allowed_fallback(|| async {
            AdminError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this method is not allowed on this admin endpoint",
            )
        })
}

/// The OpenAPI 3.1 document of this API, the file committed under `docs/openapi/`, served
/// as it is (a test checks that the document and the routes agree).
const OPENAPI: &str = include_str!("../../../../docs/openapi/fake-asana.json");

/// `GET /__admin/health` and `GET /__admin/openapi.json`: what may be asked without the admin
/// token.
pub(super) fn open_router() -> Router<Shared> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .method_not_allowed_fallback(|| async {
            AdminError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this method is not allowed on this admin endpoint",
            )
        })
}

async fn health(State(app): State<Shared>) -> Json<Value> {
    let profile = serde_json::to_value(app.config().profile).unwrap_or_default();
    Json(harness_html::health::health("fake-asana", profile.as_str()))
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

type AdminResult = Result<Response, AdminError>;

/// An error of the admin API, rendered as `{"error": "..."}` in one place.
struct AdminError(StatusCode, String);

impl AdminError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AdminError(status, message.into())
    }
}

/// A store refusal in the admin format: an unknown service account is 404, a domain another
/// organization holds 409, anything else the request's fault.
impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        let status = match e {
            StoreError::NoServiceAccount(_) => StatusCode::NOT_FOUND,
            StoreError::DomainTaken { .. } => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        AdminError::new(status, e.to_string())
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        admin_error(self.0, self.1)
    }
}

/// The `{id}` of an admin path; an undecodable one is a 404 in the admin format.
struct Id(String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| Id(s))
            .map_err(|e| AdminError::new(StatusCode::NOT_FOUND, format!("no such resource: {e}")))
    }
}

/// The query of an admin path; one that does not parse is a 400 in the admin format.
struct AdminQuery<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AdminQuery<T> {
    type Rejection = AdminError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| AdminQuery(q))
            .map_err(|e| bad_request(e.body_text()))
    }
}

fn bad_request(message: impl Into<String>) -> AdminError {
    AdminError::new(StatusCode::BAD_REQUEST, message)
}

/// Parses a JSON body into `T`, with errors that name the problem.
fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, AdminError> {
    let value = parse_json(bytes).map_err(|e| bad_request(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| bad_request(format!("invalid request: {e}")))
}

fn organization_or_default(store: &Store, org: Option<Gid>) -> Result<Gid, AdminError> {
    match org {
        Some(g) if store.organization(g).is_some() => Ok(g),
        Some(g) => Err(AdminError::new(
            StatusCode::NOT_FOUND,
            format!("no organization {g}"),
        )),
        None => store
            .default_org()
            .ok_or_else(|| bad_request("there is no organization yet")),
    }
}

fn service_account_json(org: Gid, sa: &ServiceAccountRecord, token: Option<&str>) -> Value {
    let mut v = json!({
        "id": sa.gid.to_string(),
        "name": sa.name,
        "scope": sa.scope,
        "organization": org.to_string(),
        "created_at": sa.created_at.to_string(),
    });
    if let Some(t) = token {
        v["token"] = json!(t);
    }
    v
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewServiceAccount {
    name: String,
    #[serde(default = "default_scope")]
    scope: Scope,
    #[serde(default)]
    organization: Option<Gid>,
    /// A fixed token, for reproducing a customer's setup; minted when absent.
    #[serde(default)]
    token: Option<String>,
}

fn default_scope() -> Scope {
    Scope::Scim
}

async fn create_service_account(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let req: NewServiceAccount = body(&bytes)?;
    if req.name.trim().is_empty() {
        return Err(bad_request("name must not be empty"));
    }
    let now = app.clock.now();
    let mut store = app.store_mut();
    let org = organization_or_default(&store, req.organization)?;
    let (sa, token) = store.create_service_account(org, &req.name, req.scope, now, req.token)?;
    // The token is shown here and on rotation only, as Asana shows it once.
    Ok((
        StatusCode::CREATED,
        Json(service_account_json(org, &sa, Some(&token))),
    )
        .into_response())
}

async fn list_service_accounts(State(app): State<Shared>) -> Json<Value> {
    let accounts: Vec<Value> = app
        .store()
        .service_accounts()
        .iter()
        .map(|(org, sa)| service_account_json(*org, sa, None))
        .collect();
    Json(Value::Array(accounts))
}

fn parse_gid(id: &str) -> Result<Gid, AdminError> {
    id.parse()
        .map_err(|_| AdminError::new(StatusCode::NOT_FOUND, format!("no service account {id}")))
}

async fn delete_service_account(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let gid = parse_gid(&id)?;
    app.store_mut().delete_service_account(gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

async fn rename_service_account(
    State(app): State<Shared>,
    Id(id): Id,
    bytes: Bytes,
) -> AdminResult {
    let gid = parse_gid(&id)?;
    let req: Rename = body(&bytes)?;
    if req.name.trim().is_empty() {
        return Err(bad_request("a service account needs a name"));
    }
    app.store_mut().rename_service_account(gid, &req.name)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn rotate_service_account(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let gid = parse_gid(&id)?;
    let mut store = app.store_mut();
    let (org, sa, token) = store.rotate_service_account(gid)?;
    Ok(Json(service_account_json(org, &sa, Some(&token))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPersonalAccessToken {
    /// The member's gid or email.
    user: String,
    #[serde(default)]
    organization: Option<Gid>,
}

async fn create_personal_access_token(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let req: NewPersonalAccessToken = body(&bytes)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    let org = organization_or_default(&store, req.organization)?;
    let (pat, token) = store.create_personal_access_token(org, &req.user, now)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": pat.gid.to_string(), "user": pat.user.to_string(), "organization": org.to_string(), "token": token})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrganization {
    name: String,
    domains: Vec<String>,
    #[serde(default)]
    view_only_licenses: bool,
}

fn organization_summary(org: &crate::model::Organization) -> Value {
    json!({"id": org.gid.to_string(), "name": org.name, "domains": org.domains, "view_only_licenses": org.view_only_licenses})
}

async fn create_organization(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let req: NewOrganization = body(&bytes)?;
    if req.name.trim().is_empty() || req.domains.is_empty() {
        return Err(bad_request(
            "an organization needs a name and at least one domain",
        ));
    }
    let mut store = app.store_mut();
    let gid = store.create_organization(&req.name, &req.domains, req.view_only_licenses)?;
    let org = store.organization(gid).expect("just created");
    Ok((StatusCode::CREATED, Json(organization_summary(org))).into_response())
}

async fn list_organizations(State(app): State<Shared>) -> Json<Value> {
    Json(Value::Array(
        app.store()
            .organizations()
            .map(organization_summary)
            .collect(),
    ))
}

async fn get_state(State(app): State<Shared>) -> Json<Snapshot> {
    Json(app.store().snapshot())
}

async fn put_state(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let snapshot: Snapshot = body(&bytes)?;
    let store = Store::restore(snapshot, app.seed)
        .map_err(|e| AdminError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    *app.store_mut() = store;
    app.limiter.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn reset(State(app): State<Shared>) -> AdminResult {
    let store = Store::restore(app.initial.clone(), app.seed)
        .expect("the initial state was valid when captured");
    *app.store_mut() = store;
    app.limiter.clear();
    app.faults.clear();
    app.journal.clear();
    app.sp.reset();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_config(State(app): State<Shared>) -> Json<Value> {
    Json(app.config().to_json())
}

async fn put_config(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let value = parse_json(&bytes).map_err(|e| bad_request(e.to_string()))?;
    let mut config = app.config.write().unwrap_or_else(|e| e.into_inner());
    config
        .update(&value)
        .map_err(|e| bad_request(e.to_string()))?;
    Ok(Json(config.to_json()).into_response())
}

async fn add_fault(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
    let spec: FaultSpec = body(&bytes)?;
    spec.validate().map_err(|e| bad_request(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(app.faults.add(spec))).into_response())
}

async fn list_faults(State(app): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(app.faults.list()).expect("serializes"))
}

async fn clear_faults(State(app): State<Shared>) -> StatusCode {
    app.faults.clear();
    StatusCode::NO_CONTENT
}

/// `?format=har`: the journal as HAR 1.2, to open in a browser's developer tools.
#[derive(Deserialize)]
struct JournalQuery {
    format: Option<String>,
}

async fn list_requests(
    State(app): State<Shared>,
    AdminQuery(q): AdminQuery<JournalQuery>,
) -> AdminResult {
    let entries = app.journal.entries();
    match q.format.as_deref() {
        None | Some("json") => {
            Ok(Json(serde_json::to_value(entries).expect("serializes")).into_response())
        }
        Some("har") => {
            let har: Vec<harness_html::har::HarEntry> = entries
                .iter()
                .map(|e| harness_html::har::HarEntry {
                    started: harness_html::har::started(&e.at.to_string()),
                    method: e.method.to_string(),
                    url: format!("{}{}", app.origin, e.uri),
                    request_mime: e.content_type.clone(),
                    request_body: e.request_body.as_ref().map(Value::to_string),
                    status: (!e.dropped).then_some(e.status),
                    response_mime: Some("application/json".into()),
                    response_body: e.response_body.as_ref().map(Value::to_string),
                    comment: e.principal.clone(),
                })
                .collect();
            Ok(Json(harness_html::har::har("fake-asana", &har)).into_response())
        }
        Some(other) => Err(bad_request(format!(
            "unknown format {other:?}: json (default) or har"
        ))),
    }
}

async fn clear_requests(State(app): State<Shared>) -> StatusCode {
    app.journal.clear();
    StatusCode::NO_CONTENT
}

/// `?organization=` on the SAML endpoints.
#[derive(Deserialize)]
struct OrgQuery {
    organization: Option<Gid>,
}

/// The organization's SAML settings, with what an IdP needs to know about this SP.
fn saml_json(app: &Shared, store: &Store, org: Gid) -> Value {
    let settings = store.saml_settings(org).cloned().unwrap_or_default();
    let fingerprint = settings.parsed_certificate().map(|c| c.sha1_fingerprint());
    let domain = store
        .organization(org)
        .and_then(|o| o.domains.first().cloned())
        .unwrap_or_default();
    json!({
        "organization": org.to_string(),
        "mode": settings.mode,
        "sign_in_url": settings.sign_in_url,
        "certificate": settings.certificate,
        "certificate_sha1": fingerprint,
        "session_timeout_hours": settings.session_timeout_hours,
        "service_provider": {
            "entity_id": crate::sso::ENTITY_ID,
            "acs_url": format!("{}{}", app.origin, crate::sso::ACS_PATH),
            "sign_on_url": format!("{}/a/{}", app.origin, domain),
        },
    })
}

async fn get_saml(State(app): State<Shared>, AdminQuery(q): AdminQuery<OrgQuery>) -> AdminResult {
    let store = app.store();
    let org = organization_or_default(&store, q.organization)?;
    Ok(Json(saml_json(&app, &store, org)).into_response())
}

/// A partial update: fields left out keep their value; `""` clears a URL or certificate.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SamlChange {
    #[serde(default)]
    organization: Option<Gid>,
    #[serde(default)]
    mode: Option<SamlMode>,
    #[serde(default)]
    sign_in_url: Option<String>,
    #[serde(default)]
    certificate: Option<String>,
    #[serde(default)]
    session_timeout_hours: Option<u32>,
}

/// `PUT /__admin/saml[?organization=]`: the organization by the query or the body's
/// `organization`, which must agree when both are given.
async fn put_saml(
    State(app): State<Shared>,
    AdminQuery(q): AdminQuery<OrgQuery>,
    bytes: Bytes,
) -> AdminResult {
    let change: SamlChange = body(&bytes)?;
    let chosen = match (q.organization, change.organization) {
        (Some(a), Some(b)) if a != b => {
            return Err(bad_request(format!(
                "the query names organization {a} and the body {b}"
            )));
        }
        (a, b) => a.or(b),
    };
    let mut store = app.store_mut();
    let org = organization_or_default(&store, chosen)?;
    let current = store.saml_settings(org).cloned().unwrap_or_default();
    let clearable = |new: Option<String>, old: Option<String>| match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v),
        None => old,
    };
    let settings = SamlSettings {
        mode: change.mode.unwrap_or(current.mode),
        sign_in_url: clearable(change.sign_in_url, current.sign_in_url),
        certificate: clearable(change.certificate, current.certificate),
        session_timeout_hours: change
            .session_timeout_hours
            .unwrap_or(current.session_timeout_hours),
    };
    store.set_saml_settings(org, settings)?;
    Ok(Json(saml_json(&app, &store, org)).into_response())
}

async fn list_sign_ins(State(app): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(app.sp.sign_ins()).expect("serializes"))
}

async fn clear_sign_ins(State(app): State<Shared>) -> StatusCode {
    app.sp.clear_sign_ins();
    StatusCode::NO_CONTENT
}
