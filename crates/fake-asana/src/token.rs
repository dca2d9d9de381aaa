//! Tokens: minted in Asana's observed format, stored only as SHA-256 digests.
//!
//! A token is found by its digest in a hash map. That lookup is safe without a constant-time
//! comparison: what it hashes and compares is a SHA-256 of a high-entropy secret, so its timing
//! says nothing about the token.
//!
//! Asana calls its tokens opaque (fidelity/asana §3.2, [C]); the fake mints the newest observed
//! shape, `2/<user gid>/<token gid>:<32 lowercase hex>` ([C3] trufflehog), and accepts any string
//! a fixture supplies. The secret is shown once, when it is minted or rotated.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The SHA-256 of a token. Kept instead of the token, so a state file or `GET /__admin/state`
/// never holds a usable secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", &self.hex()[..12])
    }
}

impl Serialize for TokenDigest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("sha256:{}", self.hex()))
    }
}

impl<'de> Deserialize<'de> for TokenDigest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let hex = s.strip_prefix("sha256:").unwrap_or(&s);
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(serde::de::Error::custom(
                "a token digest is sha256: and 64 hex digits",
            ));
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| serde::de::Error::custom("a token digest is hex"))?;
        }
        Ok(Self(out))
    }
}

/// Mints `2/<owner gid>/<token gid>:<32 hex>`.
pub fn mint(rng: &mut impl Rng, owner: u64, token_gid: u64) -> String {
    let secret: [u8; 16] = rng.random();
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    format!("2/{owner}/{token_gid}:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn minted_tokens_have_asanas_shape() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let t = mint(&mut rng, 1_200_000_000_000_001, 1_200_000_000_000_002);
        assert_eq!(t.len(), 68);
        let (ids, secret) = t.split_once(':').unwrap();
        assert_eq!(ids, "2/1200000000000001/1200000000000002");
        assert!(
            secret
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn digests_match_only_their_token_and_round_trip_as_hex() {
        let d = TokenDigest::of("2/1/2:abc");
        assert_eq!(d, TokenDigest::of("2/1/2:abc"));
        assert_ne!(d, TokenDigest::of("2/1/2:abd"));
        let json = serde_json::to_value(d).unwrap();
        assert!(json.as_str().unwrap().starts_with("sha256:"));
        assert_eq!(serde_json::from_value::<TokenDigest>(json).unwrap(), d);
    }
}
