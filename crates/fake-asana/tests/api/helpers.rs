//! `TestApp`: a fake Asana on a free port with a manual clock, a service account, and request
//! helpers, so that tests read as stories.

use fake_asana::{FakeAsana, FakeAsanaBuilder, Profile, Scope, ServiceAccountCredentials};
use harness_clock::Clock;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub asana: FakeAsana,
    pub client: reqwest::Client,
    pub clock: Clock,
    /// A SCIM-scoped service account of the default organization.
    pub sa: ServiceAccountCredentials,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with(FakeAsana::builder()).await
    }

    pub async fn rfc() -> TestApp {
        Self::with(FakeAsana::builder().profile(Profile::Rfc)).await
    }

    pub async fn with(builder: FakeAsanaBuilder) -> TestApp {
        let clock = Clock::manual();
        let asana = builder.clock(clock.clone()).seed(42).start().await;
        let sa = asana.create_service_account("OneLogin provisioning", Scope::Scim);
        TestApp {
            asana,
            client: harness_tls::client::new(),
            clock,
            sa,
        }
    }

    /// A request with any method, path (relative to the server root), token and raw body, sent
    /// as SCIM clients send bodies (`application/scim+json`).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        let content_type = body.is_some().then_some("application/scim+json");
        self.send(method, path, token, content_type, body).await
    }

    /// A request with this `Content-Type` (or none), whatever the body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.asana.uri()));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        if let Some(b) = body {
            request = request.body(b);
        }
        let response = request.send().await.expect("the fake answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A SCIM call with the service account's token. `path` is relative to the SCIM base.
    pub async fn scim(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.scim_as(&self.sa.token.clone(), method, path, body)
            .await
    }

    pub async fn scim_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        self.raw(method, &format!("/api/1.0/scim{path}"), Some(token), body)
            .await
    }

    pub async fn rest_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        self.raw(method, &format!("/api/1.0{path}"), Some(token), body)
            .await
    }

    /// The admin API, declared JSON even without a body, as it requires of every write.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        let path = format!("/__admin{path}");
        self.send(method, &path, None, Some("application/json"), body)
            .await
    }

    /// A full-permission service account's token, for the REST API.
    pub async fn full_token(&self) -> String {
        let reply = self
            .admin(
                Method::POST,
                "/service-accounts",
                Some(json!({"name": "Full", "scope": "full"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.body["token"].as_str().unwrap().to_owned()
    }

    /// Creates a user the way OneLogin does and returns the response body.
    pub async fn create_user(&self, email: &str, name: &str) -> Value {
        let reply = self
            .scim(Method::POST, "/Users", Some(user_body(email, name)))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    pub async fn get_user(&self, id: &str) -> Reply {
        self.scim(Method::GET, &format!("/Users/{id}"), None).await
    }
}

/// The body Asana's documentation shows for POST /Users (fidelity/asana §7).
pub fn user_body(email: &str, name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": email,
        "name": {"formatted": name},
        "emails": [{"primary": true, "value": email}],
        "active": true,
        "title": "Engineer",
        "preferredLanguage": "en",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
    })
}

pub fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

pub fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}
