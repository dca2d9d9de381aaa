//! Enveloped XML signatures (XML-DSig) over one element by its `ID`, as SAML uses them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::{Document, Node};

use crate::algorithm::SignatureAlgorithm;
use crate::c14n::canonicalize;
use crate::key::SigningKey;
use crate::xml::{DSIG, ENVELOPED, EXC_C14N};

/// Signs the element whose `ID` is `id` in `document`, and returns the document with the
/// `<ds:Signature>` placed right after that element's `<Issuer>` (where SAML's schema puts it).
/// `document` is XML the crate wrote: it has such an element and parses.
pub(crate) fn sign_element(
    document: &str,
    id: &str,
    key: &SigningKey,
    algorithm: SignatureAlgorithm,
) -> String {
    let doc = parse(document);
    let element = find_by_id(&doc, id).expect("the element to sign is in the document");
    let digest = algorithm.digest(canonicalize(element, None).as_bytes());
    let signed_info = format!(
        concat!(
            r#"<ds:SignedInfo xmlns:ds="{ds}">"#,
            r#"<ds:CanonicalizationMethod Algorithm="{c14n}"></ds:CanonicalizationMethod>"#,
            r#"<ds:SignatureMethod Algorithm="{sig}"></ds:SignatureMethod>"#,
            r##"<ds:Reference URI="#{id}"><ds:Transforms>"##,
            r#"<ds:Transform Algorithm="{env}"></ds:Transform>"#,
            r#"<ds:Transform Algorithm="{c14n}"></ds:Transform>"#,
            r#"</ds:Transforms><ds:DigestMethod Algorithm="{dig}"></ds:DigestMethod>"#,
            r#"<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"#,
        ),
        ds = DSIG,
        c14n = EXC_C14N,
        env = ENVELOPED,
        sig = algorithm.uri(),
        dig = algorithm.digest_uri(),
        id = id,
        digest = STANDARD.encode(digest),
    );
    // Written canonical: one namespace, one attribute per element, no empty-element tags. The
    // test `signed_info_is_written_canonical` keeps that true.
    let value = STANDARD.encode(key.sign(algorithm, signed_info.as_bytes()));
    let signature = format!(
        concat!(
            r#"<ds:Signature xmlns:ds="{ds}">{signed_info}"#,
            "<ds:SignatureValue>{value}</ds:SignatureValue>",
            "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>",
            "</ds:X509Data></ds:KeyInfo></ds:Signature>",
        ),
        ds = DSIG,
        signed_info = signed_info.replacen(&format!(r#" xmlns:ds="{DSIG}""#), "", 1),
        value = value,
        cert = key.certificate().base64(),
    );
    let at = element
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Issuer")
        .map_or_else(|| start_tag_end(element), |issuer| issuer.range().end);
    let mut out = String::with_capacity(document.len() + signature.len());
    out.push_str(&document[..at]);
    out.push_str(&signature);
    out.push_str(&document[at..]);
    out
}

fn parse(document: &str) -> Document<'_> {
    Document::parse(document).expect("the crate writes well-formed XML")
}

pub(crate) fn find_by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Option<Node<'a, 'i>> {
    doc.descendants()
        .find(|n| n.is_element() && n.attribute("ID") == Some(id))
}

/// Just after `<name ...>`: where a child would go first.
fn start_tag_end(element: Node<'_, '_>) -> usize {
    let input = element.document().input_text();
    let start = element.range().start;
    start + input[start..].find('>').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_info_is_written_canonical() {
        let key = crate::testkey::key();
        for algorithm in [SignatureAlgorithm::RsaSha1, SignatureAlgorithm::RsaSha256] {
            let signed = sign_element(r#"<r ID="a"><Issuer>i</Issuer></r>"#, "a", key, algorithm);
            let doc = Document::parse(&signed).unwrap();
            let si = doc
                .descendants()
                .find(|n| n.tag_name().name() == "SignedInfo")
                .unwrap();
            let canonical = canonicalize(si, None);
            let written = &signed[si.range()];
            assert_eq!(
                canonical,
                written.replacen(
                    "<ds:SignedInfo",
                    &format!(r#"<ds:SignedInfo xmlns:ds="{DSIG}""#),
                    1
                )
            );
        }
    }
}
