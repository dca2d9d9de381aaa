//! What the fake Asana's ACS does with a posted `SAMLResponse`, on arbitrary XML: an answer
//! (a verified assertion or a refusal with a reason and a message), never a panic, and never
//! an acceptance of something the fixture IdP did not sign.
#![no_main]

use std::sync::LazyLock;

use base64::Engine as _;
use harness_saml::{Certificate, Expectations, verify_response};
use libfuzzer_sys::fuzz_target;

static TRUSTED: LazyLock<Certificate> = LazyLock::new(|| {
    Certificate::from_pem(include_str!("../../../fixtures/saml/idp.cert.pem")).unwrap()
});

fuzz_target!(|data: &[u8]| {
    // The form field as posted (base64), so the fuzzer explores the XML itself.
    let posted = base64::engine::general_purpose::STANDARD.encode(data);
    let expect = Expectations {
        audience: "https://app.asana.com/",
        acs_url: "http://127.0.0.1:7480/-/saml/consume",
        now: "2026-01-01T09:00:00Z".parse().unwrap(),
        clock_skew: jiff::SignedDuration::ZERO,
    };
    let mut hints = 0;
    match verify_response(&posted, &expect, |_| {
        hints += 1;
        Ok(vec![TRUSTED.clone()])
    }) {
        Ok(verified) => {
            assert!(!verified.name_id.is_empty());
            assert_eq!(hints, 1);
        }
        Err(refusal) => assert!(!refusal.message.is_empty()),
    }
    assert!(hints <= 1, "the tenant is chosen once");
});
