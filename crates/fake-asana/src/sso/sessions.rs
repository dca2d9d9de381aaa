//! The sessions the SP made, and the assertion IDs it consumed: both let go once expired, in
//! order of expiry, so that a sandbox signing people in for weeks keeps only what is live.
//!
//! Each table has a heap of expiries beside it; every call pops what has expired from its
//! top, so the cost is the entries let go, never a scan of the table. An entry removed early
//! (a sign-out, a browser's next sign-in) leaves its expiry in the heap until it comes up or
//! the heap, grown to twice the table, is rebuilt from it. Sessions are capped besides (their
//! timeout is up to 720 hours): beyond [`MAX_SESSIONS`] the one that would expire first ends.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use jiff::Timestamp;

use crate::model::Gid;

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub org: Gid,
    pub user: Gid,
    pub email: String,
    pub expires: Timestamp,
    pub via: crate::sso::signin::Via,
    /// The IdP whose assertion made the session (SAML only), for the home page to name.
    pub issuer: Option<String>,
    /// How the sign-in found its member, which the home page says after the redirect.
    pub admission: crate::store::saml::Admission,
}

/// The most sessions kept at once (the harness's choice; Asana documents none).
pub const MAX_SESSIONS: usize = 10_000;

type Expiries = BinaryHeap<Reverse<(Timestamp, String)>>;

/// A heap of expiries is rebuilt from its table once it holds this many more than the table.
fn too_stale(heap: usize, live: usize) -> bool {
    heap > 2 * live + 64
}

#[derive(Debug, Default)]
pub struct Sessions {
    by_id: HashMap<String, (Session, Option<String>)>,
    /// Each browser's (its `asana_browser` cookie) current session.
    of_browser: HashMap<String, String>,
    expiries: Expiries,
}

impl Sessions {
    /// Keeps a new session, ending `browser`'s previous one and, beyond the cap, the one that
    /// would expire first.
    pub fn insert(&mut self, id: String, session: Session, browser: Option<&str>, now: Timestamp) {
        self.expire(now);
        if let Some(browser) = browser
            && let Some(before) = self.of_browser.insert(browser.to_owned(), id.clone())
        {
            self.by_id.remove(&before);
        }
        self.expiries.push(Reverse((session.expires, id.clone())));
        self.by_id.insert(id, (session, browser.map(str::to_owned)));
        while self.by_id.len() > MAX_SESSIONS {
            let Some(Reverse((_, oldest))) = self.expiries.pop() else {
                break;
            };
            self.remove(&oldest);
        }
        if too_stale(self.expiries.len(), self.by_id.len()) {
            self.expiries = self
                .by_id
                .iter()
                .map(|(id, (s, _))| Reverse((s.expires, id.clone())))
                .collect();
        }
    }

    pub fn get(&self, id: &str) -> Option<&Session> {
        self.by_id.get(id).map(|(s, _)| s)
    }

    pub fn remove(&mut self, id: &str) {
        if let Some((_, Some(browser))) = self.by_id.remove(id)
            && self.of_browser.get(&browser).is_some_and(|s| s == id)
        {
            self.of_browser.remove(&browser);
        }
    }

    /// Lets go of every session expired by `now`.
    pub fn expire(&mut self, now: Timestamp) {
        while let Some(Reverse((at, _))) = self.expiries.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((at, id))) = self.expiries.pop() else {
                break;
            };
            if self.by_id.get(&id).is_some_and(|(s, _)| s.expires == at) {
                self.remove(&id);
            }
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
}

/// Consumed assertion IDs, each kept until the assertion itself would have expired: after
/// that the verifier refuses it anyway, so the ID has nothing left to guard.
#[derive(Debug, Default)]
pub struct Consumed {
    until: HashMap<String, Timestamp>,
    expiries: Expiries,
}

impl Consumed {
    /// Whether `id` was consumed and could still be presented.
    pub fn contains(&self, id: &str, now: Timestamp) -> bool {
        self.until.get(id).is_some_and(|until| *until > now)
    }

    pub fn insert(&mut self, id: String, until: Timestamp, now: Timestamp) {
        self.expire(now);
        self.expiries.push(Reverse((until, id.clone())));
        self.until.insert(id, until);
        if too_stale(self.expiries.len(), self.until.len()) {
            self.expiries = self
                .until
                .iter()
                .map(|(id, until)| Reverse((*until, id.clone())))
                .collect();
        }
    }

    /// Lets go of every ID whose assertion expired by `now`.
    pub fn expire(&mut self, now: Timestamp) {
        while let Some(Reverse((at, _))) = self.expiries.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((at, id))) = self.expiries.pop() else {
                break;
            };
            if self.until.get(&id) == Some(&at) {
                self.until.remove(&id);
            }
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.until.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn t0() -> Timestamp {
        "2026-01-01T09:00:00Z".parse().unwrap()
    }

    fn session(expires: Timestamp) -> Session {
        Session {
            org: Gid(1),
            user: Gid(2),
            email: "a@acme.test".into(),
            expires,
            via: crate::sso::signin::Via::Saml,
            issuer: None,
            admission: crate::store::saml::Admission::Member,
        }
    }

    #[test]
    fn sessions_go_when_they_expire_and_the_cap_holds() {
        let mut s = Sessions::default();
        let hour = SignedDuration::from_hours(1);
        s.insert("a".into(), session(t0() + hour), Some("b1"), t0());
        s.insert("b".into(), session(t0() + hour * 3), None, t0());
        s.expire(t0() + hour);
        assert!(s.get("a").is_none(), "expired");
        assert!(s.get("b").is_some());
        assert!(s.of_browser.is_empty(), "the browser's entry went with it");
        for i in 0..MAX_SESSIONS + 5 {
            let expires = t0() + hour * 2 + SignedDuration::from_secs(i as i64);
            s.insert(format!("s{i}"), session(expires), None, t0());
        }
        assert_eq!(s.len(), MAX_SESSIONS);
        assert!(s.get("s0").is_none(), "the soonest to expire ended first");
        assert!(s.get(&format!("s{}", MAX_SESSIONS + 4)).is_some());
        assert!(s.expiries.len() <= 2 * s.len() + 64);
    }

    #[test]
    fn a_browsers_next_sign_in_ends_its_last_and_stale_expiries_do_not_pile_up() {
        let mut s = Sessions::default();
        let day = SignedDuration::from_hours(24);
        for i in 0..10_000 {
            s.insert(format!("s{i}"), session(t0() + day), Some("one"), t0());
        }
        assert_eq!(s.len(), 1);
        assert!(s.get("s9999").is_some());
        assert!(s.expiries.len() <= 2 * s.len() + 64, "{}", s.expiries.len());
    }

    #[test]
    fn consumed_ids_are_kept_until_their_assertion_expires() {
        let mut c = Consumed::default();
        let minute = SignedDuration::from_mins(1);
        c.insert("_a".into(), t0() + minute * 5, t0());
        c.insert("_b".into(), t0() + minute, t0());
        assert!(c.contains("_a", t0() + minute));
        assert!(!c.contains("_b", t0() + minute));
        c.expire(t0() + minute * 2);
        assert_eq!(c.len(), 1);
        c.expire(t0() + minute * 5);
        assert_eq!(c.len(), 0);
    }
}
