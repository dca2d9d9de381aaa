//! The filter grammar's recursive-descent parser, bounded in depth and terms, with the
//! character position in every error.

use serde_json::Number;

use super::{AttrPath, CompValue, CompareOp, Filter, FilterError, MAX_DEPTH, MAX_TERMS};
use crate::names::canonical_name;

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
}

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

    /// Consumes the ASCII bytes `keep` accepts and returns them (a slice: no allocation).
    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.bytes().take_while(|&b| keep(b)).count();
        self.pos += len;
        &rest[..len]
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
        let word = self.take_while(|b| b.is_ascii_alphabetic());
        if word.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present { path });
        }
        let Some(op) = CompareOp::from_word(word) else {
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
        let token = self.take_while(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_' | b'-' | b'$')
        });
        if token.is_empty() {
            return Err(self.error(format!(
                "expected an attribute name, found {}",
                self.describe_next()
            )));
        }
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
            (None, token)
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
                    // Without an escape or a control character the literal is its own value.
                    let inner = &literal[1..literal.len() - 1];
                    if !inner.bytes().any(|b| b == b'\\' || b < 0x20) {
                        self.pos = i + 1;
                        return Ok(inner.to_owned());
                    }
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
