//! Evaluated values: what an HCL expression means once variables, locals, functions and module
//! outputs are applied. Every value keeps the span of the expression it came from.

use crate::source::Span;
use std::fmt;

/// A value and the span of the expression that produced it.
#[derive(Debug, Clone)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    /// Keys in source order.
    Object(Vec<(String, Value)>),
    /// A reference to a block, resolved by the model.
    Ref(Reference),
    /// `file("path")`: a path relative to the topology root.
    File(String),
    Secret(Secret),
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Value {
        Value { kind, span }
    }

    /// What the value is, for messages ("expected a string, found a list").
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "a bool",
            ValueKind::Number(_) => "a number",
            ValueKind::String(_) => "a string",
            ValueKind::List(_) => "a list",
            ValueKind::Object(_) => "an object",
            ValueKind::Ref(_) => "a reference to a block",
            ValueKind::File(_) => "a file",
            ValueKind::Secret(_) => "a secret",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self.kind {
            ValueKind::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }
}

/// The addresses a reference is resolved in, innermost first; shared by every reference
/// written in the same block, so that references do not copy it.
pub type Scope = std::sync::Arc<[String]>;

/// A reference to a block as written (`backend.orders`), with the scopes to resolve it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The traversal as written, e.g. `["api_management", "main", "hostname", "gw"]`.
    pub segments: Vec<String>,
    /// Addresses of the enclosing blocks, innermost first, ending with the module's root
    /// (`"module.edge."` prefix included, `""` for the root module).
    pub scopes: Scope,
    /// Set when the reference passed through a variable typed as a block kind
    /// (`type = certificate`): the kind and the variable's declaration, checked on resolution.
    pub declared: Option<(crate::schema::Kind, Span)>,
}

impl Reference {
    /// The reference as written.
    pub fn text(&self) -> String {
        self.segments.join(".")
    }

    /// Candidate addresses, innermost scope first.
    pub fn candidates(&self) -> impl Iterator<Item = String> + '_ {
        let path = self.text();
        self.scopes.iter().map(move |scope| {
            if scope.is_empty() || scope.ends_with('.') {
                format!("{scope}{path}")
            } else {
                format!("{scope}.{path}")
            }
        })
    }
}

/// A secret value: it prints as `***` so that it cannot reach logs or output by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// Where the value came from, safe to show: `secret("PFX_PASSWORD")` or `var.password`.
    pub origin: String,
    value: String,
}

impl Secret {
    pub fn new(origin: impl Into<String>, value: impl Into<String>) -> Secret {
        Secret {
            origin: origin.into(),
            value: value.into(),
        }
    }

    /// The clear value, for the few places that must hand it on (a PFX decoder, the runtime's
    /// environment). Never format it into output.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}, ***)", self.origin)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format_their_value() {
        let s = Secret::new("secret(\"X\")", "hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn candidates_go_from_inner_scope_to_module_root() {
        let r = Reference {
            segments: vec!["backend".into(), "orders".into()],
            scopes: vec![
                "module.m.api_management.main".to_string(),
                "module.m.".to_string(),
            ]
            .into(),
            declared: None,
        };
        let c: Vec<String> = r.candidates().collect();
        assert_eq!(
            c,
            vec![
                "module.m.api_management.main.backend.orders",
                "module.m.backend.orders"
            ]
        );
    }
}
