//! What the identity provider writes: a `<samlp:Response>` with one signed `<saml:Assertion>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};

use crate::algorithm::SignatureAlgorithm;
use crate::key::SigningKey;
use crate::sign::{SignatureOptions, sign_element};
use crate::xml::{
    ASSERTION, BEARER, NAMEID_EMAIL, NAMEID_UNSPECIFIED, PASSWORD_PROTECTED, PROTOCOL,
    STATUS_SUCCESS, escape, instant,
};

/// How long before its issue an assertion is valid: clocks drift (fidelity/saml §2, [I]).
pub const VALID_BEFORE: SignedDuration = SignedDuration::from_secs(60);
/// How long after its issue an assertion is valid (fidelity/saml §2, [I]).
pub const VALID_AFTER: SignedDuration = SignedDuration::from_secs(300);

/// Which elements carry a signature (OneLogin's "SAML signature element").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureElement {
    #[default]
    Assertion,
    Response,
    Both,
}

/// Everything an assertion says, chosen by the identity provider.
#[derive(Debug, Clone)]
pub struct AssertionSpec {
    /// The IdP's entity id (`https://app.onelogin.com/saml/metadata/<app id>`).
    pub issuer: String,
    pub name_id: String,
    /// The service provider's entity id.
    pub audience: String,
    /// The ACS URL: the Response's Destination and the SubjectConfirmation's Recipient.
    pub acs_url: String,
    /// The AuthnRequest's ID for SP-initiated sign-in; none for IdP-initiated.
    pub in_response_to: Option<String>,
    /// The issue instant: NotBefore and NotOnOrAfter are counted from it.
    pub now: Timestamp,
    /// When the person signed in to the IdP.
    pub authn_instant: Timestamp,
    /// Unique per response (`_` and hex); the assertion's ID is derived from it.
    pub id: String,
    /// Extra `<saml:Attribute>`s (name, value).
    pub attributes: Vec<(String, String)>,
}

/// How the response is signed.
#[derive(Debug, Clone, Copy)]
pub struct Signing<'a> {
    pub key: &'a SigningKey,
    pub algorithm: SignatureAlgorithm,
    pub element: SignatureElement,
}

/// The signed Response XML.
pub fn build_response(spec: &AssertionSpec, signing: Signing<'_>) -> String {
    let response_id = format!("R{}", spec.id);
    let assertion_id = format!("A{}", spec.id);
    let xml = unsigned_response(spec, &response_id, &assertion_id);
    let xml = match signing.element {
        SignatureElement::Assertion | SignatureElement::Both => sign_element(
            &xml,
            &assertion_id,
            signing.key,
            signing.algorithm,
            SignatureOptions::default(),
        ),
        SignatureElement::Response => xml,
    };
    match signing.element {
        SignatureElement::Response | SignatureElement::Both => sign_element(
            &xml,
            &response_id,
            signing.key,
            signing.algorithm,
            SignatureOptions::default(),
        ),
        SignatureElement::Assertion => xml,
    }
}

/// The signed Response, base64 as the `SAMLResponse` form field carries it.
pub fn encode_response(xml: &str) -> String {
    STANDARD.encode(xml)
}

fn unsigned_response(spec: &AssertionSpec, response_id: &str, assertion_id: &str) -> String {
    let issued = instant(spec.now);
    let not_before = instant(spec.now - VALID_BEFORE);
    let not_after = instant(spec.now + VALID_AFTER);
    let in_response_to = spec
        .in_response_to
        .as_deref()
        .map(|id| format!(r#" InResponseTo="{}""#, escape(id)))
        .unwrap_or_default();
    let format = if looks_like_email(&spec.name_id) {
        NAMEID_EMAIL
    } else {
        NAMEID_UNSPECIFIED
    };
    let issuer = escape(&spec.issuer);
    let acs = escape(&spec.acs_url);
    let mut attributes = String::new();
    if !spec.attributes.is_empty() {
        attributes.push_str("<saml:AttributeStatement>");
        for (name, value) in &spec.attributes {
            attributes.push_str(&format!(
                concat!(
                    r#"<saml:Attribute Name="{}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">"#,
                    "<saml:AttributeValue>{}</saml:AttributeValue></saml:Attribute>"
                ),
                escape(name),
                escape(value)
            ));
        }
        attributes.push_str("</saml:AttributeStatement>");
    }
    format!(
        concat!(
            r#"<samlp:Response xmlns:samlp="{protocol}" xmlns:saml="{assertion}" ID="{rid}" Version="2.0" IssueInstant="{issued}" Destination="{acs}"{irt}>"#,
            "<saml:Issuer>{issuer}</saml:Issuer>",
            r#"<samlp:Status><samlp:StatusCode Value="{success}"/></samlp:Status>"#,
            r#"<saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{issued}">"#,
            "<saml:Issuer>{issuer}</saml:Issuer>",
            "<saml:Subject>",
            r#"<saml:NameID Format="{format}">{name_id}</saml:NameID>"#,
            r#"<saml:SubjectConfirmation Method="{bearer}">"#,
            r#"<saml:SubjectConfirmationData NotOnOrAfter="{not_after}" Recipient="{acs}"{irt}/>"#,
            "</saml:SubjectConfirmation></saml:Subject>",
            r#"<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}">"#,
            "<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>",
            "</saml:Conditions>",
            r#"<saml:AuthnStatement AuthnInstant="{authn}" SessionIndex="_{sid}">"#,
            "<saml:AuthnContext><saml:AuthnContextClassRef>{context}</saml:AuthnContextClassRef></saml:AuthnContext>",
            "</saml:AuthnStatement>{attributes}</saml:Assertion></samlp:Response>",
        ),
        protocol = PROTOCOL,
        assertion = ASSERTION,
        rid = response_id,
        aid = assertion_id,
        issued = issued,
        acs = acs,
        irt = in_response_to,
        issuer = issuer,
        success = STATUS_SUCCESS,
        format = format,
        name_id = escape(&spec.name_id),
        bearer = BEARER,
        not_after = not_after,
        not_before = not_before,
        audience = escape(&spec.audience),
        authn = instant(spec.authn_instant),
        sid = spec.id.trim_start_matches('_'),
        context = PASSWORD_PROTECTED,
        attributes = attributes,
    )
}

/// Format emailAddress when the NameID is an email (fidelity/saml §1), unspecified otherwise.
fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !s.contains(' '),
        None => false,
    }
}
