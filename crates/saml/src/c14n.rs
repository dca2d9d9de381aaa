//! Exclusive XML Canonicalization 1.0, without comments (`http://www.w3.org/2001/10/xml-exc-c14n#`),
//! of one element's subtree, optionally leaving one descendant out (the enveloped signature).
//!
//! This is the only canonicalization SAML signatures use. It is small because the input is
//! already a parsed, namespace-resolved tree (roxmltree: no DTD, so no default attributes and no
//! entities beyond the predefined five). The rules, from the W3C recommendation:
//! - an element renders the namespace declarations it *visibly utilizes* (its own prefix and its
//!   attributes' prefixes), unless the nearest rendered ancestor already rendered the same one;
//! - declarations sort by prefix (default first), attributes by namespace URI then local name;
//! - empty elements are written as start and end tags; comments are dropped;
//! - text escapes `&`, `<`, `>` and CR; attribute values escape `&`, `<`, `"`, TAB, LF and CR;
//! - a prefix in the `InclusiveNamespaces PrefixList` (`#default` for the default namespace) is
//!   rendered wherever it is in scope and not already rendered, as inclusive C14N would: that is
//!   how a prefix used only inside a value (`xsi:type="xs:string"`) is kept under the signature.
//!
//! It is checked against an independent implementation (lxml's C14N, in the CI's Python suite).

use roxmltree::{Node, NodeId, NodeType};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The canonical form of `element`'s subtree, without `exclude` (and its subtree) if given.
/// `inclusive` is the `InclusiveNamespaces PrefixList`, with `#default` written as `""`.
pub fn canonicalize(element: Node<'_, '_>, exclude: Option<NodeId>, inclusive: &[&str]) -> String {
    canonicalize_within(element, exclude, inclusive, usize::MAX)
        .expect("no limit on what the crate signs")
}

/// The same, given up (`None`) as soon as the output passes `limit` bytes. Exclusive C14N
/// repeats a namespace declaration on every child that uses it when their parent does not, so
/// a small document can canonicalize to hundreds of megabytes (one long namespace URI, two
/// thousand children): a verifier bounds the output as it bounds the input.
pub fn canonicalize_within(
    element: Node<'_, '_>,
    exclude: Option<NodeId>,
    inclusive: &[&str],
    limit: usize,
) -> Option<String> {
    let mut out = String::with_capacity(element.range().len().min(limit));
    // Namespaces the nearest rendered ancestor has in effect in the output: (prefix, uri).
    let rendered: Vec<(&str, &str)> = Vec::new();
    let c = Canonicalizer {
        exclude,
        inclusive,
        limit,
    };
    c.write_element(&mut out, element, &rendered);
    (out.len() <= limit).then_some(out)
}

struct Canonicalizer<'p> {
    exclude: Option<NodeId>,
    inclusive: &'p [&'p str],
    limit: usize,
}

impl<'p> Canonicalizer<'p> {
    fn write_element<'a>(
        &self,
        out: &mut String,
        node: Node<'a, '_>,
        rendered: &[(&'a str, &'a str)],
    ) where
        'p: 'a,
    {
        if out.len() > self.limit {
            return;
        }
        let qname = element_qname(node);
        let (utilized, mut attrs) = self.utilized(node);
        let (mut declare, in_effect) = declarations(node, utilized, rendered);
        declare.sort_unstable_by(|a, b| a.0.cmp(b.0));
        attrs.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        write_start_tag(out, qname, &declare, &attrs);
        for child in node.children() {
            if Some(child.id()) == self.exclude {
                continue;
            }
            match child.node_type() {
                NodeType::Element => self.write_element(out, child, &in_effect),
                NodeType::Text => escape_text(out, child.text().unwrap_or("")),
                NodeType::PI => write_pi(out, child),
                NodeType::Comment | NodeType::Root => {}
            }
        }
        out.push_str("</");
        out.push_str(qname);
        out.push('>');
    }

    /// The prefixes `node` visibly utilizes (its own, its prefixed attributes', and the
    /// inclusive ones in scope), sorted and unique; and its attributes as
    /// (namespace URI, local name, qualified name, value).
    fn utilized<'a>(&self, node: Node<'a, '_>) -> (Vec<&'a str>, Vec<Attribute<'a>>)
    where
        'p: 'a,
    {
        let input = node.document().input_text();
        let mut utilized: Vec<&str> = vec![prefix_of(element_qname(node))];
        let mut attrs: Vec<Attribute<'a>> = Vec::new();
        for attr in node.attributes() {
            let aq = &input[attr.range_qname()];
            let ap = prefix_of(aq);
            if !ap.is_empty() && ap != "xml" {
                utilized.push(ap);
            }
            attrs.push((
                attr.namespace().unwrap_or(""),
                attr.name(),
                aq,
                attr.value(),
            ));
        }
        // Inclusive prefixes count where they are in scope; the default namespace always is.
        for &p in self.inclusive {
            if p.is_empty() || node.lookup_namespace_uri(Some(p)).is_some() {
                utilized.push(p);
            }
        }
        utilized.sort_unstable();
        utilized.dedup();
        (utilized, attrs)
    }
}

/// An attribute as canonicalization sorts and writes it: (namespace URI, local name, qualified
/// name, value).
type Attribute<'a> = (&'a str, &'a str, &'a str, &'a str);

/// A namespace in effect or declared: (prefix, URI), `""` the default namespace.
type Namespace<'a> = (&'a str, &'a str);

/// The declarations `node` must render for the prefixes it utilizes (those whose URI differs
/// from what the nearest rendered ancestor has in effect), and what is in effect after it.
fn declarations<'a>(
    node: Node<'a, '_>,
    utilized: Vec<&'a str>,
    rendered: &[Namespace<'a>],
) -> (Vec<Namespace<'a>>, Vec<Namespace<'a>>) {
    let mut in_effect: Vec<(&'a str, &'a str)> = rendered.to_vec();
    let mut declare: Vec<(&str, &str)> = Vec::new();
    for p in utilized {
        let uri = if p.is_empty() {
            node.default_namespace().unwrap_or("")
        } else {
            node.lookup_namespace_uri(Some(p)).unwrap_or("")
        };
        if uri == XML_NS {
            continue;
        }
        let already = in_effect.iter().find(|(q, _)| *q == p).map(|(_, u)| *u);
        let needed = match already {
            Some(u) => u != uri,
            // An empty default namespace that no ancestor overrode needs no declaration.
            None => !(p.is_empty() && uri.is_empty()),
        };
        if needed {
            declare.push((p, uri));
            in_effect.retain(|(q, _)| *q != p);
            in_effect.push((p, uri));
        }
    }
    (declare, in_effect)
}

/// `<qname xmlns...="..." attr="...">`, declarations and attributes already in canonical order.
fn write_start_tag(
    out: &mut String,
    qname: &str,
    declare: &[(&str, &str)],
    attrs: &[Attribute<'_>],
) {
    out.push('<');
    out.push_str(qname);
    for (p, uri) in declare {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attr(out, uri);
        out.push('"');
    }
    for (_, _, aq, value) in attrs {
        out.push(' ');
        out.push_str(aq);
        out.push_str("=\"");
        escape_attr(out, value);
        out.push('"');
    }
    out.push('>');
}

/// A processing instruction, kept as written.
fn write_pi(out: &mut String, node: Node<'_, '_>) {
    if let Some(pi) = node.pi() {
        out.push_str("<?");
        out.push_str(pi.target);
        if let Some(value) = pi.value {
            out.push(' ');
            out.push_str(value);
        }
        out.push_str("?>");
    }
}

/// The element's qualified name as written (`saml:Assertion`): roxmltree resolves prefixes but
/// canonical XML keeps them, so they are read from the source.
pub(crate) fn element_qname<'i>(node: Node<'_, 'i>) -> &'i str {
    let input = node.document().input_text();
    let rest = &input[node.range().start + 1..];
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    &rest[..end]
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, path: &[&str]) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let mut node = doc.root_element();
        for name in path {
            node = node
                .children()
                .find(|n| n.is_element() && n.tag_name().name() == *name)
                .unwrap();
        }
        canonicalize(node, None, &[])
    }

    #[test]
    fn renders_only_visibly_utilized_namespaces_at_the_apex() {
        let xml = r#"<p:Response xmlns:p="urn:p" xmlns:a="urn:a" xmlns:unused="urn:u"><a:Assertion ID="x"><a:Issuer>i</a:Issuer></a:Assertion></p:Response>"#;
        assert_eq!(
            c14n(xml, &["Assertion"]),
            r#"<a:Assertion xmlns:a="urn:a" ID="x"><a:Issuer>i</a:Issuer></a:Assertion>"#
        );
    }

    #[test]
    fn sorts_declarations_and_attributes_and_expands_empty_elements() {
        let xml =
            r#"<r xmlns:b="urn:b" xmlns:a="urn:a" b:z="1" a:y="2" x="3" xmlns="urn:d"><e/></r>"#;
        assert_eq!(
            c14n(xml, &[]),
            r#"<r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b" x="3" a:y="2" b:z="1"><e></e></r>"#
        );
    }

    #[test]
    fn undeclares_a_default_namespace_an_ancestor_rendered() {
        let xml = r#"<r xmlns="urn:d"><e xmlns=""/></r>"#;
        assert_eq!(c14n(xml, &[]), r#"<r xmlns="urn:d"><e xmlns=""></e></r>"#);
    }

    #[test]
    fn drops_comments_and_escapes_text_and_attributes() {
        let xml = "<r a=\"&lt;&amp;&quot;&#9;&#10;\">x&amp;y&lt;z&gt;<!-- c -->w&#13;</r>";
        assert_eq!(
            c14n(xml, &[]),
            "<r a=\"&lt;&amp;&quot;&#x9;&#xA;\">x&amp;y&lt;z&gt;w&#xD;</r>"
        );
    }

    #[test]
    fn renders_inclusive_prefixes_where_in_scope_and_not_yet_rendered() {
        let xml = r#"<r xmlns:xs="urn:xs" xmlns:xsi="urn:xsi" xmlns:u="urn:u"><v xsi:type="xs:string">x</v><w/></r>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let v = doc.descendants().find(|n| n.has_tag_name("v")).unwrap();
        assert_eq!(
            canonicalize(v, None, &[]),
            r#"<v xmlns:xsi="urn:xsi" xsi:type="xs:string">x</v>"#
        );
        assert_eq!(
            canonicalize(v, None, &["xs", "absent"]),
            r#"<v xmlns:xs="urn:xs" xmlns:xsi="urn:xsi" xsi:type="xs:string">x</v>"#
        );
        // Rendered once, at the apex, not again below it.
        assert_eq!(
            canonicalize(doc.root_element(), None, &["xs"]),
            r#"<r xmlns:xs="urn:xs"><v xmlns:xsi="urn:xsi" xsi:type="xs:string">x</v><w></w></r>"#
        );
    }

    #[test]
    fn leaves_out_the_excluded_subtree() {
        let xml = r#"<r><a>1</a><s><x/></s><b>2</b></r>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let s = doc.descendants().find(|n| n.has_tag_name("s")).unwrap();
        assert_eq!(
            canonicalize(doc.root_element(), Some(s.id()), &[]),
            "<r><a>1</a><b>2</b></r>"
        );
    }
}
