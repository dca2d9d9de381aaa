//! Lenient input handling shared by the resources: key canonicalization and string booleans.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::names::{canonical_attribute, canonical_schema};

/// Rewrites every object key to its canonical spelling (recursively). Unknown keys are kept as
/// they are. When two keys collapse into one (`userName` and `username`), the last one wins,
/// as a JSON parser would do with a duplicate key.
pub(crate) fn canonicalize_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let old = std::mem::take(map);
            let mut new = Map::with_capacity(old.len());
            for (key, mut v) in old {
                canonicalize_keys(&mut v);
                let key = canonical_schema(&key)
                    .or_else(|| canonical_attribute(&key))
                    .map(str::to_owned)
                    .unwrap_or(key);
                new.insert(key, v);
            }
            *map = new;
        }
        Value::Array(items) => items.iter_mut().for_each(canonicalize_keys),
        _ => {}
    }
}

/// Accepts `true`, `false`, `null` and their string forms in any case (`"False"`), as Entra sends.
pub(crate) fn option_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrString {
        Bool(bool),
        String(String),
    }
    match Option::<BoolOrString>::deserialize(d)? {
        None => Ok(None),
        Some(BoolOrString::Bool(b)) => Ok(Some(b)),
        Some(BoolOrString::String(s)) => parse_bool(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a boolean, found the string {s:?}"))
        }),
    }
}

/// `"true"` / `"false"` in any case.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Deserializes a `null` or absent list as empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_canonicalized_recursively() {
        let mut v =
            json!({"USERNAME": "a", "Emails": [{"VALUE": "x", "Primary": true}], "extra": 1});
        canonicalize_keys(&mut v);
        assert_eq!(
            v,
            json!({"userName": "a", "emails": [{"value": "x", "primary": true}], "extra": 1})
        );
    }
}
