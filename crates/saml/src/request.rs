//! The service provider's `<samlp:AuthnRequest>`, and its two bindings: HTTP-Redirect (raw
//! DEFLATE, base64, a query parameter) and HTTP-POST (base64, a form field).

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use jiff::Timestamp;
use roxmltree::{Document, ParsingOptions};

use crate::xml::{ASSERTION, POST_BINDING, PROTOCOL, escape, instant};

/// The largest AuthnRequest accepted, inflated: a real one is under a kilobyte.
const MAX_REQUEST_BYTES: u64 = 64 * 1024;

/// An AuthnRequest, as written or as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    pub id: String,
    /// The SP's entity id.
    pub issuer: String,
    pub issue_instant: Timestamp,
    /// The IdP endpoint it is sent to.
    pub destination: Option<String>,
    pub acs_url: Option<String>,
}

/// How an IdP endpoint received a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    Redirect,
    Post,
}

/// Why an AuthnRequest could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SAMLRequest: {0}")]
pub struct RequestError(pub String);

impl AuthnRequest {
    pub fn to_xml(&self) -> String {
        let destination = self
            .destination
            .as_deref()
            .map(|d| format!(r#" Destination="{}""#, escape(d)))
            .unwrap_or_default();
        let acs = self
            .acs_url
            .as_deref()
            .map(|a| {
                format!(
                    r#" AssertionConsumerServiceURL="{}" ProtocolBinding="{POST_BINDING}""#,
                    escape(a)
                )
            })
            .unwrap_or_default();
        format!(
            concat!(
                r#"<samlp:AuthnRequest xmlns:samlp="{}" xmlns:saml="{}" ID="{}" Version="2.0" IssueInstant="{}"{}{}>"#,
                "<saml:Issuer>{}</saml:Issuer></samlp:AuthnRequest>"
            ),
            PROTOCOL,
            ASSERTION,
            escape(&self.id),
            instant(self.issue_instant),
            destination,
            acs,
            escape(&self.issuer),
        )
    }

    /// The `SAMLRequest` value for the given binding (not yet URL-encoded).
    pub fn encode(&self, binding: Binding) -> String {
        let xml = self.to_xml();
        match binding {
            Binding::Post => STANDARD.encode(xml),
            Binding::Redirect => {
                let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
                encoder
                    .write_all(xml.as_bytes())
                    .and_then(|()| encoder.finish())
                    .map(|deflated| STANDARD.encode(deflated))
                    .expect("deflating into memory cannot fail")
            }
        }
    }

    /// Reads a `SAMLRequest` value received over `binding`. No DTD, bounded size.
    pub fn decode(value: &str, binding: Binding) -> Result<Self, RequestError> {
        let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = STANDARD
            .decode(compact)
            .map_err(|e| RequestError(format!("not base64: {e}")))?;
        let xml = match binding {
            Binding::Post => bytes,
            Binding::Redirect => {
                let mut out = Vec::new();
                DeflateDecoder::new(bytes.as_slice())
                    .take(MAX_REQUEST_BYTES + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| RequestError(format!("not DEFLATE: {e}")))?;
                out
            }
        };
        if xml.len() as u64 > MAX_REQUEST_BYTES {
            return Err(RequestError("larger than 64 KiB".into()));
        }
        let xml = String::from_utf8(xml).map_err(|_| RequestError("not UTF-8".into()))?;
        crate::bounds::check(&xml, &crate::bounds::Limits::REQUEST)
            .map_err(|e| RequestError(format!("refused unread: {e}")))?;
        let options = ParsingOptions {
            allow_dtd: false,
            nodes_limit: 1_000,
            ..ParsingOptions::default()
        };
        let doc = Document::parse_with_options(&xml, options)
            .map_err(|e| RequestError(format!("not well-formed XML: {e}")))?;
        let root = doc.root_element();
        if !root.has_tag_name((PROTOCOL, "AuthnRequest")) {
            return Err(RequestError(format!(
                "expected samlp:AuthnRequest, got <{}>",
                root.tag_name().name()
            )));
        }
        let id = root
            .attribute("ID")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| RequestError("the AuthnRequest has no ID".into()))?;
        let issuer = root
            .children()
            .find(|n| n.has_tag_name((ASSERTION, "Issuer")))
            .and_then(|n| n.text())
            .map(|t| t.trim().to_string())
            .ok_or_else(|| RequestError("the AuthnRequest has no Issuer".into()))?;
        let issue_instant = root
            .attribute("IssueInstant")
            .and_then(crate::xml::parse_instant)
            .ok_or_else(|| RequestError("IssueInstant is missing or not a dateTime".into()))?;
        Ok(AuthnRequest {
            id: id.to_string(),
            issuer,
            issue_instant,
            destination: root.attribute("Destination").map(str::to_string),
            acs_url: root
                .attribute("AssertionConsumerServiceURL")
                .map(str::to_string),
        })
    }
}
