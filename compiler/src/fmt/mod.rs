//! `gatehouse fmt`'s formatting engine: rewrites HCL text into the canonical layout of
//! `terraform fmt` (two-space indentation, aligned `=`, one blank line at most), keeping every
//! comment.
//!
//! It formats text only; it must never read or write files (the CLI does) and never lose a
//! comment. Attribute values and block labels keep their source text, apart from trailing
//! whitespace and carriage returns outside string literals and heredocs.

mod layout;
mod trivia;
mod verbatim;

#[cfg(test)]
mod tests;

use hcl_edit::parser::{self, Error};

/// Formats HCL text canonically, keeping comments. Err on a syntax error (the caller reports it).
pub fn format_source(text: &str) -> Result<String, Error> {
    let parsed = parser::parse_body(text)?;
    let stripped = verbatim::strip_trailing_whitespace(text, &parsed);
    // Only whitespace before newlines outside literals changed, so this parses as the first did.
    let mut body = parser::parse_body(&stripped)?;
    layout::format_file(&mut body, &stripped);
    Ok(body.to_string())
}
