//! Asana verifies every assertion with the certificate uploaded in its Security tab, by hand
//! (fidelity/saml §1.2): when OneLogin signs with another (a rotation not carried over), nobody
//! can sign in. Certificates are compared by SHA-256 fingerprint; either one expiring soon is
//! the same outage, scheduled.

use harness_saml::{Certificate, KeyError};
use jiff::{SignedDuration, Timestamp};

use super::{Context, Verdict};

/// "Expires soon": within this many days.
const SOON_DAYS: i64 = 30;

/// OneLogin's signing certificate, from `sso.certificate.value` (fidelity/onelogin §3.4).
fn onelogin_certificate(cx: &Context) -> Option<Certificate> {
    let sso = cx.readings.onelogin.app.sso.as_ref()?;
    Certificate::from_pem(sso.certificate.as_ref()?.value.as_deref()?).ok()
}

fn asana_certificate(cx: &Context) -> Option<Result<Certificate, KeyError>> {
    let pem = cx.inputs.asana_security.certificate.as_deref()?;
    Some(Certificate::from_pem(pem))
}

pub(super) fn mismatch(cx: &Context) -> Option<Verdict> {
    let Some(asana) = asana_certificate(cx) else {
        return Some(Verdict::NotChecked {
            give: "--asana-certificate",
        });
    };
    let onelogin = onelogin_certificate(cx)?;
    let fix = "In OneLogin, Applications > Asana > SSO: download the X.509 certificate (View \
               Details, PEM); in Asana, Admin Console > Security > SAML authentication: upload \
               it as the X.509 certificate, then Save."
        .to_owned();
    match asana {
        Err(e) => Some(Verdict::Found {
            evidence: format!("the certificate given as Asana's is not a PEM certificate: {e}"),
            fix,
        }),
        Ok(asana) if asana.sha256_fingerprint() != onelogin.sha256_fingerprint() => {
            Some(Verdict::Found {
                evidence: format!(
                    "OneLogin signs with SHA-256 {} ({}); Asana trusts SHA-256 {} ({})",
                    onelogin.sha256_fingerprint(),
                    onelogin.subject(),
                    asana.sha256_fingerprint(),
                    asana.subject(),
                ),
                fix,
            })
        }
        Ok(_) => None,
    }
}

pub(super) fn expiring(cx: &Context) -> Option<Verdict> {
    let onelogin = onelogin_certificate(cx);
    let asana = asana_certificate(cx).and_then(Result::ok);
    let soon = cx
        .now
        .checked_add(SignedDuration::from_hours(24 * SOON_DAYS))
        .unwrap_or(Timestamp::MAX);
    let expiring: Vec<String> = [("OneLogin's", onelogin), ("Asana's", asana)]
        .into_iter()
        .filter_map(|(whose, c)| {
            let c = c?;
            (c.not_after() <= soon).then(|| {
                format!(
                    "{whose} certificate (SHA-256 {}) expires {}",
                    c.sha256_fingerprint(),
                    c.not_after()
                )
            })
        })
        .collect();
    (!expiring.is_empty()).then(|| Verdict::Found {
        evidence: expiring.join("; "),
        fix: "In OneLogin, Applications > Asana > SSO: make a new certificate; in Asana, Admin \
              Console > Security > SAML authentication: upload it at the same time, then Save."
            .to_owned(),
    })
}
