//! The AuthnRequests the SP has sent and not yet seen answered, each bound to the browser that
//! started it.
//!
//! A pending request is what lets an answer through: so its ID is unguessable (128 bits from
//! the OS's CSPRNG), it is good only for the browser whose cookie was set when it was made,
//! and it expires. Memory is bounded per browser (a browser's oldest is let go for its newest)
//! and in total; when the total is full, a new start is refused rather than pushing out
//! another browser's request, so anonymous traffic cannot evict a sign-in in progress.

use std::collections::{HashMap, VecDeque};

use harness_saml::{Reason, Refusal};
use jiff::{SignedDuration, Timestamp};

/// How long a sign-in may wait for its answer (a harness choice; real SPs keep minutes).
pub const LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// The most sign-ins one browser may have in progress.
pub const PER_BROWSER: usize = 8;
/// The most sign-ins in progress at once.
pub const TOTAL: usize = 10_000;
/// The longest RelayState accepted: SAML bindings §3.4.3 and §3.5.3 (80 bytes).
pub const MAX_RELAY_STATE: usize = 80;

/// A sign-in the SP started.
#[derive(Debug, Clone)]
pub struct Request {
    pub relay_state: Option<String>,
    browser: String,
    expires: Timestamp,
}

#[derive(Debug, Default)]
pub struct Pending {
    by_id: HashMap<String, Request>,
    /// Each browser's request IDs, oldest first.
    by_browser: HashMap<String, VecDeque<String>>,
    /// Every request's expiry and ID, in the order they were made, which is the order they
    /// expire in (one lifetime for all): expired requests go from the front as new ones come,
    /// so a start never scans the table. Requests answered early stay here until they come up
    /// or the queue, grown to twice the table, is compacted.
    by_expiry: VecDeque<(Timestamp, String)>,
}

impl Pending {
    /// Remembers a new request `id` for `browser`, or refuses the start.
    pub fn insert(
        &mut self,
        id: String,
        browser: &str,
        relay_state: Option<String>,
        now: Timestamp,
    ) -> Result<(), Refusal> {
        if let Some(relay) = &relay_state
            && relay.len() > MAX_RELAY_STATE
        {
            return Err(Refusal::new(
                Reason::RelayStateTooLong,
                format!(
                    "RelayState is {} bytes; SAML's bindings allow at most {MAX_RELAY_STATE}",
                    relay.len()
                ),
            ));
        }
        if self.by_browser.get(browser).map_or(0, VecDeque::len) >= PER_BROWSER {
            let oldest = self
                .by_browser
                .get_mut(browser)
                .and_then(VecDeque::pop_front);
            if let Some(oldest) = oldest {
                self.by_id.remove(&oldest);
            }
        }
        self.purge(now);
        if self.by_id.len() >= TOTAL {
            return Err(Refusal::new(
                Reason::TooManyPending,
                format!("{TOTAL} sign-ins are waiting for an answer; try again in a few minutes"),
            ));
        }
        self.by_browser
            .entry(browser.to_owned())
            .or_default()
            .push_back(id.clone());
        self.by_expiry.push_back((now + LIFETIME, id.clone()));
        self.by_id.insert(
            id,
            Request {
                relay_state,
                browser: browser.to_owned(),
                expires: now + LIFETIME,
            },
        );
        if self.by_expiry.len() > 2 * self.by_id.len() + 64 {
            let by_id = &self.by_id;
            self.by_expiry.retain(|(_, id)| by_id.contains_key(id));
        }
        Ok(())
    }

    /// The request an answer names, used up, if `browser` started it and it has not expired.
    /// An answer presented by another browser leaves the request for its own browser.
    pub fn take(
        &mut self,
        id: &str,
        browser: Option<&str>,
        now: Timestamp,
    ) -> Result<Request, Refusal> {
        let Some(request) = self.by_id.get(id) else {
            return Err(Refusal::new(
                Reason::UnknownRequest,
                format!("InResponseTo {id} is not a sign-in this SP started, or it was answered"),
            ));
        };
        if request.expires <= now {
            self.remove(id);
            return Err(Refusal::new(
                Reason::RequestExpired,
                format!(
                    "the sign-in {id} was started more than {} minutes ago; start again",
                    LIFETIME.as_mins()
                ),
            ));
        }
        if browser != Some(request.browser.as_str()) {
            return Err(Refusal::new(
                Reason::OtherBrowser,
                format!("the sign-in {id} was started in another browser; start it in this one"),
            ));
        }
        Ok(self.remove(id).expect("present"))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_id.len()
    }

    fn remove(&mut self, id: &str) -> Option<Request> {
        let request = self.by_id.remove(id)?;
        if let Some(ids) = self.by_browser.get_mut(&request.browser) {
            ids.retain(|i| i != id);
            if ids.is_empty() {
                self.by_browser.remove(&request.browser);
            }
        }
        Some(request)
    }

    /// Lets go of the requests expired by `now`, oldest first.
    fn purge(&mut self, now: Timestamp) {
        while let Some((expires, _)) = self.by_expiry.front() {
            if *expires > now {
                break;
            }
            let Some((expires, id)) = self.by_expiry.pop_front() else {
                break;
            };
            if self.by_id.get(&id).is_some_and(|r| r.expires == expires) {
                self.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Timestamp {
        "2026-01-01T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_request_is_taken_once_by_its_own_browser() {
        let mut p = Pending::default();
        p.insert("_a".into(), "b1", Some("/x".into()), t0())
            .unwrap();
        let refused = p.take("_a", Some("b2"), t0()).unwrap_err();
        assert_eq!(refused.reason, Reason::OtherBrowser);
        assert_eq!(
            p.take("_a", None, t0()).unwrap_err().reason,
            Reason::OtherBrowser
        );
        let taken = p.take("_a", Some("b1"), t0()).unwrap();
        assert_eq!(taken.relay_state.as_deref(), Some("/x"));
        assert_eq!(
            p.take("_a", Some("b1"), t0()).unwrap_err().reason,
            Reason::UnknownRequest
        );
    }

    #[test]
    fn requests_expire_on_the_given_clock() {
        let mut p = Pending::default();
        p.insert("_a".into(), "b", None, t0()).unwrap();
        let late = p.take("_a", Some("b"), t0() + LIFETIME).unwrap_err();
        assert_eq!(late.reason, Reason::RequestExpired);
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn a_browser_keeps_its_newest_and_cannot_touch_another_browsers() {
        let mut p = Pending::default();
        p.insert("_victim".into(), "victim", None, t0()).unwrap();
        for i in 0..PER_BROWSER * 3 {
            p.insert(format!("_{i}"), "noisy", None, t0()).unwrap();
        }
        assert_eq!(p.len(), PER_BROWSER + 1);
        assert!(p.take("_0", Some("noisy"), t0()).is_err());
        assert!(
            p.take(&format!("_{}", PER_BROWSER * 3 - 1), Some("noisy"), t0())
                .is_ok()
        );
        assert!(p.take("_victim", Some("victim"), t0()).is_ok());
    }

    #[test]
    fn a_full_table_refuses_new_starts_instead_of_evicting() {
        let mut p = Pending::default();
        p.insert("_victim".into(), "victim", None, t0()).unwrap();
        for i in 0..TOTAL - 1 {
            p.insert(format!("_{i}"), &format!("anon{i}"), None, t0())
                .unwrap();
        }
        let full = p.insert("_more".into(), "anon", None, t0()).unwrap_err();
        assert_eq!(full.reason, Reason::TooManyPending);
        assert!(p.take("_victim", Some("victim"), t0()).is_ok());
        // Once the others expire, starts are taken again.
        p.insert("_later".into(), "anon", None, t0() + LIFETIME)
            .unwrap();
    }

    #[test]
    fn expired_and_answered_requests_do_not_pile_up() {
        let mut p = Pending::default();
        for i in 0..5_000 {
            let id = format!("_{i}");
            p.insert(id.clone(), &format!("b{i}"), None, t0()).unwrap();
            p.take(&id, Some(&format!("b{i}")), t0()).unwrap();
        }
        assert_eq!(p.len(), 0);
        assert!(p.by_expiry.len() <= 64, "{}", p.by_expiry.len());
        for i in 0..100 {
            p.insert(format!("_late{i}"), "b", None, t0()).unwrap();
        }
        p.insert("_next".into(), "c", None, t0() + LIFETIME)
            .unwrap();
        assert_eq!(p.len(), 1, "the expired ones went as the next came");
        assert!(!p.by_browser.contains_key("b"));
    }

    #[test]
    fn relay_state_over_80_bytes_is_refused_and_not_stored() {
        let mut p = Pending::default();
        let refused = p
            .insert("_a".into(), "b", Some("x".repeat(81)), t0())
            .unwrap_err();
        assert_eq!(refused.reason, Reason::RelayStateTooLong);
        assert_eq!(p.len(), 0);
        p.insert("_b".into(), "b", Some("x".repeat(80)), t0())
            .unwrap();
    }
}
