//! `World`: a fake Asana and a fake OneLogin sharing one manual clock, an Asana service account,
//! a OneLogin access token, and a role that grants the Asana app; plus the steps of the KB
//! article as methods.

use fake_asana::{FakeAsana, Scope, ServiceAccountCredentials, UserRecord};
use fake_onelogin::{FakeOneLogin, FakeOneLoginBuilder};
use harness_clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct World {
    pub asana: FakeAsana,
    pub onelogin: FakeOneLogin,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub sa: ServiceAccountCredentials,
    /// A OneLogin API access token (Manage All).
    pub token: String,
    /// A role that grants the Asana app.
    pub role: u64,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl World {
    pub async fn new() -> World {
        World::with(|b| b).await
    }

    /// A world whose fake OneLogin is built with these settings besides the usual ones.
    pub async fn with(settings: impl FnOnce(FakeOneLoginBuilder) -> FakeOneLoginBuilder) -> World {
        let clock = Clock::manual();
        let asana = FakeAsana::builder()
            .clock(clock.clone())
            .seed(1)
            .start()
            .await;
        let onelogin = settings(FakeOneLogin::builder())
            .clock(clock.clone())
            .seed(2)
            .asana_scim_url(asana.scim_url())
            .start()
            .await;
        let sa = asana.create_service_account("OneLogin provisioning", Scope::Scim);
        let client = harness_tls::client::new();
        let creds = onelogin.api_credentials().clone();
        let token = access_token(
            &client,
            &onelogin.uri(),
            &creds.client_id,
            &creds.client_secret,
        )
        .await;
        let mut world = World {
            asana,
            onelogin,
            client,
            clock,
            sa,
            token,
            role: 0,
        };
        let role = world
            .api(
                Method::POST,
                "/api/2/roles",
                Some(json!({"name": "Asana users"})),
            )
            .await;
        assert_eq!(role.status, StatusCode::CREATED, "{}", role.body);
        world.role = role.body["id"].as_u64().unwrap();
        let app = world.onelogin.asana_app_id();
        let r = world
            .api(
                Method::PUT,
                &format!("/api/2/roles/{}/apps", world.role),
                Some(json!([app])),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        world
    }

    /// A world where the KB article's setup is done: token pasted, Enable pressed, provisioning on.
    pub async fn connected() -> World {
        World::connected_with(|b| b).await
    }

    /// [`connected`](Self::connected), with these settings for the fake OneLogin.
    pub async fn connected_with(
        settings: impl FnOnce(FakeOneLoginBuilder) -> FakeOneLoginBuilder,
    ) -> World {
        let world = World::with(settings).await;
        world
            .configure(json!({"token": world.sa.token, "enabled": true}))
            .await;
        let status = world.enable().await;
        assert_eq!(status["api_status"], "connected", "{status}");
        world
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let authorization = bearer.map(|t| format!("Bearer {t}"));
        self.send_raw(method, path, authorization.as_deref(), body)
            .await
    }

    /// A request with this `Authorization` header, as written (v1's `bearer:<token>`, or a
    /// malformed one).
    pub async fn send_with(&self, method: Method, path: &str, authorization: &str) -> Reply {
        self.send_raw(method, path, Some(authorization), None).await
    }

    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.onelogin.uri()));
        if let Some(a) = authorization {
            request = request.header("authorization", a);
        }
        if path.starts_with("/__admin") {
            // The admin API refuses a write not declared JSON, even one without a body.
            request = request.header("content-type", "application/json");
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("the fake answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// OneLogin's public API, with the access token.
    pub async fn api(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(method, path, Some(&self.token.clone()), body)
            .await
    }

    /// A console page, which must answer 200, its CSRF token written `[csrf]`: a fresh browser
    /// gets a new one each time.
    pub async fn page(&self, path: &str) -> String {
        let r = self
            .client
            .get(format!("{}{path}", self.onelogin.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        match csrf_field(&html) {
            Some(token) => html.replace(&token, "[csrf]"),
            None => html,
        }
    }

    /// What a browser holds once it has loaded a console page: the CSRF cookie and the token
    /// the page's forms carry.
    pub async fn console_session(&self) -> (String, String) {
        let r = self
            .client
            .get(format!("{}/admin/users", self.onelogin.uri()))
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let token = csrf_field(&r.text().await.unwrap()).expect("the page's forms carry a token");
        (cookie, token)
    }

    /// A console form, posted as a browser would: after loading a page, with its cookie and the
    /// token its forms carry. The page that comes back has the token written `[csrf]`.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let (cookie, token) = self.console_session().await;
        let mut fields = form.to_vec();
        fields.push(("csrf", &token));
        let r = self
            .client
            .post(format!("{}{path}", self.onelogin.uri()))
            .header("cookie", cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.text().await.unwrap().replace(&token, "[csrf]"))
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(method, &format!("/__admin{path}"), None, body)
            .await
    }

    pub async fn configure(&self, settings: Value) -> Value {
        let r = self
            .admin(
                Method::PUT,
                &format!("/apps/{}/provisioning", self.onelogin.asana_app_id()),
                Some(settings),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    pub async fn enable(&self) -> Value {
        self.admin(
            Method::POST,
            &format!("/apps/{}/enable", self.onelogin.asana_app_id()),
            None,
        )
        .await
        .body
    }

    pub async fn create_user(&self, email: &str, first: &str, last: &str) -> u64 {
        let username = email.split('@').next().unwrap();
        let r = self
            .api(Method::POST, "/api/2/users", Some(json!({"username": username, "email": email, "firstname": first, "lastname": last})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_u64().unwrap()
    }

    pub async fn assign(&self, user: u64) {
        let r = self
            .api(
                Method::POST,
                &format!("/api/2/roles/{}/users", self.role),
                Some(json!([user])),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    pub async fn unassign(&self, user: u64) {
        let r = self
            .api(
                Method::DELETE,
                &format!("/api/2/roles/{}/users", self.role),
                Some(json!([user])),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    pub async fn update_user(&self, user: u64, changes: Value) {
        let r = self
            .api(Method::PUT, &format!("/api/2/users/{user}"), Some(changes))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    pub async fn delete_user(&self, user: u64) {
        let r = self
            .api(Method::DELETE, &format!("/api/2/users/{user}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    /// `POST /__admin/provisioning/run`: the queue, processed until nothing is runnable.
    pub async fn run(&self) -> Vec<Value> {
        let r = self.admin(Method::POST, "/provisioning/run", None).await;
        assert_eq!(r.status, StatusCode::OK);
        r.body["ran"].as_array().unwrap().clone()
    }

    pub async fn tasks(&self, query: &str) -> Vec<Value> {
        let r = self
            .admin(Method::GET, &format!("/provisioning/tasks{query}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body.as_array().unwrap().clone()
    }

    /// The newest task for a user.
    pub async fn last_task(&self, user: u64) -> Value {
        self.tasks(&format!("?user_id={user}"))
            .await
            .pop()
            .expect("a task")
    }

    pub async fn decide(&self, task: &Value, verb: &str) -> Reply {
        self.admin(
            Method::POST,
            &format!("/provisioning/tasks/{}/{verb}", task["id"]),
            None,
        )
        .await
    }

    pub fn asana_user(&self, email: &str) -> Option<UserRecord> {
        self.asana.user(email)
    }

    /// `METHOD path` of every SCIM write the fake Asana received (lookups left out).
    pub fn scim_writes(&self) -> Vec<String> {
        self.asana
            .requests()
            .iter()
            .filter(|e| e.method != "GET")
            .map(|e| format!("{} {}", e.method, e.uri.split('?').next().unwrap()))
            .collect()
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_field(html: &str) -> Option<String> {
    let rest = html.split(r#"name="csrf" value=""#).nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

pub async fn access_token(client: &reqwest::Client, base: &str, id: &str, secret: &str) -> String {
    let r = client
        .post(format!("{base}/auth/oauth2/v2/token"))
        .basic_auth(id, Some(secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}
