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
    // This runs on every body answered, so it looks only where each word's rarest letter is
    // (found with SIMD by `memchr`) and compares there the one word that letter anchors, in
    // any case.
    let word_at = |i: usize| {
        let (word, anchor): (&[u8], usize) = match bytes[i].to_ascii_lowercase() {
            b'k' => (b"token", 2),
            b'w' => (b"password", 4),
            _ => (b"secret", 2),
        };
        i.checked_sub(anchor)
            .and_then(|start| bytes.get(start..start + word.len()))
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    memchr::memchr3_iter(b'k', b'w', b'c', bytes).any(word_at)
        || memchr::memchr3_iter(b'K', b'W', b'C', bytes).any(word_at)
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
    fn the_anchored_search_finds_exactly_what_a_plain_scan_finds() {
        let plain = |bytes: &[u8]| {
            [&b"token"[..], b"password", b"secret"].iter().any(|word| {
                bytes
                    .windows(word.len())
                    .any(|w| w.eq_ignore_ascii_case(word))
            })
        };
        // Bodies made of the words' pieces, so that hits and near misses are both common.
        let pieces: [&[u8]; 14] = [
            b"to", b"ken", b"TOK", b"en", b"pass", b"word", b"PassW", b"ORD", b"sec", b"ret",
            b"SeC", b"k", b"w", b"\"c",
        ];
        let (mut seed, mut hits) = (0x2545_f491_4f6c_dd1d_u64, 0);
        for _ in 0..20_000 {
            let mut body = Vec::new();
            for _ in 0..6 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                body.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
            }
            hits += usize::from(plain(&body));
            assert_eq!(
                mentions_secret(&body),
                plain(&body),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
        assert!(hits > 1_000, "both outcomes are exercised ({hits} hits)");
    }

    #[test]
    fn secret_values_are_blanked_at_any_depth() {
        let v = redact(serde_json::json!({"name":"x","Token":"t","nested":[{"password":"p"}]}));
        assert_eq!(v["Token"], "[redacted]");
        assert_eq!(v["nested"][0]["password"], "[redacted]");
        assert_eq!(v["name"], "x");
    }
}
