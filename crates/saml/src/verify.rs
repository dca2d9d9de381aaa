//! What the service provider does with a posted `SAMLResponse`: trust nothing it has not
//! verified, and read every value from the very element the signature covers.
//!
//! Order matters, and is the order a refusal is reported in: decode and parse (no DTD, bounded
//! size), find exactly one assertion (more is signature wrapping), verify every signature that
//! claims to cover it against the trusted certificates only (never the one in `KeyInfo`), then
//! check status, destination, audience, recipient and the time window on the harness clock.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};
use roxmltree::{Document, Node, NodeType, ParsingOptions};

use crate::algorithm::SignatureAlgorithm;
use crate::c14n::canonicalize;
use crate::key::Certificate;
use crate::reason::{Reason, Refusal};
use crate::xml::{
    ASSERTION, BEARER, DSIG, ENVELOPED, EXC_C14N, PROTOCOL, STATUS_SUCCESS, parse_instant,
};

/// The largest `SAMLResponse` accepted, base64: real responses are a few kilobytes.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// The most XML nodes a response may have.
const MAX_NODES: u32 = 5_000;

/// What the service provider expects of a response.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    /// The certificates uploaded to the SP; a signature must verify with one of them.
    pub certificates: &'a [Certificate],
    /// The SP's entity id.
    pub audience: &'a str,
    /// The ACS URL the response was posted to.
    pub acs_url: &'a str,
    pub now: Timestamp,
    /// Tolerance for the IdP's clock, both ways.
    pub clock_skew: SignedDuration,
}

/// An assertion that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub assertion_id: String,
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub in_response_to: Option<String>,
    pub not_on_or_after: Option<Timestamp>,
    pub session_index: Option<String>,
    /// Which element the accepted signature was on: `assertion`, `response` or `both`.
    pub signed: &'static str,
    /// SHA-1 fingerprint of the certificate that verified it.
    pub certificate: String,
}

/// What can be read of a response before (or without) trusting it: for the journal only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unverified {
    pub issuer: Option<String>,
    pub name_id: Option<String>,
}

/// Decodes `saml_response` (the form field) and verifies it.
pub fn verify_response(saml_response: &str, expect: Expectations<'_>) -> Result<Verified, Refusal> {
    let xml = decode(saml_response)?;
    verify_xml(&xml, expect)
}

/// Reads issuer and NameID without trusting them, so a refusal can still be journaled.
pub fn peek(saml_response: &str) -> Unverified {
    let Ok(xml) = decode(saml_response) else {
        return Unverified::default();
    };
    let Ok(doc) = parse(&xml) else {
        return Unverified::default();
    };
    let text_of = |name: &str| {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(|t| t.trim().to_string())
    };
    Unverified {
        issuer: text_of("Issuer"),
        name_id: text_of("NameID"),
    }
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
    String::from_utf8(bytes)
        .map_err(|_| Refusal::new(Reason::Malformed, "SAMLResponse is not UTF-8 XML"))
}

fn parse(xml: &str) -> Result<Document<'_>, Refusal> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(xml, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => Refusal::new(
            Reason::DtdForbidden,
            "the response has a document type declaration; entities are never expanded",
        ),
        roxmltree::Error::NodesLimitReached => Refusal::new(
            Reason::Malformed,
            format!("the response has more than {MAX_NODES} XML nodes"),
        ),
        e => Refusal::new(
            Reason::Malformed,
            format!("the response is not well-formed XML: {e}"),
        ),
    })
}

pub(crate) fn verify_xml(xml: &str, expect: Expectations<'_>) -> Result<Verified, Refusal> {
    let doc = parse(xml)?;
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

    // Exactly one assertion, the Response's child; IDs unique. Anything else is how signature
    // wrapping smuggles an unsigned assertion past a signed one.
    let assertions: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ASSERTION, "Assertion")))
        .collect();
    let assertion = match assertions.as_slice() {
        [] => {
            let encrypted = doc
                .descendants()
                .any(|n| n.has_tag_name((ASSERTION, "EncryptedAssertion")));
            return Err(Refusal::new(
                Reason::Malformed,
                if encrypted {
                    "the assertion is encrypted; Asana's SAML takes plain assertions"
                } else {
                    "the response has no assertion"
                },
            ));
        }
        [one] if one.parent_element() == Some(response) => *one,
        [_] => {
            return Err(Refusal::new(
                Reason::SignatureWrapping,
                "the assertion is not a direct child of the Response",
            ));
        }
        many => {
            return Err(Refusal::new(
                Reason::SignatureWrapping,
                format!(
                    "the response has {} assertions; exactly one is accepted",
                    many.len()
                ),
            ));
        }
    };
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

    let on_response = signature_child(response)?;
    let on_assertion = signature_child(assertion)?;
    let mut certificate = None;
    for (element, signature) in [(response, on_response), (assertion, on_assertion)] {
        if let Some(signature) = signature {
            certificate = Some(check_signature(element, signature, expect.certificates)?);
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
    let certificate = certificate.unwrap_or_default();

    // From here on, every value is read from the verified elements.
    let status = child(response, PROTOCOL, "Status")
        .and_then(|s| child(s, PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("Value"));
    if status != Some(STATUS_SUCCESS) {
        return Err(Refusal::new(
            Reason::IdpError,
            format!("the IdP answered {}", status.unwrap_or("no status")),
        ));
    }
    if let Some(destination) = response.attribute("Destination")
        && destination != expect.acs_url
    {
        return Err(Refusal::new(
            Reason::WrongDestination,
            format!("the response is for {destination}, not {}", expect.acs_url),
        ));
    }
    let issuer = child(assertion, ASSERTION, "Issuer")
        .map(|i| element_text(i).unwrap_or_default())
        .unwrap_or_default();
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

    // Bearer confirmation: Recipient is this ACS, the window has not passed.
    let confirmation = subject
        .children()
        .filter(|n| n.has_tag_name((ASSERTION, "SubjectConfirmation")))
        .find(|n| n.attribute("Method") == Some(BEARER))
        .and_then(|c| child(c, ASSERTION, "SubjectConfirmationData"))
        .ok_or_else(|| {
            Refusal::new(
                Reason::Malformed,
                "the Subject has no bearer SubjectConfirmationData",
            )
        })?;
    match confirmation.attribute("Recipient") {
        Some(r) if r == expect.acs_url => {}
        other => {
            return Err(Refusal::new(
                Reason::WrongDestination,
                format!(
                    "the assertion's Recipient is {}, not {}",
                    other.unwrap_or("missing"),
                    expect.acs_url
                ),
            ));
        }
    }
    let confirmation_until = time_attr(confirmation, "NotOnOrAfter")?;
    let conditions = child(assertion, ASSERTION, "Conditions");
    let not_before = conditions
        .map(|c| time_attr(c, "NotBefore"))
        .transpose()?
        .flatten();
    let not_after = conditions
        .map(|c| time_attr(c, "NotOnOrAfter"))
        .transpose()?
        .flatten();
    if let Some(nb) = not_before
        && expect.now + expect.clock_skew < nb
    {
        return Err(Refusal::new(
            Reason::NotYetValid,
            format!("the assertion is valid from {nb}; it is {}", expect.now),
        ));
    }
    for until in [not_after, confirmation_until].into_iter().flatten() {
        if expect.now - expect.clock_skew >= until {
            return Err(Refusal::new(
                Reason::Expired,
                format!(
                    "the assertion was valid until {until}; it is {}",
                    expect.now
                ),
            ));
        }
    }
    let audiences: Vec<String> = conditions
        .into_iter()
        .flat_map(|c| {
            c.children()
                .filter(|n| n.has_tag_name((ASSERTION, "AudienceRestriction")))
        })
        .flat_map(|r| {
            r.children()
                .filter(|n| n.has_tag_name((ASSERTION, "Audience")))
        })
        .filter_map(element_text)
        .map(|a| a.trim().to_string())
        .collect();
    if !audiences.is_empty() && !audiences.iter().any(|a| a == expect.audience) {
        return Err(Refusal::new(
            Reason::WrongAudience,
            format!(
                "the assertion is for {}, not {}",
                audiences.join(", "),
                expect.audience
            ),
        ));
    }
    if audiences.is_empty() {
        return Err(Refusal::new(
            Reason::WrongAudience,
            format!(
                "the assertion names no audience; it must name {}",
                expect.audience
            ),
        ));
    }

    let in_response_to = confirmation
        .attribute("InResponseTo")
        .or_else(|| response.attribute("InResponseTo"))
        .map(str::to_string);
    Ok(Verified {
        assertion_id: assertion.attribute("ID").unwrap_or_default().to_string(),
        issuer,
        name_id,
        name_id_format: name_id_node.attribute("Format").map(str::to_string),
        in_response_to,
        not_on_or_after: not_after.or(confirmation_until),
        session_index: child(assertion, ASSERTION, "AuthnStatement")
            .and_then(|s| s.attribute("SessionIndex"))
            .map(str::to_string),
        signed,
        certificate,
    })
}

/// The element's one `<ds:Signature>` child; two is wrapping.
fn signature_child<'a, 'i>(element: Node<'a, 'i>) -> Result<Option<Node<'a, 'i>>, Refusal> {
    let mut found = element
        .children()
        .filter(|n| n.has_tag_name((DSIG, "Signature")));
    let first = found.next();
    if found.next().is_some() {
        return Err(Refusal::new(
            Reason::SignatureWrapping,
            format!("<{}> carries two signatures", element.tag_name().name()),
        ));
    }
    Ok(first)
}

/// Verifies `signature`, an enveloped signature that must reference `element` and nothing
/// else, with one of `trusted`. Returns the fingerprint of the certificate that verified it.
fn check_signature(
    element: Node<'_, '_>,
    signature: Node<'_, '_>,
    trusted: &[Certificate],
) -> Result<String, Refusal> {
    let bad = |m: String| Refusal::new(Reason::BadSignature, m);
    let signed_info = child(signature, DSIG, "SignedInfo")
        .ok_or_else(|| bad("the signature has no SignedInfo".into()))?;
    let c14n =
        child(signed_info, DSIG, "CanonicalizationMethod").and_then(|m| m.attribute("Algorithm"));
    if c14n != Some(EXC_C14N) {
        return Err(bad(format!(
            "canonicalization {} is not exclusive C14N",
            c14n.unwrap_or("missing")
        )));
    }
    let method = child(signed_info, DSIG, "SignatureMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .and_then(SignatureAlgorithm::from_uri)
        .ok_or_else(|| bad("the signature method is not RSA-SHA1 or RSA-SHA256".into()))?;
    let references: Vec<_> = signed_info
        .children()
        .filter(|n| n.has_tag_name((DSIG, "Reference")))
        .collect();
    let [reference] = references.as_slice() else {
        return Err(Refusal::new(
            Reason::SignatureWrapping,
            format!(
                "the signature has {} references; exactly one is accepted",
                references.len()
            ),
        ));
    };
    let id = element.attribute("ID").unwrap_or_default();
    let uri = reference.attribute("URI").unwrap_or_default();
    if id.is_empty() || uri.strip_prefix('#') != Some(id) {
        return Err(Refusal::new(
            Reason::SignatureWrapping,
            format!(
                "the signature on <{}> references {uri:?}, not its own ID",
                element.tag_name().name()
            ),
        ));
    }
    if let Some(transforms) = child(*reference, DSIG, "Transforms") {
        for t in transforms.children().filter(|n| n.is_element()) {
            match t.attribute("Algorithm") {
                Some(ENVELOPED) | Some(EXC_C14N) => {}
                other => {
                    return Err(bad(format!(
                        "transform {} is not accepted",
                        other.unwrap_or("missing")
                    )));
                }
            }
        }
    }
    let digest_method = child(*reference, DSIG, "DigestMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .and_then(SignatureAlgorithm::from_digest_uri)
        .ok_or_else(|| bad("the digest method is not SHA-1 or SHA-256".into()))?;
    let digest_value = child(*reference, DSIG, "DigestValue")
        .and_then(element_text)
        .and_then(|v| decode_b64(&v))
        .ok_or_else(|| bad("the digest value is missing or not base64".into()))?;
    let actual = digest_method.digest(canonicalize(element, Some(signature.id())).as_bytes());
    if actual != digest_value {
        return Err(bad(format!(
            "the <{}> was changed after it was signed (digest mismatch)",
            element.tag_name().name()
        )));
    }
    let value = child(signature, DSIG, "SignatureValue")
        .and_then(element_text)
        .and_then(|v| decode_b64(&v))
        .ok_or_else(|| bad("the signature value is missing or not base64".into()))?;
    let canonical_info = canonicalize(signed_info, None);
    if let Some(cert) = trusted
        .iter()
        .find(|c| c.verify(method, canonical_info.as_bytes(), &value))
    {
        return Ok(cert.sha1_fingerprint());
    }
    let embedded = signature
        .descendants()
        .find(|n| n.has_tag_name((DSIG, "X509Certificate")))
        .and_then(element_text)
        .and_then(|b64| Certificate::from_base64(&b64).ok());
    Err(bad(match embedded {
        Some(c) if !trusted.contains(&c) => format!(
            "signed by a certificate the SP does not have (SHA-1 {}); upload the IdP's current certificate",
            c.sha1_fingerprint()
        ),
        _ if trusted.is_empty() => "the SP has no IdP certificate to check signatures with".into(),
        _ => "the signature value does not verify with the SP's certificate".into(),
    }))
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name((ns, name)))
}

/// The element's text, if it is text only: a comment or child element makes it `None`.
fn element_text(node: Node<'_, '_>) -> Option<String> {
    let mut text = String::new();
    for c in node.children() {
        match c.node_type() {
            NodeType::Text => text.push_str(c.text().unwrap_or("")),
            _ => return None,
        }
    }
    Some(text)
}

fn time_attr(node: Node<'_, '_>, name: &str) -> Result<Option<Timestamp>, Refusal> {
    match node.attribute(name) {
        None => Ok(None),
        Some(v) => parse_instant(v).map(Some).ok_or_else(|| {
            Refusal::new(
                Reason::Malformed,
                format!("{name}={v:?} is not an xs:dateTime"),
            )
        }),
    }
}

fn decode_b64(v: &str) -> Option<Vec<u8>> {
    let compact: String = v.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}
