//! Secrets in what the harness records: which JSON keys hold one (the one list the journals
//! and the scenario transcripts redact by), a cheap check that raw bytes may hold one, and
//! blanking their values.

use serde_json::Value;

/// Whether a JSON key holds a secret (in any case): the one list the journal and transcripts
/// redact by.
pub fn is_secret_key(key: &str) -> bool {
    ["token", "password", "client_secret", "access_token"]
        .iter()
        .any(|s| key.eq_ignore_ascii_case(s))
}

/// Blanks values under keys that hold secrets.
pub fn redact(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if is_secret_key(k) {
                        *val = Value::String("[redacted]".into());
                    } else {
                        walk(val);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// Whether a body contains a key `redact` would blank (a cheap superset: any mention).
pub fn mentions_secret(bytes: &[u8]) -> bool {
    // One pass, comparing only where a word could start: this runs on every body answered.
    (0..bytes.len()).any(|i| {
        let word: &[u8] = match bytes[i] | 0x20 {
            b't' => b"token",
            b'p' => b"password",
            b's' => b"secret",
            _ => return false,
        };
        bytes
            .get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_mention_of_a_secret_word_counts_in_any_case_and_place() {
        for body in [
            &b"{\"PASSWORD\":1}"[..],
            b"x_client_Secret",
            b"tok token",
            b"token",
        ] {
            assert!(mentions_secret(body), "{}", String::from_utf8_lossy(body));
        }
        for body in [
            &b""[..],
            b"tok",
            b"{\"userName\":\"ada\"}",
            b"passwor",
            b"secre",
        ] {
            assert!(!mentions_secret(body), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn secret_values_are_blanked_at_any_depth() {
        let v = redact(serde_json::json!({"name":"x","Token":"t","nested":[{"password":"p"}]}));
        assert_eq!(v["Token"], "[redacted]");
        assert_eq!(v["nested"][0]["password"], "[redacted]");
        assert_eq!(v["name"], "x");
    }
}
