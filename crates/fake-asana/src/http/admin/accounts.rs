//! Service accounts, personal access tokens and organizations, as an admin makes them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use super::reply::{AdminError, AdminResult, Id, bad_request, body, organization_or_default};
use crate::http::Shared;
use crate::model::{Gid, Scope, ServiceAccountRecord};

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

pub(super) async fn create_service_account(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
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

pub(super) async fn list_service_accounts(State(app): State<Shared>) -> Json<Value> {
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

pub(super) async fn delete_service_account(State(app): State<Shared>, Id(id): Id) -> AdminResult {
    let gid = parse_gid(&id)?;
    app.store_mut().delete_service_account(gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

pub(super) async fn rename_service_account(
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

pub(super) async fn rotate_service_account(State(app): State<Shared>, Id(id): Id) -> AdminResult {
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

pub(super) async fn create_personal_access_token(
    State(app): State<Shared>,
    bytes: Bytes,
) -> AdminResult {
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

pub(super) async fn create_organization(State(app): State<Shared>, bytes: Bytes) -> AdminResult {
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

pub(super) async fn list_organizations(State(app): State<Shared>) -> Json<Value> {
    Json(Value::Array(
        app.store()
            .organizations()
            .map(organization_summary)
            .collect(),
    ))
}
