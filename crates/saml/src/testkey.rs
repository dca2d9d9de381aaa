//! The fixture key pair, so unit tests never wait on key generation.

use std::sync::OnceLock;

use crate::key::SigningKey;

pub fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::from_pem(
            include_str!("../../../fixtures/saml/idp.key.pem"),
            include_str!("../../../fixtures/saml/idp.cert.pem"),
        )
        .expect("the fixture key pair")
    })
}
