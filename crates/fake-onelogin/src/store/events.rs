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

/// The harness's event types (OneLogin's ids are undocumented: [U]).
pub mod event_type {
    /// "Actor_user manually added user to app" (S22).
    pub const APP_ADDED: u32 = 9001;
    /// "Actor_user removed user from app" (S22).
    pub const APP_REMOVED: u32 = 9002;
    pub const PROVISIONING_SUCCEEDED: u32 = 9010;
    /// With the target's reason in `error_description`.
    pub const PROVISIONING_FAILED: u32 = 9011;
    pub const PROVISIONING_APPROVED: u32 = 9020;
    pub const PROVISIONING_DENIED: u32 = 9021;
    pub const API_CONNECTED: u32 = 9030;
    pub const API_CONNECTION_FAILED: u32 = 9031;

    /// Each type's id and what it means, for the README and `GET /api/1/events/types`.
    pub const ALL: [(u32, &str); 8] = [
        (APP_ADDED, "Admin manually added user to app"),
        (APP_REMOVED, "Admin removed user from app"),
        (
            PROVISIONING_SUCCEEDED,
            "User provisioned to app (create, update, suspend, reactivate or delete)",
        ),
        (
            PROVISIONING_FAILED,
            "Provisioning the user to the app failed; error_description has the target's reason",
        ),
        (PROVISIONING_APPROVED, "Admin approved a provisioning task"),
        (PROVISIONING_DENIED, "Admin denied a provisioning task"),
        (API_CONNECTED, "App's API connection enabled"),
        (API_CONNECTION_FAILED, "App's API connection failed"),
    ];
}

/// One event, in the v1 resource's field names (S14).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: u64,
    pub created_at: Timestamp,
    pub account_id: u64,
    pub event_type_id: u32,
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
    pub fn record_event(&mut self, event_type_id: u32, about: About, now: Timestamp) {
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
