//! The human renderer: rustc-style text with source snippets, carets and help, for terminals.
//!
//! This is the only module that knows about codespan-reporting; it adapts [`Sources`] to
//! codespan's `Files` trait instead of copying every file into codespan's own store. It never
//! decides whether to colour: the CLI passes `color` after looking at the terminal and
//! `NO_COLOR`.

use crate::diagnostics::{Diagnostic, Label, Severity, Summary};
use crate::source::{FileId, SourceFile, Sources};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::termcolor::{Buffer, WriteColor};
use codespan_reporting::term::{self, Chars, Config, Styles};
use std::io::Write;
use std::ops::Range;

/// Renders every diagnostic, then a summary line such as `error: 2 errors, 1 warning emitted`.
///
/// Nothing is printed for an empty list. ANSI colour codes appear only when `color` is true.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut out = render_without_summary(diagnostics, sources, color);
    out.push_str(&summary_line(Summary::of(diagnostics), color));
    out
}

/// Renders every diagnostic, without the summary line (`--quiet`).
pub fn render_without_summary(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    color: bool,
) -> String {
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let files = SourcesFiles(sources);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_one(diagnostic, &files, &config, color));
    }
    out
}

fn render_one(
    diagnostic: &Diagnostic,
    files: &SourcesFiles<'_>,
    config: &Config,
    color: bool,
) -> String {
    let mut buffer = new_buffer(color);
    match term::emit_to_write_style(
        &mut buffer,
        config,
        files,
        &to_codespan(diagnostic, files.0),
    ) {
        Ok(()) => buffer_to_string(buffer),
        // A span that does not fit its file is a gatehouse bug, but the finding must still
        // reach the user, so it is printed without a snippet.
        Err(_) => fallback(diagnostic, files.0),
    }
}

fn to_codespan(diagnostic: &Diagnostic, sources: &Sources) -> cs::Diagnostic<FileId> {
    // A finding about a whole file or directory that has no text (an empty topology
    // directory, a binary file) names the path instead of showing an empty excerpt.
    if let Some(primary_file) = sources
        .try_get(diagnostic.primary.span.file)
        .filter(|f| f.text.is_empty())
    {
        return cs::Diagnostic::new(severity(diagnostic.severity))
            .with_code(diagnostic.code.code)
            .with_message(&diagnostic.message)
            .with_notes_iter(std::iter::once(format!("in: {}", primary_file.path)))
            .with_notes_iter(diagnostic.help.iter().map(|help| format!("help: {help}")));
    }
    let primary = cs::Label::primary(
        diagnostic.primary.span.file,
        diagnostic.primary.span.range(),
    )
    .with_message(&diagnostic.primary.message);
    let secondary = diagnostic
        .secondary
        .iter()
        .map(|label| secondary_label(label, &label.message));
    let trace = diagnostic
        .trace
        .iter()
        .map(|label| secondary_label(label, trace_message(label)));
    cs::Diagnostic::new(severity(diagnostic.severity))
        .with_code(diagnostic.code.code)
        .with_message(&diagnostic.message)
        .with_label(primary)
        .with_labels_iter(secondary)
        .with_labels_iter(trace)
        .with_notes_iter(diagnostic.help.iter().map(|help| format!("help: {help}")))
}

fn secondary_label(label: &Label, message: &str) -> cs::Label<FileId> {
    cs::Label::secondary(label.span.file, label.span.range()).with_message(message)
}

/// The text under a module call in the trace; calls built without one still say what they are.
fn trace_message(label: &Label) -> &str {
    if label.message.is_empty() {
        "in module call"
    } else {
        &label.message
    }
}

fn severity(severity: Severity) -> cs::Severity {
    match severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    }
}

/// One line per finding, for the case codespan cannot place a span in its file.
fn fallback(diagnostic: &Diagnostic, sources: &Sources) -> String {
    let mut out = format!(
        "{}[{}]: {}\n",
        diagnostic.severity, diagnostic.code.code, diagnostic.message
    );
    if (diagnostic.primary.span.file.0 as usize) < sources.len() {
        let position = sources.position(diagnostic.primary.span);
        out.push_str(&format!("  --> {position}\n"));
    }
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out.push('\n');
    out
}

fn summary_line(summary: Summary, color: bool) -> String {
    let counts: Vec<String> = [
        (summary.errors, "error"),
        (summary.warnings, "warning"),
        (summary.notes, "note"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}{}", if n == 1 { "" } else { "s" }))
    .collect();
    let worst = if summary.errors > 0 {
        Severity::Error
    } else if summary.warnings > 0 {
        Severity::Warning
    } else if summary.notes > 0 {
        Severity::Note
    } else {
        return String::new();
    };
    let mut buffer = new_buffer(color);
    // Writing into an in-memory buffer cannot fail.
    let _ = buffer.set_color(Styles::default().header(severity(worst)));
    let _ = write!(buffer, "{worst}");
    let _ = buffer.reset();
    let _ = writeln!(buffer, ": {} emitted", counts.join(", "));
    buffer_to_string(buffer)
}

fn new_buffer(color: bool) -> Buffer {
    if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    }
}

fn buffer_to_string(buffer: Buffer) -> String {
    String::from_utf8_lossy(&buffer.into_inner()).into_owned()
}

/// [`Sources`] seen through codespan's `Files` trait, reusing the line starts it already has.
struct SourcesFiles<'a>(&'a Sources);

impl<'a> SourcesFiles<'a> {
    fn file(&self, id: FileId) -> Result<&'a SourceFile, files::Error> {
        if (id.0 as usize) < self.0.len() {
            Ok(self.0.get(id))
        } else {
            Err(files::Error::FileMissing)
        }
    }
}

impl<'a> Files<'a> for SourcesFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.file(id)?.path.as_str())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.file(id)?.text.as_str())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        let starts = self.file(id)?.line_starts();
        Ok(starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next_line| next_line - 1))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.file(id)?;
        let line_start = |index: usize| match file.line_starts().get(index) {
            Some(start) => Ok(*start),
            // The line after the last one starts at the end of the text.
            None if index == file.line_starts().len() => Ok(file.text.len()),
            None => Err(files::Error::LineTooLarge {
                given: index,
                max: file.line_starts().len() - 1,
            }),
        };
        Ok(line_start(line_index)?..line_start(line_index + 1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    crate::declare_code! {
        /// ## What it means
        /// A value of the wrong type.
        static WRONG_TYPE = "GH904", "test-wrong-type", Severity::Error;
    }

    crate::declare_code! {
        /// ## What it means
        /// A port nobody listens on.
        static UNUSED_PORT = "GH905", "test-unused-port", Severity::Warning;
    }

    const TEXT: &str = "listener \"api\" {\n  port = \"443\"\n}\n";

    fn sources() -> (Sources, FileId) {
        let mut sources = Sources::new();
        let file = sources.add("edge/main.hcl", TEXT);
        (sources, file)
    }

    fn span_of(file: FileId, needle: &str) -> Span {
        let start = TEXT.find(needle).expect("needle in text");
        Span::new(file, start..start + needle.len())
    }

    fn wrong_port(file: FileId) -> Diagnostic {
        Diagnostic::new(
            &WRONG_TYPE,
            span_of(file, "\"443\""),
            "`port` must be a number",
        )
        .with_primary_message("this is a string")
        .with_label(span_of(file, "listener \"api\""), "in this listener")
        .with_help("write `port = 443`")
    }

    #[test]
    fn renders_header_snippet_caret_labels_and_help_without_colour() {
        let (sources, file) = sources();
        let out = render(&[wrong_port(file)], &sources, false);
        let expected = "\
error[GH904]: `port` must be a number
  --> edge/main.hcl:2:10
  |
1 | listener \"api\" {
  | -------------- in this listener
2 |   port = \"443\"
  |          ^^^^^ this is a string
  |
  = help: write `port = 443`

error: 1 error emitted
";
        assert_eq!(out, expected);
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn summary_counts_errors_and_warnings_with_plurals() {
        let (sources, file) = sources();
        let warning = Diagnostic::new(
            &UNUSED_PORT,
            span_of(file, "port"),
            "port 443 is never used",
        );
        let out = render(
            &[wrong_port(file), wrong_port(file), warning],
            &sources,
            false,
        );
        assert!(out.contains("warning[GH905]: port 443 is never used"));
        assert!(
            out.ends_with("\nerror: 2 errors, 1 warning emitted\n"),
            "{out}"
        );
    }

    #[test]
    fn warnings_only_summary_is_a_warning() {
        let (sources, file) = sources();
        let warning = Diagnostic::new(
            &UNUSED_PORT,
            span_of(file, "port"),
            "port 443 is never used",
        );
        let out = render(&[warning], &sources, false);
        assert!(out.ends_with("\nwarning: 1 warning emitted\n"), "{out}");
    }

    #[test]
    fn prints_nothing_for_no_diagnostics() {
        let (sources, _) = sources();
        assert_eq!(render(&[], &sources, false), "");
        assert_eq!(render(&[], &sources, true), "");
    }

    #[test]
    fn trace_labels_show_module_calls() {
        let (sources, file) = sources();
        let diagnostic = wrong_port(file).with_trace(vec![
            Label::new(span_of(file, "}"), ""),
            Label::new(span_of(file, "port ="), "called from here"),
        ]);
        let out = render(&[diagnostic], &sources, false);
        assert!(out.contains("- in module call"), "{out}");
        assert!(out.contains("called from here"), "{out}");
    }

    #[test]
    fn colour_adds_ansi_codes_only_when_asked() {
        let (sources, file) = sources();
        let out = render(&[wrong_port(file)], &sources, true);
        assert!(out.contains('\u{1b}'));
        assert!(out.contains("GH904"));
    }

    #[test]
    fn span_outside_its_file_still_prints_the_finding() {
        let (sources, file) = sources();
        let mut diagnostic = wrong_port(file);
        diagnostic.secondary.clear();
        diagnostic.primary.span = Span::new(FileId(7), 0..1);
        let out = render(&[diagnostic], &sources, false);
        assert!(
            out.starts_with("error[GH904]: `port` must be a number\n"),
            "{out}"
        );
        assert!(out.contains("help: write `port = 443`"));
    }
}
