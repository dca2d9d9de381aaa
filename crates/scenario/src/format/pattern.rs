//! Exchange patterns, `METHOD PATH [STATUS]`: a type of the file format, parsed when the file is
//! read, so a bad pattern is an error at its line and the runner only matches.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

/// The methods a pattern may name, in any case.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `METHOD PATH [STATUS]`, with `*` in the path matching anything; STATUS may be `dropped`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    method: String,
    path: String,
    /// `None`: any status; `Some(None)`: no answer came.
    status: Option<Option<u16>>,
}

/// Why a text is not an exchange pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("{0:?} is not `METHOD PATH [STATUS]`")]
    TooShort(String),
    #[error("{method} in {text:?} is not an HTTP method")]
    NotAMethod { method: String, text: String },
    #[error("{status:?} in {text:?} is not a status")]
    NotAStatus { status: String, text: String },
    #[error("{0:?} has more than `METHOD PATH [STATUS]`")]
    TooLong(String),
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let mut parts = text.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            return Err(PatternError::TooShort(text.to_owned()));
        };
        let method = method.to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Err(PatternError::NotAMethod {
                method,
                text: text.to_owned(),
            });
        }
        let status = match parts.next() {
            None => None,
            Some("dropped") => Some(None),
            Some(s) => Some(Some(s.parse::<u16>().map_err(|_| {
                PatternError::NotAStatus {
                    status: s.to_owned(),
                    text: text.to_owned(),
                }
            })?)),
        };
        if parts.next().is_some() {
            return Err(PatternError::TooLong(text.to_owned()));
        }
        Ok(Pattern {
            text: text.to_owned(),
            method,
            path: path.to_owned(),
            status,
        })
    }

    /// Whether an exchange matches. The query takes part only when the pattern has a `?`.
    pub fn matches(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        status: Option<u16>,
    ) -> bool {
        let target = match (query, self.path.contains('?')) {
            (Some(q), true) => format!("{path}?{q}"),
            _ => path.to_owned(),
        };
        self.method == method
            && glob(&self.path, &target)
            && self.status.is_none_or(|s| s == status)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Pattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// By hand, as the deserializer is: the pattern `Pattern::parse` accepts, as an ECMA-262 regular
/// expression (which has no case-insensitive flag, so each letter of a method is a class).
impl JsonSchema for Pattern {
    fn schema_name() -> Cow<'static, str> {
        "Pattern".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let methods: Vec<String> = METHODS
            .iter()
            .map(|m| {
                m.chars()
                    .map(|c| format!("[{c}{}]", c.to_ascii_lowercase()))
                    .collect()
            })
            .collect();
        let pattern = format!(
            r"^\s*({})\s+\S+(\s+([0-9]+|dropped))?\s*$",
            methods.join("|")
        );
        json_schema!({
            "description": "`METHOD PATH [STATUS]`: `*` in the path matches anything, the query takes part only when the pattern has a `?`, and STATUS may be `dropped` (no answer came).",
            "type": "string",
            "pattern": pattern,
        })
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else {
                return false;
            };
            rest = &rest[pos + part.len()..];
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let p = Pattern::parse("post /api/1.0/scim/Users 201").unwrap();
        let users = "/api/1.0/scim/Users";
        assert!(p.matches("POST", users, None, Some(201)));
        assert!(
            !Pattern::parse("POST /api/1.0/scim/Users 409")
                .unwrap()
                .matches("POST", users, None, Some(201))
        );
        assert!(
            Pattern::parse("POST */Users")
                .unwrap()
                .matches("POST", users, None, Some(201))
        );
        assert!(
            Pattern::parse("POST */Users dropped")
                .unwrap()
                .matches("POST", users, None, None)
        );
        assert!(Pattern::parse("GET /scim/Users?filter=*").unwrap().matches(
            "GET",
            "/scim/Users",
            Some("filter=a&"),
            Some(200)
        ));
        assert!(Pattern::parse("FETCH /x").is_err());
        assert!(Pattern::parse("GET").is_err());
        assert!(Pattern::parse("GET /x 2xx").is_err());
        assert_eq!(p.to_string(), "post /api/1.0/scim/Users 201");
    }

    #[test]
    fn globs() {
        assert!(glob("/Users/*", "/Users/12"));
        assert!(glob("*Users*", "/scim/Users/12"));
        assert!(!glob("/Users/*/x", "/Users/12"));
    }
}
