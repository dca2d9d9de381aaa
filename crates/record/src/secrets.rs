//! Secrets kept out of a capture. Three nets: the values under secret keys of a JSON body (the
//! harness's one list, `harness_server::redact`), every credential a client presented in its
//! `Authorization` header wherever it shows up again (a token pasted into a body, a URL), and
//! anything shaped like an Asana token (fidelity/asana §3.2: `2/<gid>/<gid>:<32 hex>`, and the
//! older `0/<32 hex>` and `1/<gid>:<32 hex>`), whoever's it is.

use serde_json::Value;

/// What a secret is replaced by: the word the journals use.
pub const REDACTED: &str = "[redacted]";

/// The credentials seen so far, to be blanked wherever they appear.
#[derive(Debug, Default)]
pub struct Secrets {
    known: Vec<String>,
}

impl Secrets {
    /// Remembers the credential of an `Authorization` header (`Bearer t`, `Basic b64`, or a
    /// bare value), and its URL-encoded form.
    pub fn learn_authorization(&mut self, header: &str) {
        let credential = header
            .split_once(' ')
            .map_or(header, |(_, rest)| rest)
            .trim();
        // Short values would blank ordinary words; no real credential is this short.
        if credential.len() < 8 {
            return;
        }
        let encoded: String = form_urlencoded::byte_serialize(credential.as_bytes()).collect();
        for value in [credential.to_owned(), encoded] {
            if !self.known.contains(&value) {
                self.known.push(value);
            }
        }
    }

    /// A text with every known credential and every token-shaped value blanked.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for known in &self.known {
            if out.contains(known.as_str()) {
                out = out.replace(known.as_str(), REDACTED);
            }
        }
        blank_token_shapes(&out)
    }

    /// A body: JSON has its secret keys' values and every secret-bearing string blanked (and
    /// is re-serialized only if something was); any other text is blanked as text.
    pub fn body(&self, body: &str) -> String {
        let Ok(parsed) = serde_json::from_str::<Value>(body) else {
            return self.text(body);
        };
        let mut redacted = harness_server::redact::redact(parsed.clone());
        self.strings(&mut redacted);
        if redacted == parsed {
            body.to_owned()
        } else {
            redacted.to_string()
        }
    }

    fn strings(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                let blanked = self.text(s);
                if blanked != *s {
                    *s = blanked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.strings(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.strings(v)),
            _ => {}
        }
    }
}

/// `text` with Asana-token-shaped values replaced by [`REDACTED`].
fn blank_token_shapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        let starts = bytes[i].is_ascii_digit()
            && bytes.get(i + 1) == Some(&b'/')
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if let Some(end) = starts.then(|| token_end(bytes, i + 2)).flatten() {
            out.push_str(&text[copied..i]);
            out.push_str(REDACTED);
            (i, copied) = (end, end);
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a token that starts with `<digit>/` ends, given the index after the slash: either
/// 32 lowercase hex digits, or gids separated by `/` then `:` and 32 hex digits.
fn token_end(bytes: &[u8], from: usize) -> Option<usize> {
    let hex32 = |at: usize| {
        let end = at + 32;
        let run = bytes.get(at..end)?;
        let bounded = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        (run.iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && bounded)
            .then_some(end)
    };
    if let Some(end) = hex32(from) {
        return Some(end);
    }
    let mut at = from;
    loop {
        let digits = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        at += digits;
        match bytes.get(at) {
            Some(b'/') => at += 1,
            Some(b':') => return hex32(at + 1),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "2/1200000000000101/1200000000000102:0123456789abcdef0123456789abcdef";

    #[test]
    fn token_shapes_are_blanked_whoever_they_belong_to() {
        let s = Secrets::default();
        for (text, want) in [
            (format!("a {TOKEN} b"), "a [redacted] b".to_owned()),
            (
                "0/0123456789abcdef0123456789abcdef".into(),
                REDACTED.to_owned(),
            ),
            (
                "x=1/12345:0123456789abcdef0123456789abcdef&y".into(),
                "x=[redacted]&y".into(),
            ),
            // Not tokens: a path with ids, a date, a shorter secret part.
            (
                "/Users/1200000000000101".into(),
                "/Users/1200000000000101".into(),
            ),
            ("1/2/2026".into(), "1/2/2026".into()),
            ("2/12:0123".into(), "2/12:0123".into()),
        ] {
            assert_eq!(s.text(&text), want, "{text}");
        }
    }

    #[test]
    fn a_presented_credential_is_blanked_everywhere_even_url_encoded() {
        let mut s = Secrets::default();
        s.learn_authorization("Bearer opaque-credential/with:odd chars");
        let body = r#"{"note":"opaque-credential/with:odd chars","ok":"fine"}"#;
        assert_eq!(s.body(body), r#"{"note":"[redacted]","ok":"fine"}"#);
        assert_eq!(
            s.text("/x?t=opaque-credential%2Fwith%3Aodd+chars"),
            "/x?t=[redacted]"
        );
        // Too short to be a credential: ordinary words are left alone.
        s.learn_authorization("Bearer abc");
        assert_eq!(s.text("abc"), "abc");
    }

    #[test]
    fn json_secret_keys_are_blanked_and_untouched_bodies_keep_their_text() {
        let s = Secrets::default();
        let body = r#"{"token":"anything","nested":{"Password":"p"}}"#;
        let out: Value = serde_json::from_str(&s.body(body)).unwrap();
        assert_eq!(out["token"], REDACTED);
        assert_eq!(out["nested"]["Password"], REDACTED);
        let plain = "{ \"userName\" : \"ada\",  \"active\": true }";
        assert_eq!(s.body(plain), plain, "formatting as sent");
        assert_eq!(s.body("not json"), "not json");
    }
}
