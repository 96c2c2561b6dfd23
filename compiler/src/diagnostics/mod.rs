//! The one diagnostic type of gatehouse, its codes, and its renderers.
//!
//! A user's mistake is a [`Diagnostic`]: a stable code, a severity, a message in the user's
//! names, a primary label, secondary labels for every other block involved, and help that says
//! what to write. Every stage appends diagnostics and keeps going; renderers in [`render`] turn
//! the same list into human, JSON, SARIF or JUnit output. Nothing here does IO.

pub mod codes;
pub mod render;

use crate::source::{Sources, Span};
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable diagnostic code and the manual page that `gatehouse explain` prints for it.
///
/// Codes are declared once with [`declare_code!`], next to the code that emits them; the
/// `///` lines above the declaration are the explain text.
#[derive(Debug)]
pub struct CodeInfo {
    /// `GH` + three digits; never reused.
    pub code: &'static str,
    /// Kebab-case name of the trap, usable in suppressions.
    pub name: &'static str,
    /// Severity a finding has unless configured otherwise.
    pub severity: Severity,
    /// The long explanation (markdown), from the declaration's doc comment.
    pub explain: &'static str,
}

/// A reference to a code's static declaration.
pub type Code = &'static CodeInfo;

impl CodeInfo {
    /// The explain text without the one space that `///` leaves at the start of each line.
    pub fn explain_text(&self) -> String {
        let mut out = String::new();
        for line in self.explain.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Declares a diagnostic code; the doc comment above it becomes its explain text.
#[macro_export]
macro_rules! declare_code {
    ($(#[doc = $doc:literal])* $vis:vis static $ident:ident = $code:literal, $name:literal, $sev:expr;) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::diagnostics::CodeInfo = $crate::diagnostics::CodeInfo {
            code: $code,
            name: $name,
            severity: $sev,
            explain: concat!($($doc, "\n"),*),
        };
    };
}

/// A span with a message, pointing at one block or attribute involved in a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// What is wrong, in the user's names: lowercase, no final period.
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    /// What to write instead.
    pub help: Option<String>,
    /// The HCL address of the block the finding is about, when there is one.
    pub address: Option<String>,
    /// The module calls that led to the labelled blocks, outermost first: those of the primary
    /// span, then those of secondary labels not listed yet. A label in a module file is shown
    /// with the `module` block that called it.
    pub trace: Vec<Label>,
}

impl Diagnostic {
    /// A finding with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
            address: None,
            trace: Vec::new(),
        }
    }

    /// Sets the text under the primary caret.
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label. On the primary span, while the primary has no text, it becomes
    /// that text, so the span is drawn once.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        if span == self.primary.span && self.primary.message.is_empty() {
            self.primary.message = message.into();
            return self;
        }
        self.secondary.push(Label::new(span, message));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_address(mut self, address: impl Into<String>) -> Diagnostic {
        self.address = Some(address.into());
        self
    }

    /// Sets the module calls that led to the primary span.
    pub fn with_trace(mut self, trace: Vec<Label>) -> Diagnostic {
        self.trace = trace;
        self
    }

    /// Adds the module calls that led to a secondary label's block (after the primary span's,
    /// without repeats), so that the label's module call is named too.
    pub fn with_secondary_trace(mut self, trace: &[Label]) -> Diagnostic {
        self.add_secondary_trace(trace);
        self
    }

    /// [`Diagnostic::with_secondary_trace`] in place.
    pub fn add_secondary_trace(&mut self, trace: &[Label]) {
        for call in trace {
            if !self.trace.iter().any(|t| t.span == call.span) {
                self.trace.push(call.clone());
            }
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file path, position, then code, and drops exact duplicates (the same
/// finding about the same block), so that every renderer prints them in the same
/// deterministic order.
pub fn sort(diagnostics: &mut Vec<Diagnostic>, sources: &Sources) {
    diagnostics.sort_by(|a, b| {
        let pa = sources.get(a.primary.span.file).path.as_str();
        let pb = sources.get(b.primary.span.file).path.as_str();
        (
            pa,
            a.primary.span.start,
            a.primary.span.end,
            a.code.code,
            &a.message,
        )
            .cmp(&(
                pb,
                b.primary.span.start,
                b.primary.span.end,
                b.code.code,
                &b.message,
            ))
    });
    diagnostics.dedup_by(|a, b| {
        a.code.code == b.code.code
            && a.primary.span == b.primary.span
            && a.message == b.message
            && a.address == b.address
    });
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic]) -> Summary {
        let mut s = Summary::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
        }
        s
    }
}

/// The closest candidate to `name` by edit distance, for "did you mean" help.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_on_the_primary_span_is_drawn_once() {
        use crate::source::FileId;
        let block = Span::new(FileId(0), 10..20);
        let other = Span::new(FileId(0), 30..40);
        let d = Diagnostic::new(&codes::HCL_SYNTAX, block, "m")
            .with_label(block, "declared here")
            .with_label(other, "used here");
        assert_eq!(d.primary.message, "declared here");
        assert_eq!(d.secondary.len(), 1);
        // With its own text the primary keeps it, and the label stays: it may say more.
        let d = Diagnostic::new(&codes::HCL_SYNTAX, block, "m")
            .with_primary_message("deploys over the other one")
            .with_label(block, "`a` is declared here first");
        assert_eq!(d.primary.message, "deploys over the other one");
        assert_eq!(d.secondary.len(), 1);
    }

    #[test]
    fn did_you_mean_finds_close_names_only() {
        let names = ["ssl_profile", "listener", "sku"];
        assert_eq!(did_you_mean("ssl_profle", names), Some("ssl_profile"));
        assert_eq!(did_you_mean("lisener", names), Some("listener"));
        assert_eq!(did_you_mean("routing", names), None);
    }
}
