//! Which handler answers a SCIM request: the method and the path, matched by hand.
//!
//! SCIM is nearly all of a fake Asana's traffic (every IdP's `userName eq` lookup), and axum's
//! router cost a tenth of that lookup: matching, two extension maps, boxed routes and their
//! futures per request. So SCIM paths bypass it (`http::Front`) and are matched here exactly as
//! that router matched them (the tests below check both against each other, and
//! `tests/api/bad_input.rs` over HTTP): literal segments before `{id}` (`/Users/.search` is not a
//! user), an `{id}` never empty, any other path under [`BASE`] a SCIM 404, and a method a
//! resource lacks a SCIM 405. Every answer to such a method names in `Allow` the ones it has
//! ([`allow`]), a refusal by the middleware too. A GET resource answers HEAD as well.

use axum::body::Bytes;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use harness_scim::ScimError;

use super::discovery;
use super::groups;
use super::reply::{ScimResult, decode_id};
use super::request::Call;
use super::users;
use crate::http::{Shared, scim_error};
use crate::store::Principal;

/// Where SCIM lives.
pub(in crate::http) const BASE: &str = "/api/1.0/scim";

/// What a path under [`BASE`] names (a resource or a search); an `{id}` is still
/// percent-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target<'a> {
    ServiceProviderConfig,
    ResourceTypes,
    ResourceType(&'a str),
    Schemas,
    Schema(&'a str),
    /// `POST /.search` at the root.
    Search,
    Users,
    UsersSearch,
    User(&'a str),
    Groups,
    GroupsSearch,
    Group(&'a str),
}

impl<'a> Target<'a> {
    fn of(path: &'a str) -> Option<Self> {
        use Target::*;
        let rest = path.strip_prefix(BASE)?.strip_prefix('/')?;
        let (head, tail) = match rest.split_once('/') {
            Some((head, tail)) => (head, Some(tail)),
            None => (rest, None),
        };
        // One segment, never empty: what `{id}` matched.
        let id = |tail: &'a str| (!tail.is_empty() && !tail.contains('/')).then_some(tail);
        Some(match (head, tail) {
            ("ServiceProviderConfig", None) => ServiceProviderConfig,
            ("ResourceTypes", None) => ResourceTypes,
            ("ResourceTypes", Some(tail)) => ResourceType(id(tail)?),
            ("Schemas", None) => Schemas,
            ("Schemas", Some(tail)) => Schema(id(tail)?),
            (".search", None) => Search,
            ("Users", None) => Users,
            ("Users", Some(".search")) => UsersSearch,
            ("Users", Some(tail)) => User(id(tail)?),
            ("Groups", None) => Groups,
            ("Groups", Some(".search")) => GroupsSearch,
            ("Groups", Some(tail)) => Group(id(tail)?),
            _ => return None,
        })
    }

    /// The methods it answers, as `Allow` lists them (the order axum listed them in).
    fn allow(self) -> &'static str {
        use Target::*;
        match self {
            ServiceProviderConfig | ResourceTypes | ResourceType(_) | Schemas | Schema(_) => {
                "GET,HEAD"
            }
            Search | UsersSearch | GroupsSearch => "POST",
            Users | Groups => "GET,HEAD,POST",
            User(_) | Group(_) => "GET,HEAD,PUT,PATCH,DELETE",
        }
    }
}

/// What `Allow` says to a request for a method its resource lacks; `None` for any other request.
pub(in crate::http) fn allow(parts: &Parts) -> Option<&'static str> {
    let target = Target::of(parts.uri.path())?;
    let method = parts.method.as_str();
    let allow = target.allow();
    (!allow.split(',').any(|m| m == method)).then_some(allow)
}

/// The SCIM answer to a request the API middleware admitted.
pub(in crate::http) fn answer(
    app: &Shared,
    principal: &Principal,
    parts: &Parts,
    body: &Bytes,
) -> Response {
    let Some(resource) = Target::of(parts.uri.path()) else {
        return scim_error(&ScimError::not_found("No SCIM endpoint at this path"));
    };
    let call = Call {
        app,
        principal,
        query: parts.uri.query(),
        body,
    };
    match dispatch(&call, resource, &parts.method) {
        Some(Ok(response)) => response,
        Some(Err(failure)) => failure.into_response(),
        None => not_allowed(),
    }
}

/// The handler's answer, or `None` when the resource has no such method.
fn dispatch(c: &Call, resource: Target, method: &Method) -> Option<ScimResult> {
    use Target::*;
    let read = *method == Method::GET || *method == Method::HEAD;
    let (post, put, patch, delete) = (
        *method == Method::POST,
        *method == Method::PUT,
        *method == Method::PATCH,
        *method == Method::DELETE,
    );
    Some(match resource {
        ServiceProviderConfig if read => Ok(discovery::service_provider_config(c)),
        ResourceTypes if read => Ok(discovery::resource_types(c)),
        ResourceType(id) if read => decode_id(id).and_then(|id| discovery::resource_type(c, &id)),
        Schemas if read => Ok(discovery::schemas(c)),
        Schema(id) if read => decode_id(id).and_then(|id| discovery::schema(c, &id)),
        Search if post => users::search_all(c),
        Users if read => users::list_users(c),
        Users if post => users::create_user(c),
        UsersSearch if post => users::search_users(c),
        User(id) if read => decode_id(id).and_then(|id| users::get_user(c, &id)),
        User(id) if put => decode_id(id).and_then(|id| users::replace_user(c, &id)),
        User(id) if patch => decode_id(id).and_then(|id| users::patch_user(c, &id)),
        User(id) if delete => decode_id(id).and_then(|id| users::delete_user(c, &id)),
        Groups if read => groups::list_groups(c),
        Groups if post => groups::create_group(c),
        GroupsSearch if post => groups::search_groups(c),
        Group(id) if read => decode_id(id).and_then(|id| groups::get_group(c, &id)),
        Group(id) if put => decode_id(id).and_then(|id| groups::replace_group(c, &id)),
        Group(id) if patch => decode_id(id).and_then(|id| groups::patch_group(c, &id)),
        Group(id) if delete => decode_id(id).and_then(|id| groups::delete_group(c, &id)),
        _ => return None,
    })
}

/// A method the resource lacks; `Allow` is added to every such answer ([`allow`]).
fn not_allowed() -> Response {
    scim_error(&ScimError::new(
        405,
        None,
        "This method is not allowed on this SCIM endpoint",
    ))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode, header};
    use axum::routing::{MethodRouter, any, get, post};
    use tower::ServiceExt;

    use super::Target::{self, *};
    use super::{BASE, allow};

    /// The route table SCIM had under axum's router, each route answering with its pattern.
    fn axum_table() -> Router {
        let named = |name: &'static str| move || async move { name };
        let route = |router: Router, path: &str, methods: MethodRouter| {
            router.route(&format!("{BASE}{path}"), methods)
        };
        let mut router = Router::new();
        for (path, methods) in [
            (
                "/ServiceProviderConfig",
                get(named("ServiceProviderConfig")),
            ),
            ("/ResourceTypes", get(named("ResourceTypes"))),
            ("/ResourceTypes/{id}", get(named("ResourceType"))),
            ("/Schemas", get(named("Schemas"))),
            ("/Schemas/{id}", get(named("Schema"))),
            ("/Users", get(named("Users")).post(named("Users"))),
            ("/.search", post(named("Search"))),
            ("/Users/.search", post(named("UsersSearch"))),
            ("/Groups/.search", post(named("GroupsSearch"))),
            (
                "/Users/{id}",
                get(named("User"))
                    .put(named("User"))
                    .patch(named("User"))
                    .delete(named("User")),
            ),
            ("/Groups", get(named("Groups")).post(named("Groups"))),
            (
                "/Groups/{id}",
                get(named("Group"))
                    .put(named("Group"))
                    .patch(named("Group"))
                    .delete(named("Group")),
            ),
        ] {
            router = route(router, path, methods);
        }
        router
            .route(BASE, any(named("none")))
            .route(&format!("{BASE}/"), any(named("none")))
            .route(&format!("{BASE}/{{*rest}}"), any(named("none")))
    }

    fn name(target: Option<Target>) -> &'static str {
        match target {
            None => "none",
            Some(ServiceProviderConfig) => "ServiceProviderConfig",
            Some(ResourceTypes) => "ResourceTypes",
            Some(ResourceType(_)) => "ResourceType",
            Some(Schemas) => "Schemas",
            Some(Schema(_)) => "Schema",
            Some(Search) => "Search",
            Some(Users) => "Users",
            Some(UsersSearch) => "UsersSearch",
            Some(User(_)) => "User",
            Some(Groups) => "Groups",
            Some(GroupsSearch) => "GroupsSearch",
            Some(Group(_)) => "Group",
        }
    }

    const PATHS: &[&str] = &[
        "/api/1.0/scim",
        "/api/1.0/scim/",
        "/api/1.0/scim/Users",
        "/api/1.0/scim/Users/",
        "/api/1.0/scim/Users/.search",
        "/api/1.0/scim/Users/.searchX",
        "/api/1.0/scim/Users/123",
        "/api/1.0/scim/Users/a%2Fb",
        "/api/1.0/scim/Users//x",
        "/api/1.0/scim/Users/1/x",
        "/api/1.0/scim/users",
        "/api/1.0/scim/%55sers",
        "/api/1.0/scim/.search",
        "/api/1.0/scim/.search/",
        "/api/1.0/scim/Groups",
        "/api/1.0/scim/Groups/.search",
        "/api/1.0/scim/Groups/9",
        "/api/1.0/scim/Schemas",
        "/api/1.0/scim/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        "/api/1.0/scim/ResourceTypes/User",
        "/api/1.0/scim/ServiceProviderConfig",
        "/api/1.0/scim/ServiceProviderConfig/",
        "/api/1.0/scim/Bulk",
    ];

    /// Each path names what axum's router matched, and each method gets what it got: the
    /// route's answer, or a 405 whose `Allow` is the one [`allow`] gives.
    #[tokio::test]
    async fn the_dispatch_matches_as_axums_router_did() {
        let router = axum_table();
        let methods = [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ];
        for path in PATHS {
            for method in &methods {
                let request = Request::builder()
                    .method(method)
                    .uri(*path)
                    .body(Body::empty())
                    .unwrap();
                let (parts, _) = request.into_parts();
                let request = Request::from_parts(parts.clone(), Body::empty());
                let answer = router.clone().oneshot(request).await.unwrap();
                let axum_allow = answer
                    .headers()
                    .get(header::ALLOW)
                    .map(|v| v.to_str().unwrap().to_owned());
                assert_eq!(axum_allow.as_deref(), allow(&parts), "{method} {path}");
                if answer.status() == StatusCode::METHOD_NOT_ALLOWED || *method == Method::HEAD {
                    continue;
                }
                let body = axum::body::to_bytes(answer.into_body(), 64).await.unwrap();
                assert_eq!(body, name(Target::of(path)), "{method} {path}");
            }
        }
    }

    #[test]
    fn ids_are_the_segment_as_sent() {
        assert_eq!(Target::of("/api/1.0/scim/Users/a%2Fb"), Some(User("a%2Fb")));
        assert_eq!(
            Target::of("/api/1.0/scim/Schemas/urn:x:y"),
            Some(Schema("urn:x:y"))
        );
        assert_eq!(Target::of("/api/1.0/scimUsers"), None);
    }
}
