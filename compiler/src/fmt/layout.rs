//! Rewrites the decor of a parsed HCL body into `terraform fmt` layout: indentation, spacing
//! around `=` and block headers, `=` alignment, blank lines and closing braces.
//!
//! It only touches decor around structures (attributes and blocks), attribute keys, the
//! whitespace right after `=`, block identifiers and labels, and block bodies; attribute values
//! and block labels are written back exactly as the source spells them. It must never drop a
//! comment: every comment read from a decor is written back into one.

use super::trivia::{self, Line, Lines};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl_edit::{Decor, Decorate, Decorated, Ident, RawString, Span};
use std::ops::Range;

/// One level of nesting.
const INDENT: &str = "  ";

/// Lays out a whole file, parsed from `source`: its top-level structures and the comments after
/// the last one.
pub(super) fn format_file(body: &mut Body, source: &str) {
    let has_items = !body.is_empty();
    format_items(body, source, 0);
    let closing_text = decor_text(body.decor().suffix());
    let closing = trivia::split(&closing_text);
    body.decor_mut().set_prefix("");
    body.decor_mut()
        .set_suffix(render_closing(&closing, "", has_items, ""));
    // A file always ends with a newline, even when the input did not.
    body.set_prefer_omit_trailing_newline(false);
}

/// How an attribute takes part in `=` alignment.
struct Align {
    /// The key's width including any comment between key and `=`; `None` if the attribute
    /// cannot be aligned (it spans lines, or shares its line with a leading comment).
    width: Option<usize>,
    /// Whether nothing but the newline separates it from the structure before.
    follows_directly: bool,
    /// What goes between the key and the alignment padding (a comment, or nothing).
    key_suffix: String,
}

/// Lays out the structures of `body`, which sit at nesting level `depth`.
fn format_items(body: &mut Body, source: &str, depth: usize) {
    let indent = INDENT.repeat(depth);
    let mut aligns = Vec::with_capacity(body.len());
    for index in 0..body.len() {
        let Some(structure) = body.get_mut(index) else {
            continue;
        };
        let first = index == 0;
        aligns.push(format_structure(structure, source, &indent, depth, first));
    }
    for run in alignment_runs(&aligns) {
        align_run(body, &aligns, run);
    }
}

/// Lays out one structure's own decor and contents; returns its alignment facts.
fn format_structure(
    structure: &mut Structure,
    source: &str,
    indent: &str,
    depth: usize,
    first: bool,
) -> Align {
    let prefix_text = decor_text(structure.decor().prefix());
    let prefix = trivia::split(&prefix_text);
    let suffix = inline_comments(structure.decor().suffix());
    let follows_directly = prefix.complete.is_empty();
    let leading_comment = !prefix.rest.is_empty();
    structure
        .decor_mut()
        .set_prefix(render_prefix(&prefix, indent, first));
    structure.decor_mut().set_suffix(spaced_before(&suffix));
    match structure {
        Structure::Attribute(attr) => {
            let (key_suffix, single_line) = format_attribute(attr, source);
            let single_line = single_line && !suffix.contains('\n');
            let width = (single_line && !leading_comment)
                .then(|| attr.key.as_str().chars().count() + key_suffix.chars().count());
            Align {
                width,
                follows_directly,
                key_suffix,
            }
        }
        Structure::Block(block) => {
            format_block(block, source, depth);
            Align {
                width: None,
                follows_directly,
                key_suffix: String::new(),
            }
        }
    }
}

/// Normalizes the spacing around an attribute's `=`, keeping comments next to it.
///
/// Returns the text between key and padding, and whether key through value fit on one line.
fn format_attribute(attr: &mut Attribute, source: &str) -> (String, bool) {
    keep_value_as_written(attr, source);
    let key_suffix = spaced_before(&inline_comments(attr.key.decor().suffix()));
    attr.key.decor_mut().set_prefix("");
    attr.key.decor_mut().set_suffix(format!("{key_suffix} "));
    let value_comments = inline_comments(attr.value.decor().prefix());
    attr.value
        .decor_mut()
        .set_prefix(spaced_around(&value_comments));
    let single_line = !key_suffix.contains('\n') && !attr.value.to_string().contains('\n');
    (key_suffix, single_line)
}

/// Lays out a block at nesting level `depth`: its header, body and closing brace.
fn format_block(block: &mut Block, source: &str, depth: usize) {
    block.ident.decor_mut().set_prefix("");
    let ident_suffix = inline_comments(block.ident.decor().suffix());
    block
        .ident
        .decor_mut()
        .set_suffix(spaced_around(&ident_suffix));
    for label in &mut block.labels {
        keep_label_as_written(label, source);
        let comments = inline_comments(label.decor().suffix());
        label.decor_mut().set_prefix("");
        label.decor_mut().set_suffix(spaced_around(&comments));
    }
    format_block_body(&mut block.body, source, depth);
}

/// Lays out the body of a block at nesting level `depth`.
fn format_block_body(body: &mut Body, source: &str, depth: usize) {
    let opening = inline_comments(body.decor().prefix());
    let closing_text = decor_text(body.decor().suffix());
    let closing = trivia::split(&closing_text);
    if body.is_empty() && opening.is_empty() && !closing.has_comments() {
        // hcl-edit prints an empty one-line body as `{}`, the canonical empty block.
        body.set_prefer_oneline(true);
        *body.decor_mut() = Decor::new("", "");
        return;
    }
    // A body with content is never one line (`a { b = 1 }` expands); hcl-edit breaks the line
    // after `{` itself.
    body.set_prefer_oneline(false);
    let has_items = !body.is_empty();
    format_items(body, source, depth + 1);
    let inner = INDENT.repeat(depth + 1);
    let outer = INDENT.repeat(depth);
    body.decor_mut().set_prefix(spaced_before(&opening));
    body.decor_mut()
        .set_suffix(render_closing(&closing, &inner, has_items, &outer));
}

/// Replaces an attribute's value by its source text, keeping the decor before it.
///
/// hcl-edit 0.10 cannot write every expression back as parsed: it never despans the decor of
/// binary operators or of traversal operators after the first (so `1 /* c */ + 2` loses its
/// comment and its spacing), and it re-encodes quoted strings and heredocs. The source text is
/// what `fmt` must keep, and an unchecked identifier is a node hcl-edit writes verbatim.
fn keep_value_as_written(attr: &mut Attribute, source: &str) {
    let Some(text) = attr.value.span().and_then(|span| source.get(span)) else {
        return;
    };
    let mut value = verbatim(text);
    *value.decor_mut() = attr.value.decor().clone();
    attr.value = Expression::Variable(value);
}

/// Replaces a block label by its source text, so that its quoting and escapes stay as written
/// (hcl-edit re-escapes string labels).
fn keep_label_as_written(label: &mut BlockLabel, source: &str) {
    let Some(text) = label.span().and_then(|span| source.get(span)) else {
        return;
    };
    let mut written = verbatim(text);
    *written.decor_mut() = label.decor().clone();
    *label = BlockLabel::Ident(written);
}

/// A node that hcl-edit encodes as exactly `text`; the tree it goes into is only printed.
fn verbatim(text: &str) -> Decorated<Ident> {
    Decorated::new(Ident::new_unchecked(text))
}

/// Groups aligned attributes: maximal runs of single-line attributes, each directly after the
/// one before, so a blank line, a comment line, a block or a multi-line attribute ends a run.
/// `terraform fmt` also ends a run at any line without `=`, such as a comment line, but it
/// aligns the first line of a multi-line attribute with the run before it; we do not.
fn alignment_runs(aligns: &[Align]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start: Option<usize> = None;
    for (index, align) in aligns.iter().enumerate() {
        let continues = align.width.is_some() && align.follows_directly;
        match start {
            Some(_) if continues => {}
            Some(run_start) => {
                runs.push(run_start..index);
                start = align.width.map(|_| index);
            }
            None => start = align.width.map(|_| index),
        }
    }
    if let Some(run_start) = start {
        runs.push(run_start..aligns.len());
    }
    runs
}

/// Pads the keys of the attributes in `run` so that their `=` line up one space after the
/// longest key.
fn align_run(body: &mut Body, aligns: &[Align], run: Range<usize>) {
    let widest = aligns[run.clone()]
        .iter()
        .filter_map(|align| align.width)
        .max()
        .unwrap_or(0);
    for index in run {
        let Some(attr) = body.get_mut(index).and_then(Structure::as_attribute_mut) else {
            continue;
        };
        let align = &aligns[index];
        let padding = widest - align.width.unwrap_or(widest) + 1;
        let suffix = format!("{}{}", align.key_suffix, " ".repeat(padding));
        attr.key.decor_mut().set_suffix(suffix);
    }
}

/// The decor before a structure: its comment lines at `indent`, at most one blank line kept
/// between them and the structure before, none at the start of a body.
fn render_prefix(prefix: &Lines, indent: &str, first: bool) -> String {
    let mut out = String::new();
    let mut blank = false;
    let mut after_content = !first;
    for line in &prefix.complete {
        if line.is_empty() {
            blank = after_content;
            continue;
        }
        push_line(&mut out, indent, line, blank);
        blank = false;
        after_content = true;
    }
    if blank {
        out.push('\n');
    }
    out.push_str(indent);
    if !prefix.rest.is_empty() {
        out.push_str(&prefix.rest.join(" "));
        out.push(' ');
    }
    out
}

/// The decor after a body's last structure: its comment lines at `indent`, then the closing
/// brace's indentation `close`. Blank lines before the closing brace are dropped.
fn render_closing(closing: &Lines, indent: &str, has_items: bool, close: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    let mut after_content = has_items;
    for line in closing
        .complete
        .iter()
        .chain(std::iter::once(&closing.rest))
    {
        if line.is_empty() {
            blank = after_content;
            continue;
        }
        push_line(&mut out, indent, line, blank);
        blank = false;
        after_content = true;
    }
    out.push_str(close);
    out
}

/// Appends one comment line, after a blank line if `blank`.
fn push_line(out: &mut String, indent: &str, line: &Line, blank: bool) {
    if blank {
        out.push('\n');
    }
    out.push_str(indent);
    out.push_str(&line.join(" "));
    out.push('\n');
}

/// The comments of decor that stays within a line, joined by one space.
fn inline_comments(raw: Option<&RawString>) -> String {
    trivia::split(&decor_text(raw)).inline()
}

/// A copy of decor text, so that it can be split while the decor is rewritten.
fn decor_text(raw: Option<&RawString>) -> String {
    raw.map(|raw| (**raw).to_owned()).unwrap_or_default()
}

/// `" comments"`, or nothing without comments: the decor after a structure or key.
fn spaced_before(comments: &str) -> String {
    if comments.is_empty() {
        String::new()
    } else {
        format!(" {comments}")
    }
}

/// `" comments "`, or one space without comments: the decor between two tokens on a line.
fn spaced_around(comments: &str) -> String {
    if comments.is_empty() {
        " ".to_owned()
    } else {
        format!(" {comments} ")
    }
}
