//! Setting a run up: the fake Asana from the scenario's `given` (or an external endpoint in its
//! place), the fake OneLogin, and then `given`'s service accounts, app settings, users and roles,
//! made the way the steps make them.

use fake_asana::{FakeAsana, Fixture};
use harness_clock::Clock;
use serde_json::json;

use super::bindings::Bound;
use super::options::RunOptions;
use super::outcome::{Halt, Skip, fail};
use super::state::{AsanaSide, Runner};
use crate::format::Given;
use crate::format::settings::Scope;
use crate::load::Loaded;
use crate::steps::onelogin_app::enable;
use crate::steps::onelogin_directory::{add_members, create_role, grant_asana};

/// A runner with both sides as the scenario's `given` says, the queue settled.
pub(super) async fn start(
    loaded: &Loaded,
    options: &RunOptions,
    seed: u64,
) -> Result<Runner, Halt> {
    let clock = Clock::manual();
    let client = Runner::client_for(options)?;
    let asana = asana_side(loaded, options, &clock, seed).await?;
    let mut runner = Runner::launch(options, seed, clock, client, asana).await?;
    apply_given(&mut runner, &loaded.scenario.given).await?;
    runner.settle().await?;
    Ok(runner)
}

/// The fake Asana, or the external endpoint when one is given (and the scenario seeds nothing
/// only a fake has).
async fn asana_side(
    loaded: &Loaded,
    options: &RunOptions,
    clock: &Clock,
    seed: u64,
) -> Result<AsanaSide, Halt> {
    let Some(target) = &options.external else {
        let domain = options.organization_domain.as_deref();
        let fake = start_asana(loaded, clock, seed, domain).await?;
        let (scim_url, rest_url) = (fake.scim_url(), fake.base_url());
        return Ok(AsanaSide {
            fake: Some(fake),
            scim_url,
            rest_url,
        });
    };
    let a = &loaded.scenario.given.asana;
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
    let scim_url = target.scim_url.trim_end_matches('/').to_owned();
    let rest_url = scim_url.trim_end_matches("/scim").to_owned();
    Ok(AsanaSide {
        fake: None,
        scim_url,
        rest_url,
    })
}

/// The organization `given` describes: its fixture file, or the default one named and
/// domained as given; then its inline users and teams.
fn fixture_of(loaded: &Loaded, organization_domain: Option<&str>) -> Result<Fixture, Halt> {
    let a = &loaded.scenario.given.asana;
    let mut fixture = match &a.fixture {
        Some(path) => {
            let resolved = crate::load::resolve(&loaded.base_dir, path)
                .ok_or_else(|| fail(format!("given: cannot find the fixture {path}")))?;
            Fixture::load(&resolved).map_err(|e| fail(format!("given: {e}")))?
        }
        None => {
            let mut f = Fixture::default_organization();
            if let Some(name) = &a.organization {
                f.organizations[0].name = name.clone();
            }
            if !a.domains.is_empty() {
                f.organizations[0].domains = a.domains.clone();
            } else if let Some(domain) = organization_domain {
                f.organizations[0].domains = vec![domain.to_owned()];
            }
            f
        }
    };
    fixture.organizations[0]
        .users
        .extend(a.users.iter().map(Into::into));
    fixture.organizations[0]
        .teams
        .extend(a.teams.iter().map(Into::into));
    Ok(fixture)
}

async fn start_asana(
    loaded: &Loaded,
    clock: &Clock,
    seed: u64,
    organization_domain: Option<&str>,
) -> Result<FakeAsana, Halt> {
    let a = &loaded.scenario.given.asana;
    let asana = FakeAsana::builder()
        .profile(a.profile.unwrap_or_default().into())
        .fixture(fixture_of(loaded, organization_domain)?)
        .clock(clock.clone())
        .seed(seed)
        .try_start()
        .await
        .map_err(|e| fail(format!("given: {e}")))?;
    if a.switches.is_empty() && a.rate_limit.is_none() {
        return Ok(asana);
    }
    let mut failure = None;
    asana.configure(|c| {
        let mut body = json!({});
        if !a.switches.is_empty() {
            body["switches"] = json!(a.switches);
        }
        if let Some(limits) = &a.rate_limit {
            body["rate_limit"] = limits.to_json();
        }
        if let Err(e) = c.update(&body) {
            failure = Some(e);
        }
    });
    if let Some(e) = failure {
        return Err(fail(format!("given: {e}")).into());
    }
    Ok(asana)
}

async fn apply_given(r: &mut Runner, given: &Given) -> Result<(), Halt> {
    for sa in &given.asana.service_accounts {
        let bound = match r.external() {
            // The external token is given for SCIM; whether it could do more is unknown.
            Some(_) if sa.scope == Scope::Full => {
                return Err(Halt::Skipped(Skip(format!(
                    "it needs a full-permission service account ({}), and --asana-token is only known to be good for SCIM",
                    sa.name
                ))));
            }
            Some(t) => Bound::ServiceAccount {
                id: serde_json::Value::Null,
                name: json!(sa.name),
                token: json!(t.token),
            },
            None => sa.create(r).await?,
        };
        r.bindings_mut().insert(sa.name.clone(), bound);
    }
    if let Some(app) = &given.onelogin.asana_app {
        app.apply(r).await?;
        if app.connected {
            let status = enable(r).await?;
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
        user.create(r).await?;
    }
    for role in &given.onelogin.roles {
        let name = role
            .display_name
            .clone()
            .unwrap_or_else(|| role.name.clone());
        let id = create_role(r, &name).await?;
        r.bindings_mut()
            .insert(role.name.clone(), Bound::Role { id, name });
        if !role.apps.is_empty() {
            grant_asana(r, id, true).await?;
        }
        if !role.users.is_empty() {
            let mut ids = Vec::new();
            for u in &role.users {
                ids.push(r.user_id(u).await?);
            }
            add_members(r, id, &ids).await?;
        }
    }
    Ok(())
}
