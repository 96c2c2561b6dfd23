//! A small typed writer for Terraform's HCL: blocks, attributes and expressions, rendered in
//! the layout `terraform fmt` produces (two-space indent, `=` aligned within each run of
//! single-line attributes, a blank line around nested blocks).
//!
//! Typed builders instead of text templates: where `terraform fmt` puts each `=` depends on
//! which attributes a block ends up with, which is a decision the Rust side makes anyway.
//!
//! **Invariant:** every string value is escaped here (quotes, backslashes, control characters
//! and the template sequences `${` and `%{`), so no value from the topology can change the
//! structure of the emitted code.

use std::fmt::Write;

/// An expression on the right of `=`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A quoted string literal; escaped when rendered.
    Str(String),
    /// An expression written as is: a reference (`azurerm_key_vault.kv_edge.id`), a function
    /// call (`filebase64("${path.module}/certs/x.pem")`), a variable.
    Raw(String),
    Bool(bool),
    Int(i64),
    /// A list on one line: `["a", "b"]`.
    List(Vec<Expr>),
    /// An object over several lines, keys in the given order.
    Object(Vec<(String, Expr)>),
    /// A heredoc (`<<TAG ... TAG`); `${` and `%{` in the text are escaped.
    Heredoc(String),
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    pub fn raw(s: impl Into<String>) -> Expr {
        Expr::Raw(s.into())
    }

    /// A list of string literals.
    pub fn strs<I, S>(items: I) -> Expr
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Expr::List(items.into_iter().map(|s| Expr::Str(s.into())).collect())
    }

    /// A list of raw expressions (references).
    pub fn raws<I, S>(items: I) -> Expr
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Expr::List(items.into_iter().map(|s| Expr::Raw(s.into())).collect())
    }

    /// Whether the expression spans several lines in a way that breaks `=` alignment (heredocs
    /// do not: `terraform fmt` aligns them with their neighbours).
    fn breaks_alignment(&self) -> bool {
        matches!(self, Expr::Object(items) if !items.is_empty())
    }

    fn render(&self, out: &mut String, depth: usize) {
        match self {
            Expr::Str(s) => quote(s, out),
            Expr::Raw(s) => out.push_str(s),
            Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Expr::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Expr::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.render(out, depth);
                }
                out.push(']');
            }
            Expr::Object(items) if items.is_empty() => out.push_str("{}"),
            Expr::Object(items) => {
                out.push_str("{\n");
                let width = items.iter().map(|(k, _)| key(k).len()).max().unwrap_or(0);
                for (k, v) in items {
                    indent(out, depth + 1);
                    let k = key(k);
                    let _ = write!(out, "{k:width$} = ");
                    v.render(out, depth + 1);
                    out.push('\n');
                }
                indent(out, depth);
                out.push('}');
            }
            Expr::Heredoc(text) => {
                let tag = heredoc_tag(text);
                let _ = writeln!(out, "<<{tag}");
                for line in text.lines() {
                    escape_template(line, out);
                    out.push('\n');
                }
                out.push_str(tag);
            }
        }
    }
}

/// An object key: bare when it is an identifier, quoted otherwise.
fn key(k: &str) -> String {
    let bare = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        k.to_string()
    } else {
        let mut out = String::new();
        quote(k, &mut out);
        out
    }
}

/// A heredoc delimiter that no line of `text` equals.
fn heredoc_tag(text: &str) -> &'static str {
    ["XML", "POLICY_XML", "GATEHOUSE_XML"]
        .into_iter()
        .find(|tag| !text.lines().any(|l| l.trim() == *tag))
        .unwrap_or("GATEHOUSE_EOF")
}

/// One item of a body.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Attr(String, Expr),
    Block(Block),
    /// An explicit blank line between attributes (it also ends an alignment run).
    Blank,
}

/// The inside of a block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    items: Vec<Item>,
}

impl Body {
    pub fn new() -> Body {
        Body::default()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds `name = value`.
    pub fn attr(&mut self, name: &str, value: Expr) -> &mut Body {
        self.items.push(Item::Attr(name.to_string(), value));
        self
    }

    /// Adds `name = value` when there is a value.
    pub fn opt(&mut self, name: &str, value: Option<Expr>) -> &mut Body {
        if let Some(v) = value {
            self.attr(name, v);
        }
        self
    }

    pub fn block(&mut self, block: Block) -> &mut Body {
        self.items.push(Item::Block(block));
        self
    }

    /// Adds a blank line, e.g. before meta-arguments such as `depends_on`.
    pub fn blank(&mut self) -> &mut Body {
        if !matches!(self.items.last(), None | Some(Item::Blank)) {
            self.items.push(Item::Blank);
        }
        self
    }

    fn render(&self, out: &mut String, depth: usize) {
        let mut i = 0;
        while i < self.items.len() {
            // A blank line around nested blocks, as Terraform's style guide writes them.
            let separate = match (i.checked_sub(1).map(|p| &self.items[p]), &self.items[i]) {
                (None, _) | (Some(Item::Blank), _) => false,
                (Some(_), Item::Block(_)) | (Some(Item::Block(_)), Item::Attr(..)) => true,
                _ => false,
            };
            if separate {
                out.push('\n');
            }
            match &self.items[i] {
                Item::Blank => {
                    if i + 1 < self.items.len() {
                        out.push('\n');
                    }
                    i += 1;
                }
                Item::Block(b) => {
                    b.render(out, depth);
                    i += 1;
                }
                Item::Attr(..) => {
                    // Runs of single-line attributes share one `=` column, as `terraform fmt`
                    // aligns them; a multi-line object ends the run and is not padded.
                    let mut end = i;
                    while let Some(Item::Attr(_, v)) = self.items.get(end) {
                        end += 1;
                        if v.breaks_alignment() {
                            break;
                        }
                    }
                    let run = &self.items[i..end];
                    let width = run
                        .iter()
                        .filter_map(|it| match it {
                            Item::Attr(k, v) if !v.breaks_alignment() => Some(k.len()),
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0);
                    for it in run {
                        if let Item::Attr(k, v) = it {
                            indent(out, depth);
                            out.push_str(k);
                            if !v.breaks_alignment() {
                                pad(out, width.saturating_sub(k.len()));
                            }
                            out.push_str(" = ");
                            v.render(out, depth);
                            out.push('\n');
                        }
                    }
                    i = end;
                }
            }
        }
    }
}

fn comment_lines(text: &str, out: &mut String, depth: usize) {
    for line in text.lines() {
        indent(out, depth);
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {line}");
        }
    }
}

/// A block: `type "label" ... { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    kind: String,
    labels: Vec<String>,
    pub body: Body,
}

impl Block {
    pub fn new(kind: &str) -> Block {
        Block {
            kind: kind.to_string(),
            labels: Vec::new(),
            body: Body::new(),
        }
    }

    /// `resource "TYPE" "NAME"`.
    pub fn resource(ty: &str, name: &str) -> Block {
        Block::new("resource").label(ty).label(name)
    }

    /// `data "TYPE" "NAME"`.
    pub fn data(ty: &str, name: &str) -> Block {
        Block::new("data").label(ty).label(name)
    }

    pub fn label(mut self, label: &str) -> Block {
        self.labels.push(label.to_string());
        self
    }

    pub fn attr(mut self, name: &str, value: Expr) -> Block {
        self.body.attr(name, value);
        self
    }

    pub fn opt(mut self, name: &str, value: Option<Expr>) -> Block {
        self.body.opt(name, value);
        self
    }

    pub fn child(mut self, block: Block) -> Block {
        self.body.block(block);
        self
    }

    fn render(&self, out: &mut String, depth: usize) {
        indent(out, depth);
        out.push_str(&self.kind);
        for label in &self.labels {
            out.push(' ');
            quote(label, out);
        }
        if self.body.is_empty() {
            out.push_str(" {}\n");
            return;
        }
        out.push_str(" {\n");
        self.body.render(out, depth + 1);
        indent(out, depth);
        out.push_str("}\n");
    }
}

/// A whole `.tf` file: top-level blocks separated by blank lines, after an optional header.
/// Each block is rendered when it is pushed, so a large file never holds its block trees.
#[derive(Debug, Default)]
pub struct File {
    out: String,
    blocks: usize,
}

impl File {
    pub fn new(header: &str) -> File {
        let mut out = String::new();
        comment_lines(header, &mut out, 0);
        File { out, blocks: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.blocks == 0
    }

    pub fn push(&mut self, block: Block) {
        self.separate();
        block.render(&mut self.out, 0);
    }

    /// A block with a comment above it.
    pub fn push_commented(&mut self, comment: &str, block: Block) {
        self.separate();
        comment_lines(comment, &mut self.out, 0);
        block.render(&mut self.out, 0);
    }

    /// The blank line before every block but a first one without a header.
    fn separate(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.blocks += 1;
    }

    pub fn render(self) -> String {
        self.out
    }
}

fn pad(out: &mut String, spaces: usize) {
    out.extend(std::iter::repeat_n(' ', spaces));
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A quoted HCL string: escapes quotes, backslashes, control characters and template
/// sequences.
pub fn quote(s: &str, out: &mut String) {
    out.push('"');
    let plain = s
        .bytes()
        .all(|b| !matches!(b, b'"' | b'\\' | b'$' | b'%') && !b.is_ascii_control());
    if plain {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes heredoc text with `${` and `%{` escaped, where they would start a template
/// sequence.
fn escape_template(line: &str, out: &mut String) {
    if !line.contains('{') {
        out.push_str(line);
        return;
    }
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if matches!(c, '$' | '%') && chars.peek() == Some(&'{') {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(block: Block) -> String {
        let mut out = String::new();
        block.render(&mut out, 0);
        out
    }

    #[test]
    fn aligns_runs_and_separates_blocks() {
        let block = Block::resource("azurerm_thing", "x")
            .attr("name", Expr::str("a"))
            .attr("resource_group_name", Expr::raw("local.rg"))
            .child(Block::new("features"))
            .child(Block::new("nested").attr("a", Expr::Int(1)));
        assert_eq!(
            render(block),
            "resource \"azurerm_thing\" \"x\" {\n  name                = \"a\"\n  resource_group_name = local.rg\n\n  features {}\n\n  nested {\n    a = 1\n  }\n}\n"
        );
    }

    #[test]
    fn objects_break_the_alignment_run() {
        let block = Block::new("b")
            .attr("a", Expr::Int(1))
            .attr(
                "tags",
                Expr::Object(vec![
                    ("env".into(), Expr::str("prod")),
                    ("owner".into(), Expr::str("x")),
                ]),
            )
            .attr("bb", Expr::Int(2))
            .attr("c", Expr::Int(3));
        assert_eq!(
            render(block),
            "b {\n  a = 1\n  tags = {\n    env   = \"prod\"\n    owner = \"x\"\n  }\n  bb = 2\n  c  = 3\n}\n"
        );
    }

    #[test]
    fn escapes_strings_and_templates() {
        let mut out = String::new();
        quote("a\"b\\c\n${x}%{y}$z", &mut out);
        assert_eq!(out, r#""a\"b\\c\n$${x}%%{y}$z""#);
        let mut out = String::new();
        Expr::Heredoc("<a v=\"${x}\"/>\nXML\n".into()).render(&mut out, 0);
        assert_eq!(out, "<<POLICY_XML\n<a v=\"$${x}\"/>\nXML\nPOLICY_XML");
    }
}
