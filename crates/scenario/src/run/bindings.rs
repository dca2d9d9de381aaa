//! Names bound with `as:` (users, roles, service accounts, response bodies), the built-in
//! `asana` and `onelogin` values, and `${name.field}` substitution.

use std::collections::BTreeMap;

use serde_json::Value;

use super::outcome::fail;
use crate::format::references;
use crate::report::StepFailure;

#[derive(Debug, Default)]
pub(super) struct Bindings {
    values: BTreeMap<String, Value>,
    /// `asana` and `onelogin`: the run's own URLs and ids, bound from the start.
    builtins: BTreeMap<&'static str, Value>,
}

impl Bindings {
    pub(super) fn new(builtins: BTreeMap<&'static str, Value>) -> Self {
        Bindings {
            values: BTreeMap::new(),
            builtins,
        }
    }

    pub(super) fn insert(&mut self, name: String, value: Value) {
        self.values.insert(name, value);
    }

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub(super) fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.values.get_mut(name)
    }

    /// Replaces every `${name.field}` with the bound value.
    pub(super) fn interpolate(&self, text: &str) -> Result<String, StepFailure> {
        let mut out = text.to_owned();
        for reference in references(text) {
            let value = self
                .lookup(&reference)
                .ok_or_else(|| fail(format!("${{{reference}}} is not bound to a value")))?;
            let rendered = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            out = out.replace(&format!("${{{reference}}}"), &rendered);
        }
        Ok(out)
    }

    /// Interpolates every string in a JSON value.
    pub(super) fn interpolate_json(&self, value: &Value) -> Result<Value, StepFailure> {
        Ok(match value {
            Value::String(s) => Value::String(self.interpolate(s)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|v| self.interpolate_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), self.interpolate_json(v)?)))
                    .collect::<Result<_, StepFailure>>()?,
            ),
            other => other.clone(),
        })
    }

    /// `name.field.0.field`: a bound value, then object keys and array indices.
    fn lookup(&self, reference: &str) -> Option<Value> {
        let mut parts = reference.split('.');
        let name = parts.next()?;
        let mut value = self
            .builtins
            .get(name)
            .or_else(|| self.values.get(name))?
            .clone();
        for part in parts {
            value = match value {
                Value::Object(mut m) => m.remove(part)?,
                Value::Array(mut a) => {
                    let i: usize = part.parse().ok()?;
                    (i < a.len()).then(|| a.swap_remove(i))?
                }
                _ => return None,
            };
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_into_bound_values_and_builtins() {
        let mut b = Bindings::new(BTreeMap::from([(
            "asana",
            json!({"scim_url": "http://a/scim"}),
        )]));
        b.insert("found".into(), json!({"Resources": [{"id": "7"}]}));
        assert_eq!(
            b.interpolate("${asana.scim_url}/Users/${found.Resources.0.id}")
                .unwrap(),
            "http://a/scim/Users/7"
        );
        assert!(b.interpolate("${missing.id}").is_err());
        assert_eq!(
            b.interpolate_json(&json!({"a": ["${found.Resources.0.id}"]}))
                .unwrap(),
            json!({"a": ["7"]})
        );
    }
}
