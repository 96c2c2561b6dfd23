//! Splits decor text (the whitespace and comments hcl-edit keeps between tokens) into lines of
//! comments, so `layout` can re-emit them at a canonical indentation.
//!
//! It must never drop a comment: every run of non-whitespace characters in the decor is kept,
//! byte for byte, as comment text (a line comment loses only its trailing whitespace).

/// The comments found on one source line of decor, in order.
pub(super) type Line<'a> = Vec<&'a str>;

/// Decor split at its newlines.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Lines<'a> {
    /// Lines ended by a newline, in order; an empty one is a blank line or whitespace only.
    pub(super) complete: Vec<Line<'a>>,
    /// What follows the last newline: it shares a line with the next token.
    pub(super) rest: Line<'a>,
}

impl Lines<'_> {
    /// Whether the decor holds any comment at all.
    pub(super) fn has_comments(&self) -> bool {
        !self.rest.is_empty() || self.complete.iter().any(|line| !line.is_empty())
    }

    /// All comments joined by one space, ignoring line breaks between them.
    ///
    /// Used for decor the parser only fills within a line (`sp` in hcl-edit), where a newline can
    /// occur only inside a `/* */` comment.
    pub(super) fn inline(&self) -> String {
        let all: Vec<&str> = self
            .complete
            .iter()
            .chain(std::iter::once(&self.rest))
            .flatten()
            .copied()
            .collect();
        all.join(" ")
    }
}

/// Splits `decor` into lines of comments.
pub(super) fn split(decor: &str) -> Lines<'_> {
    let mut lines = Lines::default();
    let bytes = decor.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\n' => {
                lines.complete.push(std::mem::take(&mut lines.rest));
                at += 1;
            }
            b' ' | b'\t' | b'\r' => at += 1,
            _ => {
                let end = comment_end(decor, at);
                lines.rest.push(decor[at..end].trim_end());
                at = end;
            }
        }
    }
    lines
}

/// The byte offset just past the comment (or stray text) starting at `start`.
fn comment_end(decor: &str, start: usize) -> usize {
    let tail = &decor[start..];
    if let Some(body) = tail.strip_prefix("/*") {
        // An unterminated block comment cannot come out of the parser; taking the rest keeps it.
        return body
            .find("*/")
            .map_or(decor.len(), |offset| start + 2 + offset + 2);
    }
    if tail.starts_with('#') || tail.starts_with("//") {
        return tail.find('\n').map_or(decor.len(), |offset| start + offset);
    }
    // Decor holds only whitespace and comments; anything else is kept whole rather than lost.
    tail.find(|c: char| c.is_ascii_whitespace())
        .map_or(decor.len(), |offset| start + offset)
}
