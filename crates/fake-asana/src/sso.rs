//! The service provider's memory between requests, and the ACS decision.
//!
//! What a real SP keeps and the fake keeps too: the AuthnRequests it sent (so InResponseTo can
//! be checked and used once), the assertion IDs it consumed (until they expire: replay), the
//! sessions it made, and a journal of every attempt. None of it is persisted: a restart signs
//! everyone out, as a deploy of a real SP may.
//!
//! Architecture invariant: the response is verified (`harness_saml::verify_response`) before
//! anything in it is used; the organization is only *chosen* by the unverified NameID's domain,
//! and then its own certificate decides.

use std::collections::HashMap;
use std::sync::Mutex;

use harness_html::BoundedLog;
use harness_saml::{AuthnRequest, Certificate, Expectations, Reason, Refusal, verify_response};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::config::{Config, Switch};
use crate::model::{Gid, SamlMode};
use crate::store::Store;
use crate::store::saml::Admission;

/// Asana's SP entity id, the audience every IdP guide configures (asana-facts §8, [C3]).
pub const ENTITY_ID: &str = "https://app.asana.com/";
/// The ACS path (asana-facts §8: `https://app.asana.com/-/saml/consume`).
pub const ACS_PATH: &str = "/-/saml/consume";
/// The password every user of the fake has for password sign-in (a documented harness choice:
/// the fake's password sign-in exists only to show what SAML optional and required change).
pub const PASSWORD: &str = "harness-password";
/// The session cookie.
pub const COOKIE: &str = "asana_session";
/// Clock tolerance: none, since both fakes read the one harness clock (a harness choice).
pub const CLOCK_SKEW: SignedDuration = SignedDuration::ZERO;
/// The most AuthnRequests remembered at once; the oldest is forgotten first.
const MAX_PENDING: usize = 10_000;

/// One sign-in attempt, as `GET /__admin/sign-ins` lists it. Never the assertion's signature
/// value, never a session cookie.
#[derive(Debug, Clone, Serialize)]
pub struct SignIn {
    pub seq: u64,
    pub at: Timestamp,
    /// `saml` or `password`.
    pub via: &'static str,
    pub name_id: Option<String>,
    pub issuer: Option<String>,
    /// `signed_in` or `refused`.
    pub outcome: &'static str,
    pub reason: Option<&'static str>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_gid: Option<Gid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_response_to: Option<String>,
    /// How the member was found when just-in-time provisioning stepped in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission: Option<&'static str>,
}

impl SignIn {
    /// An attempt, refused until it is known to be otherwise.
    fn attempt(
        at: Timestamp,
        via: &'static str,
        name_id: Option<String>,
        issuer: Option<String>,
    ) -> SignIn {
        SignIn {
            seq: 0,
            at,
            via,
            name_id,
            issuer,
            outcome: "refused",
            reason: None,
            message: String::new(),
            user_gid: None,
            in_response_to: None,
            admission: None,
        }
    }

    fn signed_in(mut self, user: Gid, message: String, admission: Option<&'static str>) -> Self {
        self.outcome = "signed_in";
        self.user_gid = Some(user);
        self.message = message;
        self.admission = admission;
        self
    }

    fn refused(mut self, refusal: &Refusal) -> Self {
        self.reason = Some(refusal.reason.code());
        self.message.clone_from(&refusal.message);
        self
    }
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub org: Gid,
    pub user: Gid,
    pub email: String,
    pub expires: Timestamp,
    pub via: &'static str,
}

/// The outcome of a successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: String,
    pub session: Session,
    pub admission: Admission,
    pub relay_state: Option<String>,
}

pub struct Sp {
    inner: Mutex<Inner>,
    log: BoundedLog<SignIn>,
}

#[derive(Default)]
struct Inner {
    /// AuthnRequest ID → (organization, RelayState, when it was sent), oldest first by `order`.
    pending: HashMap<String, (Gid, Option<String>, u64)>,
    issued: u64,
    /// Consumed assertion ID → when it stops being valid anyway.
    used: HashMap<String, Timestamp>,
    sessions: HashMap<String, Session>,
}

impl Sp {
    pub fn new(log_capacity: usize) -> Self {
        Sp {
            inner: Mutex::new(Inner::default()),
            log: BoundedLog::new(log_capacity),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new AuthnRequest for `org`, remembered so its answer can be matched once.
    pub fn authn_request(
        &self,
        org: Gid,
        origin: &str,
        sign_in_url: &str,
        relay_state: Option<String>,
        now: Timestamp,
    ) -> AuthnRequest {
        let mut inner = self.lock();
        inner.issued += 1;
        let n = inner.issued;
        let id = format!(
            "_asana{:016x}",
            harness_clock::stable_hash(&format!("{origin}#{n}"))
        );
        if inner.pending.len() >= MAX_PENDING
            && let Some(oldest) = inner
                .pending
                .iter()
                .min_by_key(|(_, (_, _, order))| *order)
                .map(|(k, _)| k.clone())
        {
            inner.pending.remove(&oldest);
        }
        inner.pending.insert(id.clone(), (org, relay_state, n));
        AuthnRequest {
            id,
            issuer: ENTITY_ID.into(),
            issue_instant: now,
            destination: Some(sign_in_url.into()),
            acs_url: Some(format!("{origin}{ACS_PATH}")),
        }
    }

    /// The ACS: verifies the posted response, matches its NameID to a member, makes a
    /// session. Every attempt is journaled.
    pub fn consume(
        &self,
        store: &mut Store,
        cfg: &Config,
        origin: &str,
        saml_response: &str,
        now: Timestamp,
    ) -> Result<SignedIn, Refusal> {
        let peeked = harness_saml::peek(saml_response);
        let mut entry = SignIn::attempt(now, "saml", peeked.name_id.clone(), peeked.issuer.clone());
        let result = self.decide(store, cfg, origin, saml_response, now, &peeked, &mut entry);
        let entry = match &result {
            Ok(s) => entry.signed_in(
                s.session.user,
                format!("{} signed in", s.session.email),
                s.admission.label(),
            ),
            Err(refusal) => entry.refused(refusal),
        };
        self.log.push(|seq| SignIn { seq, ..entry });
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        store: &mut Store,
        cfg: &Config,
        origin: &str,
        saml_response: &str,
        now: Timestamp,
        peeked: &harness_saml::Unverified,
        entry: &mut SignIn,
    ) -> Result<SignedIn, Refusal> {
        // Choose the organization by the (unverified) NameID's domain; its certificate decides.
        let org = peeked
            .name_id
            .as_deref()
            .and_then(|n| n.rsplit_once('@'))
            .and_then(|(_, domain)| store.org_by_domain(domain))
            .or_else(|| store.default_org())
            .ok_or_else(|| Refusal::new(Reason::SamlOff, "the fake has no organization"))?;
        let settings = store.saml_settings(org).cloned().unwrap_or_default();
        if settings.mode == SamlMode::Off {
            return Err(Refusal::new(
                Reason::SamlOff,
                "SAML is off for this organization; sign in with email and password",
            ));
        }
        let certificates: Vec<Certificate> = settings.parsed_certificate().into_iter().collect();
        let acs = format!("{origin}{ACS_PATH}");
        let verified = verify_response(
            saml_response,
            Expectations {
                certificates: &certificates,
                audience: ENTITY_ID,
                acs_url: &acs,
                now,
                clock_skew: CLOCK_SKEW,
            },
        )?;
        entry.name_id = Some(verified.name_id.clone());
        entry.issuer = Some(verified.issuer.clone());
        entry.in_response_to = verified.in_response_to.clone();

        let relay_state = {
            let mut inner = self.lock();
            inner.used.retain(|_, until| *until > now);
            if inner.used.contains_key(&verified.assertion_id) {
                return Err(Refusal::new(
                    Reason::Replayed,
                    format!("assertion {} was already used", verified.assertion_id),
                ));
            }
            let relay_state = match &verified.in_response_to {
                // IdP-initiated: no request to match (PingOne documents it, asana-facts §8).
                None => None,
                Some(id) => match inner.pending.remove(id) {
                    Some((_, relay, _)) => relay,
                    None => {
                        return Err(Refusal::new(
                            Reason::UnknownRequest,
                            format!("InResponseTo {id} is not a sign-in this SP started"),
                        ));
                    }
                },
            };
            let until = verified
                .not_on_or_after
                .unwrap_or(now + harness_saml::VALID_AFTER);
            inner.used.insert(verified.assertion_id.clone(), until);
            relay_state
        };

        let just_in_time = cfg.on(Switch::SamlJustInTime);
        let (user, admission) = store.saml_member(org, &verified.name_id, now, just_in_time)?;
        let session = Session {
            org,
            user,
            email: verified.name_id.clone(),
            expires: now + SignedDuration::from_hours(i64::from(settings.session_timeout_hours)),
            via: "saml",
        };
        let session_id = self.open(session.clone());
        Ok(SignedIn {
            session_id,
            session,
            admission,
            relay_state,
        })
    }

    /// Password sign-in: guests always, members unless SAML is required.
    pub fn password(
        &self,
        store: &Store,
        email: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<SignedIn, Refusal> {
        let org = email
            .rsplit_once('@')
            .and_then(|(_, d)| store.org_by_domain(d))
            .or_else(|| store.default_org());
        let result = org
            .ok_or_else(|| Refusal::new(Reason::UnknownUser, "the fake has no organization"))
            .and_then(|org| {
                let user = store.password_member(org, email)?;
                if password != PASSWORD {
                    return Err(Refusal::new(Reason::WrongPassword, "the password is wrong"));
                }
                let timeout = store
                    .saml_settings(org)
                    .map_or(24, |s| s.session_timeout_hours);
                Ok(Session {
                    org,
                    user,
                    email: email.to_owned(),
                    expires: now + SignedDuration::from_hours(i64::from(timeout)),
                    via: "password",
                })
            });
        let entry = |seq| SignIn {
            seq,
            at: now,
            via: "password",
            name_id: Some(email.to_owned()),
            issuer: None,
            outcome: if result.is_ok() {
                "signed_in"
            } else {
                "refused"
            },
            reason: result.as_ref().err().map(|r| r.reason.code()),
            message: match &result {
                Ok(_) => format!("{email} signed in with a password"),
                Err(r) => r.message.clone(),
            },
            user_gid: result.as_ref().ok().map(|s| s.user),
            in_response_to: None,
            admission: None,
        };
        self.log.push(entry);
        let session = result?;
        Ok(SignedIn {
            session_id: self.open(session.clone()),
            session,
            admission: Admission::Member,
            relay_state: None,
        })
    }

    /// Journals a refusal made before the response could be read at all (a body over the limit).
    pub fn refuse_unread(&self, refusal: &Refusal, now: Timestamp) {
        let entry = SignIn::attempt(now, "saml", None, None).refused(refusal);
        self.log.push(|seq| SignIn { seq, ..entry });
    }

    fn open(&self, session: Session) -> String {
        let id: u128 = rand::random();
        let id = format!("{id:032x}");
        self.lock().sessions.insert(id.clone(), session);
        id
    }

    /// The session behind a cookie, if it has not expired and its user may still sign in.
    pub fn session(&self, id: &str, store: &Store, now: Timestamp) -> Option<Session> {
        let mut inner = self.lock();
        let session = inner.sessions.get(id)?.clone();
        let user_ok = store
            .user(session.org, session.user)
            .is_some_and(|u| u.is_active());
        if session.expires <= now || !user_ok {
            inner.sessions.remove(id);
            return None;
        }
        Some(session)
    }

    pub fn sign_out(&self, id: &str) {
        self.lock().sessions.remove(id);
    }

    pub fn sign_ins(&self) -> Vec<SignIn> {
        self.log.read(SignIn::clone)
    }

    pub fn clear_sign_ins(&self) {
        self.log.clear();
    }

    /// Forgets requests, consumed assertions and sessions (`POST /__admin/reset`).
    pub fn reset(&self) {
        *self.lock() = Inner::default();
        self.log.clear();
    }
}
