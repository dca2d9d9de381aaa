//! OneLogin API credentials and OAuth 2.0 client-credentials tokens (fidelity/onelogin §3.1).
//!
//! `POST /auth/oauth2/v2/token` with `Authorization: Basic base64(client_id:client_secret)` (or the
//! older `client_id:<id>, client_secret:<secret>` form) and `{"grant_type":"client_credentials"}`
//! answers an access token that lives 36,000 s on the harness clock. Secrets and tokens are kept
//! only as SHA-256 digests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::model::{ApiCredential, ApiScope};

/// Ten hours, as OneLogin's tokens live.
pub const TOKEN_LIFETIME_SECS: i64 = 36_000;
/// The most live access tokens kept; beyond them the oldest stops working (the harness's
/// choice: OneLogin documents no such limit, and a script that fetches a token per call would
/// otherwise fill ten hours' worth).
pub const MAX_TOKENS: usize = 10_000;

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `secret` is the credential's secret, compared in constant time.
pub fn secret_matches(credential: &ApiCredential, secret: &str) -> bool {
    sha256_hex(secret)
        .as_bytes()
        .ct_eq(credential.secret_sha256.as_bytes())
        .into()
}

pub fn random_hex(rng: &mut StdRng, bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// Issued access tokens, by digest.
#[derive(Default)]
pub struct Tokens {
    inner: Mutex<Grants>,
}

/// The live grants, and every grant's expiry in the order they were issued, which is the order
/// they expire in (one lifetime for all): expired grants go from the front as new ones come,
/// so an issue never scans the table. A revoked grant's entry waits until it comes up, or until
/// the queue, grown to twice the table, is compacted.
#[derive(Default)]
struct Grants {
    by_digest: HashMap<String, Grant>,
    by_expiry: VecDeque<(Timestamp, String)>,
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    pub expires_at: Timestamp,
}

impl Tokens {
    pub fn issue(&self, rng: &mut StdRng, client_id: &str, now: Timestamp) -> (String, Timestamp) {
        let token = random_hex(rng, 32);
        let expires_at = now + SignedDuration::from_secs(TOKEN_LIFETIME_SECS);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Grants {
            by_digest,
            by_expiry,
        } = &mut *inner;
        while let Some((at, _)) = by_expiry.front() {
            if *at > now && by_digest.len() < MAX_TOKENS {
                break;
            }
            if let Some((at, digest)) = by_expiry.pop_front()
                && by_digest.get(&digest).is_some_and(|g| g.expires_at == at)
            {
                by_digest.remove(&digest);
            }
        }
        let digest = sha256_hex(&token);
        by_expiry.push_back((expires_at, digest.clone()));
        by_digest.insert(
            digest,
            Grant {
                client_id: client_id.to_owned(),
                expires_at,
            },
        );
        if by_expiry.len() > 2 * by_digest.len() + 64 {
            by_expiry.retain(|(_, d)| by_digest.contains_key(d));
        }
        (token, expires_at)
    }

    /// The grant behind a live token.
    pub fn check(&self, token: &str, now: Timestamp) -> Option<Grant> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .by_digest
            .get(&sha256_hex(token))
            .filter(|g| g.expires_at > now)
            .cloned()
    }

    pub fn revoke(&self, token: &str) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_digest
            .remove(&sha256_hex(token))
            .is_some()
    }

    pub fn clear(&self) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = Grants::default();
    }
}

/// Reads client credentials from an `Authorization` header: `Basic base64(id:secret)`, or
/// OneLogin's older `client_id:<id>, client_secret:<secret>`.
pub fn client_credentials(header: &str) -> Option<(String, String)> {
    let header = header.trim();
    if let Some((scheme, encoded)) = header.split_once(' ')
        && scheme.eq_ignore_ascii_case("basic")
    {
        let decoded = base64_decode(encoded.trim())?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        return Some((id.to_owned(), secret.to_owned()));
    }
    let mut id = None;
    let mut secret = None;
    for part in header.split(',') {
        let (k, v) = part.trim().split_once(':')?;
        match k.trim() {
            "client_id" => id = Some(v.trim().to_owned()),
            "client_secret" => secret = Some(v.trim().to_owned()),
            _ => return None,
        }
    }
    Some((id?, secret?))
}

/// Standard base64 (with or without padding); the one decoder this crate needs.
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = input.bytes().filter(|&c| c != b'=').collect();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let n = chunk.len() * 6 / 8;
        out.extend_from_slice(&acc.to_be_bytes()[1..=n]);
    }
    Some(out)
}

/// Base64 for the library's callers and tests that build a Basic header.
pub fn base64_encode(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A new credential with a fresh secret; returns it and the secret (shown once).
pub fn new_credential(rng: &mut StdRng, name: &str, scope: ApiScope) -> (ApiCredential, String) {
    let client_id = random_hex(rng, 32);
    let secret = random_hex(rng, 32);
    (
        ApiCredential {
            name: name.to_owned(),
            client_id,
            secret_sha256: sha256_hex(&secret),
            scope,
        },
        secret,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn basic_and_legacy_headers() {
        let header = format!("Basic {}", base64_encode(b"cid:csecret"));
        assert_eq!(
            header, "Basic Y2lkOmNzZWNyZXQ=",
            "the value the Python SDK sends (fidelity/onelogin §5)"
        );
        assert_eq!(
            client_credentials(&header),
            Some(("cid".into(), "csecret".into()))
        );
        assert_eq!(
            client_credentials("client_id:abc, client_secret:def"),
            Some(("abc".into(), "def".into()))
        );
        assert_eq!(client_credentials("Bearer x"), None);
        assert_eq!(client_credentials("Basic !!!"), None);
        for s in ["", "a", "ab", "abc", "abcd", "abcde"] {
            assert_eq!(
                base64_decode(&base64_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
    }

    #[test]
    fn tokens_expire_on_the_clock() {
        let mut rng = StdRng::seed_from_u64(1);
        let tokens = Tokens::default();
        let t0 = harness_clock::DEFAULT_EPOCH;
        let (token, expires) = tokens.issue(&mut rng, "cid", t0);
        assert_eq!(expires - t0, SignedDuration::from_secs(36_000));
        assert!(
            tokens
                .check(&token, t0 + SignedDuration::from_secs(35_999))
                .is_some()
        );
        assert!(tokens.check(&token, expires).is_none());
        assert!(tokens.check("other", t0).is_none());
    }

    /// A client that fetches a token per call keeps only the live ones in memory, and revoked
    /// ones do not pile up in the expiry queue.
    #[test]
    fn expired_and_revoked_tokens_do_not_pile_up() {
        let mut rng = StdRng::seed_from_u64(1);
        let tokens = Tokens::default();
        let t0 = harness_clock::DEFAULT_EPOCH;
        for _ in 0..1_000 {
            let (token, _) = tokens.issue(&mut rng, "cid", t0);
            assert!(tokens.revoke(&token));
        }
        let later = t0 + SignedDuration::from_secs(TOKEN_LIFETIME_SECS);
        let (live, _) = tokens.issue(&mut rng, "cid", later);
        let inner = tokens.inner.lock().unwrap();
        assert_eq!(inner.by_digest.len(), 1);
        assert!(inner.by_expiry.len() <= 66, "{}", inner.by_expiry.len());
        drop(inner);
        assert!(tokens.check(&live, later).is_some());
    }

    #[test]
    fn beyond_the_cap_the_oldest_token_stops_working() {
        let mut rng = StdRng::seed_from_u64(1);
        let tokens = Tokens::default();
        let t0 = harness_clock::DEFAULT_EPOCH;
        let (first, _) = tokens.issue(&mut rng, "cid", t0);
        let (second, _) = tokens.issue(&mut rng, "cid", t0);
        for _ in 0..MAX_TOKENS - 1 {
            tokens.issue(&mut rng, "cid", t0);
        }
        assert!(tokens.check(&first, t0).is_none());
        assert!(tokens.check(&second, t0).is_some());
        assert_eq!(tokens.inner.lock().unwrap().by_digest.len(), MAX_TOKENS);
    }
}
