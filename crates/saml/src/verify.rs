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
use jiff::{SignedDuration, Timestamp};
use roxmltree::{Document, Node, ParsingOptions};

use crate::bounds::{self, Limits};
use crate::key::Certificate;
use crate::reason::{Reason, Refusal};
use crate::signature::{check_signature, signature_child};
use crate::tree::{child, children, element_text, time_attr};
use crate::xml::{ASSERTION, BEARER, DSIG, PROTOCOL, STATUS_SUCCESS};

/// The largest `SAMLResponse` accepted, base64: real responses are a few kilobytes.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// The most XML nodes (elements, text, comments) a response may have: the element bound of
/// `Limits::RESPONSE` with room for the text between them.
const MAX_NODES: u32 = 10_000;

/// What the service provider expects of a response, besides whom it trusts.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
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
    /// From signed content only: the bearer confirmation, or a signed Response.
    pub in_response_to: Option<String>,
    /// The latest `NotOnOrAfter` the assertion carries: a replay cache keeps its ID until then.
    pub valid_until: Timestamp,
    pub session_index: Option<String>,
    /// Which element the accepted signature was on: `assertion`, `response` or `both`.
    pub signed: &'static str,
    /// SHA-1 fingerprint of the certificate that verified it.
    pub certificate: String,
}

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

/// The elements every later step reads, found by structure alone.
struct Found<'a, 'i> {
    response: Node<'a, 'i>,
    assertion: Node<'a, 'i>,
    subject: Node<'a, 'i>,
    name_id_node: Node<'a, 'i>,
    /// The NameID's text, trimmed: the tenant hint before verification, the person after.
    name_id: String,
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
    let assertions: Vec<Node<'a, 'i>> = doc
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

/// The Web SSO profile's rules (SAML profiles §4.1.4.2-3, core §2), read from verified
/// elements only.
struct Profile<'f, 'a, 'i, 'e> {
    found: &'f Found<'a, 'i>,
    expect: &'f Expectations<'e>,
    /// Whether a signature covers the Response itself (and so its attributes).
    response_signed: bool,
}

impl Profile<'_, '_, '_, '_> {
    fn check(&self) -> Result<Verified, Refusal> {
        let (response, assertion) = (self.found.response, self.found.assertion);
        let status = child(response, PROTOCOL, "Status")
            .and_then(|s| child(s, PROTOCOL, "StatusCode"))
            .and_then(|c| c.attribute("Value"));
        if status != Some(STATUS_SUCCESS) {
            return Err(Refusal::new(
                Reason::IdpError,
                format!("the IdP answered {}", status.unwrap_or("no status")),
            ));
        }
        self.destination()?;
        let issuer = child(assertion, ASSERTION, "Issuer")
            .and_then(element_text)
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .ok_or_else(|| {
                Refusal::new(
                    Reason::MissingIssuer,
                    "the assertion names no Issuer (SAML core §2.3.3 requires one)",
                )
            })?;
        let bearer = self.bearer()?;
        self.conditions()?;
        let authn = child(assertion, ASSERTION, "AuthnStatement").ok_or_else(|| {
            Refusal::new(
                Reason::NoAuthnStatement,
                "the assertion has no AuthnStatement; the Web SSO profile requires one",
            )
        })?;
        let in_response_to = self.in_response_to(bearer.in_response_to)?;
        Ok(Verified {
            assertion_id: assertion.attribute("ID").unwrap_or_default().to_string(),
            issuer,
            name_id: self.found.name_id.clone(),
            name_id_format: self
                .found
                .name_id_node
                .attribute("Format")
                .map(str::to_string),
            in_response_to,
            valid_until: self.latest_not_on_or_after()?,
            session_index: authn.attribute("SessionIndex").map(str::to_string),
            signed: "",
            certificate: String::new(),
        })
    }

    /// A Response that names a Destination names this ACS; a signed Response must name one
    /// (SAML bindings §3.5.5.2).
    fn destination(&self) -> Result<(), Refusal> {
        let acs = self.expect.acs_url;
        match self.found.response.attribute("Destination") {
            Some(d) if d != acs => Err(Refusal::new(
                Reason::WrongDestination,
                format!("the response is for {d}, not {acs}"),
            )),
            None if self.response_signed => Err(Refusal::new(
                Reason::WrongDestination,
                format!("the signed Response names no Destination; it must name {acs}"),
            )),
            _ => Ok(()),
        }
    }

    /// The first bearer confirmation that holds: Recipient is this ACS, NotOnOrAfter is
    /// present and not passed, NotBefore is absent. If none holds, why the first does not.
    fn bearer(&self) -> Result<Bearer<'_>, Refusal> {
        let mut first_refusal = None;
        for confirmation in children(self.found.subject, ASSERTION, "SubjectConfirmation")
            .filter(|c| c.attribute("Method") == Some(BEARER))
        {
            match self.bearer_holds(confirmation) {
                Ok(bearer) => return Ok(bearer),
                Err(refusal) => {
                    first_refusal.get_or_insert(refusal);
                }
            }
        }
        Err(first_refusal.unwrap_or_else(|| {
            Refusal::new(
                Reason::BadSubjectConfirmation,
                "the Subject has no bearer SubjectConfirmation",
            )
        }))
    }

    fn bearer_holds<'n>(&self, confirmation: Node<'n, '_>) -> Result<Bearer<'n>, Refusal> {
        let bad = |m: &str| Refusal::new(Reason::BadSubjectConfirmation, m);
        let data = child(confirmation, ASSERTION, "SubjectConfirmationData")
            .ok_or_else(|| bad("the bearer confirmation has no SubjectConfirmationData"))?;
        let acs = self.expect.acs_url;
        match data.attribute("Recipient") {
            Some(r) if r == acs => {}
            other => {
                return Err(Refusal::new(
                    Reason::WrongDestination,
                    format!(
                        "the assertion's Recipient is {}, not {acs}",
                        other.unwrap_or("missing")
                    ),
                ));
            }
        }
        if data.attribute("NotBefore").is_some() {
            return Err(bad(
                "the bearer confirmation carries NotBefore, which the Web SSO profile forbids",
            ));
        }
        let until = time_attr(data, "NotOnOrAfter")?.ok_or_else(|| {
            bad("the bearer confirmation has no NotOnOrAfter; the Web SSO profile requires one")
        })?;
        self.not_passed(until)?;
        Ok(Bearer {
            in_response_to: data.attribute("InResponseTo"),
        })
    }

    /// The Conditions' window, and every AudienceRestriction naming this SP (each must: SAML
    /// core §2.5.1.4).
    fn conditions(&self) -> Result<(), Refusal> {
        let audience = self.expect.audience;
        let no_audience = || {
            Refusal::new(
                Reason::WrongAudience,
                format!("the assertion names no audience; it must name {audience}"),
            )
        };
        let conditions =
            child(self.found.assertion, ASSERTION, "Conditions").ok_or_else(no_audience)?;
        if let Some(nb) = time_attr(conditions, "NotBefore")?
            && self.expect.now + self.expect.clock_skew < nb
        {
            return Err(Refusal::new(
                Reason::NotYetValid,
                format!(
                    "the assertion is valid from {nb}; it is {}",
                    self.expect.now
                ),
            ));
        }
        if let Some(until) = time_attr(conditions, "NotOnOrAfter")? {
            self.not_passed(until)?;
        }
        let mut restrictions = children(conditions, ASSERTION, "AudienceRestriction").peekable();
        if restrictions.peek().is_none() {
            return Err(no_audience());
        }
        for restriction in restrictions {
            let named: Vec<String> = children(restriction, ASSERTION, "Audience")
                .filter_map(element_text)
                .map(|a| a.trim().to_string())
                .collect();
            if !named.iter().any(|a| a == audience) {
                return Err(Refusal::new(
                    Reason::WrongAudience,
                    format!(
                        "an AudienceRestriction names {}, not {audience}",
                        if named.is_empty() {
                            "no audience".to_string()
                        } else {
                            named.join(", ")
                        }
                    ),
                ));
            }
        }
        Ok(())
    }

    fn not_passed(&self, until: Timestamp) -> Result<(), Refusal> {
        if self.expect.now - self.expect.clock_skew >= until {
            return Err(Refusal::new(
                Reason::Expired,
                format!(
                    "the assertion was valid until {until}; it is {}",
                    self.expect.now
                ),
            ));
        }
        Ok(())
    }

    /// InResponseTo from signed content only. The bearer confirmation's is always signed (both
    /// signatures cover the assertion); the Response's only when the Response is signed. Where
    /// both carry one they must agree; one on an unsigned Response alone is refused, since the
    /// profile puts it in the confirmation of every answer to a request.
    fn in_response_to(&self, confirmation: Option<&str>) -> Result<Option<String>, Refusal> {
        let on_response = self.found.response.attribute("InResponseTo");
        match (confirmation, on_response) {
            (Some(c), Some(r)) if c != r => Err(Refusal::new(
                Reason::InResponseToMismatch,
                format!("the Response answers {r} but the assertion answers {c}"),
            )),
            (None, Some(r)) if !self.response_signed => Err(Refusal::new(
                Reason::InResponseToMismatch,
                format!(
                    "the Response answers {r}, which no signature covers, and the assertion answers no request"
                ),
            )),
            (c, r) => Ok(c.or(r).map(str::to_string)),
        }
    }

    /// The latest NotOnOrAfter anywhere in the assertion: its Conditions and every
    /// SubjectConfirmationData.
    fn latest_not_on_or_after(&self) -> Result<Timestamp, Refusal> {
        let mut latest = self.expect.now;
        for n in self.found.assertion.descendants().filter(|n| {
            n.has_tag_name((ASSERTION, "Conditions"))
                || n.has_tag_name((ASSERTION, "SubjectConfirmationData"))
        }) {
            if let Some(t) = time_attr(n, "NotOnOrAfter")? {
                latest = latest.max(t);
            }
        }
        Ok(latest + self.expect.clock_skew)
    }
}

/// The bearer confirmation that held.
struct Bearer<'n> {
    in_response_to: Option<&'n str>,
}
