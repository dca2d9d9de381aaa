//! What verification takes and gives: the service provider's expectations, the elements found
//! by structure that every step reads, and the verified assertion.

use jiff::{SignedDuration, Timestamp};
use roxmltree::Node;

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

/// The elements every later step reads, found by structure alone.
pub(crate) struct Found<'a, 'i> {
    pub(crate) response: Node<'a, 'i>,
    pub(crate) assertion: Node<'a, 'i>,
    pub(crate) subject: Node<'a, 'i>,
    pub(crate) name_id_node: Node<'a, 'i>,
    /// The NameID's text, trimmed: the tenant hint before verification, the person after.
    pub(crate) name_id: String,
}
