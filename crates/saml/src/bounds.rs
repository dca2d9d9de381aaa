//! What a document may cost, measured on its raw text before any parse.
//!
//! An XML parser's work is not linear in the input: namespace declarations are resolved per
//! element, attributes are checked for duplicates per element, and depth is recursion. A 60 KB
//! document with thousands of namespace declarations costs seconds. So every document the
//! harness reads from outside (a `SAMLResponse`, an `AuthnRequest`) is first scanned once, in
//! linear time, and refused if it exceeds any of these limits. The scan never under-counts what
//! the parser would see: it counts every start tag and every attribute it meets, including
//! those in a document the parser would then call ill-formed.

/// The most a document may have. Real SAML messages use a fraction of each (a OneLogin response:
/// depth 7, about 30 elements, at most 6 attributes and 3 namespace declarations per element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nesting depth of elements.
    pub depth: usize,
    /// Elements in the whole document.
    pub elements: usize,
    /// Attributes on one element, namespace declarations included.
    pub attributes_per_element: usize,
    /// Namespace declarations (`xmlns`, `xmlns:p`) on one element.
    pub namespaces_per_element: usize,
    /// Attributes in the whole document, namespace declarations included.
    pub attributes: usize,
    /// Namespace declarations in the whole document.
    pub namespaces: usize,
}

impl Limits {
    /// For a `SAMLResponse`: room for a response with many attribute statements.
    pub const RESPONSE: Limits = Limits {
        depth: 24,
        elements: 2_000,
        attributes_per_element: 32,
        namespaces_per_element: 16,
        attributes: 4_000,
        namespaces: 256,
    };

    /// For an `AuthnRequest`: a real one has a handful of elements.
    pub const REQUEST: Limits = Limits {
        depth: 16,
        elements: 200,
        attributes_per_element: 32,
        namespaces_per_element: 16,
        attributes: 400,
        namespaces: 64,
    };
}

/// Why a document was refused unparsed: which limit, and by how much.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Exceeded {
    #[error("elements nest more than {0} deep")]
    Depth(usize),
    #[error("the document has more than {0} elements")]
    Elements(usize),
    #[error("an element has more than {0} attributes")]
    AttributesPerElement(usize),
    #[error("an element declares more than {0} namespaces")]
    NamespacesPerElement(usize),
    #[error("the document has more than {0} attributes")]
    Attributes(usize),
    #[error("the document declares more than {0} namespaces")]
    Namespaces(usize),
    /// A document type declaration: never parsed (entity expansion, external entities).
    #[error("the document has a document type declaration")]
    Dtd,
}

/// Scans `xml` once and refuses it if it exceeds `limits`. Linear in the input's length.
pub fn check(xml: &str, limits: &Limits) -> Result<(), Exceeded> {
    let b = xml.as_bytes();
    let mut i = 0;
    let (mut depth, mut elements, mut attributes, mut namespaces) = (0usize, 0, 0, 0);
    while let Some(lt) = find(b, i, b'<') {
        i = lt + 1;
        match b.get(i) {
            Some(b'!') if b[i..].starts_with(b"!--") => i = skip_past(b, i + 3, b"-->"),
            Some(b'!') if b[i..].starts_with(b"![CDATA[") => i = skip_past(b, i + 8, b"]]>"),
            Some(b'!') => return Err(Exceeded::Dtd),
            Some(b'?') => i = skip_past(b, i + 1, b"?>"),
            Some(b'/') => {
                depth = depth.saturating_sub(1);
                i = skip_past(b, i, b">");
            }
            Some(_) => {
                elements += 1;
                depth += 1;
                if elements > limits.elements {
                    return Err(Exceeded::Elements(limits.elements));
                }
                if depth > limits.depth {
                    return Err(Exceeded::Depth(limits.depth));
                }
                let tag = start_tag(b, i);
                i = tag.end;
                if tag.self_closing {
                    depth -= 1;
                }
                if tag.attributes > limits.attributes_per_element {
                    return Err(Exceeded::AttributesPerElement(
                        limits.attributes_per_element,
                    ));
                }
                if tag.namespaces > limits.namespaces_per_element {
                    return Err(Exceeded::NamespacesPerElement(
                        limits.namespaces_per_element,
                    ));
                }
                attributes += tag.attributes;
                namespaces += tag.namespaces;
                if attributes > limits.attributes {
                    return Err(Exceeded::Attributes(limits.attributes));
                }
                if namespaces > limits.namespaces {
                    return Err(Exceeded::Namespaces(limits.namespaces));
                }
            }
            None => break,
        }
    }
    Ok(())
}

struct StartTag {
    /// Just past the tag's `>` (or the input's end).
    end: usize,
    self_closing: bool,
    attributes: usize,
    namespaces: usize,
}

/// Reads a start tag from just after its `<`: the name, then `name="value"` pairs, counting
/// each pair (and each `xmlns` one) until `>` outside a quoted value.
fn start_tag(b: &[u8], mut i: usize) -> StartTag {
    let mut tag = StartTag {
        end: b.len(),
        self_closing: false,
        attributes: 0,
        namespaces: 0,
    };
    // The element's name.
    while i < b.len() && !is_space(b[i]) && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let mut name_start = None;
    while i < b.len() {
        match b[i] {
            b'>' => {
                tag.end = i + 1;
                tag.self_closing = i > 0 && b[i - 1] == b'/';
                return tag;
            }
            b'"' | b'\'' => {
                let quote = b[i];
                i = find(b, i + 1, quote).map_or(b.len(), |q| q + 1);
            }
            b'=' => {
                tag.attributes += 1;
                if let Some(start) = name_start.take() {
                    let name = trim_end(&b[start..i]);
                    if name == b"xmlns" || name.starts_with(b"xmlns:") {
                        tag.namespaces += 1;
                    }
                }
                i += 1;
            }
            c if is_space(c) || c == b'/' => i += 1,
            _ => {
                if name_start.is_none() {
                    name_start = Some(i);
                }
                i += 1;
            }
        }
    }
    tag
}

fn find(b: &[u8], from: usize, byte: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == byte)
        .map(|p| from + p)
}

/// Just past the first `end` at or after `from`, or the input's end.
fn skip_past(b: &[u8], from: usize, end: &[u8]) -> usize {
    b.get(from..)
        .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
        .map_or(b.len(), |p| from + p + end.len())
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|&c| !is_space(c)).map_or(0, |p| p + 1);
    &b[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIGHT: Limits = Limits {
        depth: 3,
        elements: 5,
        attributes_per_element: 3,
        namespaces_per_element: 2,
        attributes: 6,
        namespaces: 3,
    };

    #[test]
    fn counts_what_a_parser_would_see() {
        let ok = r#"<a xmlns="u" xmlns:p="v" x='>'><!-- <b><c><d><e> --><p:b y="1"/><![CDATA[<z><z><z>]]><?pi <q>?></a>"#;
        assert_eq!(check(ok, &TIGHT), Ok(()));
    }

    #[test]
    fn refuses_each_limit() {
        let cases = [
            ("<a><b><c><d/></c></b></a>", Exceeded::Depth(3)),
            ("<a><b/><b/><b/><b/><b/></a>", Exceeded::Elements(5)),
            (
                r#"<a w="1" x="2" y="3" z="4"/>"#,
                Exceeded::AttributesPerElement(3),
            ),
            (
                r#"<a xmlns="1" xmlns:p="2" xmlns:q="3"/>"#,
                Exceeded::NamespacesPerElement(2),
            ),
            (
                r#"<a x="1" y="2"><b x="1" y="2"/><b x="1" y="2"/><b x="1"/></a>"#,
                Exceeded::Attributes(6),
            ),
            (
                r#"<a xmlns:p="1"><b xmlns:q="2"/><b xmlns:r="3"/><b xmlns:s="4"/></a>"#,
                Exceeded::Namespaces(3),
            ),
            (r#"<!DOCTYPE a [<!ENTITY x "y">]><a/>"#, Exceeded::Dtd),
        ];
        for (xml, expected) in cases {
            assert_eq!(check(xml, &TIGHT), Err(expected), "{xml}");
        }
    }

    #[test]
    fn an_unterminated_document_ends_the_scan() {
        assert_eq!(check(r#"<a x="never closed"#, &TIGHT), Ok(()));
        assert_eq!(check("<a><!-- never closed", &TIGHT), Ok(()));
    }
}
