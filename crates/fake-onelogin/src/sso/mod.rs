//! What the identity provider keeps and answers with: parsed signing keys, people's OneLogin
//! sessions, the issuer and endpoint URLs, and the auto-posting form every sign-in ends in.
//! Making keys is `keys`'s, signing assertions `assertion`'s.

pub(crate) mod assertion;
pub(crate) mod keys;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use harness_saml::SigningKey;
use jiff::{SignedDuration, Timestamp};
use tokio::task::JoinHandle;

use crate::model::{IssuerForm, SsoConfig};
use crate::store::StoreError;
use crate::store::sso::{RefusalCode, SsoRefusal};

/// OneLogin's session cookie.
pub const COOKIE: &str = "onelogin_session";

/// Why no assertion was made.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error(transparent)]
    Refused(#[from] SsoRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the signing certificate cannot be used: {0}")]
    Key(String),
}

impl SsoError {
    /// The code the refusal page carries: an unusable key is an SSO tab to fix.
    pub fn code(&self) -> RefusalCode {
        match self {
            SsoError::Refused(r) => r.code(),
            SsoError::Key(_) => RefusalCode::SsoNotConfigured,
            SsoError::Store(_) => RefusalCode::NotFound,
        }
    }
}

/// The auto-posting form an IdP answers with: where to, and the two fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PostForm {
    pub action: String,
    #[serde(rename = "SAMLResponse")]
    pub saml_response: String,
    #[serde(rename = "RelayState")]
    pub relay_state: Option<String>,
}

impl PostForm {
    /// The page a browser receives: it posts itself on load, with a button for no-script.
    pub fn html(&self) -> String {
        let relay = self
            .relay_state
            .as_deref()
            .map(|r| {
                format!(
                    r#"<input type="hidden" name="RelayState" value="{}">"#,
                    harness_html::escape(r)
                )
            })
            .unwrap_or_default();
        format!(
            concat!(
                "<!doctype html><html><head><title>Signing in…</title></head>",
                r#"<body onload="document.forms[0].submit()">"#,
                r#"<form method="post" action="{action}">"#,
                r#"<input type="hidden" name="SAMLResponse" value="{response}">{relay}"#,
                "<noscript><button>Continue</button></noscript></form></body></html>"
            ),
            action = harness_html::escape(&self.action),
            response = self.saml_response,
            relay = relay,
        )
    }
}

/// A person signed in to the fake OneLogin.
#[derive(Debug, Clone, Copy)]
pub struct LoginSession {
    pub user: u64,
    pub since: Timestamp,
}

/// How long a OneLogin sign-in lasts, and how many are kept at once (the harness's choices;
/// OneLogin's session timeout is an account setting): the oldest goes first.
pub const LOGIN_LIFETIME: SignedDuration = SignedDuration::from_hours(24);
pub const MAX_LOGIN_SESSIONS: usize = 10_000;

/// People signed in, and every session's id in the order they were made, which is the order
/// they expire in: sessions leave from the front, so a sign-in never scans the table.
#[derive(Default)]
struct LoginSessions {
    by_id: HashMap<String, LoginSession>,
    order: VecDeque<(Timestamp, String)>,
}

impl LoginSessions {
    fn open(&mut self, id: String, user: u64, now: Timestamp) {
        while let Some((since, _)) = self.order.front() {
            if *since + LOGIN_LIFETIME > now && self.by_id.len() < MAX_LOGIN_SESSIONS {
                break;
            }
            if let Some((since, old)) = self.order.pop_front()
                && self.by_id.get(&old).is_some_and(|s| s.since == since)
            {
                self.by_id.remove(&old);
            }
        }
        self.order.push_back((now, id.clone()));
        self.by_id.insert(id, LoginSession { user, since: now });
        if self.order.len() > 2 * self.by_id.len() + 64 {
            let by_id = &self.by_id;
            self.order.retain(|(_, id)| by_id.contains_key(id));
        }
    }
}

#[derive(Default)]
pub struct Idp {
    /// (app, certificate id) → the parsed key: parsing a PEM key on every sign-in would cost
    /// more than the signature.
    pub(crate) keys: Mutex<HashMap<(u64, u64), SigningKey>>,
    sessions: Mutex<LoginSessions>,
    /// Where reading AuthnRequests, making keys and signing run: never on the async workers.
    pub(crate) cpu: harness_server::CpuPool,
}

impl Idp {
    pub fn open_session(&self, user: u64, now: Timestamp) -> String {
        let id = format!("{:032x}", rand::random::<u128>());
        lock(&self.sessions).open(id.clone(), user, now);
        id
    }

    /// The session behind a cookie, while it lasts.
    pub fn session(&self, id: &str, now: Timestamp) -> Option<LoginSession> {
        let sessions = lock(&self.sessions);
        let session = sessions.by_id.get(id).copied()?;
        (session.since + LOGIN_LIFETIME > now).then_some(session)
    }

    pub fn close_session(&self, id: &str) {
        lock(&self.sessions).by_id.remove(id);
    }

    /// Signs everyone out and forgets the parsed keys (`POST /__admin/reset`).
    pub fn reset(&self) {
        *lock(&self.sessions) = LoginSessions::default();
        self.forget_keys();
    }

    /// After the store is replaced, certificate ids may name other keys.
    pub fn forget_keys(&self) {
        lock(&self.keys).clear();
    }
}

/// Gives the start the app's certificates when it has none (the key made at start).
fn certificates_into_start(app: &crate::state::AppState, id: u64) {
    let Some(certificates) = app.store().app(id).map(|a| a.sso.certificates.clone()) else {
        return;
    };
    let mut start = app.start.write().unwrap_or_else(|e| e.into_inner());
    if let Some(a) = start.apps.iter_mut().find(|a| a.id == id)
        && a.sso.certificates.is_empty()
    {
        a.sso.certificates = certificates;
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// OneLogin's Issuer for every account: a name, never fetched (fidelity/saml §2, [C3]).
const ONELOGIN_ISSUER_BASE: &str = "https://app.onelogin.com";

/// Issuer (entity id) `https://app.onelogin.com/saml/metadata/<app id>`, OneLogin's own, or in
/// the `local` form the fake's metadata URL.
pub fn issuer(form: IssuerForm, origin: &str, app: u64) -> String {
    match form {
        IssuerForm::Onelogin => format!("{ONELOGIN_ISSUER_BASE}/saml/metadata/{app}"),
        IssuerForm::Local => metadata_url(origin, app),
    }
}

/// Where the fake serves the app's metadata, `…/saml/metadata/<app id>`.
pub fn metadata_url(origin: &str, app: u64) -> String {
    format!("{origin}/saml/metadata/{app}")
}

/// SAML 2.0 Endpoint (HTTP) `…/trust/saml2/http-post/sso/<app id>`.
pub fn sso_url(origin: &str, app: u64) -> String {
    format!("{origin}/trust/saml2/http-post/sso/{app}")
}

/// SLO Endpoint (HTTP) `…/trust/saml2/http-redirect/slo/<app id>`.
pub fn slo_url(origin: &str, app: u64) -> String {
    format!("{origin}/trust/saml2/http-redirect/slo/{app}")
}

/// The Asana app's identity provider, as its SSO tab shows it and a test drives it.
impl crate::FakeOneLogin {
    /// The Asana app's SAML 2.0 endpoint (SP-initiated and IdP-initiated sign-in).
    pub fn sso_url(&self) -> String {
        sso_url(&self.app.origin, self.asana_app_id)
    }

    /// The Asana app's Issuer: `https://app.onelogin.com/saml/metadata/<app id>`, or in the
    /// `local` form its metadata URL.
    pub fn issuer(&self) -> String {
        issuer(self.sso().issuer_form, &self.app.origin, self.asana_app_id)
    }

    /// Where the fake serves the Asana app's IdP metadata.
    pub fn metadata_url(&self) -> String {
        metadata_url(&self.app.origin, self.asana_app_id)
    }

    /// The Asana app's SSO tab.
    pub fn sso(&self) -> SsoConfig {
        self.app
            .store()
            .app(self.asana_app_id)
            .expect("the Asana app exists")
            .sso
            .clone()
    }

    /// Changes the Asana app's SSO settings (ACS URL, audience, signature algorithm and element,
    /// issuer form); its certificates change only through [`rotate_idp_certificate`](Self::rotate_idp_certificate).
    pub fn configure_sso(&self, change: impl FnOnce(&mut SsoConfig)) -> Result<(), StoreError> {
        let mut next = self.sso();
        change(&mut next);
        let now = self.app.clock.now();
        self.app.store_mut().set_sso(self.asana_app_id, next, now)
    }

    /// The Asana app's signing certificate in use, PEM (made now if it has none): what an admin
    /// downloads from the SSO tab and uploads to Asana.
    pub fn idp_certificate_pem(&self) -> String {
        keys::ensure_certificate(&self.app, self.asana_app_id).expect("the Asana app exists");
        self.sso().certificates[0].certificate.clone()
    }

    /// Makes the Asana app's signing key now, on a blocking thread, unless it has one: `serve`
    /// calls it at start so that readiness never waits on RSA key generation, and the first
    /// sign-in rarely does. A sign-in that comes first makes the key itself; only one is kept.
    /// The key is part of the start, as if made before it: a reset keeps signing with it.
    pub fn prepare_idp_key(&self) -> JoinHandle<()> {
        let app = self.app.clone();
        let id = self.asana_app_id;
        tokio::task::spawn_blocking(move || match keys::ensure_certificate(&app, id) {
            Ok(()) => certificates_into_start(&app, id),
            Err(e) => tracing::error!(error = %e, "cannot make the IdP signing key"),
        })
    }

    /// Makes a new signing certificate and puts it in use; the old one stays listed.
    pub fn rotate_idp_certificate(&self) -> u64 {
        keys::rotate(&self.app, self.asana_app_id, None).expect("the Asana app exists")
    }

    /// The form the SSO endpoint would post to sign `user_id` in to Asana.
    pub fn assertion_form(
        &self,
        user_id: u64,
        in_response_to: Option<String>,
        relay_state: Option<String>,
    ) -> Result<PostForm, SsoError> {
        assertion::assertion(
            &self.app,
            self.asana_app_id,
            user_id,
            in_response_to,
            relay_state,
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sign-ins last a day and the table is capped: a person signing in every minute for
    /// months leaves the live sessions behind, not every one they ever had.
    #[test]
    fn login_sessions_expire_and_are_capped() {
        let idp = Idp::default();
        let t0 = harness_clock::DEFAULT_EPOCH;
        let first = idp.open_session(1, t0);
        assert!(idp.session(&first, t0).is_some());
        assert!(idp.session(&first, t0 + LOGIN_LIFETIME).is_none());
        for i in 0..MAX_LOGIN_SESSIONS + 10 {
            idp.open_session(2, t0 + SignedDuration::from_secs(i as i64));
        }
        let sessions = lock(&idp.sessions);
        assert_eq!(sessions.by_id.len(), MAX_LOGIN_SESSIONS);
        assert!(
            !sessions.by_id.contains_key(&first),
            "the oldest went first"
        );
        drop(sessions);
        for _ in 0..1_000 {
            let id = idp.open_session(2, t0);
            idp.close_session(&id);
        }
        let sessions = lock(&idp.sessions);
        assert!(sessions.order.len() <= 2 * sessions.by_id.len() + 64);
        drop(sessions);
        let later = t0 + LOGIN_LIFETIME * 2;
        idp.open_session(3, later);
        assert_eq!(lock(&idp.sessions).by_id.len(), 1, "the expired ones went");
    }
}
