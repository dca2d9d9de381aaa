//! Durations as a file writes them: seconds (`90`) or a number with a unit (`"5m"`), parsed when
//! the file is read so that a bad one is an error at its line.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

/// `90`, `"90s"`, `"5m"`, `"10h"`, `"2d"`.
#[derive(Debug, Clone, Copy)]
pub struct Duration(pub std::time::Duration);

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Seconds(u64),
            Text(String),
        }
        let secs = match Repr::deserialize(d)? {
            Repr::Seconds(s) => s,
            Repr::Text(t) => parse_duration(&t).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{t:?} is not a duration: write 90, \"90s\", \"5m\", \"10h\" or \"2d\""
                ))
            })?,
        };
        Ok(Duration(std::time::Duration::from_secs(secs)))
    }
}

/// What `parse_duration` accepts, for editors: digits, then one unit, spaces allowed around.
const TEXT_PATTERN: &str = r"^\s*[0-9]+\s*[smhd]\s*$";

/// By hand, as the deserializer is: a whole number of seconds, or a text `parse_duration` reads.
impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Seconds (`90`), or a whole number and a unit: `\"90s\"`, `\"5m\"`, `\"10h\"`, `\"2d\"`.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": TEXT_PATTERN }
            ]
        })
    }
}

fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().ok()?;
    let factor = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("10h"), Some(36_000));
        assert_eq!(parse_duration("2d"), Some(172_800));
        assert_eq!(parse_duration("5 m"), Some(300));
        assert_eq!(parse_duration("5y"), None);
        assert_eq!(parse_duration("s"), None);
    }
}
