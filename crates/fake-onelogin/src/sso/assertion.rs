//! The signed assertion form every sign-in ends in (the SSO endpoint's and the admin API's).
//! Signing happens outside the store's lock: a signature takes a few milliseconds.

use harness_saml::{AssertionSpec, Signing, build_response, encode_response};
use jiff::Timestamp;
use rand::Rng;

use super::keys::{ensure_certificate, signing_key};
use super::{PostForm, SsoError, issuer};
use crate::model::SignatureElement;
use crate::state::AppState;
use crate::store::sso::SsoRefusal;

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
