//! Why a sign-in was refused: one code per cause, shared by the verifier and the service
//! provider, so that a journal, a page and a scenario all name it the same way.

use std::fmt;

/// A refusal's code. The service provider's own (user matching, replay, settings) sit beside
/// the verifier's (the response itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `SAMLResponse` is not base64, not UTF-8, not XML, too large, or not a SAML Response.
    Malformed,
    /// The XML has a document type declaration (entity expansion, external entities).
    DtdForbidden,
    /// The XML exceeds a bound on depth, elements, attributes or namespace declarations,
    /// measured before it is parsed.
    TooComplex,
    /// No signature covers the assertion.
    Unsigned,
    /// A signature does not verify, or is not made by the certificate the SP trusts.
    BadSignature,
    /// More than one assertion, duplicate IDs, or a signature over something else.
    SignatureWrapping,
    /// A signature's Reference declares transforms other than enveloped-signature followed by
    /// exclusive C14N.
    UnsupportedTransform,
    /// The NameID holds a comment or markup, so two readers could read two different people.
    AmbiguousNameId,
    /// The assertion has no Issuer (SAML core §2.3.3 requires one).
    MissingIssuer,
    /// The bearer SubjectConfirmationData lacks NotOnOrAfter or carries NotBefore (profiles
    /// §4.1.4.2).
    BadSubjectConfirmation,
    /// The assertion has no AuthnStatement (profiles §4.1.4.2).
    NoAuthnStatement,
    /// InResponseTo differs between the Response and the assertion, or is on the Response only
    /// and no signature covers it.
    InResponseToMismatch,
    /// The IdP answered with a status other than Success.
    IdpError,
    WrongAudience,
    WrongDestination,
    Expired,
    NotYetValid,
    /// InResponseTo names an AuthnRequest this SP did not send (or already answered).
    UnknownRequest,
    /// InResponseTo names an AuthnRequest this SP sent, but to another browser.
    OtherBrowser,
    /// InResponseTo names an AuthnRequest that waited too long for its answer.
    RequestExpired,
    /// A sign-in start with a RelayState over 80 bytes (SAML bindings §3.4.3, §3.5.3).
    RelayStateTooLong,
    /// Too many sign-ins are waiting for an answer; none is pushed out to make room.
    TooManyPending,
    /// This assertion ID was used before.
    Replayed,
    /// The organization has SAML off.
    SamlOff,
    /// No member has the NameID's email.
    UnknownUser,
    /// The member was deprovisioned (deactivated) in Asana.
    Deprovisioned,
    /// Guests sign in with email and password, never SAML (fidelity/saml §1).
    GuestMustUsePassword,
    /// SAML is required: members cannot use a password.
    PasswordNotAllowed,
    /// Password sign-in with a wrong or unset password.
    WrongPassword,
}

impl Reason {
    pub const ALL: [Reason; 29] = [
        Reason::Malformed,
        Reason::DtdForbidden,
        Reason::TooComplex,
        Reason::Unsigned,
        Reason::BadSignature,
        Reason::SignatureWrapping,
        Reason::UnsupportedTransform,
        Reason::AmbiguousNameId,
        Reason::MissingIssuer,
        Reason::BadSubjectConfirmation,
        Reason::NoAuthnStatement,
        Reason::InResponseToMismatch,
        Reason::IdpError,
        Reason::WrongAudience,
        Reason::WrongDestination,
        Reason::Expired,
        Reason::NotYetValid,
        Reason::UnknownRequest,
        Reason::OtherBrowser,
        Reason::RequestExpired,
        Reason::RelayStateTooLong,
        Reason::TooManyPending,
        Reason::Replayed,
        Reason::SamlOff,
        Reason::UnknownUser,
        Reason::Deprovisioned,
        Reason::GuestMustUsePassword,
        Reason::PasswordNotAllowed,
        Reason::WrongPassword,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::DtdForbidden => "dtd_forbidden",
            Reason::TooComplex => "too_complex",
            Reason::Unsigned => "unsigned",
            Reason::BadSignature => "bad_signature",
            Reason::SignatureWrapping => "signature_wrapping",
            Reason::UnsupportedTransform => "unsupported_transform",
            Reason::AmbiguousNameId => "ambiguous_name_id",
            Reason::MissingIssuer => "missing_issuer",
            Reason::BadSubjectConfirmation => "bad_subject_confirmation",
            Reason::NoAuthnStatement => "no_authn_statement",
            Reason::InResponseToMismatch => "in_response_to_mismatch",
            Reason::IdpError => "idp_error",
            Reason::WrongAudience => "wrong_audience",
            Reason::WrongDestination => "wrong_destination",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::UnknownRequest => "unknown_request",
            Reason::OtherBrowser => "other_browser",
            Reason::RequestExpired => "request_expired",
            Reason::RelayStateTooLong => "relay_state_too_long",
            Reason::TooManyPending => "too_many_pending",
            Reason::Replayed => "replayed",
            Reason::SamlOff => "saml_off",
            Reason::UnknownUser => "unknown_user",
            Reason::Deprovisioned => "deprovisioned",
            Reason::GuestMustUsePassword => "guest_must_use_password",
            Reason::PasswordNotAllowed => "password_not_allowed",
            Reason::WrongPassword => "wrong_password",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refusal: the code, and a plain sentence for the person and the journal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct Refusal {
    pub reason: Reason,
    pub message: String,
}

impl Refusal {
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }
}
