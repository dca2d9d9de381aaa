//! Where people hide in plain text: email addresses anywhere, quoted literals of SCIM filters,
//! and the percent-encoded pieces of a URL.

use std::ops::Range;

/// The byte ranges of the email addresses in `text` (`local@domain.tld`).
pub fn emails(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut found = Vec::new();
    let mut searched = 0;
    for at in memchr_iter(b'@', bytes) {
        if at < searched {
            continue;
        }
        let start = (searched..at)
            .rev()
            .take_while(|&i| local(bytes[i]))
            .last()
            .unwrap_or(at);
        let mut end = (at + 1..bytes.len())
            .take_while(|&i| domain(bytes[i]))
            .last()
            .map_or(at + 1, |i| i + 1);
        while end > at + 1 && bytes[end - 1] == b'.' {
            end -= 1;
        }
        let host = &text[at + 1..end];
        if start < at && host.contains('.') && !host.starts_with('.') {
            found.push(start..end);
            searched = end;
        }
    }
    found
}

fn memchr_iter(needle: u8, bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(move |&(_, &b)| b == needle)
        .map(|(i, _)| i)
}

/// The quoted literals of a SCIM filter (`userName eq "ada@acme.test"`), each with the
/// attribute path that precedes its operator: `("userName", range of ada@acme.test)`.
pub fn filter_literals(filter: &str) -> Vec<(String, Range<usize>)> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = filter[rest..].find('"').map(|i| rest + i) {
        let Some(close) = filter[open + 1..].find('"').map(|i| open + 1 + i) else {
            break;
        };
        let before: Vec<&str> = filter[..open].split_whitespace().rev().take(2).collect();
        let attribute = before.get(1).map_or("", |a| a.trim_start_matches('('));
        found.push((attribute.to_owned(), open + 1..close));
        rest = close + 1;
    }
    found
}

/// Percent-decoding (`+` as space when `form`); `None` when the result is not UTF-8.
pub fn decode(text: &str, form: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'%' if hex(i + 1).is_some() && hex(i + 2).is_some() => {
                out.push((hex(i + 1)? * 16 + hex(i + 2)?) as u8);
                i += 3;
            }
            b'+' if form => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encoding of a path segment or query value: unreserved characters (RFC 3986) as
/// they are, every other byte as `%XX`.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        emails(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn emails_are_found_in_any_text() {
        assert_eq!(
            found(r#"userName eq "ada@acme.test" or x eq "Grace.Hopper+1@Acme.Test"."#),
            ["ada@acme.test", "Grace.Hopper+1@Acme.Test"]
        );
        assert_eq!(
            found("mail o'brien@x.io, @handle, a@b, a@.b"),
            ["o'brien@x.io"]
        );
    }

    #[test]
    fn filter_literals_come_with_their_attribute() {
        let f = r#"(name.givenName eq "Ada") and userName sw "ada""#;
        let lits: Vec<(String, &str)> = filter_literals(f)
            .into_iter()
            .map(|(a, r)| (a, &f[r]))
            .collect();
        assert_eq!(
            lits,
            [
                ("name.givenName".to_owned(), "Ada"),
                ("userName".to_owned(), "ada")
            ]
        );
    }

    #[test]
    fn decoding_and_encoding_round_trip() {
        assert_eq!(
            decode("userName+eq+%22ada%40acme.test%22", true).unwrap(),
            "userName eq \"ada@acme.test\""
        );
        assert_eq!(decode("a+b", false).unwrap(), "a+b");
        assert_eq!(
            encode("person-1@example.invalid"),
            "person-1%40example.invalid"
        );
        assert_eq!(decode(&encode("é \"x\""), false).unwrap(), "é \"x\"");
    }
}
