//! SCIM filters, RFC 7644 §3.4.2.2: the whole grammar, parsed and evaluated.
//!
//! ```text
//! FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//! valuePath = attrPath "[" valFilter "]"
//! attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//! logExp    = FILTER SP ("and" / "or") SP FILTER
//! attrPath  = [URI ":"] ATTRNAME *1subAttr
//! ```
//!
//! Precedence is `not` over `and` over `or`; operators and literals are case-insensitive, as ABNF
//! string literals are. Errors carry the character position where the parser gave up, because an
//! IdP admin debugging a mapping needs to see *where* the filter went wrong.

use serde_json::{Number, Value};

mod eval;
pub(crate) mod parse;
mod render;

use crate::error::{ScimError, ScimType};
use crate::names::ENTERPRISE_USER_URN;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    Present {
        path: AttrPath,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work"]`: some element of a multi-valued attribute matches the inner filter.
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

/// `[URI ":"] ATTRNAME ["." subAttr]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub schema: Option<String>,
    pub attr: String,
    pub sub_attr: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
}

/// A filter that failed to parse: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at character {position}: {message}")]
pub struct FilterError {
    /// Zero-based character offset into the filter text.
    pub position: usize,
    pub message: String,
}

impl From<FilterError> for ScimError {
    fn from(e: FilterError) -> Self {
        ScimError::bad_request(ScimType::InvalidFilter, e.to_string())
    }
}

impl Filter {
    /// `attr eq "value"` (the form every IdP uses to look a resource up) as its parts, so a
    /// server can answer it from an index instead of a scan.
    pub fn as_equality(&self) -> Option<(&AttrPath, &str)> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: CompValue::String(s),
            } => Some((path, s)),
            _ => None,
        }
    }
}

impl AttrPath {
    pub fn new(attr: &str) -> Self {
        Self {
            schema: None,
            attr: attr.to_owned(),
            sub_attr: None,
        }
    }

    pub fn with_sub(attr: &str, sub: &str) -> Self {
        Self {
            schema: None,
            attr: attr.to_owned(),
            sub_attr: Some(sub.to_owned()),
        }
    }

    /// Whether this path names `attr` (and no sub-attribute) regardless of case and core URN.
    pub fn is(&self, attr: &str) -> bool {
        self.sub_attr.is_none() && self.attr.eq_ignore_ascii_case(attr) && !self.is_extension()
    }

    /// Whether the path is qualified by the enterprise extension's URN.
    pub fn is_extension(&self) -> bool {
        self.schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(ENTERPRISE_USER_URN))
    }

    /// The object the attribute lives in: the enterprise extension object, or the resource root.
    pub(crate) fn container<'a>(&self, resource: &'a Value) -> Option<&'a Value> {
        if self.is_extension() {
            get_ci(resource, ENTERPRISE_USER_URN)
        } else {
            Some(resource)
        }
    }
}

/// Looks a key up without regard to case.
pub(crate) fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

impl CompareOp {
    /// The operator `word` names, in any case.
    fn from_word(word: &str) -> Option<Self> {
        [
            Self::Eq,
            Self::Ne,
            Self::Co,
            Self::Sw,
            Self::Ew,
            Self::Gt,
            Self::Ge,
            Self::Lt,
            Self::Le,
        ]
        .into_iter()
        .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Co => "co",
            Self::Sw => "sw",
            Self::Ew => "ew",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }
}

// Limits the parser (`filter/parse.rs`) enforces.

/// Nesting (parentheses, `not`, value paths) a filter may have. Evaluation, rendering and drop
/// recurse over the tree, so a hostile `not (not (not ...` must be refused before it is built.
pub const MAX_DEPTH: usize = 64;
/// Attribute expressions a filter may have. A left-deep `a or b or ...` chain is as deep as it is
/// long, so this bounds recursion as well as memory.
pub const MAX_TERMS: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "id": "1204",
            "userName": "Ada@Acme.test",
            "active": true,
            "title": "Engineer",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [
                {"value": "ada@acme.test", "type": "work", "primary": true},
                {"value": "ada@home.test", "type": "home"}
            ],
            "meta": {"lastModified": "2026-01-02T00:00:00Z"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "R&D", "manager": {"value": "77"}
            }
        })
    }

    fn check(filter: &str) -> bool {
        Filter::parse(filter)
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .matches(&user())
    }

    #[test]
    fn every_operator_evaluates() {
        assert!(
            check(r#"userName eq "ada@acme.test""#),
            "eq is case-insensitive for userName"
        );
        assert!(!check(r#"id eq "1204 ""#));
        assert!(check(r#"title ne "Manager""#));
        assert!(check(r#"userName co "acme""#));
        assert!(check(r#"userName sw "ada@""#));
        assert!(check(r#"userName ew ".TEST""#));
        assert!(check(r#"meta.lastModified gt "2025-12-31T23:59:59Z""#));
        assert!(check(r#"meta.lastModified ge "2026-01-02T00:00:00Z""#));
        assert!(check(r#"meta.lastModified lt "2026-01-02T00:00:01+00:00""#));
        assert!(check(r#"title le "Engineer""#));
        assert!(check("title pr"));
        assert!(!check("nickName pr"));
        assert!(check("active eq true"));
        assert!(check("nickName eq null"));
        assert!(!check("active eq false"));
    }

    #[test]
    fn logic_precedence_and_grouping() {
        assert!(check(
            r#"title eq "x" or title eq "Engineer" and active eq true"#
        ));
        assert!(!check(
            r#"(title eq "x" or title eq "Engineer") and active eq false"#
        ));
        assert!(check(r#"not (title eq "x")"#));
        assert!(check(r#"NOT(title eq "x") AND userName PR"#));
    }

    #[test]
    fn value_paths_and_multi_valued_attributes() {
        assert!(check(r#"emails[type eq "work" and value co "acme"]"#));
        assert!(!check(r#"emails[type eq "work" and value co "home"]"#));
        assert!(
            check(r#"emails co "home.test""#),
            "multi-valued compares its value"
        );
        assert!(check(r#"emails.type eq "home""#));
    }

    #[test]
    fn urn_qualified_names() {
        assert!(check(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d""#
        ));
        assert!(check(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "77""#
        ));
        assert!(check(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ADA""#
        ));
    }

    #[test]
    fn attribute_names_are_case_insensitive() {
        assert!(check(r#"USERNAME Eq "ada@acme.test""#));
        let f = Filter::parse(r#"username eq "x""#).unwrap();
        assert_eq!(f.as_equality().unwrap().0, &AttrPath::new("userName"));
    }

    #[test]
    fn errors_say_where() {
        let cases = [
            ("", 0, "empty"),
            (r#"userName eq"#, 11, "space and a value"),
            (r#"userName eq "x"#, 12, "unterminated"),
            (r#"userName equals "x""#, 9, "expected an operator"),
            (r#"userName eq "x" and"#, 19, "after \"and\""),
            (r#"userName eq "x" x"#, 16, "unexpected"),
            (r#"(userName eq "x""#, 16, "expected \")\""),
            (r#"emails[type eq "work""#, 21, "expected \"]\""),
            (r#"userName eq bogus"#, 12, "expected a value"),
            (r#"1abc eq "x""#, 0, "not a valid attribute name"),
        ];
        for (text, position, needle) in cases {
            let err = Filter::parse(text).expect_err(text);
            assert_eq!(err.position, position, "{text}: {err}");
            assert!(err.message.contains(needle), "{text}: {err}");
        }
        let scim: ScimError = Filter::parse("userName xx \"a\"").unwrap_err().into();
        assert_eq!(scim.status, 400);
        assert_eq!(scim.scim_type, Some(ScimType::InvalidFilter));
        assert!(scim.detail.contains("character 9"));
    }

    #[test]
    fn hostile_nesting_and_length_are_refused_not_overflowed() {
        let deep = format!("{}title pr{}", "not (".repeat(10_000), ")".repeat(10_000));
        assert!(
            Filter::parse(&deep)
                .unwrap_err()
                .message
                .contains("nests deeper")
        );
        let long = vec!["title pr"; 5_000].join(" or ");
        assert!(Filter::parse(&long).unwrap_err().message.contains("terms"));
        let ok = vec!["title pr"; 1_000].join(" or ");
        assert!(Filter::parse(&ok).unwrap().matches(&user()));
    }

    #[test]
    fn renders_back_to_an_equivalent_filter() {
        for text in [
            r#"userName eq "a\"b""#,
            r#"a eq 1 or b eq 2 and c pr"#,
            r#"(a eq 1 or b eq 2) and not (c pr)"#,
            r#"emails[type eq "work" or primary eq true]"#,
        ] {
            let parsed = Filter::parse(text).unwrap();
            let rendered = parsed.to_string();
            assert_eq!(
                Filter::parse(&rendered).unwrap(),
                parsed,
                "{text} -> {rendered}"
            );
        }
    }
}
