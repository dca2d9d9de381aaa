//! What a request carries that says who sends it: the bearer token of `Authorization`, and
//! cookies (the sign-in sessions). One parser each for every API of both fakes, so they cannot
//! disagree on what a header means.

/// The token of an `Authorization: Bearer <token>` header: the scheme in any case, the token
/// without surrounding spaces; a token with whitespace inside is no token. One parser for every
/// API of both fakes, so they cannot disagree on what a bearer header is.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !has_whitespace(token))
        .then_some(token)
}

/// `char::is_whitespace` over the token, by bytes when it is ASCII, as header values are:
/// this runs on every API request.
fn has_whitespace(token: &str) -> bool {
    if token.is_ascii() {
        // ASCII's whitespace as `char::is_whitespace` counts it: with vertical tab.
        token.bytes().any(|b| b.is_ascii_whitespace() || b == 0x0b)
    } else {
        token.contains(char::is_whitespace)
    }
}

/// The value of cookie `name` in `Cookie` header values (`a=1; b=2`): one reader for both
/// fakes' sign-in sessions.
pub fn cookie<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_many_headers_and_pairs() {
        let headers = ["theme=dark", "a=1; asana_session=abc ;b=2"];
        assert_eq!(cookie(headers, "asana_session"), Some("abc"));
        assert_eq!(cookie(headers, "theme"), Some("dark"));
        assert_eq!(cookie(headers, "missing"), None);
        assert_eq!(cookie(["asana_session"], "asana_session"), None);
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer   abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
        assert_eq!(bearer("Bearer a b"), None);
    }
}
