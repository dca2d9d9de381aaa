//! With the deletion policy Do Nothing, OneLogin never tells Asana that a person was deleted
//! (fidelity/onelogin §1.2, §6); while SAML is not required, their Asana password still signs
//! them in (fidelity/saml §1.2). Neither value is in an API: both are given by hand.

use super::{Context, Verdict};
use crate::inputs::{DeletionPolicy, SamlMode};

pub(super) fn run(cx: &Context) -> Option<Verdict> {
    let (policy, mode) = (
        cx.inputs.deletion_policy,
        cx.inputs.asana_security.saml_mode,
    );
    let (Some(policy), Some(mode)) = (policy, mode) else {
        return Some(Verdict::NotChecked {
            give: match (policy, mode) {
                (None, None) => "--onelogin-deletion-policy and --asana-saml",
                (None, _) => "--onelogin-deletion-policy",
                _ => "--asana-saml",
            },
        });
    };
    (policy == DeletionPolicy::DoNothing && mode != SamlMode::Required).then(|| Verdict::Found {
        evidence: format!(
            "OneLogin's deletion policy is Do Nothing and Asana's SAML is {}",
            match mode {
                SamlMode::Off => "off",
                _ => "optional",
            }
        ),
        fix: "In OneLogin, Applications > Asana > Provisioning: set \"When users are deleted in \
              OneLogin\" to Delete (or Suspend), then Save; or in Asana, Admin Console > \
              Security: make SAML required."
            .to_owned(),
    })
}
