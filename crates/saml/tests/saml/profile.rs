//! The Web SSO profile's rules (SAML profiles §4.1.4, core §2), each shown with an assertion the
//! IdP's own key signed, so that only the rule can refuse it.

use harness_saml::{
    Reason, SignatureAlgorithm, SignatureElement, SignatureOptions, sign_element, verify_response,
};

use super::{
    encode_response, expectations, key, now, reason, signed, strip_signature, verify_with,
};

const ASSERTION_ID: &str = "A_0a1b2c";
const RESPONSE_ID: &str = "R_0a1b2c";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// The standard response, unsigned, with `edit` applied, then signed on `element`s by the IdP.
fn resigned(edit: impl Fn(&str) -> String, elements: &[&str]) -> String {
    resigned_with(edit, elements, SignatureOptions::default())
}

fn resigned_with(
    edit: impl Fn(&str) -> String,
    elements: &[&str],
    options: SignatureOptions<'_>,
) -> String {
    let unsigned = strip_signature(&signed(
        SignatureElement::Assertion,
        SignatureAlgorithm::RsaSha256,
    ));
    let mut xml = edit(&unsigned);
    for id in elements {
        xml = sign_element(
            &xml,
            id,
            &key("idp"),
            SignatureAlgorithm::RsaSha256,
            options,
        );
    }
    xml
}

fn assertion_only(edit: impl Fn(&str) -> String) -> String {
    resigned(edit, &[ASSERTION_ID])
}

/// `edit` applied to the assertion's part of the document only (from its start tag on).
fn in_assertion(xml: &str, edit: impl Fn(&str) -> String) -> String {
    let at = xml.find("<saml:Assertion").unwrap();
    let (head, tail) = xml.split_at(at);
    format!("{head}{}", edit(tail))
}

#[test]
fn the_unedited_resigned_response_verifies() {
    // The control for every test below: only each test's edit can refuse.
    assert!(super::check(&assertion_only(str::to_owned)).is_ok());
    assert!(super::check(&resigned(str::to_owned, &[ASSERTION_ID, RESPONSE_ID])).is_ok());
}

#[test]
fn the_assertion_must_name_its_issuer() {
    // The assertion's Issuer goes; the Response's stays.
    let xml = assertion_only(|x| {
        in_assertion(x, |a| {
            a.replacen(
                "<saml:Issuer>https://app.onelogin.com/saml/metadata/1</saml:Issuer>",
                "",
                1,
            )
        })
    });
    assert_eq!(reason(&xml), Reason::MissingIssuer);
}

#[test]
fn the_bearer_confirmation_needs_not_on_or_after_and_forbids_not_before() {
    let without = assertion_only(|x| {
        x.replace(
            r#"<saml:SubjectConfirmationData NotOnOrAfter="2026-01-01T09:05:00Z" "#,
            "<saml:SubjectConfirmationData ",
        )
    });
    assert_eq!(reason(&without), Reason::BadSubjectConfirmation);
    let with_not_before = assertion_only(|x| {
        x.replace(
            "<saml:SubjectConfirmationData ",
            r#"<saml:SubjectConfirmationData NotBefore="2026-01-01T08:59:00Z" "#,
        )
    });
    assert_eq!(reason(&with_not_before), Reason::BadSubjectConfirmation);
    let no_bearer = assertion_only(|x| x.replace(":cm:bearer", ":cm:holder-of-key"));
    assert_eq!(reason(&no_bearer), Reason::BadSubjectConfirmation);
}

#[test]
fn the_replay_window_is_the_latest_not_on_or_after_the_assertion_carries() {
    let xml = assertion_only(|x| {
        x.replace(
            r#"<saml:SubjectConfirmationData NotOnOrAfter="2026-01-01T09:05:00Z""#,
            r#"<saml:SubjectConfirmationData NotOnOrAfter="2026-01-01T09:20:00Z""#,
        )
    });
    let ok = super::check(&xml).unwrap();
    assert_eq!(ok.valid_until.to_string(), "2026-01-01T09:20:00Z");
}

#[test]
fn an_assertion_without_an_authn_statement_is_refused() {
    let xml = assertion_only(|x| {
        let start = x.find("<saml:AuthnStatement").unwrap();
        let end = x.find("</saml:AuthnStatement>").unwrap() + "</saml:AuthnStatement>".len();
        format!("{}{}", &x[..start], &x[end..])
    });
    assert_eq!(reason(&xml), Reason::NoAuthnStatement);
}

#[test]
fn every_audience_restriction_must_name_the_sp() {
    let other = "<saml:AudienceRestriction><saml:Audience>https://other.example/</saml:Audience></saml:AudienceRestriction>";
    let xml =
        assertion_only(|x| x.replace("</saml:Conditions>", &format!("{other}</saml:Conditions>")));
    assert_eq!(reason(&xml), Reason::WrongAudience);
    let both_ours = assertion_only(|x| {
        x.replace(
            "</saml:Conditions>",
            "<saml:AudienceRestriction><saml:Audience>https://app.asana.com/</saml:Audience></saml:AudienceRestriction></saml:Conditions>",
        )
    });
    assert!(super::check(&both_ours).is_ok());
    let none = assertion_only(|x| {
        let start = x.find("<saml:AudienceRestriction>").unwrap();
        let end = x.find("</saml:Conditions>").unwrap();
        format!("{}{}", &x[..start], &x[end..])
    });
    assert_eq!(reason(&none), Reason::WrongAudience);
}

#[test]
fn exactly_the_declared_transforms_are_accepted() {
    let with = |transforms: &[&str]| {
        resigned_with(
            str::to_owned,
            &[ASSERTION_ID],
            SignatureOptions {
                transforms,
                ..SignatureOptions::default()
            },
        )
    };
    assert!(super::check(&with(&[ENVELOPED, EXC_C14N])).is_ok());
    for transforms in [
        &[][..],
        &[EXC_C14N],
        &[ENVELOPED],
        &[EXC_C14N, ENVELOPED],
        &[
            ENVELOPED,
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        ],
        &[ENVELOPED, EXC_C14N, EXC_C14N],
        &[ENVELOPED, "http://www.w3.org/TR/1999/REC-xslt-19991116"],
    ] {
        assert_eq!(
            reason(&with(transforms)),
            Reason::UnsupportedTransform,
            "{transforms:?}"
        );
    }
}

#[test]
fn inclusive_namespaces_are_honoured_so_xs_string_values_verify() {
    // `xs` is declared on the Response and used only inside an attribute value: exclusive
    // C14N leaves it out unless the PrefixList names it, as OneLogin-style signers do.
    let typed = |x: &str| {
        x.replacen(
            "<samlp:Response ",
            r#"<samlp:Response xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
            1,
        )
        .replace(
            "<saml:AttributeValue>",
            r#"<saml:AttributeValue xsi:type="xs:string">"#,
        )
    };
    let xml = resigned_with(
        typed,
        &[ASSERTION_ID],
        SignatureOptions {
            inclusive_prefixes: &["xs"],
            ..SignatureOptions::default()
        },
    );
    assert!(xml.contains(r#"PrefixList="xs""#));
    let ok = super::check(&xml).expect("a signature with an inclusive prefix verifies");
    assert_eq!(ok.name_id, "ada@acme.test");
    // The prefix is covered: redeclaring it changes the digest.
    let moved = xml.replacen(
        r#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#,
        r#"xmlns:xs="urn:evil""#,
        1,
    );
    assert_eq!(reason(&moved), Reason::BadSignature);
}

#[test]
fn in_response_to_is_read_from_signed_content_only() {
    // Assertion signed, Response not: the Response's InResponseTo is the attacker's to write.
    let signed_assertion = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    let swapped =
        signed_assertion.replacen(r#"InResponseTo="_req1""#, r#"InResponseTo="_victims""#, 1);
    assert_eq!(reason(&swapped), Reason::InResponseToMismatch);
    // An unsigned Response naming a request the (signed) assertion does not answer.
    let answers_nothing = |x: &str| in_assertion(x, |a| a.replace(r#" InResponseTo="_req1""#, ""));
    let unsolicited = assertion_only(answers_nothing);
    assert_eq!(reason(&unsolicited), Reason::InResponseToMismatch);
    // The same with the Response signed: its InResponseTo is signed content.
    let response_signed = resigned(answers_nothing, &[RESPONSE_ID]);
    let ok = super::check(&response_signed).unwrap();
    assert_eq!(ok.in_response_to.as_deref(), Some("_req1"));
}

#[test]
fn a_signed_response_must_name_its_destination() {
    let xml = resigned(
        |x| x.replacen(r#" Destination="http://127.0.0.1:9/-/saml/consume""#, "", 1),
        &[RESPONSE_ID],
    );
    assert_eq!(reason(&xml), Reason::WrongDestination);
}

#[test]
fn the_tenant_hint_is_the_structural_name_id_not_a_decoy() {
    // A decoy NameID in the unsigned Extensions, before the assertion: the hint must still be
    // the assertion's own Subject/NameID.
    let decoy =
        r#"<samlp:Extensions><saml:NameID>mallory@other.test</saml:NameID></samlp:Extensions>"#;
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256).replacen(
        "<samlp:Status>",
        &format!("{decoy}<samlp:Status>"),
        1,
    );
    let mut hints = Vec::new();
    let certs = [key("idp").certificate().clone()];
    let ok = verify_response(&encode_response(&xml), &expectations(now()), |hint| {
        hints.push(hint.to_owned());
        Ok(certs.to_vec())
    })
    .unwrap();
    assert_eq!(hints, ["ada@acme.test"]);
    assert_eq!(ok.name_id, "ada@acme.test");
}

#[test]
fn the_trust_callback_can_refuse_before_any_signature_is_checked() {
    let xml = signed(SignatureElement::Assertion, SignatureAlgorithm::RsaSha256);
    let refusal = verify_response(&encode_response(&xml), &expectations(now()), |_| {
        Err(harness_saml::Refusal::new(Reason::SamlOff, "off"))
    })
    .unwrap_err();
    assert_eq!(refusal.reason, Reason::SamlOff);
    // And trusting nobody refuses the signature.
    assert_eq!(
        verify_with(&encode_response(&xml), now(), &[])
            .unwrap_err()
            .reason,
        Reason::BadSignature
    );
}
