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
mod render;

use crate::error::{ScimError, ScimType};
use crate::names::{ENTERPRISE_USER_URN, canonical_name};

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
    /// Parses a filter expression.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let mut p = Parser::new(text);
        p.skip_ws();
        if p.at_end() {
            return Err(p.error("the filter is empty"));
        }
        let filter = p.parse_or()?;
        p.skip_ws();
        if !p.at_end() {
            return Err(p.error(format!("unexpected {}", p.describe_next())));
        }
        Ok(filter)
    }

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
    fn from_word(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
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

// ---------------------------------------------------------------------------------------------
// Parsing.

/// Nesting (parentheses, `not`, value paths) a filter may have. Evaluation, rendering and drop
/// recurse over the tree, so a hostile `not (not (not ...` must be refused before it is built.
pub const MAX_DEPTH: usize = 64;
/// Attribute expressions a filter may have. A left-deep `a or b or ...` chain is as deep as it is
/// long, so this bounds recursion as well as memory.
pub const MAX_TERMS: usize = 1024;

pub(crate) struct Parser<'a> {
    text: &'a str,
    /// Byte offset into `text`.
    pos: usize,
    depth: usize,
    terms: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
            terms: 0,
        }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> FilterError {
        FilterError {
            position: self.text[..self.pos].chars().count(),
            message: message.into(),
        }
    }

    pub(crate) fn describe_next(&self) -> String {
        match self.peek() {
            None => "end of filter".to_owned(),
            Some(_) => {
                let word: String = self.rest().chars().take(12).collect();
                format!("{word:?}")
            }
        }
    }

    pub(crate) fn skip_ws(&mut self) -> bool {
        let before = self.pos;
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        self.pos > before
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Consumes `word` (any case) if it comes next and is not the start of a longer name.
    fn eat_keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        if rest.len() >= word.len()
            && rest.is_char_boundary(word.len())
            && rest[..word.len()].eq_ignore_ascii_case(word)
        {
            let after = rest[word.len()..].chars().next();
            if !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                self.pos += word.len();
                return true;
            }
        }
        false
    }

    pub(crate) fn parse_or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_and()?;
        loop {
            let save = self.pos;
            if self.skip_ws() && self.eat_keyword("or") {
                if !self.skip_ws() || self.at_end() {
                    return Err(self.error("expected a space and a filter after \"or\""));
                }
                let right = self.parse_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                self.pos = save;
                return Ok(left);
            }
        }
    }

    fn parse_and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_unary()?;
        loop {
            let save = self.pos;
            if self.skip_ws() && self.eat_keyword("and") {
                if !self.skip_ws() || self.at_end() {
                    return Err(self.error("expected a space and a filter after \"and\""));
                }
                let right = self.parse_unary()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                self.pos = save;
                return Ok(left);
            }
        }
    }

    fn parse_unary(&mut self) -> Result<Filter, FilterError> {
        let save = self.pos;
        if self.eat_keyword("not") {
            self.skip_ws();
            if self.peek() == Some('(') {
                let inner = self.parse_group()?;
                return Ok(Filter::Not(Box::new(inner)));
            }
            // An attribute that happens to be called "not..." is not a negation.
            self.pos = save;
        }
        if self.peek() == Some('(') {
            return self.parse_group();
        }
        self.parse_attr_expr()
    }

    fn parse_group(&mut self) -> Result<Filter, FilterError> {
        self.eat('(');
        self.enter()?;
        self.skip_ws();
        let inner = self.parse_or()?;
        self.skip_ws();
        if !self.eat(')') {
            return Err(self.error(format!("expected \")\", found {}", self.describe_next())));
        }
        self.depth -= 1;
        Ok(inner)
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("the filter nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn parse_attr_expr(&mut self) -> Result<Filter, FilterError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(self.error(format!("the filter has more than {MAX_TERMS} terms")));
        }
        let path = self.parse_attr_path()?;
        // Some clients put a space before the bracket; the oracle accepts it, and so do we.
        let before_ws = self.pos;
        self.skip_ws();
        if self.peek() != Some('[') {
            self.pos = before_ws;
        }
        if self.peek() == Some('[') {
            if path.sub_attr.is_some() {
                return Err(self.error("a value filter cannot follow a sub-attribute"));
            }
            self.eat('[');
            self.enter()?;
            self.skip_ws();
            let inner = self.parse_or()?;
            self.skip_ws();
            if !self.eat(']') {
                return Err(self.error(format!("expected \"]\", found {}", self.describe_next())));
            }
            self.depth -= 1;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(inner),
            });
        }
        if !self.skip_ws() {
            return Err(self.error(format!(
                "expected a space and an operator after {path}, found {}",
                self.describe_next()
            )));
        }
        let op_start = self.pos;
        let word: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        self.pos += word.len();
        if word.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present { path });
        }
        let Some(op) = CompareOp::from_word(&word) else {
            self.pos = op_start;
            return Err(self.error(format!(
                "expected an operator (eq ne co sw ew gt ge lt le pr), found {}",
                self.describe_next()
            )));
        };
        if !self.skip_ws() {
            return Err(self.error(format!("expected a space and a value after {word:?}")));
        }
        let value = self.parse_comp_value()?;
        Ok(Filter::Compare { path, op, value })
    }

    pub(crate) fn parse_attr_path(&mut self) -> Result<AttrPath, FilterError> {
        let start = self.pos;
        let token: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-' | '$'))
            .collect();
        if token.is_empty() {
            return Err(self.error(format!(
                "expected an attribute name, found {}",
                self.describe_next()
            )));
        }
        self.pos += token.len();
        // `[URI ":"] ATTRNAME`: any URI may qualify the name, not only `urn:` ones.
        let (schema, local) = if token.contains(':') {
            match token.rfind(':') {
                Some(i) if i + 1 < token.len() => (Some(token[..i].to_owned()), &token[i + 1..]),
                _ => {
                    self.pos = start;
                    return Err(
                        self.error(format!("{token:?} has a schema URN but no attribute name"))
                    );
                }
            }
        } else {
            (None, token.as_str())
        };
        let mut parts = local.splitn(2, '.');
        let attr = parts.next().unwrap_or_default();
        let sub_attr = parts.next();
        for name in std::iter::once(attr).chain(sub_attr) {
            if !is_attr_name(name) {
                self.pos = start;
                return Err(self.error(format!("{name:?} is not a valid attribute name")));
            }
        }
        Ok(AttrPath {
            schema,
            attr: canonical_name(attr),
            sub_attr: sub_attr.map(canonical_name),
        })
    }

    fn parse_comp_value(&mut self) -> Result<CompValue, FilterError> {
        match self.peek() {
            Some('"') => self.parse_string().map(CompValue::String),
            Some(c) if c == '-' || c.is_ascii_digit() => self.parse_number(),
            _ => {
                for (word, value) in [
                    ("true", CompValue::Bool(true)),
                    ("false", CompValue::Bool(false)),
                    ("null", CompValue::Null),
                ] {
                    if self.eat_keyword(word) {
                        return Ok(value);
                    }
                }
                Err(self.error(format!(
                    "expected a value (a quoted string, number, true, false or null), found {}",
                    self.describe_next()
                )))
            }
        }
    }

    fn parse_string(&mut self) -> Result<String, FilterError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = self.pos + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    let literal = &self.text[start..=i];
                    return match serde_json::from_str::<String>(literal) {
                        Ok(s) => {
                            self.pos = i + 1;
                            Ok(s)
                        }
                        Err(e) => Err(self.error(format!("bad string literal: {e}"))),
                    };
                }
                _ => i += 1,
            }
        }
        Err(self.error("unterminated string: a closing '\"' is missing"))
    }

    fn parse_number(&mut self) -> Result<CompValue, FilterError> {
        let literal: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
            .collect();
        match serde_json::from_str::<Number>(&literal) {
            Ok(n) => {
                self.pos += literal.len();
                Ok(CompValue::Number(n))
            }
            Err(_) => Err(self.error(format!("{literal:?} is not a number"))),
        }
    }
}

fn is_attr_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some('$') => name == "$ref",
        Some(c) if c.is_ascii_alphabetic() => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }
        _ => false,
    }
}

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
