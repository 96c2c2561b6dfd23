//! Types of `variable` declarations (`string`, `list(string)`, `certificate`, ...) and checking
//! a value against them.

use super::value::{Value, ValueKind};
use crate::schema::Kind;
use hcl_edit::expr::Expression;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarType {
    Any,
    String,
    Number,
    Bool,
    List(Box<VarType>),
    Map(Box<VarType>),
    /// A reference to a block of this kind, e.g. `type = certificate`.
    Ref(Kind),
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarType::Any => f.write_str("any"),
            VarType::String => f.write_str("string"),
            VarType::Number => f.write_str("number"),
            VarType::Bool => f.write_str("bool"),
            VarType::List(t) => write!(f, "list({t})"),
            VarType::Map(t) => write!(f, "map({t})"),
            VarType::Ref(k) => write!(f, "{k}"),
        }
    }
}

/// Parses a type expression; `Err` carries what was wrong.
pub fn parse_type(expr: &Expression) -> Result<VarType, String> {
    match expr {
        Expression::Variable(ident) => match ident.as_str() {
            "any" => Ok(VarType::Any),
            "string" => Ok(VarType::String),
            "number" => Ok(VarType::Number),
            "bool" => Ok(VarType::Bool),
            other => Kind::from_block_name(other).map(VarType::Ref).ok_or_else(|| {
                format!("unknown type `{other}`; use string, number, bool, any, list(T), map(T) or a block kind such as certificate")
            }),
        },
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let inner = match (name, call.args.len()) {
                ("list" | "map", 1) => parse_type(call.args.get(0).expect("one argument"))?,
                ("list" | "map", n) => return Err(format!("`{name}(...)` takes one type, found {n}")),
                _ => return Err(format!("unknown type constructor `{name}`; use list(T) or map(T)")),
            };
            Ok(if name == "list" {
                VarType::List(Box::new(inner))
            } else {
                VarType::Map(Box::new(inner))
            })
        }
        _ => Err("a type is a keyword such as `string`, or `list(string)`".to_string()),
    }
}

/// Checks `value` against `ty`; `Err` says what was found instead.
pub fn check(value: &Value, ty: &VarType) -> Result<(), String> {
    let ok = match (ty, &value.kind) {
        (VarType::Any, _) | (_, ValueKind::Null) => true,
        (VarType::String, ValueKind::String(_) | ValueKind::Secret(_) | ValueKind::File(_)) => true,
        (VarType::Number, ValueKind::Number(_)) | (VarType::Bool, ValueKind::Bool(_)) => true,
        (VarType::Ref(_), ValueKind::Ref(_)) => true,
        (VarType::List(inner), ValueKind::List(items)) => {
            for item in items {
                check(item, inner)?;
            }
            true
        }
        (VarType::Map(inner), ValueKind::Object(entries)) => {
            for (_, item) in entries {
                check(item, inner)?;
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected type `{ty}`, found {}", value.describe()))
    }
}
