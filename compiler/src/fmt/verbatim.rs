//! Removes trailing whitespace and carriage returns from every line of HCL source except the
//! lines of string literals and heredocs, whose bytes are part of a value.
//!
//! It runs on the source before layout, so that whitespace inside multi-line expressions, which
//! layout keeps as written, does not survive at line ends. It must never change a value: a
//! newline inside a quoted string, string template or heredoc keeps the whitespace before it.

use hcl_edit::expr::Expression;
use hcl_edit::structure::{BlockLabel, Body};
use hcl_edit::visit::{self, Visit};
use hcl_edit::Span;
use std::ops::Range;

/// `text` with whitespace before each newline removed, except inside strings and heredocs of
/// `body`, which was parsed from `text`.
pub(super) fn strip_trailing_whitespace(text: &str, body: &Body) -> String {
    let mut literals = Literals::default();
    literals.visit_body(body);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (newline, _) in text.match_indices('\n') {
        if literals.contains(newline) {
            continue;
        }
        out.push_str(text[copied..newline].trim_end_matches([' ', '\t', '\r']));
        out.push('\n');
        copied = newline + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The byte spans of string-like values in the source.
#[derive(Default)]
struct Literals(Vec<Range<usize>>);

impl Literals {
    fn contains(&self, offset: usize) -> bool {
        self.0.iter().any(|span| span.contains(&offset))
    }

    fn add(&mut self, node: &impl Span) {
        self.0.extend(node.span());
    }
}

impl Visit for Literals {
    fn visit_expr(&mut self, node: &Expression) {
        // hcl-edit accepts raw newlines in quoted strings, so those count as literal lines too.
        if matches!(
            node,
            Expression::String(_) | Expression::StringTemplate(_) | Expression::HeredocTemplate(_)
        ) {
            self.add(node);
        }
        visit::visit_expr(self, node);
    }

    fn visit_block_label(&mut self, node: &BlockLabel) {
        self.add(node);
    }
}
