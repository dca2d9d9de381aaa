//! The guard against DNS rebinding: a fake answers only requests addressed (`Host`) to a name
//! it knows.
//!
//! A page on `evil.example` can point its own name at 127.0.0.1 once the browser has loaded it,
//! and then read and write the fakes as if they were its own origin. The browser still sends
//! `Host: evil.example`, so a fake that answers only the names clients really use is out of
//! reach. Bound to loopback, those are loopback names and addresses; bound beyond it, also the
//! address itself, the machine's name, and any IP literal when bound to every address (a
//! rebinding page always has a name of its own, never an IP). Names that clients use besides
//! (a CI service, a compose service) are added with `serve --allow-host`.
//!
//! A request without `Host` (HTTP/1.0) is answered: a browser always sends one.

use std::borrow::Cow;
use std::convert::Infallible;
use std::future::Ready;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Bytes, HttpBody};
use axum::http::{Request, header};
use axum::response::Response;
use axum::{BoxError, Router};
use futures_util::future::Either;
use tower_service::Service;

/// The origin a fake bound to `bound` names in its URLs (SCIM base, ACS, issuer). Bound to every
/// address, that is loopback: `http://0.0.0.0:7480` is an address to listen on, not one a
/// browser or a client can be sent to, and inside a container or on the host of a published
/// port, loopback reaches the fake.
pub fn origin(tls: bool, bound: SocketAddr) -> String {
    let scheme = if tls { "https" } else { "http" };
    let shown = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), bound.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), bound.port())
        }
        _ => bound,
    };
    format!("{scheme}://{shown}")
}

/// The `Host` values a fake answers, ports aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    bound: SocketAddr,
    /// Lower case, without a trailing dot: `--allow-host` names, and off loopback the
    /// machine's name.
    names: Vec<String>,
    /// Bound to every address: any IP literal reaches it.
    any_ip: bool,
    /// The `Host` value a client of the bound address sends (`127.0.0.1:7480`): accepted
    /// by one comparison, as nearly every request is.
    usual: String,
}

/// How a fake says no, in its own error format: the request's path (to pick the API's format)
/// and the message.
pub type Refusal = fn(path: &str, message: String) -> Response;

impl AllowedHosts {
    /// The hosts a fake bound to `bound` answers, with `names` besides.
    pub fn for_listener<S: AsRef<str>>(
        bound: SocketAddr,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        let mut names: Vec<String> = names
            .into_iter()
            .filter_map(|n| host_of(n.as_ref()).map(normalize))
            .collect();
        let ip = bound.ip();
        if !ip.is_loopback() {
            names.extend(machine_name());
        }
        names.sort();
        names.dedup();
        AllowedHosts {
            bound,
            names,
            any_ip: ip.is_unspecified(),
            usual: origin(false, bound)["http://".len()..].to_owned(),
        }
    }

    /// Whether a request with this `Host` value (`name`, `name:port`, `[v6]:port`) is answered.
    pub fn allows(&self, host: &str) -> bool {
        if host == self.usual {
            return true;
        }
        let Some(name) = host_of(host) else {
            return false;
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.eq_ignore_ascii_case("localhost") || ends_with_ignore_case(name, ".localhost") {
            return true;
        }
        if let Some(ip) = ip_literal(name) {
            let loopback = ip.is_loopback()
                || matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
            return loopback || self.any_ip || ip == self.bound.ip();
        }
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// What is accepted, in words, for the refusal.
    fn describe(&self) -> String {
        let mut accepted = vec!["localhost, *.localhost, 127.x.x.x and [::1]".to_owned()];
        let ip = self.bound.ip();
        if self.any_ip {
            accepted.push("any IP address".to_owned());
        } else if !ip.is_loopback() {
            accepted.push(match ip {
                IpAddr::V6(v6) => format!("[{v6}]"),
                IpAddr::V4(v4) => v4.to_string(),
            });
        }
        accepted.extend(self.names.iter().cloned());
        accepted.join(", ")
    }
}

/// A fake's service (its router, or the fake's own front of it) behind the guard: requests
/// whose `Host` the list allows reach it; others get 421 Misdirected Request in the fake's own
/// error format.
///
/// A service around the fake rather than a layer on each of its routes: the check needs no
/// await, so a request the guard lets through costs no allocation and no boxed future.
#[derive(Clone)]
pub struct Guarded<S = Router> {
    inner: S,
    guard: Arc<(AllowedHosts, Refusal)>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, allowed: AllowedHosts, refuse: Refusal) -> Self {
        Guarded {
            inner,
            guard: Arc::new((allowed, refuse)),
        }
    }

    /// The refusal for a request this guard does not let through, if it is one.
    fn refusal<B>(&self, request: &Request<B>) -> Option<Response> {
        let (allowed, refuse) = &*self.guard;
        // HTTP/2 carries the authority in the URI rather than in `Host`.
        let host = match request.headers().get(header::HOST) {
            Some(value) => match value.to_str() {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(value.as_bytes()),
            },
            None => Cow::Borrowed(request.uri().authority()?.as_str()),
        };
        if allowed.allows(&host) {
            return None;
        }
        let message = format!(
            "Host {host:?} is refused: this fake answers only requests addressed to {} (a guard against DNS rebinding). To reach it by another name, start it with `serve --allow-host NAME` (or the builder's `allow_hosts`).",
            allowed.describe()
        );
        Some(refuse(request.uri().path(), message))
    }
}

/// The guarded service must be always ready, as a `Router` is: `poll_ready` is not passed on.
impl<B, S> Service<Request<B>> for Guarded<S>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    S: Service<Request<B>, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Ready<Result<Response, Infallible>>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        match self.refusal(&request) {
            Some(refused) => Either::Right(std::future::ready(Ok(refused))),
            None => Either::Left(self.inner.call(request)),
        }
    }
}

/// Whether `name` can be allowed: a name or address, with or without a port, as a `Host`
/// header would carry it.
pub fn is_host_name(name: &str) -> bool {
    host_of(name).is_some()
}

/// The host part of a `Host` value, or `None` when it is not one: a name or IPv4 address with
/// an optional numeric port, or a bracketed IPv6 address with one.
fn host_of(value: &str) -> Option<&str> {
    let value = value.trim();
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        inside.parse::<Ipv6Addr>().ok()?;
        (&value[..inside.len() + 2], port)
    } else {
        match value.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (value, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = host.starts_with('[')
        || (!host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    (port_ok && name_ok).then_some(host)
}

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

fn ip_literal(name: &str) -> Option<IpAddr> {
    if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    name.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The machine's name, where the system says it without a call into C: clients on other
/// machines often use it.
fn machine_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|n| normalize(n.trim()))
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(addr: &str, names: &[&str]) -> AllowedHosts {
        AllowedHosts::for_listener(addr.parse().unwrap(), names.iter().copied())
    }

    #[test]
    fn on_loopback_only_loopback_names_and_the_given_ones() {
        let hosts = on("127.0.0.1:7480", &["ci-asana", "Compose.Local."]);
        for ok in [
            "localhost",
            "localhost:7480",
            "LOCALHOST.:1",
            "app.localhost:7480",
            "127.0.0.1",
            "127.0.0.1:7480",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:7480",
            "[::ffff:127.0.0.1]:7480",
            "ci-asana",
            "ci-asana:7480",
            "compose.local",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:7480",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "10.0.0.5:7480",
            "0.0.0.0:7480",
            "[::2]:7480",
            "[::1",
            "::1",
            "localhost:",
            "localhost:x",
            "evil@localhost",
            "localhost/x",
            "",
            "ci-asana.evil.example",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }

    #[test]
    fn beyond_loopback_the_bound_address_too() {
        let hosts = on("10.1.2.3:7480", &[]);
        assert!(hosts.allows("10.1.2.3:7480"));
        assert!(hosts.allows("localhost:7480"));
        assert!(!hosts.allows("10.1.2.4:7480"));
        assert!(!hosts.allows("evil.example:7480"));
        let everywhere = on("0.0.0.0:7480", &["ci-asana"]);
        assert!(everywhere.allows("10.1.2.4:7480"));
        assert!(everywhere.allows("[fe80::1]:7480"));
        assert!(everywhere.allows("ci-asana:7480"));
        assert!(!everywhere.allows("evil.example:7480"));
        assert!(everywhere.describe().contains("any IP address"));
    }
}
