//! Rendering: the canonical text of a filter, which parses back to the same filter.

use std::fmt;

use serde_json::Value;

use super::{AttrPath, CompValue, Filter};

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present { path } => write!(f, "{path} pr"),
            Filter::And(a, b) => {
                write_operand(f, a, matches!(**a, Filter::Or(..)))?;
                f.write_str(" and ")?;
                write_operand(f, b, matches!(**b, Filter::Or(..) | Filter::And(..)))
            }
            Filter::Or(a, b) => {
                write_operand(f, a, false)?;
                f.write_str(" or ")?;
                write_operand(f, b, matches!(**b, Filter::Or(..)))
            }
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, filter: &Filter, parenthesize: bool) -> fmt::Result {
    if parenthesize {
        write!(f, "({filter})")
    } else {
        write!(f, "{filter}")
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{schema}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => write!(f, "{}", Value::String(s.clone())),
        }
    }
}
