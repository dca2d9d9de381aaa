//! The OneLogin side of a run: the API and admin API over HTTP, as an admin and an SDK would
//! call them; the queue settled and its SCIM calls collected; tasks found and decided.

use fake_onelogin::FakeOneLogin;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::log::{Hop, TargetExchange};
use super::outcome::{fail, mismatch};
use super::runner::Runner;
use super::tasks::{Decision, describe_task, word};
use crate::format::*;
use crate::report::StepFailure;
use fake_onelogin::Task;

impl Runner {
    /// A call to the fake OneLogin (API or admin), expecting `expect`.
    pub(super) async fn ol(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        expect: StatusCode,
    ) -> Result<Value, StepFailure> {
        let (status, reply) = self.ol_any(method.clone(), path, body).await?;
        if status != expect {
            return Err(mismatch(
                format!("OneLogin answered {method} {path} with {status}"),
                expect.to_string(),
                format!("{status} {reply}"),
            ));
        }
        Ok(reply)
    }

    pub(super) async fn ol_any(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), StepFailure> {
        let mut response = self.ol_send(&method, path, body.as_ref()).await?;
        // OneLogin's tokens live ten hours; after `advance_clock`, get a new one, as SDKs do.
        if response.status() == StatusCode::UNAUTHORIZED && path.starts_with("/api/") {
            self.token = Runner::access_token(&self.client, &self.onelogin).await?;
            response = self.ol_send(&method, path, body.as_ref()).await?;
        }
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        let reply: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        // Hop 1 is what changed OneLogin; the runner's reads for expectations are not part of it.
        if method != Method::GET && path != "/__admin/provisioning/run" {
            let url = format!("{}{path}", self.onelogin.uri());
            self.transcript.exchange(
                Hop::OneLogin,
                self.clock.now(),
                method.as_str(),
                &url,
                body.as_ref(),
                Some(status.as_u16()),
                Some(&reply),
            );
        }
        Ok((status, reply))
    }

    pub(super) async fn ol_send(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<reqwest::Response, StepFailure> {
        let url = format!("{}{path}", self.onelogin.uri());
        let mut request = if path.starts_with("/__admin") {
            self.admin_request(method.clone(), &url)
        } else {
            self.client.request(method.clone(), url)
        };
        if path.starts_with("/api/") {
            request = request.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        request.send().await.map_err(|e| {
            fail(format!(
                "the fake OneLogin did not answer {method} {path}: {e}"
            ))
        })
    }

    /// Processes OneLogin's queue until nothing is runnable, then collects the SCIM calls made.
    pub(super) async fn settle(&mut self) -> Result<(), StepFailure> {
        self.ol(
            Method::POST,
            "/__admin/provisioning/run",
            None,
            StatusCode::OK,
        )
        .await?;
        for entry in self.onelogin.outbound_requests() {
            if entry.seq <= self.outbound_seen {
                continue;
            }
            self.outbound_seen = entry.seq;
            let e = &entry.exchange;
            let exchange =
                TargetExchange::new(&e.method, &e.url, e.status).answered(e.response_body.as_ref());
            self.transcript.exchange(
                Hop::Scim,
                entry.at,
                &e.method,
                &e.url,
                e.request_body.as_ref(),
                e.status,
                e.response_body.as_ref(),
            );
            self.note_created(&e.method, &e.url, e.status, e.response_body.as_ref());
            self.exchanges.push(exchange);
        }
        Ok(())
    }

    pub(super) async fn user_id(&mut self, reference: &str) -> Result<u64, StepFailure> {
        if let Some(id) = self.bindings.get(reference).and_then(|b| b["id"].as_u64()) {
            return Ok(id);
        }
        let users = self
            .ol(
                Method::GET,
                &format!(
                    "/api/2/users?email={}",
                    form_urlencoded::byte_serialize(reference.as_bytes()).collect::<String>()
                ),
                None,
                StatusCode::OK,
            )
            .await?;
        users[0]["id"]
            .as_u64()
            .ok_or_else(|| fail(format!("OneLogin has no user {reference}")))
    }

    pub(super) fn role_id(&self, name: &str) -> Result<u64, StepFailure> {
        self.bindings
            .get(name)
            .and_then(|b| b["id"].as_u64())
            .ok_or_else(|| fail(format!("no role is named {name}")))
    }

    pub(super) async fn create_user(&mut self, user: &NewUser) -> Result<(), StepFailure> {
        let username = user
            .username
            .clone()
            .unwrap_or_else(|| user.email.split('@').next().unwrap_or_default().to_owned());
        let mut body = json!({
            "email": user.email,
            "username": username,
            "firstname": user.firstname.clone().unwrap_or_default(),
            "lastname": user.lastname.clone().unwrap_or_default(),
        });
        if let Some(t) = &user.title {
            body["title"] = json!(t);
        }
        if let Some(d) = &user.department {
            body["department"] = json!(d);
        }
        let created = self
            .ol(
                Method::POST,
                "/api/2/users",
                Some(body),
                StatusCode::CREATED,
            )
            .await?;
        let id = created["id"].as_u64().unwrap_or_default();
        if let Some(status) = user.status {
            self.ol(
                Method::PUT,
                &format!("/api/2/users/{id}"),
                Some(json!({"status": status})),
                StatusCode::OK,
            )
            .await?;
        }
        if let Some(name) = &user.name {
            self.bindings.insert(
                name.clone(),
                json!({"kind": "user", "id": id, "email": user.email, "username": username}),
            );
        }
        Ok(())
    }

    pub(super) async fn configure_app(&mut self, app: &AppSettings) -> Result<(), StepFailure> {
        let mut body = serde_json::Map::new();
        if let Some(t) = &app.token {
            body.insert("token".into(), json!(self.bindings.interpolate(t)?));
        }
        if let Some(u) = &app.scim_base_url {
            body.insert("scim_base_url".into(), json!(self.bindings.interpolate(u)?));
        }
        if let Some(e) = app.enabled {
            body.insert("enabled".into(), json!(e));
        }
        if let Some(actions) = &app.require_approval {
            body.insert(
                "require_approval".into(),
                json!({
                    "create": actions.contains(&ApprovalAction::Create),
                    "update": actions.contains(&ApprovalAction::Update),
                    "delete": actions.contains(&ApprovalAction::Delete),
                }),
            );
        }
        if let Some(p) = app.on_delete {
            body.insert("on_delete".into(), json!(p));
        }
        if let Some(p) = app.on_suspend {
            body.insert("on_suspend".into(), json!(p));
        }
        if let Some(c) = app.connector {
            body.insert("connector".into(), json!(c));
        }
        if let Some(u) = app.schema_urns {
            body.insert("schema_urns".into(), json!(u));
        }
        if let Some(params) = &app.parameters {
            let current = self.onelogin.asana_config().parameters;
            body.insert(
                "parameters".into(),
                json!({
                    "name_id": params.name_id.unwrap_or(current.name_id),
                    "scim_username": params.scim_username.unwrap_or(current.scim_username),
                }),
            );
        }
        let path = format!(
            "/__admin/apps/{}/provisioning",
            self.onelogin.asana_app_id()
        );
        self.ol(
            Method::PUT,
            &path,
            Some(Value::Object(body)),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    pub(super) async fn enable(&mut self) -> Result<Value, StepFailure> {
        let path = format!("/__admin/apps/{}/enable", self.onelogin.asana_app_id());
        self.ol(Method::POST, &path, None, StatusCode::OK).await
    }

    // -- the directory, through OneLogin's API v2 ------------------------------------------------

    /// `PUT /api/2/users/{id}` with the attributes the step changes.
    pub(super) async fn update_user(&mut self, id: u64, u: &UserUpdate) -> Result<(), StepFailure> {
        let mut body = serde_json::Map::new();
        for (k, v) in [
            ("email", &u.email),
            ("username", &u.username),
            ("firstname", &u.firstname),
            ("lastname", &u.lastname),
            ("title", &u.title),
            ("department", &u.department),
        ] {
            if let Some(v) = v {
                body.insert(k.into(), json!(v));
            }
        }
        self.ol(
            Method::PUT,
            &format!("/api/2/users/{id}"),
            Some(Value::Object(body)),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    /// A user's OneLogin `status` code (`status::SUSPENDED`, `status::ACTIVE`).
    pub(super) async fn set_user_status(&mut self, id: u64, code: u8) -> Result<(), StepFailure> {
        self.ol(
            Method::PUT,
            &format!("/api/2/users/{id}"),
            Some(json!({ "status": code })),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    pub(super) async fn delete_user(&mut self, id: u64) -> Result<(), StepFailure> {
        self.ol(
            Method::DELETE,
            &format!("/api/2/users/{id}"),
            None,
            StatusCode::NO_CONTENT,
        )
        .await?;
        Ok(())
    }

    /// `POST /api/2/roles`: the new role's id.
    pub(super) async fn create_role(&mut self, name: &str) -> Result<u64, StepFailure> {
        let body = self
            .ol(
                Method::POST,
                "/api/2/roles",
                Some(json!({ "name": name })),
                StatusCode::CREATED,
            )
            .await?;
        body["id"].as_u64().ok_or_else(|| {
            fail(format!(
                "OneLogin created role {name} without an id: {body}"
            ))
        })
    }

    /// The role a step names and the ids of the users it lists.
    pub(super) async fn role_and_users(
        &mut self,
        r: &RoleUsers,
    ) -> Result<(u64, Vec<u64>), StepFailure> {
        let role = self.role_id(&r.role)?;
        let mut users = Vec::new();
        for u in &r.users {
            users.push(self.user_id(u).await?);
        }
        Ok((role, users))
    }

    pub(super) async fn add_role_users(
        &mut self,
        role: u64,
        users: &[u64],
    ) -> Result<(), StepFailure> {
        self.ol(
            Method::POST,
            &format!("/api/2/roles/{role}/users"),
            Some(json!(users)),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    pub(super) async fn remove_role_users(
        &mut self,
        role: u64,
        users: &[u64],
    ) -> Result<(), StepFailure> {
        self.ol(
            Method::DELETE,
            &format!("/api/2/roles/{role}/users"),
            Some(json!(users)),
            StatusCode::NO_CONTENT,
        )
        .await?;
        Ok(())
    }

    /// Gives the role the Asana app, or takes every app away (`PUT` replaces the list).
    pub(super) async fn set_role_apps(
        &mut self,
        role: u64,
        asana: bool,
    ) -> Result<(), StepFailure> {
        let apps: Vec<u64> = if asana {
            vec![self.onelogin.asana_app_id()]
        } else {
            vec![]
        };
        self.ol(
            Method::PUT,
            &format!("/api/2/roles/{role}/apps"),
            Some(json!(apps)),
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    // -- Users > Provisioning ------------------------------------------------------------------

    /// A user's tasks in Users > Provisioning, oldest first, as the fake's own type.
    pub(super) async fn tasks_of(&mut self, user: &str) -> Result<Vec<Task>, StepFailure> {
        let id = self.user_id(user).await?;
        let tasks = self
            .ol(
                Method::GET,
                &format!("/__admin/provisioning/tasks?user_id={id}"),
                None,
                StatusCode::OK,
            )
            .await?;
        serde_json::from_value(tasks.clone()).map_err(|e| {
            fail(format!(
                "OneLogin answered tasks this runner cannot read: {e}: {tasks}"
            ))
        })
    }

    /// The newest task of a user, optionally of one action and in one of some states.
    pub(super) async fn find_task(
        &mut self,
        user: &str,
        action: Option<TaskAction>,
        states: &[TaskStatus],
    ) -> Result<Option<Task>, StepFailure> {
        Ok(self.tasks_of(user).await?.into_iter().rev().find(|t| {
            action.is_none_or(|a| t.action == a)
                && (states.is_empty() || states.contains(&t.status))
        }))
    }

    /// A user's tasks in words, for a failure message.
    pub(super) async fn describe_tasks_of(&mut self, user: &str) -> String {
        match self.tasks_of(user).await {
            Ok(tasks) if tasks.is_empty() => "no tasks".into(),
            Ok(tasks) => tasks
                .iter()
                .map(describe_task)
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => e.message,
        }
    }

    /// Approve, deny or retry the newest task of a user that is in the state the verb needs.
    pub(super) async fn decide(
        &mut self,
        task: &TaskRef,
        decision: Decision,
    ) -> Result<(), StepFailure> {
        let (verb, state) = (decision.verb(), decision.from());
        let Some(found) = self.find_task(&task.user, task.action, &[state]).await? else {
            let state = word(state);
            return Err(mismatch(
                format!("{verb}: {} has no {state} task", task.user),
                format!("a {state} task"),
                self.describe_tasks_of(&task.user).await,
            ));
        };
        self.ol(
            Method::POST,
            &format!("/__admin/provisioning/tasks/{}/{verb}", found.id),
            None,
            StatusCode::OK,
        )
        .await?;
        Ok(())
    }

    /// A OneLogin API access token, by client credentials.
    pub(super) async fn access_token(
        client: &reqwest::Client,
        onelogin: &FakeOneLogin,
    ) -> Result<String, StepFailure> {
        let creds = onelogin.api_credentials();
        let response = client
            .post(format!("{}/auth/oauth2/v2/token", onelogin.uri()))
            .basic_auth(&creds.client_id, Some(&creds.client_secret))
            .json(&json!({"grant_type": "client_credentials"}))
            .send()
            .await
            .map_err(|e| fail(format!("the fake OneLogin did not answer: {e}")))?;
        let body: Value = response
            .json()
            .await
            .map_err(|e| fail(format!("token response: {e}")))?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("no access token in {body}")))
    }
}
