//! Bicep as data: values, params, resources and modules, rendered with one layout.
//!
//! The emitter builds a [`File`] and renders it; nothing else writes Bicep text. Strings are
//! escaped here (`'`, `\`, `${`, control characters), so no value can break out of its
//! literal, and objects keep the order they were built in, so output is deterministic.
//! Expressions ([`Value::Expr`]) are Bicep written by the emitter itself (symbols, function
//! calls), never user text.
//!
//! **Invariant:** pure string building; no Azure decisions here.

use std::fmt::Write;

/// A Bicep value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string literal (escaped on output).
    Str(String),
    /// A Bicep expression written by the emitter: a symbol, a property path, a call.
    Expr(String),
    Bool(bool),
    Int(i64),
    Array(Vec<Value>),
    Object(Obj),
    /// `cond ? then : otherwise`.
    Cond(Box<Value>, Box<Value>, Box<Value>),
}

/// An object literal; properties in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Obj(pub Vec<(Key, Value)>);

/// An object key: a plain name (quoted when it is not an identifier) or an interpolation.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Name(String),
    /// A key written as an expression string, e.g. `'${id.id}'`.
    Expr(String),
}

impl Obj {
    pub fn new() -> Obj {
        Obj(Vec::new())
    }

    /// Adds `key: value`.
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Obj {
        self.0.push((Key::Name(key.to_string()), value.into()));
        self
    }

    /// Adds `key: value` when there is a value.
    pub fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Obj {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Adds `key: [...]` unless the list is empty.
    pub fn list(self, key: &str, items: Vec<Value>) -> Obj {
        if items.is_empty() {
            self
        } else {
            self.set(key, Value::Array(items))
        }
    }

    /// Adds `key: {...}` unless the object is empty.
    pub fn nonempty(self, key: &str, value: Obj) -> Obj {
        if value.0.is_empty() {
            self
        } else {
            self.set(key, value)
        }
    }

    /// Adds an entry with an interpolated key.
    pub fn set_expr_key(mut self, key: String, value: impl Into<Value>) -> Obj {
        self.0.push((Key::Expr(key), value.into()));
        self
    }

    pub fn push(&mut self, key: &str, value: impl Into<Value>) {
        self.0.push((Key::Name(key.to_string()), value.into()));
    }
}

impl From<Obj> for Value {
    fn from(o: Obj) -> Value {
        Value::Object(o)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Str(s.clone())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Int(i64::from(n))
    }
}
impl From<u16> for Value {
    fn from(n: u16) -> Value {
        Value::Int(i64::from(n))
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::Array(v)
    }
}

/// An expression value.
pub fn expr(e: impl Into<String>) -> Value {
    Value::Expr(e.into())
}

/// `{ id: <expr> }`, the shape of every sub-resource reference.
pub fn id_ref(e: impl Into<String>) -> Value {
    Obj::new().set("id", expr(e)).into()
}

/// A list of string literals.
pub fn strings<S: AsRef<str>>(items: &[S]) -> Vec<Value> {
    items
        .iter()
        .map(|s| Value::Str(s.as_ref().to_string()))
        .collect()
}

/// A piece of an interpolated string.
pub enum Piece<'a> {
    Lit(&'a str),
    Expr(&'a str),
}

/// An interpolated string: `'lit${expr}lit'`.
pub fn interp(pieces: &[Piece]) -> Value {
    let mut out = String::from("'");
    for p in pieces {
        match p {
            Piece::Lit(s) => escape(s, &mut out),
            Piece::Expr(e) => {
                let _ = write!(out, "${{{e}}}");
            }
        }
    }
    out.push('\'');
    Value::Expr(out)
}

/// `'text'` with Bicep's escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(s, &mut out);
    out
}

/// Writes `'text'` with Bicep's escapes to `out`.
pub fn quote_into(s: &str, out: &mut String) {
    out.push('\'');
    escape(s, out);
    out.push('\'');
}

fn escape(s: &str, out: &mut String) {
    let plain = s
        .bytes()
        .all(|b| !matches!(b, b'\\' | b'\'' | b'$') && !b.is_ascii_control());
    if plain {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Writes `value` at `depth` (the opening token continues the current line).
pub fn render_value(value: &Value, depth: usize, out: &mut String) {
    match value {
        Value::Str(s) => quote_into(s, out),
        Value::Expr(e) => out.push_str(e),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                indent(out, depth + 1);
                render_value(item, depth + 1, out);
                out.push('\n');
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Cond(cond, then, otherwise) => {
            render_value(cond, depth, out);
            out.push_str(" ? ");
            render_value(then, depth, out);
            out.push_str(" : ");
            render_value(otherwise, depth, out);
        }
        Value::Object(o) => render_object(o, depth, out),
    }
}

fn render_object(o: &Obj, depth: usize, out: &mut String) {
    if o.0.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    render_entries(o, depth + 1, out);
    indent(out, depth);
    out.push('}');
}

fn render_entries(o: &Obj, depth: usize, out: &mut String) {
    for (key, value) in &o.0 {
        indent(out, depth);
        match key {
            Key::Name(k) if is_identifier(k) => out.push_str(k),
            Key::Name(k) => quote_into(k, out),
            Key::Expr(k) => out.push_str(k),
        }
        out.push_str(": ");
        render_value(value, depth, out);
        out.push('\n');
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A `param` declaration.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: &'static str,
    pub description: String,
    pub secure: bool,
    pub default: Option<Value>,
}

/// A `resource` declaration; `body` holds everything between the braces (name, parent,
/// scope, location, properties, dependsOn) in the order written.
#[derive(Debug, Clone)]
pub struct Resource {
    /// A `//` comment line above it (the HCL address it comes from).
    pub comment: Option<String>,
    pub symbol: String,
    /// `Microsoft.Network/applicationGateways@2025-05-01`.
    pub type_version: String,
    pub existing: bool,
    pub body: Obj,
}

/// A `module` call.
#[derive(Debug, Clone)]
pub struct Module {
    pub comment: Option<String>,
    pub symbol: String,
    pub path: String,
    pub body: Obj,
}

/// A whole `.bicep` file.
#[derive(Debug, Clone, Default)]
pub struct File {
    /// Comment lines at the top.
    pub header: Vec<String>,
    pub target_scope: Option<&'static str>,
    pub params: Vec<Param>,
    /// `var` declarations.
    pub vars: Vec<(String, Value)>,
    pub resources: Vec<Resource>,
    pub modules: Vec<Module>,
    /// `output name type = value`.
    pub outputs: Vec<(String, &'static str, Value)>,
}

impl File {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            let _ = writeln!(out, "// {line}");
        }
        if let Some(scope) = self.target_scope {
            let _ = writeln!(out, "targetScope = {}", quote(scope));
        }
        for p in &self.params {
            out.push('\n');
            let _ = writeln!(out, "@description({})", quote(&p.description));
            if p.secure {
                out.push_str("@secure()\n");
            }
            let _ = write!(out, "param {} {}", p.name, p.ty);
            if let Some(d) = &p.default {
                out.push_str(" = ");
                render_value(d, 0, &mut out);
            }
            out.push('\n');
        }
        if !self.vars.is_empty() {
            out.push('\n');
        }
        for (name, value) in &self.vars {
            let _ = write!(out, "var {name} = ");
            render_value(value, 0, &mut out);
            out.push('\n');
        }
        for r in &self.resources {
            out.push('\n');
            if let Some(c) = &r.comment {
                let _ = writeln!(out, "// {c}");
            }
            let _ = write!(
                out,
                "resource {} {}{} = ",
                r.symbol,
                quote(&r.type_version),
                if r.existing { " existing" } else { "" }
            );
            render_object(&r.body, 0, &mut out);
            out.push('\n');
        }
        for m in &self.modules {
            out.push('\n');
            if let Some(c) = &m.comment {
                let _ = writeln!(out, "// {c}");
            }
            let _ = write!(out, "module {} {} = ", m.symbol, quote(&m.path));
            render_object(&m.body, 0, &mut out);
            out.push('\n');
        }
        if !self.outputs.is_empty() {
            out.push('\n');
        }
        for (name, ty, value) in &self.outputs {
            let _ = write!(out, "output {name} {ty} = ");
            render_value(value, 0, &mut out);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_break_out_of_their_literal() {
        assert_eq!(quote("it's"), r"'it\'s'");
        assert_eq!(quote(r"a\b"), r"'a\\b'");
        assert_eq!(quote("${x}"), r"'\${x}'");
        assert_eq!(quote("$x"), "'$x'");
        assert_eq!(quote("a\nb"), r"'a\nb'");
    }

    #[test]
    fn objects_and_arrays_render_one_entry_a_line() {
        let v: Value = Obj::new()
            .set("name", "x")
            .set("list", vec![Value::Int(1), expr("a.id")])
            .set("empty", Obj::new())
            .set("odd-key", true)
            .into();
        let mut out = String::new();
        render_value(&v, 0, &mut out);
        assert_eq!(
            out,
            "{\n  name: 'x'\n  list: [\n    1\n    a.id\n  ]\n  empty: {}\n  'odd-key': true\n}"
        );
    }

    #[test]
    fn interpolation_escapes_literal_pieces() {
        let v = interp(&[Piece::Lit("it's "), Piece::Expr("x.id"), Piece::Lit("/y")]);
        assert_eq!(v, Value::Expr(r"'it\'s ${x.id}/y'".to_string()));
    }
}
