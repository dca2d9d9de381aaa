//! Field shapes several parts of the format share: an empty payload, a value that tells
//! "absent" from `null`, and the fidelity switches as a map with a property per switch.

use fake_asana::Switch;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// No settings: write `{}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
pub(crate) fn explicit<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?))
}

/// Switch names to values, each switch a property with its own doc comment, so that an editor
/// completes and explains the names (a map's derived schema would leave its keys open).
pub(crate) fn switch_values(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let switches = Switch::json_schema(generator);
    let mut properties = serde_json::Map::new();
    for choice in switches
        .get("oneOf")
        .and_then(Value::as_array)
        .expect("every switch has a doc comment, so each is its own choice")
    {
        let name = choice["const"]
            .as_str()
            .expect("a switch is named by a string");
        properties.insert(
            name.to_owned(),
            serde_json::json!({"type": "boolean", "description": choice["description"]}),
        );
    }
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}
