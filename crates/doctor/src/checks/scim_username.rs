//! Asana refuses a `userName` that is not an email (fidelity/asana §5.1), so the SCIM Username
//! parameter must map to Email, as the KB article says (fidelity/onelogin §1.3).

use super::{Context, Verdict};

pub(super) fn not_email(cx: &Context) -> Option<Verdict> {
    let app = &cx.readings.onelogin.app;
    let mapped = app.scim_username_mapping()?;
    (!mapped.eq_ignore_ascii_case("email")).then(|| Verdict::Found {
        evidence: format!(
            "app {}: parameter scimusername (SCIM Username) maps to {mapped:?}, not \"email\"",
            app.id
        ),
        fix: "In OneLogin, Applications > Asana > Parameters: map SCIM Username to Email, Save, \
              then retry the failed tasks in Users > Provisioning."
            .to_owned(),
    })
}
