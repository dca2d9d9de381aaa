//! The NameID (Subject) the assertion carries must be the member's email: Asana matches it to a
//! member by email, and the KB article maps it to Email (fidelity/onelogin §1.3,
//! fidelity/saml §2.2). A NameID and a SCIM Username that differ name one person two ways.

use super::{Context, Verdict};

const EMAIL: &str = "email";

pub(super) fn not_email(cx: &Context) -> Option<Verdict> {
    let app = &cx.readings.onelogin.app;
    let mapped = app.name_id_mapping()?;
    (!mapped.eq_ignore_ascii_case(EMAIL)).then(|| Verdict::Found {
        evidence: format!(
            "app {}: parameter saml_username (NameID) maps to {mapped:?}, not \"email\"",
            app.id
        ),
        fix: "In OneLogin, Applications > Asana > Parameters: map NameID to Email, then Save."
            .to_owned(),
    })
}

/// Only when neither is Email: with one of them Email, the other's own check says it all.
pub(super) fn differs_from_scim_username(cx: &Context) -> Option<Verdict> {
    let app = &cx.readings.onelogin.app;
    let name_id = app.name_id_mapping()?;
    let scim = app.scim_username_mapping()?;
    let neither_email = !name_id.eq_ignore_ascii_case(EMAIL) && !scim.eq_ignore_ascii_case(EMAIL);
    (neither_email && !name_id.eq_ignore_ascii_case(scim)).then(|| Verdict::Found {
        evidence: format!(
            "app {}: NameID maps to {name_id:?}, SCIM Username to {scim:?}: Asana's member is \
             made by one and signed in by the other",
            app.id
        ),
        fix: "In OneLogin, Applications > Asana > Parameters: map both NameID and SCIM Username \
              to Email, then Save."
            .to_owned(),
    })
}
