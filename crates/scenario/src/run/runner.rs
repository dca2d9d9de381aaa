//! The runner's state and its step loop: the fakes, the clock, what is bound, what was seen; and
//! one `match` that hands each step to the side it acts on.

use std::collections::BTreeMap;

use fake_asana::FakeAsana;
use fake_onelogin::FakeOneLogin;
use harness_clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::bindings::Bindings;
use super::browser::SsoMemory;
use super::log::{ExchangeLog, Transcript};
use super::options::{ExternalTarget, RunOptions};
use super::outcome::{Halt, Skip, fail, mismatch};
use super::tasks::{Decision, describe_task};
use crate::format::*;
use crate::load::Loaded;
use fake_onelogin::UserStatus;

/// The fixture IdP key pair every scenario's OneLogin signs with (`fixtures/saml`).
const IDP_KEY: &str = include_str!("../../../../fixtures/saml/idp.key.pem");
const IDP_CERTIFICATE: &str = include_str!("../../../../fixtures/saml/idp.cert.pem");

/// One scenario's world, driven a step at a time.
pub(super) struct Runner {
    pub(super) asana: Option<FakeAsana>,
    pub(super) onelogin: FakeOneLogin,
    pub(super) client: reqwest::Client,
    pub(super) clock: Clock,
    pub(super) external: Option<ExternalTarget>,
    pub(super) scim_url: String,
    pub(super) rest_url: String,
    /// OneLogin's API access token.
    pub(super) token: String,
    pub(super) bindings: Bindings,
    /// The exchanges with the SCIM target, from the harness's side.
    pub(super) exchanges: ExchangeLog,
    /// The newest outbound exchange of the fake OneLogin already collected.
    pub(super) outbound_seen: u64,
    pub(super) transcript: Transcript,
    /// Sign-ins so far, and the browser client.
    pub(super) sso: SsoMemory,
    /// Against an external endpoint: (resource, id, name) of what this run created there.
    pub(super) created: Vec<(&'static str, String, String)>,
}

impl Runner {
    pub(super) async fn start(
        loaded: &Loaded,
        options: &RunOptions,
        seed: u64,
    ) -> Result<Runner, Halt> {
        let given = &loaded.scenario.given;
        let clock = Clock::manual();
        let ca_cert = options.external.as_ref().and_then(|t| t.ca_cert.clone());
        let client = match &ca_cert {
            None => harness_tls::client::new(),
            Some(pem) => reqwest::Certificate::from_pem(pem.as_bytes())
                .and_then(|ca| {
                    harness_tls::client::builder()
                        .add_root_certificate(ca)
                        .build()
                })
                .map_err(|e| fail(format!("--ca-cert: {e}")))?,
        };
        let (asana, scim_url, rest_url) = match &options.external {
            Some(target) => {
                let a = &given.asana;
                if a.fixture.is_some()
                    || a.profile.is_some()
                    || !a.users.is_empty()
                    || !a.teams.is_empty()
                    || !a.switches.is_empty()
                    || a.rate_limit.is_some()
                {
                    return Err(Halt::Skipped(Skip(
                        "it seeds the fake Asana (fixture, profile, users, teams, switches or rate limits), which an external endpoint does not have".into(),
                    )));
                }
                let scim = target.scim_url.trim_end_matches('/').to_owned();
                let rest = scim.trim_end_matches("/scim").to_owned();
                (None, scim, rest)
            }
            None => {
                let asana = Runner::start_asana(
                    loaded,
                    &clock,
                    seed,
                    options.organization_domain.as_deref(),
                )
                .await?;
                let (scim, rest) = (asana.scim_url(), asana.base_url());
                (Some(asana), scim, rest)
            }
        };
        let mut onelogin = FakeOneLogin::builder();
        if let Some(pem) = &ca_cert {
            onelogin = onelogin.ca_certificate(pem.clone());
        }
        let onelogin = onelogin
            .clock(clock.clone())
            .seed(seed)
            // A fixed IdP key: runs repeat, and no run waits for a key to be made.
            .idp_key(IDP_KEY, IDP_CERTIFICATE)
            .asana_scim_url(scim_url.clone())
            .start()
            .await;
        let token = Runner::access_token(&client, &onelogin).await?;
        let bindings = Bindings::new(BTreeMap::from([
            ("asana", json!({"scim_url": scim_url, "base_url": rest_url})),
            (
                "onelogin",
                json!({"base_url": onelogin.uri(), "asana_app_id": onelogin.asana_app_id()}),
            ),
        ]));
        let mut runner = Runner {
            asana,
            onelogin,
            client,
            clock,
            external: options.external.clone(),
            scim_url,
            rest_url,
            token,
            bindings,
            exchanges: ExchangeLog::default(),
            outbound_seen: 0,
            transcript: Transcript::new(options.transcript, options.har),
            sso: SsoMemory::default(),
            created: Vec::new(),
        };
        runner.apply_given(given).await?;
        runner.settle().await?;
        Ok(runner)
    }

    /// A request to either fake's admin API (`url` in full). Declared JSON even without a
    /// body: both fakes refuse an admin write that is not, since a page on another site cannot
    /// send that header.
    pub(super) fn admin_request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
    }

    pub(super) async fn apply_given(&mut self, given: &Given) -> Result<(), Halt> {
        for sa in &given.asana.service_accounts {
            let binding = match &self.external {
                // The external token is given for SCIM; whether it could do more is unknown.
                Some(_) if sa.scope == Scope::Full => {
                    return Err(Halt::Skipped(Skip(format!(
                        "it needs a full-permission service account ({}), and --asana-token is only known to be good for SCIM",
                        sa.name
                    ))));
                }
                Some(t) => {
                    json!({"kind": "service_account", "id": null, "name": sa.name, "token": t.token})
                }
                None => self.new_service_account(sa).await?,
            };
            self.bindings.insert(sa.name.clone(), binding);
        }
        if let Some(app) = &given.onelogin.asana_app {
            self.configure_app(app).await?;
            if app.connected {
                let status = self.enable().await?;
                if status["api_status"] != "connected" {
                    return Err(fail(format!(
                        "given: the Asana app did not connect: {}",
                        status["api_error"]
                    ))
                    .into());
                }
            }
        }
        for user in &given.onelogin.users {
            self.create_user(user).await?;
        }
        for role in &given.onelogin.roles {
            let name = role
                .display_name
                .clone()
                .unwrap_or_else(|| role.name.clone());
            let id = self.create_role(&name).await?;
            self.bindings.insert(
                role.name.clone(),
                json!({"kind": "role", "id": id, "name": name}),
            );
            if !role.apps.is_empty() {
                self.set_role_apps(id, true).await?;
            }
            if !role.users.is_empty() {
                let mut ids = Vec::new();
                for u in &role.users {
                    ids.push(self.user_id(u).await?);
                }
                self.add_role_users(id, &ids).await?;
            }
        }
        Ok(())
    }

    pub(super) async fn stop(self) {
        self.onelogin.shutdown().await;
        if let Some(a) = self.asana {
            a.shutdown().await;
        }
    }

    pub(super) async fn step(&mut self, step: &Step) -> Result<(), Halt> {
        match step {
            Step::CreateUser(u) => self.create_user(u).await?,
            Step::UpdateUser(u) => {
                let id = self.user_id(&u.user).await?;
                self.update_user(id, u).await?;
            }
            Step::SuspendUser(u) => {
                let id = self.user_id(&u.user).await?;
                self.set_user_status(id, UserStatus::Suspended.code())
                    .await?;
            }
            Step::UnsuspendUser(u) => {
                let id = self.user_id(&u.user).await?;
                self.set_user_status(id, UserStatus::Active.code()).await?;
            }
            Step::DeleteUser(u) => {
                let id = self.user_id(&u.user).await?;
                self.delete_user(id).await?;
            }
            Step::AddRoleUsers(r) => {
                let (role, users) = self.role_and_users(r).await?;
                self.add_role_users(role, &users).await?;
            }
            Step::RemoveRoleUsers(r) => {
                let (role, users) = self.role_and_users(r).await?;
                self.remove_role_users(role, &users).await?;
            }
            Step::SetRoleApps(r) => {
                let role = self.role_id(&r.role)?;
                self.set_role_apps(role, !r.apps.is_empty()).await?;
            }
            Step::AssignApp(u) | Step::UnassignApp(u) => {
                let id = self.user_id(&u.user).await?;
                let app = self.onelogin.asana_app_id();
                let (method, expect) = match step {
                    Step::AssignApp(_) => (Method::POST, None),
                    _ => (Method::DELETE, Some(StatusCode::NO_CONTENT)),
                };
                let path = format!("/__admin/users/{id}/apps/{app}");
                let (status, reply) = self.ol_any(method, &path, None).await?;
                if !status.is_success() || expect.is_some_and(|e| e != status) {
                    return Err(fail(format!("{}: {status} {reply}", step.kind())).into());
                }
            }
            Step::ResetAppUsers(_) => {
                let app = self.onelogin.asana_app_id();
                self.ol(
                    Method::POST,
                    &format!("/__admin/apps/{app}/users/reset"),
                    None,
                    StatusCode::OK,
                )
                .await?;
            }
            Step::ImportUsers(expect) => {
                let app = self.onelogin.asana_app_id();
                let report = self
                    .ol(
                        Method::POST,
                        &format!("/__admin/apps/{app}/import"),
                        None,
                        StatusCode::OK,
                    )
                    .await?;
                let count = |key: &str| {
                    report[key]
                        .as_array()
                        .map_or_else(|| report[key].as_u64().unwrap_or(0) as usize, Vec::len)
                };
                for (key, wanted) in [
                    ("read", expect.read),
                    ("linked", expect.linked),
                    ("already_linked", expect.already_linked),
                    ("unmatched", expect.unmatched),
                ] {
                    if let Some(wanted) = wanted
                        && count(key) != wanted
                    {
                        return Err(mismatch(
                            format!("the import's {key}"),
                            wanted.to_string(),
                            count(key).to_string(),
                        )
                        .into());
                    }
                }
            }
            Step::ConfigureApp(app) => self.configure_app(app).await?,
            Step::EnableApi(_) => {
                self.enable().await?;
            }
            Step::Approve(t) => self.decide(t, Decision::Approve).await?,
            Step::Deny(t) => self.decide(t, Decision::Deny).await?,
            Step::Retry(t) => self.decide(t, Decision::Retry).await?,
            Step::CreateServiceAccount(sa) => {
                let binding = self.new_service_account(sa).await?;
                self.bindings.insert(sa.name.clone(), binding);
            }
            Step::CreatePersonalAccessToken(p) => {
                let reply = self
                    .asana_admin(
                        Method::POST,
                        "/personal-access-tokens",
                        Some(json!({"user": p.user})),
                        "create_personal_access_token",
                    )
                    .await?;
                self.bindings.insert(p.name.clone(), json!({"kind": "personal_access_token", "token": reply["token"], "user": reply["user"]}));
            }
            Step::DeauthorizeServiceAccount(a) => {
                let uri = self.asana("deauthorize_service_account")?.uri();
                let id = self.account_id(&a.account)?;
                let response = self
                    .admin_request(
                        Method::DELETE,
                        &format!("{uri}/__admin/service-accounts/{id}"),
                    )
                    .send()
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                if response.status() != StatusCode::NO_CONTENT {
                    return Err(fail(format!(
                        "deauthorizing {} answered {}",
                        a.account,
                        response.status()
                    ))
                    .into());
                }
            }
            Step::RotateServiceAccount(a) => {
                // Skipped, not failed, against an external endpoint: it has no admin side.
                self.asana("rotate_service_account")?;
                let id = self.account_id(&a.account)?;
                let reply = self
                    .asana_admin(
                        Method::POST,
                        &format!("/service-accounts/{id}/rotate"),
                        None,
                        "rotate_service_account",
                    )
                    .await?;
                if let Some(b) = self.bindings.get_mut(&a.account) {
                    b["token"] = reply["token"].clone();
                }
            }
            Step::ScimRequest(r) => {
                let base = self.scim_url.clone();
                self.http(r, &base).await?;
            }
            Step::RestRequest(r) => {
                let base = self.rest_url.clone();
                self.http(r, &base).await?;
            }
            Step::SetSwitches(switches) => {
                self.asana_admin(
                    Method::PUT,
                    "/config",
                    Some(json!({"switches": switches})),
                    "set_switches",
                )
                .await?;
            }
            Step::SetRateLimit(limits) => self.set_rate_limit(limits).await?,
            Step::InjectFault(f) => {
                let body = serde_json::to_value(f).expect("serializes");
                self.asana_admin(Method::POST, "/faults", Some(body), "inject_fault")
                    .await?;
            }
            Step::ClearFaults(_) => {
                self.asana_admin(Method::DELETE, "/faults", None, "clear_faults")
                    .await?;
            }
            Step::AdvanceClock(d) => self.clock.advance(d.0),
            Step::ExpectApiStatus(e) => self.expect_api_status(e).await?,
            Step::ExpectTask(e) => self.expect_task(e).await?,
            Step::ExpectNoTask(t) => {
                if let Some(found) = self.find_task(&t.user, t.action, &[]).await? {
                    return Err(mismatch(
                        format!("{} has a task", t.user),
                        "no task",
                        describe_task(&found),
                    )
                    .into());
                }
            }
            Step::ExpectAsanaUser(e) => self.expect_asana_user(e).await?,
            Step::ExpectTeamMembers(e) => self.expect_team(e)?,
            Step::ExpectUserApp(e) => self.expect_user_app(e).await?,
            Step::ExpectExchanges(e) => self.exchanges.expect(e)?,
            Step::ConfigureSso(s) => self.configure_sso(s).await?,
            Step::SignIn(s) => self.sign_in(s).await?,
            Step::TamperAssertion(t) => self.tamper_assertion(t).await?,
            Step::RotateIdpCertificate(r) => self.rotate_idp_certificate(r).await?,
            Step::ExpectSignIn(e) => self.expect_sign_in(e)?,
            Step::ExpectSession(e) => self.expect_session(e).await?,
            Step::ExpectEvent(e) => self.expect_event(e).await?,
        }
        Ok(())
    }
}
