//! Hostile shapes: whatever a response floods (namespace declarations, attributes, depth,
//! elements), the verifier answers within 100 ms, and never accepts it. On a loaded machine the
//! bound grows with the time a genuine response takes at that moment (`bound()`), so the tests
//! catch work that grows with the flood, not a busy CI neighbour.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use harness_saml::{MAX_RESPONSE_BYTES, Reason, SignatureAlgorithm, SignatureElement};
use proptest::prelude::*;

use super::{now, signed, verify_with};

const BOUND: Duration = Duration::from_millis(100);

/// 100 ms, or 25 times the slowest of three verifications of a genuine signed response measured
/// now, whichever is more. Unloaded, a genuine response takes about a millisecond, so the bound
/// is 100 ms; a machine busy enough to slow everything tenfold slows both alike. A flood that
/// is parsed or canonicalized when it should be refused unread costs hundreds of times more.
fn bound() -> Duration {
    let genuine = STANDARD.encode(signed(
        SignatureElement::Assertion,
        SignatureAlgorithm::RsaSha256,
    ));
    let certificates = [super::key("idp").certificate().clone()];
    let slowest = (0..3)
        .map(|_| {
            let started = Instant::now();
            let _ = verify_with(&genuine, now(), &certificates);
            started.elapsed()
        })
        .max()
        .unwrap_or_default();
    BOUND.max(slowest * 25)
}
/// The most XML a `SAMLResponse` under the size limit can carry.
const MAX_XML: usize = MAX_RESPONSE_BYTES / 4 * 3;

#[derive(Debug, Clone, Copy)]
enum Flood {
    /// The root declares `a` namespaces; `b` children declare one each.
    Namespaces,
    /// One element with `a` attributes; `b` elements with one each.
    Attributes,
    /// `a` elements nested, `b` siblings at the bottom.
    Depth,
    /// A real signed response whose unsigned Response root carries `a` namespace declarations
    /// and `b` attributes: the junk sits outside what the signature covers.
    SignedWrapper,
}

fn document(flood: Flood, a: usize, b: usize) -> String {
    let mut xml = String::with_capacity(MAX_XML);
    let protocol = r#"xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol""#;
    match flood {
        Flood::Namespaces => {
            xml.push_str(&format!("<samlp:Response {protocol}"));
            for i in 0..a {
                xml.push_str(&format!(r#" xmlns:n{i}="urn:n{i}""#));
            }
            xml.push('>');
            for i in 0..b {
                xml.push_str(&format!(r#"<c xmlns:m{i}="urn:m{i}"/>"#));
            }
            xml.push_str("</samlp:Response>");
        }
        Flood::Attributes => {
            xml.push_str(&format!("<samlp:Response {protocol}"));
            for i in 0..a {
                xml.push_str(&format!(r#" a{i}="v""#));
            }
            xml.push('>');
            for i in 0..b {
                xml.push_str(&format!(r#"<c a{i}="v"/>"#));
            }
            xml.push_str("</samlp:Response>");
        }
        Flood::Depth => {
            xml.push_str(&format!("<samlp:Response {protocol}>"));
            xml.push_str(&"<d>".repeat(a));
            xml.push_str(&"<e/>".repeat(b));
            xml.push_str(&"</d>".repeat(a));
            xml.push_str("</samlp:Response>");
        }
        Flood::SignedWrapper => {
            let good = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
            let junk: String = (0..a)
                .map(|i| format!(r#" xmlns:j{i}="urn:j{i}""#))
                .chain((0..b).map(|i| format!(r#" x{i}="y""#)))
                .collect();
            xml.push_str(&good.replacen("<samlp:Response ", &format!("<samlp:Response{junk} "), 1));
        }
    }
    xml.truncate(MAX_XML);
    xml
}

fn flood() -> impl Strategy<Value = Flood> {
    prop_oneof![
        Just(Flood::Namespaces),
        Just(Flood::Attributes),
        Just(Flood::Depth),
        Just(Flood::SignedWrapper),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_flood_is_answered_within_the_bound_and_refused(
        flood in flood(),
        a in 0usize..20_000,
        b in 0usize..20_000,
    ) {
        let xml = document(flood, a, b);
        let b64 = STANDARD.encode(&xml);
        let bound = bound();
        let started = Instant::now();
        let result = verify_with(&b64, now(), &[super::key("idp").certificate().clone()]);
        let took = started.elapsed();
        prop_assert!(took < bound, "{flood:?} a={a} b={b}: {took:?} (bound {bound:?})");
        match flood {
            // Within every bound the signed response is the real one, and verifies.
            Flood::SignedWrapper if a <= 14 && a + b <= 25 => prop_assert!(result.is_ok()),
            _ => prop_assert!(result.is_err()),
        }
    }
}

#[test]
fn the_reported_floods_are_refused_unread() {
    // The shapes that froze the fakes: 2,000 declarations on the root and 1,000 children
    // declaring one each; 27,500 attributes; and the signed response wrapped in such junk.
    let cases = [
        document(Flood::Namespaces, 2_000, 1_000),
        document(Flood::Attributes, 27_500, 0),
        document(Flood::Depth, 5_000, 0),
        document(Flood::SignedWrapper, 2_000, 1_000),
    ];
    for xml in cases {
        let refusal = verify_with(&STANDARD.encode(&xml), now(), &[]).unwrap_err();
        assert_eq!(refusal.reason, Reason::TooComplex, "{}", refusal.message);
    }
}

#[test]
fn the_largest_response_within_every_bound_is_still_quick() {
    // Up to every limit at once: 2,000 elements, each with 2 attributes, 16 namespace
    // declarations on the root, nested 20 deep, padded with text to the size limit.
    let mut xml =
        String::from(r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol""#);
    for i in 0..15 {
        xml.push_str(&format!(r#" xmlns:n{i}="urn:n{i}""#));
    }
    xml.push('>');
    xml.push_str(&"<d>".repeat(20));
    for i in 0..1_975 {
        xml.push_str(&format!(r#"<c a="{i}" b="x">text</c>"#));
    }
    xml.push_str(&"</d>".repeat(20));
    let pad = MAX_XML - xml.len() - "</samlp:Response>".len();
    xml.push_str(&" ".repeat(pad));
    xml.push_str("</samlp:Response>");
    let bound = bound();
    let started = Instant::now();
    let refusal = verify_with(&STANDARD.encode(&xml), now(), &[]).unwrap_err();
    let took = started.elapsed();
    assert_eq!(refusal.reason, Reason::Malformed, "{}", refusal.message);
    assert!(took < bound, "{took:?} (bound {bound:?})");
}

/// An attribute that declares a prefix with a very long namespace URI, and children that use it:
/// exclusive C14N writes the declaration again on every child.
fn amplifier(children: usize) -> String {
    let uri = format!("urn:{}", "u".repeat(150_000));
    format!(
        r#"<saml:AttributeStatement><saml:Attribute Name="x" xmlns:p="{uri}">{}</saml:Attribute></saml:AttributeStatement>"#,
        "<p:v/>".repeat(children)
    )
}

#[test]
fn canonicalization_cannot_be_amplified() {
    // Inside a genuinely signed assertion (its SignedInfo and signature value intact, as a
    // person with the app could replay them): the digest's canonical form is bounded.
    let good = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    let padded = good.replacen(
        "</saml:Assertion>",
        &format!("{}</saml:Assertion>", amplifier(1_900)),
        1,
    );
    assert!(padded.len() < MAX_XML, "{}", padded.len());
    let bound = bound();
    let started = Instant::now();
    let refusal = verify_with(
        &STANDARD.encode(&padded),
        now(),
        &[super::key("idp").certificate().clone()],
    )
    .unwrap_err();
    let took = started.elapsed();
    assert_eq!(refusal.reason, Reason::TooComplex, "{}", refusal.message);
    assert!(took < bound, "{took:?} (bound {bound:?})");
    // With a made-up signature it never gets that far: SignedInfo is checked first.
    let forged = padded.replacen("<ds:SignatureValue>", "<ds:SignatureValue>AAAA", 1);
    let bound = self::bound();
    let started = Instant::now();
    let refusal = verify_with(
        &STANDARD.encode(&forged),
        now(),
        &[super::key("idp").certificate().clone()],
    )
    .unwrap_err();
    assert_eq!(refusal.reason, Reason::BadSignature, "{}", refusal.message);
    let took = started.elapsed();
    assert!(took < bound, "{took:?} (bound {bound:?})");
}
