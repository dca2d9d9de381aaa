//! How a request reaches [`api_middleware`](super::api_middleware): the middleware as a tower
//! layer on each REST route, or as the one service in front of SCIM's dispatch, and the
//! [`Endpoint`] it hands an admitted request to.

use std::convert::Infallible;
use std::future::Ready;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::response::Response;
use tower::{Layer, Service};

use futures_util::future::Either;

use super::middleware::{Endpoint, answerable_at_once, api_middleware, scim_at_once};
use super::scim;
use crate::http::Shared;
use crate::store::Principal;

/// SCIM behind the middleware, without a router: a request that waits on nothing is answered
/// at once ([`scim_at_once`]), any other through [`api_middleware`].
#[derive(Clone)]
pub(in crate::http) struct ScimService(ApiService<Scim>);

pub(in crate::http) fn scim_service(state: &Shared) -> ScimService {
    ScimService(ApiService {
        inner: Scim,
        app: state.clone(),
    })
}

/// A SCIM request being answered: at once, or through the middleware's future.
pub(crate) type ScimAnswering = Either<Ready<Result<Response, Infallible>>, Answering>;

impl Service<Request> for ScimService {
    type Response = Response;
    type Error = Infallible;
    type Future = ScimAnswering;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let app = &self.0.app;
        if answerable_at_once(app, request.body()) {
            let (parts, _) = request.into_parts();
            return Either::Left(std::future::ready(Ok(scim_at_once(app, parts))));
        }
        Either::Right(self.0.call(request))
    }
}

/// SCIM, dispatched by hand: handlers take the principal and the body as they are.
#[derive(Clone, Copy)]
pub(in crate::http) struct Scim;

impl Endpoint for Scim {
    const UNROUTED: bool = true;

    fn answer(
        &mut self,
        app: &Shared,
        parts: Parts,
        body: Bytes,
        principal: Principal,
    ) -> impl Future<Output = Response> + Send {
        std::future::ready(scim::answer(app, &principal, &parts, &body))
    }
}

/// A route of axum's: the principal rides in the request's extensions.
impl<S> Endpoint for Routed<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    const UNROUTED: bool = false;

    fn answer(
        &mut self,
        _: &Shared,
        parts: Parts,
        body: Bytes,
        principal: Principal,
    ) -> impl Future<Output = Response> + Send {
        let body = if body.is_empty() {
            Body::empty()
        } else {
            Body::from(body)
        };
        let mut request = Request::from_parts(parts, body);
        request.extensions_mut().insert(principal);
        // This is the request's own clone of the route ([`ApiService::call`]), always ready.
        let answer = self.0.call(request);
        async move {
            let Ok(response) = answer.await;
            response
        }
    }
}

/// An axum route behind the middleware.
#[derive(Clone)]
pub(in crate::http) struct Routed<S>(S);

/// [`api_middleware`] on each REST route. Written out rather than `middleware::from_fn`: per
/// request it costs one clone of the route and one boxed future, where `from_fn` adds a boxed
/// service and takes the request apart and back together for its extractors.
#[derive(Clone)]
pub(super) struct ApiLayer(pub(super) Shared);

impl<S> Layer<S> for ApiLayer {
    type Service = ApiService<Routed<S>>;

    fn layer(&self, inner: S) -> Self::Service {
        ApiService {
            inner: Routed(inner),
            app: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub(in crate::http) struct ApiService<E> {
    inner: E,
    app: Shared,
}

/// An API request being answered.
pub(crate) type Answering = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<E: Endpoint> Service<Request> for ApiService<E> {
    type Response = Response;
    type Error = Infallible;
    type Future = Answering;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // axum's routes are always ready, and SCIM's dispatch is a function.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let inner = self.inner.clone();
        let app = self.app.clone();
        Box::pin(async move { Ok(api_middleware(app, request, inner).await) })
    }
}
