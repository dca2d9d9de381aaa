//! The identity provider at work: making signing keys (at first need, or on rotation) and the
//! signed assertion form every sign-in ends in (the SSO endpoint's and the admin API's).
//!
//! Key generation and signing happen outside the store's lock: an RSA-2048 key takes a tenth of
//! a second or more to make, a signature a few milliseconds.

use harness_saml::{AssertionSpec, Signing, SigningKey, build_response, encode_response};
use jiff::Timestamp;
use rand::Rng;

use crate::AppState;
use crate::model::{IdpCertificate, SignatureElement};
use crate::sso::{PostForm, SsoError, issuer, lock};
use crate::store::sso::SsoRefusal;

/// Makes the app's first certificate if it has none. Called at start by `serve`, and by
/// anything that needs one; a fixture or state that carries one is used as it is.
pub fn ensure_certificate(app: &AppState, app_id: u64) -> Result<(), SsoError> {
    let none = app
        .store()
        .app(app_id)
        .ok_or(SsoRefusal::NoApp(app_id))?
        .sso
        .certificates
        .is_empty();
    if none {
        rotate(app, app_id, Some(0))?;
    }
    Ok(())
}

/// Makes a new certificate and puts it in use. With `only_if_count`, does nothing unless the
/// app still has that many certificates (so two first uses make one key, not two).
pub fn rotate(app: &AppState, app_id: u64, only_if_count: Option<usize>) -> Result<u64, SsoError> {
    let now = app.clock.now();
    let key = SigningKey::generate(&format!("OneLogin Account {}", crate::ACCOUNT_ID), now)
        .map_err(|e| SsoError::Key(e.to_string()))?;
    let mut store = app.store_mut();
    if let Some(n) = only_if_count {
        let current = store
            .app(app_id)
            .ok_or(SsoRefusal::NoApp(app_id))?
            .sso
            .certificates
            .len();
        if current != n {
            return Ok(store.app(app_id).expect("checked").sso.certificates[0].id);
        }
    }
    let id = store.add_certificate(app_id, key.certificate().pem(), key.key_pem(), now)?;
    lock(&app.idp.keys).insert((app_id, id), key);
    Ok(id)
}

/// The key of a certificate, parsed once.
fn signing_key(app: &AppState, app_id: u64, cert: &IdpCertificate) -> Result<SigningKey, SsoError> {
    if let Some(k) = lock(&app.idp.keys).get(&(app_id, cert.id)) {
        return Ok(k.clone());
    }
    let key = SigningKey::from_pem(&cert.private_key, &cert.certificate)
        .map_err(|e| SsoError::Key(e.to_string()))?;
    lock(&app.idp.keys).insert((app_id, cert.id), key.clone());
    Ok(key)
}

/// The signed form that signs `user` in to `app_id`: NameID from the Parameters tab, times on
/// the harness clock, signed as the SSO tab says.
pub fn assertion(
    app: &AppState,
    app_id: u64,
    user: u64,
    in_response_to: Option<String>,
    relay_state: Option<String>,
    authn_instant: Option<Timestamp>,
) -> Result<PostForm, SsoError> {
    ensure_certificate(app, app_id)?;
    let now = app.clock.now();
    let (subject, sso, cert) = {
        let store = app.store();
        let subject = store.sso_subject(app_id, user)?;
        let a = store.app(app_id).ok_or(SsoRefusal::NoApp(app_id))?;
        (subject, a.sso.clone(), a.sso.certificates[0].clone())
    };
    let key = signing_key(app, app_id, &cert)?;
    let id = {
        let mut rng = app.rng.lock().unwrap_or_else(|e| e.into_inner());
        format!("_{:032x}", rng.random::<u128>())
    };
    let spec = AssertionSpec {
        issuer: issuer(sso.issuer_form, &app.origin, app_id),
        name_id: subject.name_id,
        audience: sso.audience,
        acs_url: subject.acs_url.clone(),
        in_response_to,
        now,
        authn_instant: authn_instant.unwrap_or(now),
        id,
        attributes: vec![("email".into(), subject.email)],
    };
    let xml = build_response(
        &spec,
        Signing {
            key: &key,
            algorithm: sso.signature_algorithm.saml(),
            element: match sso.signature_element {
                SignatureElement::Assertion => harness_saml::SignatureElement::Assertion,
                SignatureElement::Response => harness_saml::SignatureElement::Response,
                SignatureElement::Both => harness_saml::SignatureElement::Both,
            },
        },
    );
    Ok(PostForm {
        action: subject.acs_url,
        saml_response: encode_response(&xml),
        relay_state,
    })
}
