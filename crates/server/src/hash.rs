//! A stable 64-bit hash of a text (FNV-1a), for what is derived from names: the seed a run
//! derives from a scenario's name, a run's per-file mark, the fake Asana's error phrases. Each
//! must be the same on every machine and build, which std's randomly keyed hasher is not.

/// FNV-1a of `text`'s bytes.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_fnv_1a() {
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
