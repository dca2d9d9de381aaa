//! Enveloped XML signatures (XML-DSig) over one element by its `ID`, as SAML uses them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::{Document, Node};

use crate::algorithm::SignatureAlgorithm;
use crate::c14n::canonicalize;
use crate::key::SigningKey;
use crate::xml::{DSIG, ENVELOPED, EXC_C14N};

/// What a signature declares beyond its algorithm: SAML signers declare enveloped-signature
/// then exclusive C14N, and may name inclusive prefixes. Other lists exist to build the
/// signatures a verifier must refuse.
#[derive(Debug, Clone, Copy)]
pub struct SignatureOptions<'a> {
    /// The Reference's Transform algorithm URIs, in order. The digest is always computed as
    /// the standard pair would (the enveloped element, exclusive C14N).
    pub transforms: &'a [&'a str],
    /// The exclusive C14N's `InclusiveNamespaces PrefixList`, on the content and SignedInfo.
    pub inclusive_prefixes: &'a [&'a str],
}

impl Default for SignatureOptions<'_> {
    fn default() -> Self {
        SignatureOptions {
            transforms: &[ENVELOPED, EXC_C14N],
            inclusive_prefixes: &[],
        }
    }
}

/// Signs the element whose `ID` is `id` in `document`, and returns the document with the
/// `<ds:Signature>` placed right after that element's `<Issuer>` (where SAML's schema puts it),
/// or first inside it. For tests that craft their own responses; panics if `document` does not
/// parse or has no element with that ID.
pub fn sign_element(
    document: &str,
    id: &str,
    key: &SigningKey,
    algorithm: SignatureAlgorithm,
    options: SignatureOptions<'_>,
) -> String {
    let doc = parse(document);
    let element = find_by_id(&doc, id).expect("the element to sign is in the document");
    let prefixes = options.inclusive_prefixes;
    let digest = algorithm.digest(canonicalize(element, None, prefixes).as_bytes());
    let signed_info = signed_info(id, algorithm, options, &STANDARD.encode(digest));
    const PLACEHOLDER: &str = "SIGNATURE-VALUE";
    let signature = format!(
        concat!(
            r#"<ds:Signature xmlns:ds="{ds}">{signed_info}"#,
            "<ds:SignatureValue>{placeholder}</ds:SignatureValue>",
            "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>",
            "</ds:X509Data></ds:KeyInfo></ds:Signature>",
        ),
        ds = DSIG,
        signed_info = signed_info.replacen(&format!(r#" xmlns:ds="{DSIG}""#), "", 1),
        placeholder = PLACEHOLDER,
        cert = key.certificate().base64(),
    );
    let at = element
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "Issuer")
        .map_or_else(|| start_tag_end(element), |issuer| issuer.range().end);
    let mut out = String::with_capacity(document.len() + signature.len() + 512);
    out.push_str(&document[..at]);
    out.push_str(&signature);
    out.push_str(&document[at..]);
    // The SignedInfo is canonicalized where it now stands, as a verifier will: inclusive
    // prefixes render what is in scope there.
    let placed = parse(&out);
    let info = placed
        .descendants()
        .find(|n| n.has_tag_name((DSIG, "SignedInfo")) && n.range().start >= at)
        .expect("the SignedInfo just placed");
    let canonical_info = canonicalize(info, None, prefixes);
    let value = STANDARD.encode(key.sign(algorithm, canonical_info.as_bytes()));
    let slot = at + signature.find(PLACEHOLDER).expect("placed");
    out.replace_range(slot..slot + PLACEHOLDER.len(), &value);
    out
}

/// The `<ds:SignedInfo>` (declaring `ds` itself, as it is canonicalized standing alone) over
/// the element `id` with `digest` (base64), its transforms as `options` lists them.
fn signed_info(
    id: &str,
    algorithm: SignatureAlgorithm,
    options: SignatureOptions<'_>,
    digest: &str,
) -> String {
    let prefixes = options.inclusive_prefixes;
    let inclusive = if prefixes.is_empty() {
        String::new()
    } else {
        let list: Vec<&str> = prefixes
            .iter()
            .map(|p| if p.is_empty() { "#default" } else { p })
            .collect();
        format!(
            r#"<ec:InclusiveNamespaces xmlns:ec="{EXC_C14N}" PrefixList="{}"></ec:InclusiveNamespaces>"#,
            list.join(" ")
        )
    };
    let transforms: String = options
        .transforms
        .iter()
        .map(|t| {
            let params = if *t == EXC_C14N {
                inclusive.as_str()
            } else {
                ""
            };
            format!(r#"<ds:Transform Algorithm="{t}">{params}</ds:Transform>"#)
        })
        .collect();
    format!(
        concat!(
            r#"<ds:SignedInfo xmlns:ds="{ds}">"#,
            r#"<ds:CanonicalizationMethod Algorithm="{c14n}">{inclusive}</ds:CanonicalizationMethod>"#,
            r#"<ds:SignatureMethod Algorithm="{sig}"></ds:SignatureMethod>"#,
            r##"<ds:Reference URI="#{id}"><ds:Transforms>{transforms}"##,
            r#"</ds:Transforms><ds:DigestMethod Algorithm="{dig}"></ds:DigestMethod>"#,
            r#"<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"#,
        ),
        ds = DSIG,
        c14n = EXC_C14N,
        inclusive = inclusive,
        sig = algorithm.uri(),
        transforms = transforms,
        dig = algorithm.digest_uri(),
        id = id,
        digest = digest,
    )
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
        for algorithm in SignatureAlgorithm::ALL {
            let signed = sign_element(
                r#"<r ID="a"><Issuer>i</Issuer></r>"#,
                "a",
                key,
                algorithm,
                SignatureOptions::default(),
            );
            let doc = Document::parse(&signed).unwrap();
            let si = doc
                .descendants()
                .find(|n| n.tag_name().name() == "SignedInfo")
                .unwrap();
            let canonical = canonicalize(si, None, &[]);
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
