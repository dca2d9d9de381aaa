//! OneLogin's event log, as `GET /api/1/events` serves it (fidelity/onelogin §2, S14, S22): what
//! the fake did to users' apps, and what provisioning made of it. Provisioning errors carry the
//! target's reason in `error_description` ([C] S14).
//!
//! OneLogin's own event type ids for these are not documented ([U] fidelity/onelogin §2); the ids
//! here are the harness's, and the README lists them.

use std::collections::VecDeque;

use jiff::Timestamp;
use serde::Serialize;

use super::Store;

/// The harness's event types (OneLogin's ids are undocumented: [U]), written as their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "u32")]
#[repr(u32)]
pub enum EventType {
    /// "Actor_user manually added user to app" (S22).
    AppAdded = 9001,
    /// "Actor_user removed user from app" (S22).
    AppRemoved = 9002,
    ProvisioningSucceeded = 9010,
    /// With the target's reason in `error_description`.
    ProvisioningFailed = 9011,
    ProvisioningApproved = 9020,
    ProvisioningDenied = 9021,
    ApiConnected = 9030,
    ApiConnectionFailed = 9031,
}

impl EventType {
    /// Every type, for the README and `GET /api/1/events/types`.
    pub const ALL: [EventType; 8] = [
        EventType::AppAdded,
        EventType::AppRemoved,
        EventType::ProvisioningSucceeded,
        EventType::ProvisioningFailed,
        EventType::ProvisioningApproved,
        EventType::ProvisioningDenied,
        EventType::ApiConnected,
        EventType::ApiConnectionFailed,
    ];

    /// The type's id, as the API writes it.
    pub fn id(self) -> u32 {
        self as u32
    }

    /// What the type means, as `GET /api/1/events/types` names it.
    pub fn name(self) -> &'static str {
        match self {
            EventType::AppAdded => "Admin manually added user to app",
            EventType::AppRemoved => "Admin removed user from app",
            EventType::ProvisioningSucceeded => {
                "User provisioned to app (create, update, suspend, reactivate or delete)"
            }
            EventType::ProvisioningFailed => {
                "Provisioning the user to the app failed; error_description has the target's reason"
            }
            EventType::ProvisioningApproved => "Admin approved a provisioning task",
            EventType::ProvisioningDenied => "Admin denied a provisioning task",
            EventType::ApiConnected => "App's API connection enabled",
            EventType::ApiConnectionFailed => "App's API connection failed",
        }
    }
}

impl From<EventType> for u32 {
    fn from(t: EventType) -> u32 {
        t.id()
    }
}

/// One event, in the v1 resource's field names (S14).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: u64,
    pub created_at: Timestamp,
    pub account_id: u64,
    pub event_type_id: EventType,
    pub user_id: Option<u64>,
    pub user_name: Option<String>,
    pub app_id: Option<u64>,
    pub app_name: Option<String>,
    pub actor_system: String,
    pub notes: Option<String>,
    pub error_description: Option<String>,
}

/// What an event is about, besides its type.
#[derive(Debug, Default)]
pub struct About {
    pub user: Option<u64>,
    pub app: Option<u64>,
    pub notes: Option<String>,
    pub error: Option<String>,
}

impl Store {
    /// Records an event now, and lets go of those past the retention. Ids are the store's own
    /// sequence, so they only grow, and letting go renumbers nothing.
    pub fn record_event(&mut self, event_type_id: EventType, about: About, now: Timestamp) {
        self.event_seq += 1;
        let user_name = about
            .user
            .and_then(|u| self.users.get(&u))
            .map(|u| format!("{} {}", u.firstname, u.lastname).trim().to_owned());
        let app_name = about
            .app
            .and_then(|a| self.apps.get(&a))
            .map(|a| a.name.clone());
        self.events.push_back(Event {
            id: self.event_seq,
            created_at: now,
            account_id: crate::ACCOUNT_ID,
            event_type_id,
            user_id: about.user,
            user_name,
            app_id: about.app,
            app_name,
            actor_system: "asana-harness".into(),
            notes: about.notes,
            error_description: about.error,
        });
        self.sweep_events(now);
    }

    /// Every event kept, oldest first.
    pub fn events(&self) -> &VecDeque<Event> {
        &self.events
    }

    /// The events kept with an id above `after`, oldest first: a cursor's page starts with a
    /// binary search, since ids grow along the log.
    pub fn events_after(&self, after: u64) -> impl Iterator<Item = &Event> {
        let start = self.events.partition_point(|e| e.id <= after);
        self.events.range(start..)
    }
}
