//! Reading values from a parsed tree: exact children, text-only content, times and base64.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use roxmltree::{Node, NodeType};

use crate::reason::{Reason, Refusal};
use crate::xml::parse_instant;

/// The first child element `ns:name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name((ns, name)))
}

/// Every child element `ns:name`.
pub(crate) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |n| n.has_tag_name((ns, name)))
}

/// The element's text, if it is text only: a comment or child element makes it `None`.
pub(crate) fn element_text(node: Node<'_, '_>) -> Option<String> {
    let mut text = String::new();
    for c in node.children() {
        match c.node_type() {
            NodeType::Text => text.push_str(c.text().unwrap_or("")),
            _ => return None,
        }
    }
    Some(text)
}

/// An xs:dateTime attribute; present but unreadable is a refusal, not an absence.
pub(crate) fn time_attr(node: Node<'_, '_>, name: &str) -> Result<Option<Timestamp>, Refusal> {
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

pub(crate) fn decode_b64(v: &str) -> Option<Vec<u8>> {
    let compact: String = v.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}
