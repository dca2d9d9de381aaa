//! Asana sends a person who starts at Asana to its Security tab's sign-in page URL, which must
//! be OneLogin's SAML 2.0 endpoint for this app (fidelity/saml §1.2, §2.1); the app's
//! `sso.acs_url` is that endpoint ([I] fidelity/onelogin §3.4). Another app's endpoint, or an
//! old subdomain, breaks sign-in from Asana while sign-in from OneLogin's portal still works.

use super::{Context, Verdict};

pub(super) fn mismatch(cx: &Context) -> Option<Verdict> {
    let Some(asana) = cx.inputs.asana_security.sign_in_url.as_deref() else {
        return Some(Verdict::NotChecked {
            give: "--asana-sign-in-url",
        });
    };
    let app = &cx.readings.onelogin.app;
    let onelogin = app.sso.as_ref()?.acs_url.as_deref()?;
    let same = |u: &str| u.trim().trim_end_matches('/').to_ascii_lowercase();
    (same(asana) != same(onelogin)).then(|| Verdict::Found {
        evidence: format!(
            "Asana's sign-in page URL is {asana}; app {}'s SAML 2.0 endpoint is {onelogin}",
            app.id
        ),
        fix: format!(
            "In Asana, Admin Console > Security > SAML authentication: set the sign-in page URL \
             to {onelogin} (OneLogin, Applications > Asana > SSO: SAML 2.0 Endpoint (HTTP)), \
             then Save."
        ),
    })
}
