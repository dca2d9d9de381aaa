//! The identity provider's metadata document (OneLogin's More Actions > SAML Metadata).

use crate::key::Certificate;
use crate::xml::{NAMEID_EMAIL, POST_BINDING, REDIRECT_BINDING, escape};

/// `<md:EntityDescriptor>` for an IdP: entity id, signing certificates (the current one first,
/// then any still listed after a rotation), SSO over Redirect and POST, and SLO.
pub fn idp_metadata(
    entity_id: &str,
    sso_url: &str,
    slo_url: &str,
    certificates: &[&Certificate],
) -> String {
    let keys: String = certificates
        .iter()
        .map(|c| {
            format!(
                concat!(
                    r#"<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">"#,
                    "<ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data>",
                    "</ds:KeyInfo></md:KeyDescriptor>"
                ),
                c.base64()
            )
        })
        .collect();
    let sso = escape(sso_url);
    format!(
        concat!(
            r#"<?xml version="1.0"?>"#,
            "\n",
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}">"#,
            r#"<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">"#,
            "{keys}",
            r#"<md:SingleLogoutService Binding="{redirect}" Location="{slo}"/>"#,
            "<md:NameIDFormat>{email}</md:NameIDFormat>",
            r#"<md:SingleSignOnService Binding="{redirect}" Location="{sso}"/>"#,
            r#"<md:SingleSignOnService Binding="{post}" Location="{sso}"/>"#,
            "</md:IDPSSODescriptor></md:EntityDescriptor>\n"
        ),
        entity = escape(entity_id),
        keys = keys,
        redirect = REDIRECT_BINDING,
        post = POST_BINDING,
        slo = escape(slo_url),
        sso = sso,
        email = NAMEID_EMAIL,
    )
}
