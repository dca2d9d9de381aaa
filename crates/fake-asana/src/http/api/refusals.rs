//! What the API middleware answers itself, in the format of the API a request called: its
//! refusals (413, 401, 403, 429), the faults it injects, and which API a path belongs to.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use harness_scim::ScimError;

use crate::faults::FaultSpec;
use crate::http::{rest_error, scim_error};
use crate::store::{Principal, ScimDialect};

/// Which API a path belongs to: decides the error format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Scim,
    Rest,
}

pub(super) fn api_of(path: &str) -> Api {
    if path.starts_with("/api/1.0/scim") {
        Api::Scim
    } else {
        Api::Rest
    }
}

/// Why a call was not admitted.
pub(super) enum Refused {
    Unauthorized,
    Forbidden(String),
    /// With the seconds to wait.
    RateLimited(u64),
}

impl Refused {
    /// The refusal in the format of `api` under `dialect`.
    pub(super) fn response(&self, api: Api, dialect: &ScimDialect) -> Response {
        match self {
            Refused::Unauthorized => unauthorized(api, dialect),
            Refused::Forbidden(message) => {
                api_error(api, dialect, StatusCode::FORBIDDEN, message, true)
            }
            Refused::RateLimited(secs) => rate_limited(api, dialect, *secs),
        }
    }
}

/// A body that fails before its first byte: hyper closes the connection, and the client sees
/// it drop mid-request.
pub(super) fn dropped_connection() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("fault: connection dropped"))
    });
    Response::new(Body::from_stream(broken))
}

/// Who may call what (fidelity/asana §2): only service accounts reach SCIM; a SCIM-scoped service
/// account cannot use the REST API.
pub(super) fn forbidden(api: Api, principal: &Principal, path: &str) -> Option<String> {
    use crate::model::Scope;
    match (api, principal) {
        (Api::Scim, Principal::Personal { .. }) => Some(
            "Only service accounts in Enterprise organizations can use the SCIM API".to_owned(),
        ),
        (
            Api::Rest,
            Principal::ServiceAccount {
                scope: Scope::Scim, ..
            },
        ) => Some(format!(
            "The following scopes must be present to fulfill this request: {}",
            rest_scope(path)
        )),
        _ => None,
    }
}

fn rest_scope(path: &str) -> &'static str {
    if path.contains("/removeUser") {
        "workspaces:write"
    } else if path.starts_with("/api/1.0/workspaces") && !path.ends_with("/users") {
        "workspaces:read"
    } else {
        "users:read"
    }
}

/// A cross-cutting error (413, 401, 403, 429) in the API's format. Auth and rate limiting are
/// Asana's shared middleware, so with `auth_errors_in_rest_format` they use the REST body on the
/// SCIM API too.
pub(super) fn api_error(
    api: Api,
    dialect: &ScimDialect,
    status: StatusCode,
    message: &str,
    shared_middleware: bool,
) -> Response {
    let rest_form =
        api == Api::Rest || (shared_middleware && dialect.shared_errors_in_rest_format());
    if rest_form {
        rest_error(status, message)
    } else {
        scim_error(&ScimError::new(status.as_u16(), None, message))
    }
}

fn unauthorized(api: Api, dialect: &ScimDialect) -> Response {
    api_error(
        api,
        dialect,
        StatusCode::UNAUTHORIZED,
        "Not Authorized",
        true,
    )
}

const RATE_LIMIT_MESSAGE: &str = "You've made too many requests and hit a rate limit. Please retry after the given amount of time.";

/// A 429 always carries `Retry-After`: legacy python-asana crashes without it (fidelity/asana §4).
fn rate_limited(api: Api, dialect: &ScimDialect, retry_after: u64) -> Response {
    let mut response = api_error(
        api,
        dialect,
        StatusCode::TOO_MANY_REQUESTS,
        RATE_LIMIT_MESSAGE,
        true,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

pub(super) fn fault_response(api: Api, dialect: &ScimDialect, fault: &FaultSpec) -> Response {
    let status = StatusCode::from_u16(fault.status.unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match &fault.body {
        Some(body) => (status, axum::Json(body.clone())).into_response(),
        None if status == StatusCode::TOO_MANY_REQUESTS => {
            api_error(api, dialect, status, RATE_LIMIT_MESSAGE, true)
        }
        None => {
            let message = status.canonical_reason().unwrap_or("Injected fault");
            match api {
                Api::Rest => rest_error(status, message),
                Api::Scim if status.is_server_error() => rest_error(status, message),
                Api::Scim => scim_error(&ScimError::new(status.as_u16(), None, message)),
            }
        }
    };
    let retry_after = fault
        .retry_after
        .or((status == StatusCode::TOO_MANY_REQUESTS).then_some(30));
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
