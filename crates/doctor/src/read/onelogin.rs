//! OneLogin's API, read with a client credential: the token grant, the Asana app
//! (fidelity/onelogin §3.3, §3.4), its users and each one's provisioning state (§2), and the
//! recent events (§2). Only documented fields are read, so what works against the fake works
//! against OneLogin. No API exposes the approval queue (§3.3): a task waiting for approval shows
//! only as the user's `provisioning_state`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::session::{ReadError, Session, success, unexpected};
use crate::inputs::Inputs;

/// How far back "recent" events go.
const EVENT_DAYS: i64 = 7;
/// At most this many pages of events (v1 pages hold 50).
const EVENT_PAGES: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct OneLoginReadings {
    pub app: AppReading,
    /// The people with the app, each with their provisioning state for it.
    pub users: Vec<AppUser>,
    /// Events of the last days, oldest first.
    pub events: Vec<Event>,
}

/// The documented fields of `GET /api/2/apps/{id}` the checks use.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AppReading {
    pub id: u64,
    pub name: String,
    pub connector_id: Option<u64>,
    pub provisioning: Option<AppProvisioning>,
    pub parameters: BTreeMap<String, Parameter>,
    pub sso: Option<Sso>,
    pub configuration: Option<Configuration>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AppProvisioning {
    pub enabled: Option<bool>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Parameter {
    pub label: Option<String>,
    pub user_attribute_mappings: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Sso {
    pub metadata_url: Option<String>,
    pub acs_url: Option<String>,
    pub sls_url: Option<String>,
    pub issuer: Option<String>,
    pub certificate: Option<SsoCertificate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SsoCertificate {
    pub id: Option<u64>,
    pub name: Option<String>,
    /// PEM ([I] fidelity/onelogin §3.4).
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Configuration {
    pub signature_algorithm: Option<String>,
    pub certificate_id: Option<u64>,
}

impl AppReading {
    /// The NameID (Subject) parameter's mapping: the parameter keyed `saml_username`
    /// (fidelity/onelogin §1.3).
    pub fn name_id_mapping(&self) -> Option<&str> {
        self.mapping("saml_username")
    }

    /// The SCIM Username parameter's mapping, keyed `scimusername` as the SCIM template's
    /// `{$parameters.scimusername}` names it (fidelity/onelogin §1.3).
    pub fn scim_username_mapping(&self) -> Option<&str> {
        self.mapping("scimusername")
    }

    fn mapping(&self, key: &str) -> Option<&str> {
        self.parameters.get(key)?.user_attribute_mappings.as_deref()
    }
}

/// A person with the app (`GET /api/2/apps/{id}/users`), and their provisioning for it from
/// `GET /api/2/users/{id}/apps`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppUser {
    pub id: u64,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default, skip_deserializing)]
    pub provisioning_state: Option<String>,
}

/// An event of the v1 Events API (fidelity/onelogin §2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: u64,
    pub created_at: jiff::Timestamp,
    pub event_type_id: u32,
    #[serde(default)]
    pub user_id: Option<u64>,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub app_id: Option<u64>,
    #[serde(default)]
    pub error_description: Option<String>,
}

pub(super) async fn read(
    session: &mut Session<'_>,
    inputs: &Inputs,
    now: jiff::Timestamp,
) -> Result<OneLoginReadings, ReadError> {
    let base = inputs.onelogin_url.trim_end_matches('/');
    let token = token(session, base, inputs).await?;
    let app = app(session, base, inputs.app_id, &token).await?;
    let mut users = app_users(session, base, inputs.app_id, &token).await?;
    for user in &mut users {
        provisioning(session, base, inputs.app_id, &token, user).await?;
    }
    let events = events(session, base, &token, now).await?;
    Ok(OneLoginReadings { app, users, events })
}

/// The OAuth2 client-credentials grant (fidelity/onelogin §3.1): the one POST of a run.
async fn token(
    session: &mut Session<'_>,
    base: &str,
    inputs: &Inputs,
) -> Result<String, ReadError> {
    const WHAT: &str = "a OneLogin API token (the credential's client id and secret)";
    let url = format!("{base}/auth/oauth2/v2/token");
    let request = session
        .client
        .post(&url)
        .basic_auth(&inputs.client_id, Some(&inputs.client_secret))
        .json(&json!({"grant_type": "client_credentials"}));
    let answer = session.send(WHAT, request).await?;
    let body = success(WHAT, url.clone(), answer)?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| unexpected(WHAT, &url, "no access_token in the answer"))
}

async fn app(
    session: &mut Session<'_>,
    base: &str,
    id: u64,
    token: &str,
) -> Result<AppReading, ReadError> {
    const WHAT: &str = "OneLogin's Asana app";
    let url = format!("{base}/api/2/apps/{id}");
    let raw = session.get_ok(WHAT, url.clone(), token).await?;
    serde_json::from_value(raw).map_err(|e| unexpected(WHAT, &url, e.to_string()))
}

async fn app_users(
    session: &mut Session<'_>,
    base: &str,
    id: u64,
    token: &str,
) -> Result<Vec<AppUser>, ReadError> {
    const WHAT: &str = "the people with OneLogin's Asana app";
    let url = format!("{base}/api/2/apps/{id}/users");
    let body = session.get_ok(WHAT, url.clone(), token).await?;
    serde_json::from_value(body).map_err(|e| unexpected(WHAT, &url, e.to_string()))
}

/// The user's item for this app in `GET /api/2/users/{id}/apps` (fidelity/onelogin §2).
async fn provisioning(
    session: &mut Session<'_>,
    base: &str,
    app: u64,
    token: &str,
    user: &mut AppUser,
) -> Result<(), ReadError> {
    const WHAT: &str = "a person's apps in OneLogin";
    let url = format!("{base}/api/2/users/{}/apps", user.id);
    let body = session.get_ok(WHAT, url.clone(), token).await?;
    let items = body
        .as_array()
        .ok_or_else(|| unexpected(WHAT, &url, "not a list"))?;
    if let Some(item) = items.iter().find(|i| i["id"].as_u64() == Some(app)) {
        user.provisioning_state = item["provisioning_state"].as_str().map(str::to_owned);
    }
    Ok(())
}

/// The last days' events, page by page (v1's envelope and cursor, fidelity/onelogin §3.2).
async fn events(
    session: &mut Session<'_>,
    base: &str,
    token: &str,
    now: jiff::Timestamp,
) -> Result<Vec<Event>, ReadError> {
    const WHAT: &str = "OneLogin's events";
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(24 * EVENT_DAYS))
        .unwrap_or(now);
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..EVENT_PAGES {
        let mut url = format!("{base}/api/1/events?since={since}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&after_cursor={c}"));
        }
        let body = session.get_ok(WHAT, url.clone(), token).await?;
        let page: Vec<Event> = serde_json::from_value(body["data"].clone())
            .map_err(|e| unexpected(WHAT, &url, e.to_string()))?;
        events.extend(page);
        cursor = match &body["pagination"]["after_cursor"] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        if cursor.is_none() {
            break;
        }
    }
    Ok(events)
}
