//! Which handler answers a SCIM request: the method and the path, matched by hand.
//!
//! SCIM is nearly all of a fake Asana's traffic (every IdP's `userName eq` lookup), and axum's
//! router cost a tenth of that lookup: matching, two extension maps, boxed routes and their
//! futures per request. So SCIM paths bypass it (`http::Front`) and are matched here exactly as
//! that router matched them, which `tests/http` holds it to: literal segments before `{id}`
//! (`/Users/.search` is not a user), an `{id}` never empty, any other path under [`BASE`] a SCIM
//! 404, and a method a resource lacks a SCIM 405 that names the ones it has in `Allow`. A GET
//! resource answers HEAD as well.

use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
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

    /// The methods it answers, as `Allow` lists them.
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
        None => not_allowed(resource.allow()),
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

fn not_allowed(allow: &'static str) -> Response {
    let mut response = scim_error(&ScimError::new(
        405,
        None,
        "This method is not allowed on this SCIM endpoint",
    ));
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::Target::{self, *};

    #[test]
    fn paths_name_what_the_router_matched() {
        let cases: &[(&str, Option<Target>)] = &[
            ("/api/1.0/scim/Users", Some(Users)),
            ("/api/1.0/scim/Users/.search", Some(UsersSearch)),
            ("/api/1.0/scim/Users/123", Some(User("123"))),
            ("/api/1.0/scim/Users/a%2Fb", Some(User("a%2Fb"))),
            ("/api/1.0/scim/Groups/.search", Some(GroupsSearch)),
            ("/api/1.0/scim/Groups/9", Some(Group("9"))),
            ("/api/1.0/scim/.search", Some(Search)),
            ("/api/1.0/scim/Schemas/urn:x:y", Some(Schema("urn:x:y"))),
            (
                "/api/1.0/scim/ResourceTypes/User",
                Some(ResourceType("User")),
            ),
            (
                "/api/1.0/scim/ServiceProviderConfig",
                Some(ServiceProviderConfig),
            ),
            // An empty `{id}`, a second segment, another case, a bare base: no resource.
            ("/api/1.0/scim/Users/", None),
            ("/api/1.0/scim/Users//x", None),
            ("/api/1.0/scim/Users/1/x", None),
            ("/api/1.0/scim/users", None),
            ("/api/1.0/scim/%55sers", None),
            ("/api/1.0/scim", None),
            ("/api/1.0/scim/", None),
            ("/api/1.0/scimUsers", None),
        ];
        for (path, want) in cases {
            assert_eq!(Target::of(path), *want, "{path}");
        }
    }
}
