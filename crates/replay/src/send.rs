//! Sending a recording's exchanges, in order, to a SCIM endpoint: a fresh fake Asana seeded with
//! the people the recording found, or any endpoint (`--against`). Every request carries the
//! target's token, never one from the file; ids are rewritten as the id map learns them.

use fake_asana::fixture::{OrganizationFixture, UserFixture};
use fake_asana::{FakeAsana, Fixture, Profile, Scope};
use serde_json::Value;

use crate::har::{Exchange, Recording};
use crate::ids::IdMap;
use crate::people::{self, Person};

/// Where a replay goes, with its token.
#[derive(Debug, Clone)]
pub struct Target {
    pub scim_url: String,
    pub token: String,
}

/// What the target answered to one recorded exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    /// The path and query as sent (ids rewritten).
    pub target: String,
    /// `None`: no answer (the connection failed).
    pub status: Option<u16>,
    pub response: Value,
    /// Why no answer came.
    pub error: Option<String>,
}

/// A fresh fake Asana for a recording, and the service-account token it minted.
pub struct Fresh {
    pub fake: FakeAsana,
    pub target: Target,
    /// The people seeded into it.
    pub seeded: Vec<Person>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot start the fake Asana: {0}")]
pub struct StartError(#[from] fake_asana::StartError);

/// Starts a fake Asana in `profile` whose organization is on the recording's domains and
/// holds the people it found, and mints a SCIM service account's token.
pub async fn fresh_fake(recording: &Recording, profile: Profile) -> Result<Fresh, StartError> {
    let seeded = people::found(recording);
    let mut domains = people::domains(recording);
    if domains.is_empty() {
        domains = Fixture::default_organization().organizations[0]
            .domains
            .clone();
    }
    let fixture = Fixture {
        organizations: vec![OrganizationFixture {
            name: "Replayed organization".into(),
            domains,
            view_only_licenses: false,
            users: seeded.iter().map(user_fixture).collect(),
            teams: Vec::new(),
            service_accounts: Vec::new(),
        }],
    };
    let fake = FakeAsana::builder()
        .profile(profile)
        .fixture(fixture)
        .try_start()
        .await?;
    let sa = fake.create_service_account("replay", Scope::Scim);
    let target = Target {
        scim_url: fake.scim_url(),
        token: sa.token,
    };
    Ok(Fresh {
        fake,
        target,
        seeded,
    })
}

fn user_fixture(p: &Person) -> UserFixture {
    UserFixture {
        email: p.user_name.clone(),
        name: p.formatted.clone(),
        title: p.title.clone(),
        department: p.department.clone(),
        deprovisioned: !p.active,
    }
}

/// Sends every exchange of `recording` to `target` in order; answers come back in the same
/// order, with the ids the run learned.
pub async fn replay(
    client: &reqwest::Client,
    target: &Target,
    recording: &Recording,
) -> (Vec<Replayed>, IdMap) {
    let mut ids = IdMap::default();
    let mut out = Vec::with_capacity(recording.exchanges.len());
    for e in &recording.exchanges {
        let replayed = send(client, target, e, &mut ids).await;
        ids.learn(&e.response, &replayed.response);
        out.push(replayed);
    }
    (out, ids)
}

async fn send(
    client: &reqwest::Client,
    target: &Target,
    e: &Exchange,
    ids: &mut IdMap,
) -> Replayed {
    let mut path = ids.path(&e.path);
    if let Some(q) = &e.query {
        path = format!("{path}?{}", ids.query(q));
    }
    let method = reqwest::Method::from_bytes(e.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut request = client
        .request(method, format!("{}{path}", target.scim_url))
        .bearer_auth(&target.token);
    if let Some(body) = &e.request {
        let text = match ids.body(body) {
            Value::String(raw) => raw,
            json => json.to_string(),
        };
        let mime = e.request_type.as_deref().unwrap_or("application/scim+json");
        request = request.header("content-type", mime).body(text);
    }
    match request.send().await {
        Ok(answer) => {
            let status = Some(answer.status().as_u16());
            let bytes = answer.bytes().await.unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            let response = if text.is_empty() {
                Value::Null
            } else {
                crate::har::json_or_text(&text)
            };
            Replayed {
                target: path,
                status,
                response,
                error: None,
            }
        }
        Err(err) => Replayed {
            target: path,
            status: None,
            response: Value::Null,
            error: Some(err.to_string()),
        },
    }
}
