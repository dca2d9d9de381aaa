//! The verifier against what the signer makes, and against each attack a real SP must survive.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use harness_saml::{
    AssertionSpec, AuthnRequest, Binding, Certificate, Expectations, Reason, SignatureAlgorithm,
    SignatureElement, Signing, SigningKey, build_response, encode_response, verify_response,
};
use jiff::{SignedDuration, Timestamp};

mod bounds;
mod profile;

const ACS: &str = "http://127.0.0.1:9/-/saml/consume";
const AUDIENCE: &str = "https://app.asana.com/";

fn key(name: &str) -> SigningKey {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/saml/");
    SigningKey::from_pem(
        &std::fs::read_to_string(format!("{dir}{name}.key.pem")).unwrap(),
        &std::fs::read_to_string(format!("{dir}{name}.cert.pem")).unwrap(),
    )
    .unwrap()
}

fn now() -> Timestamp {
    "2026-01-01T09:00:00Z".parse().unwrap()
}

fn spec() -> AssertionSpec {
    AssertionSpec {
        issuer: "https://app.onelogin.com/saml/metadata/1".into(),
        name_id: "ada@acme.test".into(),
        audience: AUDIENCE.into(),
        acs_url: ACS.into(),
        in_response_to: Some("_req1".into()),
        now: now(),
        authn_instant: now(),
        id: "_0a1b2c".into(),
        attributes: vec![("email".into(), "ada@acme.test".into())],
    }
}

fn signed(element: SignatureElement, algorithm: SignatureAlgorithm) -> String {
    build_response(
        &spec(),
        Signing {
            key: &key("idp"),
            algorithm,
            element,
        },
    )
}

fn check(xml: &str) -> Result<harness_saml::Verified, harness_saml::Refusal> {
    check_at(xml, now())
}

fn check_at(xml: &str, at: Timestamp) -> Result<harness_saml::Verified, harness_saml::Refusal> {
    verify_with(
        &encode_response(xml),
        at,
        &[key("idp").certificate().clone()],
    )
}

fn expectations(at: Timestamp) -> Expectations<'static> {
    Expectations {
        audience: AUDIENCE,
        acs_url: ACS,
        now: at,
        clock_skew: SignedDuration::ZERO,
    }
}

/// Verifies a base64 `SAMLResponse` trusting `certs`, whatever the tenant hint.
fn verify_with(
    b64: &str,
    at: Timestamp,
    certs: &[Certificate],
) -> Result<harness_saml::Verified, harness_saml::Refusal> {
    verify_response(b64, &expectations(at), |_| Ok(certs.to_vec()))
}

fn reason(xml: &str) -> Reason {
    check(xml).expect_err("refused").reason
}

#[test]
fn every_algorithm_and_element_verifies_and_says_who() {
    for algorithm in SignatureAlgorithm::ALL {
        for (element, label) in [
            (SignatureElement::Assertion, "assertion"),
            (SignatureElement::Response, "response"),
            (SignatureElement::Both, "both"),
        ] {
            let xml = signed(element, algorithm);
            assert!(xml.contains(algorithm.uri()));
            let ok = check(&xml).unwrap_or_else(|r| panic!("{algorithm:?} {element:?}: {r}"));
            assert_eq!(ok.name_id, "ada@acme.test");
            assert_eq!(ok.signed, label);
            assert_eq!(ok.in_response_to.as_deref(), Some("_req1"));
            assert_eq!(ok.assertion_id, "A_0a1b2c");
            assert_eq!(
                ok.name_id_format.as_deref(),
                Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
            );
            assert_eq!(ok.certificate, key("idp").certificate().sha1_fingerprint());
        }
    }
}

#[test]
fn the_window_is_one_minute_before_and_five_after_issue_on_the_callers_clock() {
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    assert!(check_at(&xml, now() - SignedDuration::from_secs(60)).is_ok());
    let early = check_at(&xml, now() - SignedDuration::from_secs(61)).unwrap_err();
    assert_eq!(early.reason, Reason::NotYetValid);
    assert!(check_at(&xml, now() + SignedDuration::from_secs(299)).is_ok());
    let late = check_at(&xml, now() + SignedDuration::from_secs(300)).unwrap_err();
    assert_eq!(late.reason, Reason::Expired);
    assert!(
        late.message.contains("2026-01-01T09:05:00Z"),
        "{}",
        late.message
    );
}

#[test]
fn a_certificate_the_sp_does_not_have_is_named_by_fingerprint() {
    let other = key("rotated");
    let xml = build_response(
        &spec(),
        Signing {
            key: &other,
            algorithm: SignatureAlgorithm::RsaSha256,
            element: SignatureElement::Assertion,
        },
    );
    let refusal = check(&xml).unwrap_err();
    assert_eq!(refusal.reason, Reason::BadSignature);
    assert!(
        refusal
            .message
            .contains(&other.certificate().sha1_fingerprint())
    );
}

#[test]
fn audience_and_destination_and_recipient_are_checked() {
    let mut s = spec();
    s.audience = "https://elsewhere.example/".into();
    let sign = |s: &AssertionSpec| {
        build_response(
            s,
            Signing {
                key: &key("idp"),
                algorithm: SignatureAlgorithm::RsaSha256,
                element: SignatureElement::Both,
            },
        )
    };
    assert_eq!(reason(&sign(&s)), Reason::WrongAudience);
    let mut s = spec();
    s.acs_url = "http://127.0.0.1:9/elsewhere".into();
    assert_eq!(reason(&sign(&s)), Reason::WrongDestination);
}

// ---- The hostile-XML table (README, "What the fake Asana refuses"). ----

#[test]
fn an_altered_assertion_fails_its_digest() {
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256).replace(
        "ada@acme.test</saml:NameID>",
        "grace@acme.test</saml:NameID>",
    );
    let refusal = check(&xml).unwrap_err();
    assert_eq!(refusal.reason, Reason::BadSignature);
    assert!(refusal.message.contains("digest mismatch"));
}

#[test]
fn an_altered_signature_value_fails() {
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut bytes = xml.into_bytes();
    bytes[start + 3] = if bytes[start + 3] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        reason(&String::from_utf8(bytes).unwrap()),
        Reason::BadSignature
    );
}

#[test]
fn a_stripped_signature_is_unsigned() {
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let stripped = format!("{}{}", &xml[..start], &xml[end..]);
    assert_eq!(reason(&stripped), Reason::Unsigned);
}

#[test]
fn a_second_unsigned_assertion_is_signature_wrapping() {
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let evil = xml[start..end]
        .replace("ada@acme.test", "mallory@acme.test")
        .replace(r#"ID="A_0a1b2c""#, r#"ID="evil""#);
    let evil = strip_signature(&evil);
    // Before the signed one, and after it.
    let before = format!("{}{evil}{}", &xml[..start], &xml[start..]);
    let after = format!("{}{evil}{}", &xml[..end], &xml[end..]);
    assert_eq!(reason(&before), Reason::SignatureWrapping);
    assert_eq!(reason(&after), Reason::SignatureWrapping);
    // The signed assertion moved into an Extensions-like wrapper, an unsigned one in its place.
    let wrapped = format!(
        "{}{evil}<samlp:Extensions>{}</samlp:Extensions>{}",
        &xml[..start],
        &xml[start..end],
        &xml[end..]
    );
    assert_eq!(reason(&wrapped), Reason::SignatureWrapping);
}

#[test]
fn a_comment_inside_the_name_id_is_refused_though_the_signature_holds() {
    // Exclusive C14N drops comments, so the digest still matches: exactly the attack.
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256).replace(
        "ada@acme.test</saml:NameID>",
        "ada@acme.test<!---->.evil.example</saml:NameID>",
    );
    let refusal = check(&xml).unwrap_err();
    // The digest covers "ada@acme.test.evil.example", not what was signed.
    assert!(matches!(
        refusal.reason,
        Reason::BadSignature | Reason::AmbiguousNameId
    ));
    // Signed with the comment in place, so only the NameID rule can catch it.
    let commented = build_with_name_id("ada@acme.test.evil.example").replace(
        "ada@acme.test.evil.example</saml:NameID>",
        "ada@acme.test<!---->.evil.example</saml:NameID>",
    );
    assert_eq!(reason(&commented), Reason::AmbiguousNameId);
}

#[test]
fn a_doctype_is_refused_before_any_entity_is_read() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>"#;
    assert_eq!(reason(laughs), Reason::DtdForbidden);
    let external = r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    assert_eq!(reason(external), Reason::DtdForbidden);
}

#[test]
fn oversized_or_non_base64_responses_are_malformed() {
    let refused = |b64: &str| verify_with(b64, now(), &[]).unwrap_err().reason;
    let huge = "A".repeat(harness_saml::MAX_RESPONSE_BYTES + 4);
    assert_eq!(refused(&huge), Reason::Malformed);
    assert_eq!(refused("%%%not base64"), Reason::Malformed);
    assert_eq!(refused(""), Reason::Malformed);
    assert_eq!(refused(&STANDARD.encode("<unclosed")), Reason::Malformed);
}

fn build_with_name_id(name_id: &str) -> String {
    // Sign a response whose NameID already holds the comment: the comment is then inside what
    // was signed, and canonicalization ignores it on both sides.
    let mut s = spec();
    s.name_id = name_id.into();
    build_response(
        &s,
        Signing {
            key: &key("idp"),
            algorithm: SignatureAlgorithm::RsaSha256,
            element: SignatureElement::Assertion,
        },
    )
}

fn strip_signature(xml: &str) -> String {
    match (xml.find("<ds:Signature"), xml.find("</ds:Signature>")) {
        (Some(s), Some(e)) => format!("{}{}", &xml[..s], &xml[e + "</ds:Signature>".len()..]),
        _ => xml.to_string(),
    }
}

#[test]
fn authn_requests_round_trip_over_both_bindings() {
    let request = AuthnRequest {
        id: "_r1".into(),
        issuer: AUDIENCE.into(),
        issue_instant: now(),
        destination: Some("http://127.0.0.1:8/trust/saml2/http-post/sso/1".into()),
        acs_url: Some(ACS.into()),
    };
    for binding in [Binding::Redirect, Binding::Post] {
        let encoded = request.encode(binding);
        assert_eq!(AuthnRequest::decode(&encoded, binding).unwrap(), request);
    }
    assert!(AuthnRequest::decode("!!", Binding::Post).is_err());
    let dtd = STANDARD.encode(r#"<!DOCTYPE x [<!ENTITY a "b">]><x/>"#);
    assert!(AuthnRequest::decode(&dtd, Binding::Post).is_err());
}

#[test]
fn keys_round_trip_through_pem_and_refuse_a_mismatched_pair() {
    let k = key("idp");
    let again = SigningKey::from_pem(&k.key_pem(), &k.certificate().pem()).unwrap();
    assert_eq!(again.certificate(), k.certificate());
    assert!(SigningKey::from_pem(&k.key_pem(), &key("rotated").certificate().pem()).is_err());
    assert!(Certificate::from_pem("not a certificate").is_err());
}

// ---- Against an independent implementation (signxml and lxml, installed by `cargo xtask`). ----

pub mod independent {
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    fn root() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    pub fn python() -> PathBuf {
        if let Some(p) = std::env::var_os("SAML_PYTHON") {
            return p.into();
        }
        let venv = root().join("target/scim2-venv/bin/python");
        assert!(
            venv.exists(),
            "signxml is not installed: run `cargo xtask test` (or `cargo xtask scim2-venv`)"
        );
        venv
    }

    /// Runs `independent.py` with `args`, `stdin` on its input; its stdout, or a panic with
    /// its stderr.
    pub fn run(args: &[&str], stdin: &str) -> String {
        let mut child = Command::new(python())
            .arg(root().join("tests/saml/independent.py"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "independent.py {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

#[test]
fn signxml_verifies_every_signature_the_idp_makes() {
    let cert = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/saml/idp.cert.pem"
    );
    for algorithm in SignatureAlgorithm::ALL {
        for element in [
            SignatureElement::Assertion,
            SignatureElement::Response,
            SignatureElement::Both,
        ] {
            let xml = signed(element, algorithm);
            let out = independent::run(&["verify", cert], &xml);
            let expected = if element == SignatureElement::Both {
                2
            } else {
                1
            };
            assert_eq!(
                out.trim(),
                format!("verified {expected} signature(s); NameID ada@acme.test"),
                "{algorithm:?} {element:?}"
            );
        }
    }
    // And signxml refuses what was altered, so the check above can fail.
    let altered = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256)
        .replace("ada@acme.test</saml:NameID>", "eve@acme.test</saml:NameID>");
    let status = std::process::Command::new(independent::python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/saml/independent.py"
        ))
        .args(["verify", cert])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(altered.as_bytes())?;
            c.wait()
        })
        .unwrap();
    assert!(!status.success(), "signxml accepted an altered assertion");
}

#[test]
fn canonicalization_matches_lxml() {
    let docs = [
        signed(SignatureElement::Both, SignatureAlgorithm::RsaSha256),
        r#"<r xmlns="urn:d" xmlns:a="urn:a" xmlns:unused="urn:u"><a:e a:x="1" y="2"><f xmlns=""/><g>t&amp;&lt;&gt;"'</g></a:e></r>"#.to_string(),
        "<r b=\"&#9;&#10;&#13;&quot;&lt;&amp;\" a=\"x\">\n  <!-- dropped -->\r\n  <?pi data?><x:y xmlns:x=\"urn:x\" x:b=\"2\" x:a=\"1\"/></r>".to_string(),
        r#"<p:r xmlns:p="urn:p" xmlns:q="urn:q"><q:s xmlns:p="urn:other"><p:t q:u="v"/></q:s><![CDATA[<cdata & text>]]></p:r>"#.to_string(),
        "<r xmlns:x=\"urn:x\"><s xmlns=\"urn:s\"><t xmlns=\"\"><u xmlns=\"urn:s\"/></t></s>é &#x1F600;</r>".to_string(),
    ];
    for doc in docs {
        let ours = harness_saml::canonicalize_document(&doc, &[]).unwrap();
        let theirs = independent::run(&["c14n"], &doc);
        assert_eq!(ours, theirs, "for {doc}");
    }
    // With inclusive prefixes: in scope and used only in a value, in scope and unused, absent.
    let doc = r#"<r xmlns:xs="urn:xs" xmlns:u="urn:u" xmlns:p="urn:p"><p:v xmlns:xsi="urn:xsi" xsi:type="xs:string">x</p:v><w xmlns:xs="urn:other"/></r>"#;
    for prefixes in [&["xs"][..], &["xs", "u"], &["absent"], &["p", "xs"]] {
        let ours = harness_saml::canonicalize_document(doc, prefixes).unwrap();
        let mut args = vec!["c14n"];
        args.extend_from_slice(prefixes);
        let theirs = independent::run(&args, doc);
        assert_eq!(ours, theirs, "with {prefixes:?}");
    }
}

/// A `SAMLResponse` (base64) for grace@acme.test that signxml signs with the `independent` key;
/// `extra` is `[ALGORITHM [typed]]` (see `independent.py`).
fn signed_by_signxml(extra: &[&str]) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/saml/");
    let (key, cert) = (
        format!("{dir}independent.key.pem"),
        format!("{dir}independent.cert.pem"),
    );
    let mut args = vec![
        "sign",
        &key,
        &cert,
        ACS,
        AUDIENCE,
        "grace@acme.test",
        "2026-01-01T09:00:00Z",
        "https://idp.example/metadata",
    ];
    args.extend_from_slice(extra);
    independent::run(&args, "").trim().to_owned()
}

#[test]
fn signxml_responses_in_every_sha2_length_and_with_inclusive_prefixes_verify() {
    let trusted = [key("independent").certificate().clone()];
    for (algorithm, typed) in [("sha384", ""), ("sha512", ""), ("sha256", "typed")] {
        let b64 = signed_by_signxml(&[algorithm, typed]);
        let xml = String::from_utf8(STANDARD.decode(&b64).unwrap()).unwrap();
        if typed == "typed" {
            assert!(xml.contains("PrefixList=\"xs\""), "{xml}");
        }
        let ok = verify_with(&b64, now(), &trusted)
            .unwrap_or_else(|r| panic!("{algorithm} {typed}: {r}"));
        assert_eq!(ok.name_id, "grace@acme.test");
    }
}

#[test]
fn a_response_signed_by_signxml_verifies_with_its_certificate_only() {
    let b64 = signed_by_signxml(&[]);
    let independent = key("independent").certificate().clone();
    let expect = |certs: &[Certificate]| verify_with(b64.trim(), now(), certs);
    let ok = expect(std::slice::from_ref(&independent)).expect("signxml's response verifies");
    assert_eq!(ok.name_id, "grace@acme.test");
    assert_eq!(ok.issuer, "https://idp.example/metadata");
    assert_eq!(ok.signed, "assertion");
    let wrong = expect(&[key("idp").certificate().clone()]).unwrap_err();
    assert_eq!(wrong.reason, Reason::BadSignature);
}
