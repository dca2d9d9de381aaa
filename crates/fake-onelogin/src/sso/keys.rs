//! The identity provider's signing keys: made at first need or on rotation, parsed once.
//!
//! Key generation happens outside the store's lock: an RSA-2048 key takes a tenth of a second or
//! more to make.

use harness_saml::SigningKey;

use super::{SsoError, lock};
use crate::model::IdpCertificate;
use crate::state::AppState;
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
pub(super) fn signing_key(
    app: &AppState,
    app_id: u64,
    cert: &IdpCertificate,
) -> Result<SigningKey, SsoError> {
    if let Some(k) = lock(&app.idp.keys).get(&(app_id, cert.id)) {
        return Ok(k.clone());
    }
    let key = SigningKey::from_pem(&cert.private_key, &cert.certificate)
        .map_err(|e| SsoError::Key(e.to_string()))?;
    lock(&app.idp.keys).insert((app_id, cert.id), key.clone());
    Ok(key)
}
