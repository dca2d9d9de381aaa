//! Injected faults: make the next N matching requests fail, wait, or both, so that clients'
//! retry and error handling can be tested on purpose.

use std::sync::Mutex;

use axum::http::Method;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match (any case); absent matches every method.
    #[serde(default, with = "method_name")]
    #[schemars(with = "Option<String>")]
    pub method: Option<Method>,
    /// Path to match, e.g. `/api/1.0/scim/Users`; a trailing `*` matches a prefix.
    pub path: String,
    /// Status to answer with; absent means "only delay, then answer normally".
    #[serde(default)]
    pub status: Option<u16>,
    /// `Retry-After` seconds. A 429 always carries one (default 30, as Asana's example).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Response body; absent gives the API's own error body for the status.
    #[serde(default)]
    pub body: Option<Value>,
    /// How many requests it applies to; absent means until removed.
    #[serde(default)]
    pub times: Option<u32>,
    /// Delay before answering, on the harness clock.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Close the connection instead of answering: the client sees it drop mid-request.
    #[serde(default)]
    pub drop_connection: bool,
    /// Apply to each matching request with this probability (0 to 1), drawn from the fake's
    /// seeded RNG, so the same seed fails the same requests. Absent means always.
    #[serde(default)]
    pub probability: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// How many requests it has hit so far.
    pub hits: u64,
}

pub struct Faults {
    inner: Mutex<(u64, Vec<Fault>)>,
    rng: Mutex<rand::rngs::StdRng>,
}

/// A fault the fake refused to inject, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultError {
    #[error("path must start with /")]
    RelativePath,
    #[error("status {0} is not an HTTP status")]
    NotAStatus(u16),
    #[error("a fault needs a status, a delay_ms or drop_connection")]
    DoesNothing,
    #[error("drop_connection sends no status; give one or the other")]
    DropWithStatus,
    #[error("probability {0} is not between 0 and 1")]
    Probability(f64),
}

impl FaultSpec {
    /// Checks that the fault makes sense before it is armed.
    pub fn validate(&self) -> Result<(), FaultError> {
        if !self.path.starts_with('/') {
            return Err(FaultError::RelativePath);
        }
        if let Some(s) = self.status
            && !(100..=599).contains(&s)
        {
            return Err(FaultError::NotAStatus(s));
        }
        if self.status.is_none() && self.delay_ms.is_none() && !self.drop_connection {
            return Err(FaultError::DoesNothing);
        }
        if self.drop_connection && self.status.is_some() {
            return Err(FaultError::DropWithStatus);
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(FaultError::Probability(p));
        }
        Ok(())
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_ok = self.method.as_ref().is_none_or(|m| m == method);
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        method_ok && path_ok
    }
}

/// A fault's method as written (`get`, `DELETE`): matched in any case, so read upper-cased.
mod method_name {
    use axum::http::Method;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(m: &Option<Method>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.serialize_some(m.as_str()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Method>, D::Error> {
        let Some(name) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        Method::from_bytes(name.to_ascii_uppercase().as_bytes())
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{name:?} is not an HTTP method")))
    }
}

impl Faults {
    pub fn new(seed: Option<u64>) -> Self {
        use rand::SeedableRng;
        let rng = match seed {
            Some(s) => rand::rngs::StdRng::seed_from_u64(s),
            None => rand::rngs::StdRng::from_os_rng(),
        };
        Faults {
            inner: Mutex::new((0, Vec::new())),
            rng: Mutex::new(rng),
        }
    }

    pub fn add(&self, spec: FaultSpec) -> Fault {
        let mut inner = lock(&self.inner);
        inner.0 += 1;
        let fault = Fault {
            id: inner.0,
            spec,
            hits: 0,
        };
        inner.1.push(fault.clone());
        fault
    }

    pub fn list(&self) -> Vec<Fault> {
        lock(&self.inner).1.clone()
    }

    pub fn clear(&self) {
        lock(&self.inner).1.clear();
    }

    /// Whether no fault is set: a request then need not look for one.
    pub fn is_empty(&self) -> bool {
        lock(&self.inner).1.is_empty()
    }

    /// The first fault that matches, with its use counted; exhausted faults are removed.
    pub fn take(&self, method: &Method, path: &str) -> Option<FaultSpec> {
        let mut inner = lock(&self.inner);
        let faults = &mut inner.1;
        let index = faults.iter().position(|f| f.spec.matches(method, path))?;
        if let Some(p) = faults[index].spec.probability {
            use rand::Rng;
            if !lock(&self.rng).random_bool(p) {
                return None;
            }
        }
        let fault = &mut faults[index];
        fault.hits += 1;
        let spec = fault.spec.clone();
        if let Some(times) = &mut fault.spec.times {
            *times -= 1;
            if *times == 0 {
                faults.remove(index);
            }
        }
        Some(spec)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(path: &str, times: Option<u32>) -> FaultSpec {
        FaultSpec {
            // Written in lower case, as a scenario may: matched in any case.
            method: serde_json::from_value(serde_json::json!({"method": "get", "path": "/"}))
                .map(|f: FaultSpec| f.method)
                .unwrap(),
            path: path.into(),
            status: Some(503),
            retry_after: None,
            body: None,
            times,
            delay_ms: None,
            drop_connection: false,
            probability: None,
        }
    }

    #[test]
    fn probability_is_seeded() {
        let hits = |seed| {
            let faults = Faults::new(Some(seed));
            faults.add(FaultSpec {
                probability: Some(0.5),
                ..spec("/x", None)
            });
            (0..64)
                .map(|_| faults.take(&Method::GET, "/x").is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(hits(3), hits(3));
        let n = hits(3).iter().filter(|h| **h).count();
        assert!((16..48).contains(&n), "{n} of 64");
    }

    #[test]
    fn faults_match_by_method_and_path_and_run_out() {
        let faults = Faults::new(Some(1));
        faults.add(spec("/api/1.0/scim/*", Some(2)));
        assert!(faults.take(&Method::POST, "/api/1.0/scim/Users").is_none());
        assert!(faults.take(&Method::GET, "/api/1.0/users/me").is_none());
        assert!(faults.take(&Method::GET, "/api/1.0/scim/Users").is_some());
        assert!(faults.take(&Method::GET, "/api/1.0/scim/Groups").is_some());
        assert!(
            faults.take(&Method::GET, "/api/1.0/scim/Users").is_none(),
            "used up"
        );
        assert!(faults.list().is_empty());
    }

    #[test]
    fn validation() {
        assert!(spec("no-slash", None).validate().is_err());
        let mut s = spec("/x", None);
        s.status = Some(42);
        assert!(s.validate().is_err());
        s.status = None;
        assert!(s.validate().is_err());
        s.delay_ms = Some(5);
        assert!(s.validate().is_ok());
    }
}
