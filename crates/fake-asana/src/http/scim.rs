//! SCIM 2.0 under `/api/1.0/scim`: discovery, Users and Groups (Asana teams).

use axum::body::Bytes;
use axum::extract::{Extension, FromRequestParts, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use harness_scim::discovery::{self, Capabilities};
use harness_scim::names::{
    ENTERPRISE_USER_URN, GROUP_URN, PATCH_OP_URN, USER_URN, canonical_schema,
};
use harness_scim::patch::PatchOptions;
use harness_scim::{Group, ListQuery, ListResponse, Member, PatchRequest, ScimError, User};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Shared, parse_json, scim_error};
use crate::config::{Config, Switch};
use crate::model::{DeprovisionVia, Gid, Organization, TeamRecord, UserRecord};
use crate::store::{Created, Principal, Store};

pub(super) fn router() -> Router<Shared> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/Users", get(list_users).post(create_user))
        .route("/.search", post(search_all))
        .route("/Users/.search", post(search_users))
        .route("/Groups/.search", post(search_groups))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .fallback(|| async { scim_error(&ScimError::not_found("No SCIM endpoint at this path")) })
        .method_not_allowed_fallback(|| async {
            scim_error(&ScimError::new(
                405,
                None,
                "This method is not allowed on this SCIM endpoint",
            ))
        })
}

/// A handler's error: always a SCIM error body.
pub(super) struct ScimFailure(ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        scim_error(&self.0)
    }
}

type ScimResult = Result<Response, ScimFailure>;

/// The `{id}` of a SCIM path. A segment axum cannot decode (bad percent-encoding) names no
/// resource, so it is a SCIM 404 rather than axum's plain-text rejection.
pub(super) struct Id(String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ScimFailure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(e) => Err(ScimError::not_found(format!("no resource at this path: {e}")).into()),
        }
    }
}

// -- discovery ---------------------------------------------------------------------------------

/// Asana never published its ServiceProviderConfig; these values follow asana-facts §1.2 [I].
const CAPABILITIES: Capabilities = Capabilities {
    patch: true,
    bulk: false,
    filter_max_results: 10_000,
    sort: false,
    etag: false,
    change_password: false,
};

async fn service_provider_config(State(app): State<Shared>) -> Json<Value> {
    Json(discovery::service_provider_config(
        &app.scim_base(),
        CAPABILITIES,
        !app.config().on(Switch::OmitMeta),
    ))
}

fn listed(resources: Vec<Value>) -> Json<ListResponse> {
    let total = resources.len();
    Json(ListResponse {
        total_results: total,
        resources,
        start_index: 1,
        paging: true,
    })
}

fn by_id(resources: Vec<Value>, id: &str, what: &str) -> ScimResult {
    resources
        .into_iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|rid| rid.eq_ignore_ascii_case(id))
        })
        .map(|r| Json(r).into_response())
        .ok_or_else(|| ScimError::not_found(format!("{what} {id} not found")).into())
}

async fn resource_types(State(app): State<Shared>) -> Json<ListResponse> {
    listed(discovery::resource_types(&app.scim_base()))
}

async fn resource_type(State(app): State<Shared>, Id(id): Id) -> ScimResult {
    by_id(
        discovery::resource_types(&app.scim_base()),
        &id,
        "ResourceType",
    )
}

async fn schemas(State(app): State<Shared>) -> Json<ListResponse> {
    listed(discovery::schemas(&app.scim_base()))
}

async fn schema(State(app): State<Shared>, Id(id): Id) -> ScimResult {
    by_id(discovery::schemas(&app.scim_base()), &id, "Schema")
}

// -- rendering ---------------------------------------------------------------------------------

/// A user as SCIM returns it: the stored attributes shaped by the switches, and `meta`. It
/// serializes straight into a response; [`render_user`] makes a tree of it where a filter or
/// `attributes` needs one.
#[derive(Serialize)]
pub(crate) struct UserResource {
    #[serde(flatten)]
    scim: User,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<UserMeta>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserMeta {
    resource_type: &'static str,
    created: Timestamp,
    last_modified: Timestamp,
    location: String,
}

pub(crate) fn render_user(u: &UserRecord, org: &Organization, cfg: &Config, base: &str) -> Value {
    serde_json::to_value(user_resource(u, org, cfg, base)).expect("a user always serializes")
}

pub(crate) fn user_resource(
    u: &UserRecord,
    org: &Organization,
    cfg: &Config,
    base: &str,
) -> UserResource {
    let mut scim = u.scim.clone();
    scim.id = Some(u.gid.to_string().into());
    // Asana always reports `active`; plain SCIM reports what is stored, so a removed `active`
    // stays absent. A deprovisioned user is inactive either way.
    scim.active = if cfg.on(Switch::ResponseFillsNameParts) || u.deprovisioned.is_some() {
        Some(u.is_active())
    } else {
        u.scim.active
    };
    if cfg.on(Switch::UserTypeOnlyInViewOnlyDomains) && !org.view_only_licenses {
        scim.user_type = None;
    }
    if cfg.on(Switch::ResponseFillsNameParts) {
        if let Some(name) = &mut scim.name
            && name.given_name.is_none()
            && name.family_name.is_none()
            && let Some((given, family)) = name
                .formatted
                .as_deref()
                .and_then(|f| f.trim().split_once(' '))
        {
            name.given_name = Some(given.into());
            name.family_name = Some(family.trim().into());
        }
        for email in &mut scim.emails {
            email.kind.get_or_insert_with(|| "work".into());
        }
    }
    scim.schemas = if cfg.on(Switch::OmitMeta) {
        // Asana's documented responses always list both schemas.
        vec![USER_URN.to_owned(), ENTERPRISE_USER_URN.to_owned()]
    } else {
        scim.response_schemas()
    };
    let meta = (!cfg.on(Switch::OmitMeta)).then(|| UserMeta {
        resource_type: "User",
        created: u.created_at,
        last_modified: u.updated_at,
        location: format!("{base}/Users/{}", u.gid),
    });
    UserResource { scim, meta }
}

pub(crate) fn render_group(
    team: &TeamRecord,
    store: &Store,
    org: Gid,
    cfg: &Config,
    base: &str,
) -> Value {
    let members: Vec<Value> = team
        .members
        .iter()
        .filter_map(|m| store.user(org, *m))
        .map(|u| {
            // Asana's example shows members by value; plain SCIM adds `$ref` and `type`.
            if cfg.on(Switch::OmitMeta) {
                json!({"value": u.gid.to_string(), "display": u.display_name()})
            } else {
                json!({"value": u.gid.to_string(), "$ref": format!("{base}/Users/{}", u.gid), "type": "User"})
            }
        })
        .collect();
    let mut meta = json!({"resourceType": "Group"});
    if !cfg.on(Switch::OmitMeta) {
        meta["created"] = json!(team.created_at.to_string());
        meta["lastModified"] = json!(team.updated_at.to_string());
        meta["location"] = json!(format!("{base}/Groups/{}", team.gid));
    }
    let mut group = json!({
        "schemas": [GROUP_URN],
        "id": team.gid.to_string(),
        "displayName": team.name,
        "members": members,
        "meta": meta,
    });
    if let Some(external) = &team.external_id {
        group["externalId"] = json!(external);
    }
    group
}

fn created(status: StatusCode, body: Value, location: Option<String>) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, loc);
    }
    response
}

fn parse_body(bytes: &Bytes) -> Result<Value, ScimError> {
    parse_json(bytes).map_err(ScimError::invalid_syntax)
}

/// Without `lenient_schemas`, a body must name the resource's core schema and nothing unknown.
fn check_schemas(body: &Value, core: &str, cfg: &Config) -> Result<(), ScimError> {
    if cfg.on(Switch::LenientSchemas) {
        return Ok(());
    }
    let schemas: Vec<&str> = body
        .get("schemas")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !schemas.iter().any(|s| s.eq_ignore_ascii_case(core)) {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must include {core}"
        )));
    }
    let allowed = |s: &str| {
        s.eq_ignore_ascii_case(core)
            || canonical_schema(s).is_some()
            || s.eq_ignore_ascii_case(PATCH_OP_URN)
    };
    if let Some(unknown) = schemas.iter().find(|s| !allowed(s)) {
        return Err(ScimError::invalid_syntax(format!(
            "unknown schema {unknown}"
        )));
    }
    Ok(())
}

/// OneLogin's templates name the enterprise extension `urn:scim:schemas:extension:enterprise:2.0`
/// (onelogin-facts §1.3, S7). Under `lenient_schemas` its attributes are read as the RFC
/// extension's, so a department sent that way is not lost.
fn onelogin_extension_key(mut body: Value, cfg: &Config) -> Value {
    if !cfg.on(Switch::LenientSchemas) {
        return body;
    }
    if let Some(obj) = body.as_object_mut() {
        let legacy: Vec<String> = obj
            .keys()
            .filter(|k| {
                let k = k.to_ascii_lowercase();
                k == "urn:scim:schemas:extension:enterprise:2.0"
                    || k == "urn:scim:schemas:extension:enterprise:2.0:user"
            })
            .cloned()
            .collect();
        for key in legacy {
            if let Some(v) = obj.remove(&key) {
                obj.entry(ENTERPRISE_USER_URN.to_owned()).or_insert(v);
            }
        }
    }
    body
}

fn parse_id(id: &str, what: &str) -> Result<Gid, ScimError> {
    id.parse()
        .map_err(|_| ScimError::not_found(format!("{what} {id} not found")))
}

// -- users -------------------------------------------------------------------------------------

async fn list_users(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    RawQuery(q): RawQuery,
) -> ScimResult {
    let query = ListQuery::parse(q.as_deref().unwrap_or(""))?;
    query_users(&app, &p, &query)
}

/// `POST /Users/.search` (RFC 7644 §3.4.3), unless the Asana profile says there is none.
async fn search_users(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let query = search_query(&app, &body)?;
    query_users(&app, &p, &query)
}

async fn search_groups(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let query = search_query(&app, &body)?;
    query_groups(&app, &p, &query)
}

/// `POST /.search` at the root: users and groups alike (RFC 7644 §3.4.3).
async fn search_all(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let query = search_query(&app, &body)?;
    let cfg = app.config();
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let info = store
        .organization(org)
        .ok_or_else(|| ScimError::not_found("organization not found"))?;
    let users = store
        .visible_users(org, &cfg)
        .map(|u| render_user(u, info, &cfg, &base));
    let groups = store
        .teams(org)
        .map(|t| render_group(t, &store, org, &cfg, &base));
    let matched = users
        .chain(groups)
        .filter(|r| query.filter.as_ref().is_none_or(|f| f.matches(r)))
        .collect();
    Ok(Json(page_of(matched, &query, &cfg, |r| project(r, &query))).into_response())
}

fn search_query(app: &Shared, body: &Bytes) -> Result<ListQuery, ScimError> {
    if app.config().on(Switch::NoSearchEndpoint) {
        return Err(ScimError::not_found("No SCIM endpoint at this path"));
    }
    ListQuery::from_search_request(&parse_body(body)?)
}

fn query_users(app: &Shared, p: &Principal, query: &ListQuery) -> ScimResult {
    let cfg = app.config();
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let info = store
        .organization(org)
        .ok_or_else(|| ScimError::not_found("organization not found"))?;
    let render = |u: &UserRecord| render_user(u, info, &cfg, &base);
    // `userName eq "x"`, the lookup every IdP makes, is answered from the index.
    let indexed = query
        .filter
        .as_ref()
        .and_then(|f| f.as_equality())
        .filter(|(path, _)| path.is("userName"));
    documented_filter_only(query, indexed.is_some(), "userName", "Users", &cfg)?;
    let matched: Vec<Value> = match (indexed, &query.filter) {
        (Some((_, name)), _) => {
            let found = store.user_by_name(org, name, &cfg);
            if !query.projects() {
                // Without `attributes` nothing needs a JSON tree: straight to the wire.
                let found: Vec<UserResource> = found
                    .map(|u| user_resource(u, info, &cfg, &base))
                    .into_iter()
                    .collect();
                return Ok(Json(page_of(found, query, &cfg, |r| r)).into_response());
            }
            found.map(render).into_iter().collect()
        }
        (None, Some(filter)) => store
            .visible_users(org, &cfg)
            .map(render)
            .filter(|u| filter.matches(u))
            .collect(),
        (None, None) => {
            // No filter: render only the page asked for.
            let all: Vec<&UserRecord> = store.visible_users(org, &cfg).collect();
            let page = query.page(all.len());
            let resources = all[page]
                .iter()
                .map(|u| project(render(u), query))
                .collect();
            let list = ListResponse {
                total_results: all.len(),
                resources,
                start_index: query.start_index,
                paging: !cfg.on(Switch::ListWithoutPaging),
            };
            return Ok(Json(list).into_response());
        }
    };
    Ok(Json(page_of(matched, query, &cfg, |r| project(r, query))).into_response())
}

/// Under `only_documented_filters`, a filter other than the one Asana documents for the
/// resource (`attribute eq "value"`) is refused the way a client would see it.
fn documented_filter_only(
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
fn page_of<T>(
    matched: Vec<T>,
    query: &ListQuery,
    cfg: &Config,
    shape: impl Fn(T) -> T,
) -> ListResponse<T> {
    let total = matched.len();
    let page = query.page(total);
    let resources = matched
        .into_iter()
        .skip(page.start)
        .take(page.len())
        .map(shape)
        .collect();
    ListResponse {
        total_results: total,
        resources,
        start_index: query.start_index,
        paging: !cfg.on(Switch::ListWithoutPaging),
    }
}

fn project(mut resource: Value, query: &ListQuery) -> Value {
    harness_scim::list::project(&mut resource, &query.attributes, &query.excluded_attributes);
    resource
}

async fn get_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    RawQuery(q): RawQuery,
) -> ScimResult {
    let query = ListQuery::parse(q.as_deref().unwrap_or(""))?;
    let gid = parse_id(&id, "User")?;
    let cfg = app.config();
    let store = app.store();
    let user = store
        .visible_user(p.org(), gid, &cfg)
        .ok_or_else(|| ScimError::not_found(format!("User {id} not found")))?;
    let info = store
        .organization(p.org())
        .expect("the principal's organization exists");
    Ok(Json(project(
        render_user(user, info, &cfg, &app.scim_base()),
        &query,
    ))
    .into_response())
}

async fn create_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, USER_URN, &cfg)?;
    let user = User::from_json(onelogin_extension_key(json, &cfg))?;
    let mut store = app.store_mut();
    let (gid, how) = store.create_user(&app.write_context(&p, &cfg), user)?;
    let record = store.user(p.org(), gid).expect("just created");
    let info = store.organization(p.org()).expect("exists");
    let base = app.scim_base();
    let body = render_user(record, info, &cfg, &base);
    let status = if how == Created::Existing {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let location = (!cfg.on(Switch::OmitMeta)).then(|| format!("{base}/Users/{gid}"));
    Ok(created(status, body, location))
}

async fn replace_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    body: Bytes,
) -> ScimResult {
    let gid = parse_id(&id, "User")?;
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, USER_URN, &cfg)?;
    let user = User::from_json(onelogin_extension_key(json, &cfg))?;
    let mut store = app.store_mut();
    store.replace_user(
        &app.write_context(&p, &cfg),
        gid,
        user,
        DeprovisionVia::ScimPut,
    )?;
    respond_user(&store, p.org(), gid, &cfg, &app.scim_base())
}

async fn patch_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    body: Bytes,
) -> ScimResult {
    let gid = parse_id(&id, "User")?;
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, PATCH_OP_URN, &cfg)?;
    let patch = PatchRequest::from_json(json)?;
    let options = PatchOptions {
        create_on_unmatched_replace: cfg.on(Switch::CreateOnUnmatchedReplace),
    };
    let mut store = app.store_mut();
    let current = store
        .visible_user(p.org(), gid, &cfg)
        .ok_or_else(|| ScimError::not_found(format!("User {id} not found")))?;
    let mut resource = current.scim.to_json();
    patch.apply(&mut resource, options)?;
    let mut user = User::from_json(resource)?;
    if cfg.on(Switch::NamePartsIgnoredInPatch) {
        let old = current.scim.name.clone().unwrap_or_default();
        let name = user.name.get_or_insert_with(Default::default);
        name.given_name = old.given_name;
        name.family_name = old.family_name;
        if *name == Default::default() {
            user.name = None;
        }
    }
    store.replace_user(
        &app.write_context(&p, &cfg),
        gid,
        user,
        DeprovisionVia::ScimPatch,
    )?;
    respond_user(&store, p.org(), gid, &cfg, &app.scim_base())
}

fn respond_user(store: &Store, org: Gid, gid: Gid, cfg: &Config, base: &str) -> ScimResult {
    let record = store.user(org, gid).expect("just written");
    let info = store.organization(org).expect("exists");
    Ok(Json(render_user(record, info, cfg, base)).into_response())
}

async fn delete_user(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
) -> ScimResult {
    let gid = parse_id(&id, "User")?;
    let cfg = app.config();
    app.store_mut()
        .delete_user(&app.write_context(&p, &cfg), gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// -- groups ------------------------------------------------------------------------------------

async fn list_groups(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    RawQuery(q): RawQuery,
) -> ScimResult {
    let query = ListQuery::parse(q.as_deref().unwrap_or(""))?;
    query_groups(&app, &p, &query)
}

fn query_groups(app: &Shared, p: &Principal, query: &ListQuery) -> ScimResult {
    let cfg = app.config();
    let base = app.scim_base();
    let store = app.store();
    let org = p.org();
    let render = |t: &TeamRecord| render_group(t, &store, org, &cfg, &base);
    let indexed = query
        .filter
        .as_ref()
        .and_then(|f| f.as_equality())
        .filter(|(path, _)| path.is("displayName"));
    documented_filter_only(query, indexed.is_some(), "displayName", "Groups", &cfg)?;
    let matched: Vec<Value> = match (indexed, &query.filter) {
        (Some((_, name)), _) => store
            .team_by_name(org, name)
            .map(render)
            .into_iter()
            .collect(),
        (None, Some(filter)) => store
            .teams(org)
            .map(render)
            .filter(|g| filter.matches(g))
            .collect(),
        (None, None) => store.teams(org).map(render).collect(),
    };
    Ok(Json(page_of(matched, query, &cfg, |r| project(r, query))).into_response())
}

async fn get_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    RawQuery(q): RawQuery,
) -> ScimResult {
    let query = ListQuery::parse(q.as_deref().unwrap_or(""))?;
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    let store = app.store();
    let team = store
        .team(p.org(), gid)
        .ok_or_else(|| ScimError::not_found(format!("Group {id} not found")))?;
    Ok(Json(project(
        render_group(team, &store, p.org(), &cfg, &app.scim_base()),
        &query,
    ))
    .into_response())
}

async fn create_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    body: Bytes,
) -> ScimResult {
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, GROUP_URN, &cfg)?;
    let group = Group::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    let gid = store.create_team(p.org(), &group, &cfg, now)?;
    let base = app.scim_base();
    let team = store.team(p.org(), gid).expect("just created");
    let location = (!cfg.on(Switch::OmitMeta)).then(|| format!("{base}/Groups/{gid}"));
    Ok(created(
        StatusCode::CREATED,
        render_group(team, &store, p.org(), &cfg, &base),
        location,
    ))
}

async fn replace_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    body: Bytes,
) -> ScimResult {
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, GROUP_URN, &cfg)?;
    let group = Group::from_json(json)?;
    let now = app.clock.now();
    let mut store = app.store_mut();
    store.replace_team(p.org(), gid, &group, &cfg, now)?;
    let team = store.team(p.org(), gid).expect("just written");
    Ok(Json(render_group(team, &store, p.org(), &cfg, &app.scim_base())).into_response())
}

async fn patch_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
    body: Bytes,
) -> ScimResult {
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    let json = parse_body(&body)?;
    check_schemas(&json, PATCH_OP_URN, &cfg)?;
    let patch = PatchRequest::from_json(json)?;
    let options = PatchOptions {
        create_on_unmatched_replace: cfg.on(Switch::CreateOnUnmatchedReplace),
    };
    let now = app.clock.now();
    let base = app.scim_base();
    let mut store = app.store_mut();
    let team = store
        .team(p.org(), gid)
        .ok_or_else(|| ScimError::not_found(format!("Group {id} not found")))?;
    let mut resource = json!({
        "displayName": team.name,
        "members": team.members.iter().map(|m| json!({"value": m.to_string()})).collect::<Vec<_>>(),
    });
    if let Some(external) = &team.external_id {
        resource["externalId"] = json!(external);
    }
    patch.apply(&mut resource, options)?;
    let mut group = Group::from_json(resource)?;
    group
        .members
        .dedup_by(|a: &mut Member, b: &mut Member| a.value == b.value);
    store.replace_team(p.org(), gid, &group, &cfg, now)?;
    if cfg.on(Switch::GroupPatchNoContent) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let team = store.team(p.org(), gid).expect("just written");
    Ok(Json(render_group(team, &store, p.org(), &cfg, &base)).into_response())
}

async fn delete_group(
    State(app): State<Shared>,
    Extension(p): Extension<Principal>,
    Id(id): Id,
) -> ScimResult {
    let gid = parse_id(&id, "Group")?;
    let cfg = app.config();
    if cfg.on(Switch::TeamDeleteRefused) {
        // Checked after the id so that an unknown team is still a 404.
        if app.store().team(p.org(), gid).is_none() {
            return Err(ScimError::not_found(format!("Group {id} not found")).into());
        }
        return Err(ScimError::new(
            405,
            None,
            "Deleting teams through SCIM is not supported by Asana",
        )
        .into());
    }
    app.store_mut().delete_team(p.org(), gid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
