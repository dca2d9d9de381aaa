//! One enveloped XML signature, checked the way SAML uses it: it references exactly its own
//! parent by ID, declares exactly the transforms SAML signers use (enveloped-signature, then
//! exclusive C14N, with its `InclusiveNamespaces PrefixList` honoured), digests what it claims,
//! and verifies with a certificate the service provider trusts (never the one in `KeyInfo`).

use roxmltree::Node;

use crate::algorithm::SignatureAlgorithm;
use crate::c14n::canonicalize_within;
use crate::key::Certificate;
use crate::reason::{Reason, Refusal};
use crate::tree::{child, decode_b64, element_text};
use crate::xml::{DSIG, ENVELOPED, EXC_C14N};

/// The most prefixes an `InclusiveNamespaces PrefixList` may name: each is looked up at every
/// element, and a real list names one or two.
const MAX_INCLUSIVE_PREFIXES: usize = 16;
/// The most bytes a canonical form may have. A real one is about the size of its source, and
/// the source is at most 192 KiB (a 256 KiB `SAMLResponse`); exclusive C14N can multiply a
/// crafted one a thousandfold.
const MAX_CANONICAL_BYTES: usize = 1024 * 1024;

/// The element's one `<ds:Signature>` child; two is wrapping.
pub(crate) fn signature_child<'a, 'i>(
    element: Node<'a, 'i>,
) -> Result<Option<Node<'a, 'i>>, Refusal> {
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
pub(crate) fn check_signature(
    element: Node<'_, '_>,
    signature: Node<'_, '_>,
    trusted: &[Certificate],
) -> Result<String, Refusal> {
    let bad = |m: String| Refusal::new(Reason::BadSignature, m);
    let info = signed_info(signature)?;
    let reference = the_reference(element, info.node)?;
    let digest = digest_of(reference)?;
    let value = child(signature, DSIG, "SignatureValue")
        .and_then(element_text)
        .and_then(|v| decode_b64(&v))
        .ok_or_else(|| bad("the signature value is missing or not base64".into()))?;
    // The signature over SignedInfo first: it is one RSA operation on a small element, and
    // without the trusted key nothing past it is worth any work.
    let canonical_info = bounded(canonicalize_within(
        info.node,
        None,
        &info.prefixes,
        MAX_CANONICAL_BYTES,
    ))?;
    let Some(cert) = trusted
        .iter()
        .find(|c| c.verify(info.method, canonical_info.as_bytes(), &value))
    else {
        return Err(bad(untrusted_reason(signature, trusted)));
    };
    let content = bounded(canonicalize_within(
        element,
        Some(signature.id()),
        &digest.prefixes,
        MAX_CANONICAL_BYTES,
    ))?;
    if digest.method.digest(content.as_bytes()) != digest.value {
        return Err(bad(format!(
            "the <{}> was changed after it was signed (digest mismatch)",
            element.tag_name().name()
        )));
    }
    Ok(cert.sha1_fingerprint())
}

/// A signature's SignedInfo, its inclusive prefixes and its signature method.
struct SignedInfo<'a, 'i> {
    node: Node<'a, 'i>,
    prefixes: Vec<&'a str>,
    method: SignatureAlgorithm,
}

/// The SignedInfo, canonicalized by exclusive C14N only, signed by a method this crate knows.
fn signed_info<'a, 'i>(signature: Node<'a, 'i>) -> Result<SignedInfo<'a, 'i>, Refusal> {
    let bad = |m: String| Refusal::new(Reason::BadSignature, m);
    let node = child(signature, DSIG, "SignedInfo")
        .ok_or_else(|| bad("the signature has no SignedInfo".into()))?;
    let c14n_method = child(node, DSIG, "CanonicalizationMethod")
        .ok_or_else(|| bad("the SignedInfo has no CanonicalizationMethod".into()))?;
    if c14n_method.attribute("Algorithm") != Some(EXC_C14N) {
        return Err(bad(format!(
            "canonicalization {} is not exclusive C14N",
            c14n_method.attribute("Algorithm").unwrap_or("missing")
        )));
    }
    let prefixes = inclusive_prefixes(c14n_method)?;
    let method = child(node, DSIG, "SignatureMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .and_then(SignatureAlgorithm::from_uri)
        .ok_or_else(|| {
            bad("the signature method is not RSA with SHA-1, SHA-256, SHA-384 or SHA-512".into())
        })?;
    Ok(SignedInfo {
        node,
        prefixes,
        method,
    })
}

/// The SignedInfo's one Reference, which must point at `element`'s own ID.
fn the_reference<'a, 'i>(
    element: Node<'_, '_>,
    signed_info: Node<'a, 'i>,
) -> Result<Node<'a, 'i>, Refusal> {
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
    Ok(*reference)
}

/// What a Reference says the signed content digests to: its transforms' inclusive prefixes,
/// the digest method and the value.
struct Digest<'a> {
    prefixes: Vec<&'a str>,
    method: SignatureAlgorithm,
    value: Vec<u8>,
}

fn digest_of<'a>(reference: Node<'a, '_>) -> Result<Digest<'a>, Refusal> {
    let bad = |m: String| Refusal::new(Reason::BadSignature, m);
    let prefixes = declared_transforms(reference)?;
    let method = child(reference, DSIG, "DigestMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .and_then(SignatureAlgorithm::from_digest_uri)
        .ok_or_else(|| bad("the digest method is not SHA-1, SHA-256, SHA-384 or SHA-512".into()))?;
    let value = child(reference, DSIG, "DigestValue")
        .and_then(element_text)
        .and_then(|v| decode_b64(&v))
        .ok_or_else(|| bad("the digest value is missing or not base64".into()))?;
    Ok(Digest {
        prefixes,
        method,
        value,
    })
}

/// A canonical form within the bound, or the refusal that says it was not.
fn bounded(canonical: Option<String>) -> Result<String, Refusal> {
    canonical.ok_or_else(|| {
        Refusal::new(
            Reason::TooComplex,
            format!(
                "the signed content's canonical form is over {MAX_CANONICAL_BYTES} bytes (namespace declarations repeated on every element)"
            ),
        )
    })
}

/// The Reference's transforms must be exactly enveloped-signature, then exclusive C14N: any
/// other list means content other than what this verifier canonicalizes was signed (no list at
/// all means inclusive C14N of the element with its signature inside). Returns the exclusive
/// C14N's inclusive prefixes.
fn declared_transforms<'a>(reference: Node<'a, '_>) -> Result<Vec<&'a str>, Refusal> {
    let declared: Vec<Node<'a, '_>> = child(reference, DSIG, "Transforms")
        .map(|t| t.children().filter(|n| n.is_element()).collect())
        .unwrap_or_default();
    let algorithms: Vec<&str> = declared
        .iter()
        .map(|t| {
            if t.has_tag_name((DSIG, "Transform")) {
                t.attribute("Algorithm").unwrap_or("missing")
            } else {
                "not a ds:Transform"
            }
        })
        .collect();
    if algorithms != [ENVELOPED, EXC_C14N] {
        return Err(Refusal::new(
            Reason::UnsupportedTransform,
            format!(
                "the reference declares the transforms [{}]; exactly enveloped-signature then exclusive C14N is accepted",
                algorithms.join(", ")
            ),
        ));
    }
    inclusive_prefixes(declared[1])
}

/// The `<ec:InclusiveNamespaces PrefixList="...">` under a canonicalization method, `#default`
/// read as the empty prefix.
fn inclusive_prefixes<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, Refusal> {
    let lists: Vec<Node<'a, '_>> = method
        .children()
        .filter(|n| n.has_tag_name((EXC_C14N, "InclusiveNamespaces")))
        .collect();
    let list = match lists.as_slice() {
        [] => return Ok(Vec::new()),
        [one] => one.attribute("PrefixList").unwrap_or(""),
        _ => {
            return Err(Refusal::new(
                Reason::UnsupportedTransform,
                "exclusive C14N carries two InclusiveNamespaces lists",
            ));
        }
    };
    let prefixes: Vec<&str> = list
        .split_ascii_whitespace()
        .map(|p| if p == "#default" { "" } else { p })
        .collect();
    if prefixes.len() > MAX_INCLUSIVE_PREFIXES {
        return Err(Refusal::new(
            Reason::TooComplex,
            format!(
                "the InclusiveNamespaces PrefixList names {} prefixes; the most accepted is {MAX_INCLUSIVE_PREFIXES}",
                prefixes.len()
            ),
        ));
    }
    Ok(prefixes)
}

/// Why no trusted certificate verified the signature, naming the embedded certificate if it
/// is one the SP does not have (the usual cause: a rotated IdP certificate not uploaded).
fn untrusted_reason(signature: Node<'_, '_>, trusted: &[Certificate]) -> String {
    let embedded = signature
        .descendants()
        .find(|n| n.has_tag_name((DSIG, "X509Certificate")))
        .and_then(element_text)
        .and_then(|b64| Certificate::from_base64(&b64).ok());
    match embedded {
        Some(c) if !trusted.contains(&c) => format!(
            "signed by a certificate the SP does not have (SHA-1 {}); upload the IdP's current certificate",
            c.sha1_fingerprint()
        ),
        _ if trusted.is_empty() => "the SP has no IdP certificate to check signatures with".into(),
        _ => "the signature value does not verify with the SP's certificate".into(),
    }
}
