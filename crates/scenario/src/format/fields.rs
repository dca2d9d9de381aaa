//! Field shapes several parts of the format share: an empty payload, a value that tells
//! "absent" from `null`, and the fidelity switches as a map with a property per switch.

use std::sync::OnceLock;

use fake_asana::Switch;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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

/// A fidelity switch as files name it (`delete_deprovisions`); an unknown name is an error that
/// lists the names there are. Maps to the fake Asana's `Switch`, whose order it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SwitchName(Switch);

impl SwitchName {
    pub fn switch(self) -> Switch {
        self.0
    }
}

/// Every switch's name, for the error an unknown one gets.
fn switch_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| Switch::ALL.iter().map(|s| s.name()).collect())
}

impl<'de> Deserialize<'de> for SwitchName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Switch::from_name(&name)
            .map(SwitchName)
            .ok_or_else(|| serde::de::Error::unknown_variant(&name, switch_names()))
    }
}

impl Serialize for SwitchName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}
