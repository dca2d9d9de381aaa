//! Names and escaping shared by what the crate writes and what it reads.

pub const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
pub const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
pub const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
pub const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
pub const PASSWORD_PROTECTED: &str =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";

/// Escapes text or an attribute value for XML the crate writes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `2026-01-01T09:00:00Z`: SAML's xs:dateTime, in UTC, to the second.
pub fn instant(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads an xs:dateTime (`Z` or an offset, optional fractions). xs:dateTime allows any number
/// of fraction digits and years past 9999, where the clock's type stops: fractions beyond the
/// nanosecond are dropped, and an instant past its range is its last instant (as far in the
/// future as any window needs).
pub fn parse_instant(s: &str) -> Option<jiff::Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse() {
        return Some(t);
    }
    let fraction_digits = |s: &str| {
        s.find('.').map(|dot| {
            let digits = s[dot + 1..].bytes().take_while(u8::is_ascii_digit).count();
            (dot, digits)
        })
    };
    if let Some((dot, digits)) = fraction_digits(s)
        && digits > 9
    {
        let shorter = format!("{}{}", &s[..dot + 10], &s[dot + 1 + digits..]);
        return shorter.parse().ok().or_else(|| far_future(&shorter));
    }
    far_future(s)
}

/// An xs:dateTime whose year is 9999 or later: the last instant the clock can hold.
fn far_future(s: &str) -> Option<jiff::Timestamp> {
    let year: u32 = s.split('-').next()?.parse().ok()?;
    (year >= 9999 && s.contains('T')).then_some(jiff::Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::parse_instant;

    #[test]
    fn reads_every_xs_date_time_saml_uses() {
        let t = |s: &str| parse_instant(s).map(|t| t.to_string());
        assert_eq!(
            t("2026-01-01T09:00:00Z").as_deref(),
            Some("2026-01-01T09:00:00Z")
        );
        assert_eq!(
            t("2026-01-01T09:00:17.123456789123Z").as_deref(),
            Some("2026-01-01T09:00:17.123456789Z")
        );
        assert_eq!(
            t("2026-01-01T10:00:00+01:00").as_deref(),
            Some("2026-01-01T09:00:00Z")
        );
        assert_eq!(
            parse_instant("9999-12-31T23:59:59Z"),
            Some(jiff::Timestamp::MAX)
        );
        assert_eq!(
            parse_instant("10000-01-01T00:00:00Z"),
            Some(jiff::Timestamp::MAX)
        );
        assert_eq!(parse_instant("tomorrow"), None);
        assert_eq!(parse_instant("2026-13-01T00:00:00Z"), None);
    }
}
