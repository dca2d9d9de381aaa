//! The service provider's memory between requests, and the ACS decision.
//!
//! What a real SP keeps and the fake keeps too: the AuthnRequests it sent, each bound to the
//! browser that started it (so InResponseTo can be checked and used once, by that browser), the
//! assertion IDs it consumed (until they expire: replay), the sessions it made, and a journal
//! of every attempt. None of it is persisted: a restart signs everyone out, as a deploy of a
//! real SP may.
//!
//! Architecture invariants: the response is verified (`harness_saml::verify_response`) before
//! anything in it is used, the tenant included: the organization is chosen by the domain of
//! the NameID the verifier located by structure, verified with that organization's
//! certificate, and the verified NameID must be the one that chose it. The store's lock is
//! taken only to look up and to decide, never around the XML and RSA work, which the caller
//! runs off the async workers.

mod pending;
mod sessions;

use std::sync::{Mutex, RwLockReadGuard, RwLockWriteGuard};

use harness_saml::{AuthnRequest, Certificate, Expectations, Reason, Refusal, verify_response};
use harness_server::BoundedLog;
use jiff::{SignedDuration, Timestamp};

use crate::config::Config;
use crate::model::{Gid, SamlMode};
use crate::store::saml::Admission;
use crate::store::{Store, StoreError};
use pending::Pending;
pub use sessions::Session;
use sessions::{Consumed, Sessions};

pub mod signin;

pub use pending::LIFETIME as PENDING_LIFETIME;
pub use sessions::MAX_SESSIONS;
pub use signin::SignIn;
use signin::{Outcome, Via};

/// Asana's SP entity id, the audience every IdP guide configures (fidelity/saml §1, [C3]).
pub const ENTITY_ID: &str = "https://app.asana.com/";
/// The ACS path (fidelity/saml §1: `https://app.asana.com/-/saml/consume`).
pub const ACS_PATH: &str = "/-/saml/consume";
/// The password every user of the fake has for password sign-in (a documented harness choice:
/// the fake's password sign-in exists only to show what SAML optional and required change).
pub const PASSWORD: &str = "harness-password";
/// The session cookie.
pub const COOKIE: &str = "asana_session";
/// The cookie that names a browser, set when it starts a sign-in: an answer is accepted only
/// from the browser that asked for it.
pub const BROWSER_COOKIE: &str = "asana_browser";
/// Clock tolerance: none, since both fakes read the one harness clock (a harness choice).
pub const CLOCK_SKEW: SignedDuration = SignedDuration::ZERO;

/// The outcome of a successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: String,
    pub session: Session,
    pub admission: Admission,
    pub relay_state: Option<String>,
}

/// One posted answer, and what the ACS knows of the browser that posted it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub saml_response: &'a str,
    /// The ACS URL it was posted to.
    pub acs_url: &'a str,
    /// The browser cookie, if the browser sent one.
    pub browser: Option<&'a str>,
    /// The browser's current session, ended by a new sign-in.
    pub previous_session: Option<&'a str>,
    /// The configuration the store decides the member under.
    pub config: Config,
    pub now: Timestamp,
}

/// A store refusal of a sign-in, as the sign-in journal and page state it.
impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        let reason = match e {
            StoreError::NoOrganization(_) => {
                return Refusal::new(Reason::UnknownUser, "no such organization");
            }
            StoreError::NotAMemberOf { .. } | StoreError::NoAccount(_) => Reason::UnknownUser,
            StoreError::GuestUsesPassword(_) => Reason::GuestMustUsePassword,
            StoreError::Deprovisioned { .. } => Reason::Deprovisioned,
            StoreError::SamlRequired(_) => Reason::PasswordNotAllowed,
            _ => Reason::Malformed,
        };
        Refusal::new(reason, e.to_string())
    }
}

/// How the SP reaches the store: briefly, to look up or to make one decision.
pub trait StoreAccess {
    fn read(&self) -> RwLockReadGuard<'_, Store>;
    fn write(&self) -> RwLockWriteGuard<'_, Store>;
}

pub struct Sp {
    inner: Mutex<Inner>,
    log: BoundedLog<SignIn>,
}

#[derive(Default)]
struct Inner {
    pending: Pending,
    used: Consumed,
    sessions: Sessions,
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

    /// A new AuthnRequest, started by `browser` and remembered so that its answer is
    /// accepted once, from that browser. Refused when the RelayState is over 80 bytes or too
    /// many sign-ins are in progress.
    pub fn authn_request(
        &self,
        origin: &str,
        sign_in_url: &str,
        relay_state: Option<String>,
        browser: &str,
        now: Timestamp,
    ) -> Result<AuthnRequest, Refusal> {
        // An xs:ID (an NCName: it may not start with a digit) carrying 128 random bits.
        let id = format!("_{}", random_hex());
        self.lock()
            .pending
            .insert(id.clone(), browser, relay_state, now)?;
        Ok(AuthnRequest {
            id,
            issuer: ENTITY_ID.into(),
            issue_instant: now,
            destination: Some(sign_in_url.into()),
            acs_url: Some(format!("{origin}{ACS_PATH}")),
        })
    }

    /// The ACS: verifies the posted response, matches its NameID to a member, makes a
    /// session. Every attempt is journaled. CPU-heavy (XML, RSA): call it off the async
    /// workers; it takes the store's lock only to look up and to decide.
    pub fn consume(
        &self,
        store: &impl StoreAccess,
        answer: Answer<'_>,
    ) -> Result<SignedIn, Refusal> {
        let mut entry = SignIn::attempt(answer.now, Via::Saml, None, None);
        let result = self.decide(store, answer, &mut entry);
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

    fn decide(
        &self,
        store: &impl StoreAccess,
        answer: Answer<'_>,
        entry: &mut SignIn,
    ) -> Result<SignedIn, Refusal> {
        let now = answer.now;
        let mut chosen = None;
        let verified = verify_response(
            answer.saml_response,
            &Expectations {
                audience: ENTITY_ID,
                acs_url: answer.acs_url,
                now,
                clock_skew: CLOCK_SKEW,
            },
            |hint| {
                entry.name_id = Some(hint.to_owned());
                let (org, certificates, timeout) = trust_for(&store.read(), hint)?;
                chosen = Some((org, hint.to_owned(), timeout));
                Ok(certificates)
            },
        )?;
        let (org, hint, timeout_hours) = chosen.expect("the verifier asks whom to trust");
        entry.name_id = Some(verified.name_id.clone());
        entry.name_id_verified = true;
        entry.issuer = Some(verified.issuer.clone());
        entry.in_response_to = verified.in_response_to.clone();
        if verified.name_id != hint {
            return Err(Refusal::new(
                Reason::SignatureWrapping,
                "the verified NameID is not the one that chose the organization",
            ));
        }

        let relay_state = {
            let mut inner = self.lock();
            if inner.used.contains(&verified.assertion_id, now) {
                return Err(Refusal::new(
                    Reason::Replayed,
                    format!("assertion {} was already used", verified.assertion_id),
                ));
            }
            let relay_state = match &verified.in_response_to {
                // IdP-initiated: no request to match (PingOne documents it, fidelity/saml §1).
                None => None,
                Some(id) => inner.pending.take(id, answer.browser, now)?.relay_state,
            };
            inner
                .used
                .insert(verified.assertion_id.clone(), verified.valid_until, now);
            relay_state
        };

        let (user, admission) =
            store
                .write()
                .saml_member(org, &verified.name_id, now, &answer.config)?;
        let session = Session {
            org,
            user,
            email: verified.name_id.clone(),
            expires: now + SignedDuration::from_hours(i64::from(timeout_hours)),
            via: Via::Saml,
            issuer: Some(verified.issuer.clone()),
            admission,
        };
        let session_id = self.open(
            session.clone(),
            answer.previous_session,
            answer.browser,
            now,
        );
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
        previous_session: Option<&str>,
        browser: Option<&str>,
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
                    via: Via::Password,
                    issuer: None,
                    admission: Admission::Member,
                })
            });
        let entry = |seq| SignIn {
            seq,
            at: now,
            via: Via::Password,
            name_id: Some(email.to_owned()),
            name_id_verified: false,
            issuer: None,
            outcome: if result.is_ok() {
                Outcome::SignedIn
            } else {
                Outcome::Refused
            },
            reason: result.as_ref().err().map(|r| r.reason),
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
            session_id: self.open(session.clone(), previous_session, browser, now),
            session,
            admission: Admission::Member,
            relay_state: None,
        })
    }

    /// Journals a refusal made before the response could be read at all (a body over the limit).
    pub fn refuse_unread(&self, refusal: &Refusal, now: Timestamp) {
        let entry = SignIn::attempt(now, Via::Saml, None, None).refused(refusal);
        self.log.push(|seq| SignIn { seq, ..entry });
    }

    /// A new session with a new id; the browser's previous session ends, whether the browser
    /// sent its cookie (`previous`) or is known by its `asana_browser` cookie.
    fn open(
        &self,
        session: Session,
        previous: Option<&str>,
        browser: Option<&str>,
        now: Timestamp,
    ) -> String {
        let id = random_hex();
        let mut inner = self.lock();
        if let Some(previous) = previous {
            inner.sessions.remove(previous);
        }
        inner.sessions.insert(id.clone(), session, browser, now);
        id
    }

    /// The session behind a cookie, if it has not expired and its user may still sign in.
    pub fn session(&self, id: &str, store: &Store, now: Timestamp) -> Option<Session> {
        let mut inner = self.lock();
        inner.sessions.expire(now);
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

/// The organization a NameID's domain names (or the default one), its certificate, and its
/// session timeout: whom to trust for this hint. Refused when SAML is off there.
fn trust_for(store: &Store, hint: &str) -> Result<(Gid, Vec<Certificate>, u32), Refusal> {
    let org = hint
        .rsplit_once('@')
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
    let certificates = settings.parsed_certificate().into_iter().collect();
    Ok((org, certificates, settings.session_timeout_hours))
}

/// 128 bits from the OS's CSPRNG, as 32 hex digits: request and session ids.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
