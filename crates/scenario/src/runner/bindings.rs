//! Names bound with `as:` (users, roles, service accounts, response bodies), the built-in
//! `asana` and `onelogin` values, and `${name.field}` substitution.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::outcome::fail;
use crate::format::references;
use crate::report::StepFailure;

/// What a name is bound to.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    /// A OneLogin user made with `as:`.
    User {
        id: u64,
        email: String,
        username: String,
    },
    /// A OneLogin role of `given`.
    Role { id: u64, name: String },
    /// An Asana service account, as the fake answered (or the external endpoint's token).
    ServiceAccount {
        id: Value,
        name: Value,
        token: Value,
    },
    /// An Asana member's personal access token, as the fake answered.
    PersonalAccessToken { token: Value, user: Value },
    /// A response body.
    Body(Value),
}

impl Bound {
    /// As `${name.field}` reads it: the fields above, and `kind` naming the variant.
    fn to_json(&self) -> Value {
        match self {
            Bound::User {
                id,
                email,
                username,
            } => json!({"kind": "user", "id": id, "email": email, "username": username}),
            Bound::Role { id, name } => json!({"kind": "role", "id": id, "name": name}),
            Bound::ServiceAccount { id, name, token } => {
                json!({"kind": "service_account", "id": id, "name": name, "token": token})
            }
            Bound::PersonalAccessToken { token, user } => {
                json!({"kind": "personal_access_token", "token": token, "user": user})
            }
            Bound::Body(body) => body.clone(),
        }
    }

    /// A OneLogin id: a user's or a role's (or a bound body's numeric `id`).
    pub(crate) fn numeric_id(&self) -> Option<u64> {
        match self {
            Bound::User { id, .. } | Bound::Role { id, .. } => Some(*id),
            Bound::ServiceAccount { id, .. } => id.as_u64(),
            Bound::Body(body) => body["id"].as_u64(),
            Bound::PersonalAccessToken { .. } => None,
        }
    }

    /// An Asana id: a service account's (or a bound body's string `id`).
    pub(crate) fn text_id(&self) -> Option<&str> {
        match self {
            Bound::ServiceAccount { id, .. } => id.as_str(),
            Bound::Body(body) => body["id"].as_str(),
            _ => None,
        }
    }

    /// The email a user was made with (or a bound body's `email`).
    pub(crate) fn email(&self) -> Option<&str> {
        match self {
            Bound::User { email, .. } => Some(email),
            Bound::Body(body) => body["email"].as_str(),
            _ => None,
        }
    }

    /// A rotated token replaces the old one.
    pub(crate) fn set_token(&mut self, new: Value) {
        match self {
            Bound::ServiceAccount { token, .. } | Bound::PersonalAccessToken { token, .. } => {
                *token = new
            }
            Bound::Body(body) => body["token"] = new,
            Bound::User { .. } | Bound::Role { .. } => {}
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Bindings {
    values: BTreeMap<String, Bound>,
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

    pub(crate) fn insert(&mut self, name: String, value: Bound) {
        self.values.insert(name, value);
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Bound> {
        self.values.get(name)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Bound> {
        self.values.get_mut(name)
    }

    /// Replaces every `${name.field}` with the bound value.
    pub(crate) fn interpolate(&self, text: &str) -> Result<String, StepFailure> {
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
    pub(crate) fn interpolate_json(&self, value: &Value) -> Result<Value, StepFailure> {
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
        let mut value = match self.builtins.get(name) {
            Some(builtin) => builtin.clone(),
            None => self.values.get(name)?.to_json(),
        };
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

    #[test]
    fn paths_into_bound_values_and_builtins() {
        let mut b = Bindings::new(BTreeMap::from([(
            "asana",
            json!({"scim_url": "http://a/scim"}),
        )]));
        b.insert(
            "found".into(),
            Bound::Body(json!({"Resources": [{"id": "7"}]})),
        );
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
