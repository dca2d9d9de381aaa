//! OneLogin's directory: users created, changed, suspended and deleted, roles given members and
//! apps, the app given to a user directly. Each step is a call to OneLogin's API v2 (or the
//! admin API, for direct assignments), as an admin's script would make it.

use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::action::{Action, Binding, References, line};
use crate::report::StepFailure;
use crate::runner::bindings::Bound;
use crate::runner::outcome::{Halt, fail};
use crate::runner::state::Runner;
use fake_onelogin::UserStatus;

/// A OneLogin user. `as` names it for later steps; `username` defaults to the email's local part.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The name later steps use (`user: ada`, `${ada.id}`); steps may also name a user by email.
    #[serde(rename = "as", default)]
    pub name: Option<String>,
    /// The user's email, and by default the SCIM `userName` and the SAML NameID.
    pub email: String,
    /// OneLogin username. Default: the email's local part.
    #[serde(default)]
    pub username: Option<String>,
    /// First name.
    #[serde(default)]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(default)]
    pub lastname: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// OneLogin status code (1 active, 2 suspended, ...).
    #[serde(default)]
    pub status: Option<u8>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// New email.
    #[serde(default)]
    pub email: Option<String>,
    /// New OneLogin username.
    #[serde(default)]
    pub username: Option<String>,
    /// New first name.
    #[serde(default)]
    pub firstname: Option<String>,
    /// New last name.
    #[serde(default)]
    pub lastname: Option<String>,
    /// New job title.
    #[serde(default)]
    pub title: Option<String>,
    /// New department.
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleUsers {
    /// The role's `as:` name.
    pub role: String,
    /// Users: `as:` names or emails.
    pub users: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleApps {
    /// The role's `as:` name.
    pub role: String,
    /// The apps the role grants from now on (`asana`, or none).
    pub apps: Vec<AppName>,
}

/// The apps a role can grant: OneLogin's Asana app is the only one here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppName {
    Asana,
}

// Each step's own type, so that each has its own behaviour; transparent (and without doc
// comments), so that files and the schema see the shared payload.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct SuspendUser(pub UserRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct UnsuspendUser(pub UserRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct DeleteUser(pub UserRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct AssignApp(pub UserRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct UnassignApp(pub UserRef);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct AddRoleUsers(pub RoleUsers);
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct RemoveRoleUsers(pub RoleUsers);

impl NewUser {
    /// `POST /api/2/users` (and the status, when given); binds the `as:` name.
    pub(crate) async fn create(&self, r: &mut Runner) -> Result<(), StepFailure> {
        let username = self
            .username
            .clone()
            .unwrap_or_else(|| fake_onelogin::OneLoginUser::default_username(&self.email));
        let mut body = json!({
            "email": self.email,
            "username": username,
            "firstname": self.firstname.clone().unwrap_or_default(),
            "lastname": self.lastname.clone().unwrap_or_default(),
        });
        if let Some(t) = &self.title {
            body["title"] = json!(t);
        }
        if let Some(d) = &self.department {
            body["department"] = json!(d);
        }
        let created = r
            .ol(
                Method::POST,
                "/api/2/users",
                Some(body),
                StatusCode::CREATED,
            )
            .await?;
        let id = created["id"].as_u64().unwrap_or_default();
        if let Some(code) = self.status {
            put_user(r, id, json!({ "status": code })).await?;
        }
        if let Some(name) = &self.name {
            let email = self.email.clone();
            r.bindings_mut().insert(
                name.clone(),
                Bound::User {
                    id,
                    email,
                    username,
                },
            );
        }
        Ok(())
    }
}

impl Action for NewUser {
    const NAME: &'static str = "create_user";

    fn binds(&self) -> Option<Binding<'_>> {
        self.name.as_deref().map(Binding::User)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        Ok(self.create(r).await?)
    }
}

impl Action for UserUpdate {
    const NAME: &'static str = "update_user";

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    /// `PUT /api/2/users/{id}` with the attributes the step changes.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let id = r.user_id(&self.user).await?;
        let mut body = serde_json::Map::new();
        for (k, v) in [
            ("email", &self.email),
            ("username", &self.username),
            ("firstname", &self.firstname),
            ("lastname", &self.lastname),
            ("title", &self.title),
            ("department", &self.department),
        ] {
            if let Some(v) = v {
                body.insert(k.into(), json!(v));
            }
        }
        put_user(r, id, Value::Object(body)).await?;
        Ok(())
    }
}

async fn put_user(r: &mut Runner, id: u64, body: Value) -> Result<(), StepFailure> {
    let path = format!("/api/2/users/{id}");
    r.ol(Method::PUT, &path, Some(body), StatusCode::OK).await?;
    Ok(())
}

/// A user's OneLogin `status` code.
async fn set_status(r: &mut Runner, user: &str, code: u8) -> Result<(), Halt> {
    let id = r.user_id(user).await?;
    put_user(r, id, json!({ "status": code })).await?;
    Ok(())
}

impl Action for SuspendUser {
    const NAME: &'static str = "suspend_user";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        set_status(r, &self.0.user, UserStatus::Suspended.code()).await
    }
}

impl Action for UnsuspendUser {
    const NAME: &'static str = "unsuspend_user";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        set_status(r, &self.0.user, UserStatus::Active.code()).await
    }
}

impl Action for DeleteUser {
    const NAME: &'static str = "delete_user";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let id = r.user_id(&self.0.user).await?;
        let path = format!("/api/2/users/{id}");
        r.ol(Method::DELETE, &path, None, StatusCode::NO_CONTENT)
            .await?;
        Ok(())
    }
}

/// The user's Applications tab: Asana given directly (`POST`) or taken away (`DELETE`, which
/// must answer 204).
async fn direct_assignment(
    r: &mut Runner,
    user: &str,
    method: Method,
    expect: Option<StatusCode>,
    name: &str,
) -> Result<(), Halt> {
    let id = r.user_id(user).await?;
    let app = r.onelogin().asana_app_id();
    let path = format!("/__admin/users/{id}/apps/{app}");
    let (status, reply) = r.ol_any(method, &path, None).await?;
    if !status.is_success() || expect.is_some_and(|e| e != status) {
        return Err(fail(format!("{name}: {status} {reply}")).into());
    }
    Ok(())
}

impl Action for AssignApp {
    const NAME: &'static str = "assign_app";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        direct_assignment(r, &self.0.user, Method::POST, None, Self::NAME).await
    }
}

impl Action for UnassignApp {
    const NAME: &'static str = "unassign_app";

    fn references(&self) -> References<'_> {
        References::user(&self.0.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let expect = Some(StatusCode::NO_CONTENT);
        direct_assignment(r, &self.0.user, Method::DELETE, expect, Self::NAME).await
    }
}

impl RoleUsers {
    fn references(&self) -> References<'_> {
        References {
            users: self.users.iter().map(String::as_str).collect(),
            roles: vec![&self.role],
            ..References::default()
        }
    }

    /// The role the step names and the ids of the users it lists.
    async fn ids(&self, r: &mut Runner) -> Result<(u64, Vec<u64>), StepFailure> {
        let role = r.role_id(&self.role)?;
        let mut users = Vec::new();
        for u in &self.users {
            users.push(r.user_id(u).await?);
        }
        Ok((role, users))
    }
}

impl Action for AddRoleUsers {
    const NAME: &'static str = "add_role_users";

    fn references(&self) -> References<'_> {
        self.0.references()
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let (role, users) = self.0.ids(r).await?;
        add_members(r, role, &users).await?;
        Ok(())
    }
}

impl Action for RemoveRoleUsers {
    const NAME: &'static str = "remove_role_users";

    fn references(&self) -> References<'_> {
        self.0.references()
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let (role, users) = self.0.ids(r).await?;
        let path = format!("/api/2/roles/{role}/users");
        r.ol(
            Method::DELETE,
            &path,
            Some(json!(users)),
            StatusCode::NO_CONTENT,
        )
        .await?;
        Ok(())
    }
}

impl Action for RoleApps {
    const NAME: &'static str = "set_role_apps";

    fn references(&self) -> References<'_> {
        References {
            roles: vec![&self.role],
            ..References::default()
        }
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let role = r.role_id(&self.role)?;
        grant_asana(r, role, !self.apps.is_empty()).await?;
        Ok(())
    }
}

/// `POST /api/2/roles`: the new role's id.
pub(crate) async fn create_role(r: &mut Runner, name: &str) -> Result<u64, StepFailure> {
    let body = r
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

/// `POST /api/2/roles/{id}/users`.
pub(crate) async fn add_members(
    r: &mut Runner,
    role: u64,
    users: &[u64],
) -> Result<(), StepFailure> {
    let path = format!("/api/2/roles/{role}/users");
    r.ol(Method::POST, &path, Some(json!(users)), StatusCode::OK)
        .await?;
    Ok(())
}

/// Gives the role the Asana app, or takes every app away (`PUT` replaces the list).
pub(crate) async fn grant_asana(r: &mut Runner, role: u64, asana: bool) -> Result<(), StepFailure> {
    let apps: Vec<u64> = if asana {
        vec![r.onelogin().asana_app_id()]
    } else {
        vec![]
    };
    let path = format!("/api/2/roles/{role}/apps");
    r.ol(Method::PUT, &path, Some(json!(apps)), StatusCode::OK)
        .await?;
    Ok(())
}

// -- lines of a scenario file, for tools that write scenarios -----------------------------------

/// A new user: `as`, email, first and last name.
pub(crate) fn new_user_line(alias: &str, email: &str, firstname: &str, lastname: &str) -> String {
    line::<NewUser>(&format!(
        "{{ as: {alias}, email: {email}, firstname: {firstname}, lastname: \"{lastname}\" }}"
    ))
}

/// The user joins (or leaves) the role.
pub(crate) fn membership_line(join: bool, role: &str, user: &str) -> String {
    let payload = format!("{{ role: {role}, users: [{user}] }}");
    if join {
        line::<AddRoleUsers>(&payload)
    } else {
        line::<RemoveRoleUsers>(&payload)
    }
}

/// The user suspended (or made active again).
pub(crate) fn suspension_line(suspend: bool, user: &str) -> String {
    let payload = format!("{{ user: {user} }}");
    if suspend {
        line::<SuspendUser>(&payload)
    } else {
        line::<UnsuspendUser>(&payload)
    }
}

pub(crate) fn deletion_line(user: &str) -> String {
    line::<DeleteUser>(&format!("{{ user: {user} }}"))
}

pub(crate) fn title_line(user: &str, title: &str) -> String {
    line::<UserUpdate>(&format!("{{ user: {user}, title: \"{title}\" }}"))
}
