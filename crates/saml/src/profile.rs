//! The Web SSO profile's rules (SAML profiles §4.1.4.2-3, core §2), checked on the elements a
//! verified signature covers: status, destination, issuer, bearer confirmation, audiences,
//! authentication statement, InResponseTo from signed content, and the replay window.

use jiff::Timestamp;
use roxmltree::Node;

use crate::reason::{Reason, Refusal};
use crate::tree::{child, children, element_text, time_attr};
use crate::verified::{Expectations, Found, Verified};
use crate::xml::{ASSERTION, BEARER, PROTOCOL, STATUS_SUCCESS};

/// The Web SSO profile's rules (SAML profiles §4.1.4.2-3, core §2), read from verified
/// elements only.
pub(crate) struct Profile<'f, 'a, 'i, 'e> {
    pub(crate) found: &'f Found<'a, 'i>,
    pub(crate) expect: &'f Expectations<'e>,
    /// Whether a signature covers the Response itself (and so its attributes).
    pub(crate) response_signed: bool,
}

impl Profile<'_, '_, '_, '_> {
    pub(crate) fn check(&self) -> Result<Verified, Refusal> {
        let (response, assertion) = (self.found.response, self.found.assertion);
        let status = child(response, PROTOCOL, "Status")
            .and_then(|s| child(s, PROTOCOL, "StatusCode"))
            .and_then(|c| c.attribute("Value"));
        if status != Some(STATUS_SUCCESS) {
            return Err(Refusal::new(
                Reason::IdpError,
                format!("the IdP answered {}", status.unwrap_or("no status")),
            ));
        }
        self.destination()?;
        let issuer = child(assertion, ASSERTION, "Issuer")
            .and_then(element_text)
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .ok_or_else(|| {
                Refusal::new(
                    Reason::MissingIssuer,
                    "the assertion names no Issuer (SAML core §2.3.3 requires one)",
                )
            })?;
        let bearer = self.bearer()?;
        self.conditions()?;
        let authn = child(assertion, ASSERTION, "AuthnStatement").ok_or_else(|| {
            Refusal::new(
                Reason::NoAuthnStatement,
                "the assertion has no AuthnStatement; the Web SSO profile requires one",
            )
        })?;
        let in_response_to = self.in_response_to(bearer.in_response_to)?;
        Ok(Verified {
            assertion_id: assertion.attribute("ID").unwrap_or_default().to_string(),
            issuer,
            name_id: self.found.name_id.clone(),
            name_id_format: self
                .found
                .name_id_node
                .attribute("Format")
                .map(str::to_string),
            in_response_to,
            valid_until: self.latest_not_on_or_after()?,
            session_index: authn.attribute("SessionIndex").map(str::to_string),
            signed: "",
            certificate: String::new(),
        })
    }

    /// A Response that names a Destination names this ACS; a signed Response must name one
    /// (SAML bindings §3.5.5.2).
    fn destination(&self) -> Result<(), Refusal> {
        let acs = self.expect.acs_url;
        match self.found.response.attribute("Destination") {
            Some(d) if d != acs => Err(Refusal::new(
                Reason::WrongDestination,
                format!("the response is for {d}, not {acs}"),
            )),
            None if self.response_signed => Err(Refusal::new(
                Reason::WrongDestination,
                format!("the signed Response names no Destination; it must name {acs}"),
            )),
            _ => Ok(()),
        }
    }

    /// The first bearer confirmation that holds: Recipient is this ACS, NotOnOrAfter is
    /// present and not passed, NotBefore is absent. If none holds, why the first does not.
    fn bearer(&self) -> Result<Bearer<'_>, Refusal> {
        let mut first_refusal = None;
        for confirmation in children(self.found.subject, ASSERTION, "SubjectConfirmation")
            .filter(|c| c.attribute("Method") == Some(BEARER))
        {
            match self.bearer_holds(confirmation) {
                Ok(bearer) => return Ok(bearer),
                Err(refusal) => {
                    first_refusal.get_or_insert(refusal);
                }
            }
        }
        Err(first_refusal.unwrap_or_else(|| {
            Refusal::new(
                Reason::BadSubjectConfirmation,
                "the Subject has no bearer SubjectConfirmation",
            )
        }))
    }

    fn bearer_holds<'n>(&self, confirmation: Node<'n, '_>) -> Result<Bearer<'n>, Refusal> {
        let bad = |m: &str| Refusal::new(Reason::BadSubjectConfirmation, m);
        let data = child(confirmation, ASSERTION, "SubjectConfirmationData")
            .ok_or_else(|| bad("the bearer confirmation has no SubjectConfirmationData"))?;
        let acs = self.expect.acs_url;
        match data.attribute("Recipient") {
            Some(r) if r == acs => {}
            other => {
                return Err(Refusal::new(
                    Reason::WrongDestination,
                    format!(
                        "the assertion's Recipient is {}, not {acs}",
                        other.unwrap_or("missing")
                    ),
                ));
            }
        }
        if data.attribute("NotBefore").is_some() {
            return Err(bad(
                "the bearer confirmation carries NotBefore, which the Web SSO profile forbids",
            ));
        }
        let until = time_attr(data, "NotOnOrAfter")?.ok_or_else(|| {
            bad("the bearer confirmation has no NotOnOrAfter; the Web SSO profile requires one")
        })?;
        self.not_passed(until)?;
        Ok(Bearer {
            in_response_to: data.attribute("InResponseTo"),
        })
    }

    /// The Conditions' window, and every AudienceRestriction naming this SP (each must: SAML
    /// core §2.5.1.4).
    fn conditions(&self) -> Result<(), Refusal> {
        let audience = self.expect.audience;
        let no_audience = || {
            Refusal::new(
                Reason::WrongAudience,
                format!("the assertion names no audience; it must name {audience}"),
            )
        };
        let conditions =
            child(self.found.assertion, ASSERTION, "Conditions").ok_or_else(no_audience)?;
        if let Some(nb) = time_attr(conditions, "NotBefore")?
            && self.expect.now + self.expect.clock_skew < nb
        {
            return Err(Refusal::new(
                Reason::NotYetValid,
                format!(
                    "the assertion is valid from {nb}; it is {}",
                    self.expect.now
                ),
            ));
        }
        if let Some(until) = time_attr(conditions, "NotOnOrAfter")? {
            self.not_passed(until)?;
        }
        let mut restrictions = children(conditions, ASSERTION, "AudienceRestriction").peekable();
        if restrictions.peek().is_none() {
            return Err(no_audience());
        }
        for restriction in restrictions {
            let named: Vec<String> = children(restriction, ASSERTION, "Audience")
                .filter_map(element_text)
                .map(|a| a.trim().to_string())
                .collect();
            if !named.iter().any(|a| a == audience) {
                return Err(Refusal::new(
                    Reason::WrongAudience,
                    format!(
                        "an AudienceRestriction names {}, not {audience}",
                        if named.is_empty() {
                            "no audience".to_string()
                        } else {
                            named.join(", ")
                        }
                    ),
                ));
            }
        }
        Ok(())
    }

    fn not_passed(&self, until: Timestamp) -> Result<(), Refusal> {
        if self.expect.now - self.expect.clock_skew >= until {
            return Err(Refusal::new(
                Reason::Expired,
                format!(
                    "the assertion was valid until {until}; it is {}",
                    self.expect.now
                ),
            ));
        }
        Ok(())
    }

    /// InResponseTo from signed content only. The bearer confirmation's is always signed (both
    /// signatures cover the assertion); the Response's only when the Response is signed. Where
    /// both carry one they must agree; one on an unsigned Response alone is refused, since the
    /// profile puts it in the confirmation of every answer to a request.
    fn in_response_to(&self, confirmation: Option<&str>) -> Result<Option<String>, Refusal> {
        let on_response = self.found.response.attribute("InResponseTo");
        match (confirmation, on_response) {
            (Some(c), Some(r)) if c != r => Err(Refusal::new(
                Reason::InResponseToMismatch,
                format!("the Response answers {r} but the assertion answers {c}"),
            )),
            (None, Some(r)) if !self.response_signed => Err(Refusal::new(
                Reason::InResponseToMismatch,
                format!(
                    "the Response answers {r}, which no signature covers, and the assertion answers no request"
                ),
            )),
            (c, r) => Ok(c.or(r).map(str::to_string)),
        }
    }

    /// The latest NotOnOrAfter anywhere in the assertion: its Conditions and every
    /// SubjectConfirmationData.
    fn latest_not_on_or_after(&self) -> Result<Timestamp, Refusal> {
        let mut latest = self.expect.now;
        for n in self.found.assertion.descendants().filter(|n| {
            n.has_tag_name((ASSERTION, "Conditions"))
                || n.has_tag_name((ASSERTION, "SubjectConfirmationData"))
        }) {
            if let Some(t) = time_attr(n, "NotOnOrAfter")? {
                latest = latest.max(t);
            }
        }
        Ok(latest + self.expect.clock_skew)
    }
}

/// The bearer confirmation that held.
struct Bearer<'n> {
    in_response_to: Option<&'n str>,
}
