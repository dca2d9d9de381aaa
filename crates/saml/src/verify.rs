//! What the service provider does with a posted `SAMLResponse`: trust nothing it has not
//! verified, and read every value from the very element the signature covers.
//!
//! Order matters, and is the order a refusal is reported in:
//! 1. decode, bound the cost (size, then depth, elements, attributes and namespace declarations
//!    counted on the raw text: `bounds`), and parse once, with no DTD;
//! 2. find the one assertion by structure (the Response's only `Assertion` child; anything else
//!    is signature wrapping) and, in it, the `Subject/NameID`: the caller's tenant hint, from
//!    which it chooses the certificates to trust;
//! 3. verify every signature that claims to cover the assertion, with those certificates only;
//! 4. check the Web SSO profile (SAML profiles §4.1.4) on the verified elements: status,
//!    destination, issuer, bearer confirmation, audience, authentication statement, and the
//!    time windows on the caller's clock.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::{Document, Node, ParsingOptions};

use crate::bounds::{self, Limits};
use crate::key::Certificate;
use crate::profile::Profile;
use crate::reason::{Reason, Refusal};
use crate::signature::{check_signature, signature_child};
use crate::tree::{child, element_text};
use crate::verified::Found;
pub use crate::verified::{Expectations, Verified};
use crate::xml::{ASSERTION, DSIG, PROTOCOL};

/// The largest `SAMLResponse` accepted, base64: real responses are a few kilobytes.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// The most XML nodes (elements, text, comments) a response may have: the element bound of
/// `Limits::RESPONSE` with room for the text between them.
const MAX_NODES: u32 = 10_000;

/// Decodes `saml_response` (the form field) and verifies it.
///
/// `trust` is called once, after the structure is checked and before any signature is, with
/// the assertion's NameID as written: unverified, good only for choosing whose certificates
/// to trust (the tenant). It returns those certificates, or a refusal. The NameID in
/// [`Verified`] is read from the same element after verification.
pub fn verify_response(
    saml_response: &str,
    expect: &Expectations<'_>,
    trust: impl FnOnce(&str) -> Result<Vec<Certificate>, Refusal>,
) -> Result<Verified, Refusal> {
    let xml = decode(saml_response)?;
    let doc = parse(&xml)?;
    let found = locate(&doc)?;
    let certificates = trust(&found.name_id)?;
    let (signed, certificate) = check_signatures(&found, &certificates)?;
    let verified = Profile {
        found: &found,
        expect,
        response_signed: signed != "assertion",
    }
    .check()?;
    Ok(Verified {
        signed,
        certificate,
        ..verified
    })
}

fn decode(saml_response: &str) -> Result<String, Refusal> {
    if saml_response.len() > MAX_RESPONSE_BYTES {
        return Err(Refusal::new(
            Reason::Malformed,
            format!(
                "SAMLResponse is {} bytes; the most accepted is {MAX_RESPONSE_BYTES}",
                saml_response.len()
            ),
        ));
    }
    let compact: String = saml_response
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(Refusal::new(Reason::Malformed, "SAMLResponse is empty"));
    }
    let bytes = STANDARD.decode(compact).map_err(|e| {
        Refusal::new(
            Reason::Malformed,
            format!("SAMLResponse is not base64: {e}"),
        )
    })?;
    let xml = String::from_utf8(bytes)
        .map_err(|_| Refusal::new(Reason::Malformed, "SAMLResponse is not UTF-8 XML"))?;
    bounds::check(&xml, &Limits::RESPONSE).map_err(|e| match e {
        bounds::Exceeded::Dtd => dtd_refusal(),
        e => Refusal::new(
            Reason::TooComplex,
            format!("the response is refused unread: {e}"),
        ),
    })?;
    Ok(xml)
}

fn dtd_refusal() -> Refusal {
    Refusal::new(
        Reason::DtdForbidden,
        "the response has a document type declaration; entities are never expanded",
    )
}

fn parse(xml: &str) -> Result<Document<'_>, Refusal> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(xml, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => dtd_refusal(),
        roxmltree::Error::NodesLimitReached => Refusal::new(
            Reason::TooComplex,
            format!("the response has more than {MAX_NODES} XML nodes"),
        ),
        e => Refusal::new(
            Reason::Malformed,
            format!("the response is not well-formed XML: {e}"),
        ),
    })
}

/// The Response, its one Assertion, and the Assertion's `Subject/NameID`. More than one
/// assertion, one elsewhere, a duplicated ID or a signature anywhere but on these two is how
/// signature wrapping smuggles an unsigned assertion past a signed one.
fn locate<'a, 'i>(doc: &'a Document<'i>) -> Result<Found<'a, 'i>, Refusal> {
    let response = doc.root_element();
    if !response.has_tag_name((PROTOCOL, "Response")) {
        return Err(Refusal::new(
            Reason::Malformed,
            format!(
                "expected a samlp:Response, got <{}>",
                response.tag_name().name()
            ),
        ));
    }
    let assertion = the_assertion(doc, response)?;
    no_wrapping(doc, response, assertion)?;
    let subject = child(assertion, ASSERTION, "Subject")
        .ok_or_else(|| Refusal::new(Reason::Malformed, "the assertion has no Subject"))?;
    let name_id_node = child(subject, ASSERTION, "NameID")
        .ok_or_else(|| Refusal::new(Reason::Malformed, "the Subject has no NameID"))?;
    let name_id = element_text(name_id_node).ok_or_else(|| {
        Refusal::new(
            Reason::AmbiguousNameId,
            "the NameID holds a comment or markup; its text could be read two ways",
        )
    })?;
    let name_id = name_id.trim().to_string();
    if name_id.is_empty() {
        return Err(Refusal::new(Reason::Malformed, "the NameID is empty"));
    }
    Ok(Found {
        response,
        assertion,
        subject,
        name_id_node,
        name_id,
    })
}

/// The one Assertion in the document, a direct child of the Response.
fn the_assertion<'a, 'i>(
    doc: &'a Document<'i>,
    response: Node<'a, 'i>,
) -> Result<Node<'a, 'i>, Refusal> {
    let assertions: Vec<Node<'a, 'i>> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ASSERTION, "Assertion")))
        .collect();
    match assertions.as_slice() {
        [] => {
            let encrypted = doc
                .descendants()
                .any(|n| n.has_tag_name((ASSERTION, "EncryptedAssertion")));
            Err(Refusal::new(
                Reason::Malformed,
                if encrypted {
                    "the assertion is encrypted; Asana's SAML takes plain assertions"
                } else {
                    "the response has no assertion"
                },
            ))
        }
        [one] if one.parent_element() == Some(response) => Ok(*one),
        [_] => Err(Refusal::new(
            Reason::SignatureWrapping,
            "the assertion is not a direct child of the Response",
        )),
        many => Err(Refusal::new(
            Reason::SignatureWrapping,
            format!(
                "the response has {} assertions; exactly one is accepted",
                many.len()
            ),
        )),
    }
}

/// No two elements share an ID, and no signature sits anywhere but on the Response or the
/// Assertion: either would let a reference point at something else than what is read.
fn no_wrapping(
    doc: &Document<'_>,
    response: Node<'_, '_>,
    assertion: Node<'_, '_>,
) -> Result<(), Refusal> {
    let mut ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("ID"))
        .collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(Refusal::new(
            Reason::SignatureWrapping,
            "two elements share an ID, so a reference could mean either",
        ));
    }
    let stray_signature = doc.descendants().any(|n| {
        n.has_tag_name((DSIG, "Signature"))
            && n.parent_element() != Some(response)
            && n.parent_element() != Some(assertion)
    });
    if stray_signature {
        return Err(Refusal::new(
            Reason::SignatureWrapping,
            "a signature sits somewhere other than on the Response or the Assertion",
        ));
    }
    Ok(())
}

/// Every signature on the Response or the Assertion must verify; at least one must exist.
/// Returns where the signatures were, and the certificate that verified them.
fn check_signatures(
    found: &Found<'_, '_>,
    trusted: &[Certificate],
) -> Result<(&'static str, String), Refusal> {
    let on_response = signature_child(found.response)?;
    let on_assertion = signature_child(found.assertion)?;
    let mut certificate = String::new();
    for (element, signature) in [
        (found.response, on_response),
        (found.assertion, on_assertion),
    ] {
        if let Some(signature) = signature {
            certificate = check_signature(element, signature, trusted)?;
        }
    }
    let signed = match (on_response.is_some(), on_assertion.is_some()) {
        (true, true) => "both",
        (true, false) => "response",
        (false, true) => "assertion",
        (false, false) => {
            return Err(Refusal::new(
                Reason::Unsigned,
                "neither the Response nor the Assertion is signed",
            ));
        }
    };
    Ok((signed, certificate))
}
