//! One server handle for both fakes: bind, serve plain HTTP or TLS behind the `Host` guard, and
//! stop gracefully. The fakes build their state and router; how they are served lives here, so
//! the two cannot differ in what shutdown or drop means.

use std::net::SocketAddr;
use std::sync::Arc;

use std::convert::Infallible;

use axum::ServiceExt;
use axum::http::Request;
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_service::Service;

use crate::host::{self, AllowedHosts, Refusal};

/// What a fake serves, for requests with bodies of type `R`'s: a service that is always ready,
/// as a `Router` is (the `Host` guard does not wait on it), cloned per connection.
pub trait App<R>:
    Service<R, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T, R> App<R> for T where
    T: Service<R, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// Why a fake could not take its socket.
#[derive(Debug, thiserror::Error)]
#[error("cannot bind {addr}: {source}")]
pub struct BindError {
    /// The address asked for, or `listener` for a socket the caller bound.
    pub addr: String,
    pub source: std::io::Error,
}

/// A bound socket, plain or TLS, not yet serving: its address and origin are known before the
/// fake's state (which names its URLs) is built.
pub struct Listener {
    listener: TcpListener,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// Binds `addr`, for a fake's builder to serve on.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr).await.map_err(|source| BindError {
        addr: addr.to_string(),
        source,
    })
}

impl Listener {
    /// A socket the caller bound (so tests and `serve` choose it), served over TLS with
    /// `tls` when given.
    pub fn new(
        listener: TcpListener,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Result<Listener, BindError> {
        let addr = listener.local_addr().map_err(|source| BindError {
            addr: "listener".into(),
            source,
        })?;
        Ok(Listener {
            listener,
            addr,
            tls,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port` or `https://host:port`: what the fake names in its URLs
    /// ([`host::origin`]).
    pub fn origin(&self) -> String {
        host::origin(self.tls.is_some(), self.addr)
    }

    /// Serves `app` (a fake's router, or its own front of one) in the background, answering
    /// only the hosts the address and `allowed_hosts` allow (others get `refuse`'s 421). `name`
    /// labels a failure in the log.
    pub fn serve<S>(
        self,
        name: &'static str,
        app: S,
        allowed_hosts: &[String],
        refuse: Refusal,
    ) -> Server
    where
        S: App<axum::extract::Request> + App<Request<hyper::body::Incoming>>,
    {
        let hosts = AllowedHosts::for_listener(self.addr, allowed_hosts);
        let service = host::Guarded::new(app, hosts, refuse);
        let (tx, rx) = oneshot::channel::<()>();
        let Listener { listener, tls, .. } = self;
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Some(config) = tls {
                harness_tls::serve(listener, service, config, shutdown).await;
            } else if let Err(e) = axum::serve(
                listener,
                ServiceExt::<axum::extract::Request>::into_make_service(service),
            )
            .with_graceful_shutdown(shutdown)
            .await
            {
                tracing::error!(error = %e, "{name} server stopped");
            }
        });
        Server {
            shutdown: Some(tx),
            task: Some(task),
        }
    }
}

/// A server running in the background.
///
/// Guarantees: [`stop`](Server::stop) closes the socket at once (no new connection is
/// accepted) and returns once requests in flight are answered; dropping the handle closes the
/// socket too, without waiting. Both may be repeated: a second stop returns at once.
pub struct Server {
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Asks the server to stop accepting, without waiting for requests in flight.
    pub fn signal_stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Stops the server, then waits for requests in flight: the caller bounds the wait (`serve`
    /// on SIGTERM) and can still read the fake's state afterwards.
    pub async fn stop(&mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn refuse(_path: &str, message: String) -> axum::response::Response {
        (axum::http::StatusCode::MISDIRECTED_REQUEST, message).into_response()
    }

    async fn get(addr: SocketAddr, host: &str) -> std::io::Result<String> {
        let mut tcp = tokio::net::TcpStream::connect(addr).await?;
        let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await?;
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await?;
        Ok(answer)
    }

    async fn started() -> (Server, SocketAddr) {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let listener = Listener::new(listener, None).unwrap();
        let addr = listener.addr();
        assert_eq!(listener.origin(), format!("http://{addr}"));
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
        (listener.serve("test", router, &[], refuse), addr)
    }

    #[tokio::test]
    async fn serves_guards_and_stops() {
        let (mut server, addr) = started().await;
        assert!(get(addr, "localhost").await.unwrap().ends_with("hello"));
        let refused = get(addr, "evil.example").await.unwrap();
        assert!(refused.starts_with("HTTP/1.1 421"), "{refused}");
        server.stop().await;
        assert!(
            get(addr, "localhost").await.is_err(),
            "the socket is closed"
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn dropping_the_handle_closes_the_socket() {
        let (server, addr) = started().await;
        drop(server);
        for _ in 0..100 {
            if get(addr, "localhost").await.is_err() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("still serving after the handle was dropped");
    }
}
