//! SHA-1 signatures still verify, but vendors tell admins to move to SHA-256
//! (fidelity/saml §2.1); the app's `configuration.signature_algorithm` says which is in use
//! (fidelity/onelogin §3.4).

use super::{Context, Verdict};

pub(super) fn sha1(cx: &Context) -> Option<Verdict> {
    let app = &cx.readings.onelogin.app;
    let algorithm = app.configuration.as_ref()?.signature_algorithm.as_deref()?;
    (algorithm.eq_ignore_ascii_case("SHA-1")).then(|| Verdict::Found {
        evidence: format!(
            "app {}: configuration.signature_algorithm is {algorithm:?}",
            app.id
        ),
        fix: "In OneLogin, Applications > Asana > SSO: set SAML Signature Algorithm to SHA-256, \
              then Save."
            .to_owned(),
    })
}
