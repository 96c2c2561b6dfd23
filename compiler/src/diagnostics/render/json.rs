//! The JSON renderer: one machine-readable document with every finding and a summary.
//!
//! Positions follow Terraform's JSON diagnostics: lines and columns are 1-based, byte offsets
//! 0-based, ends exclusive. The document shape is versioned (`"version": 1`); adding a field is
//! fine, renaming or removing one needs a new version. Never put absolute paths or times here.

use crate::diagnostics::{Diagnostic, Label, Summary};
use crate::source::{Position, Sources};
use serde::Serialize;

/// Renders the diagnostics as a pretty-printed JSON document ending in a newline.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let summary = Summary::of(diagnostics);
    let document = Document {
        version: 1,
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic::new(d, sources))
            .collect(),
        summary: JsonSummary {
            errors: summary.errors,
            warnings: summary.warnings,
            notes: summary.notes,
        },
    };
    // Plain structs with string keys always serialize.
    let mut out = serde_json::to_string_pretty(&document).expect("diagnostics serialize to JSON");
    out.push('\n');
    out
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_byte: usize,
    end_byte: usize,
    help: Option<&'a str>,
    address: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    trace: Vec<JsonLabel<'a>>,
}

impl<'a> JsonDiagnostic<'a> {
    fn new(diagnostic: &'a Diagnostic, sources: &Sources) -> JsonDiagnostic<'a> {
        let Position {
            path,
            line,
            column,
            end_line,
            end_column,
            start_byte,
            end_byte,
        } = sources.position(diagnostic.primary.span);
        let labels = |labels: &'a [Label]| -> Vec<JsonLabel<'a>> {
            labels.iter().map(|l| JsonLabel::new(l, sources)).collect()
        };
        JsonDiagnostic {
            code: diagnostic.code.code,
            name: diagnostic.code.name,
            severity: diagnostic.severity.as_str(),
            message: &diagnostic.message,
            file: path,
            line,
            column,
            end_line,
            end_column,
            start_byte,
            end_byte,
            help: diagnostic.help.as_deref(),
            address: diagnostic.address.as_deref(),
            labels: labels(&diagnostic.secondary),
            trace: labels(&diagnostic.trace),
        }
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

impl<'a> JsonLabel<'a> {
    fn new(label: &'a Label, sources: &Sources) -> JsonLabel<'a> {
        let position = sources.position(label.span);
        JsonLabel {
            file: position.path,
            line: position.line,
            column: position.column,
            end_line: position.end_line,
            end_column: position.end_column,
            message: &label.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;
    use crate::source::{FileId, Span};
    use serde_json::{json, Value};

    crate::declare_code! {
        /// ## What it means
        /// A value of the wrong type.
        static WRONG_TYPE = "GH904", "test-wrong-type", Severity::Error;
    }

    crate::declare_code! {
        /// ## What it means
        /// Something worth knowing.
        static INFO = "GH906", "test-info", Severity::Note;
    }

    const TEXT: &str = "listener \"api\" {\n  port = \"443\"\n}\n";

    fn span_of(file: FileId, needle: &str) -> Span {
        let start = TEXT.find(needle).expect("needle in text");
        Span::new(file, start..start + needle.len())
    }

    fn rendered() -> Value {
        let mut sources = Sources::new();
        let file = sources.add("edge/main.hcl", TEXT);
        let diagnostics = [
            Diagnostic::new(
                &WRONG_TYPE,
                span_of(file, "\"443\""),
                "`port` must be a number",
            )
            .with_label(span_of(file, "listener \"api\""), "in this listener")
            .with_help("write `port = 443`")
            .with_address("listener.api")
            .with_trace(vec![Label::new(span_of(file, "}"), "module call")]),
            Diagnostic::new(&INFO, span_of(file, "port"), "port is set"),
        ];
        let out = render(&diagnostics, &sources);
        assert!(out.ends_with("}\n"));
        serde_json::from_str(&out).expect("valid JSON")
    }

    #[test]
    fn states_one_based_positions_and_zero_based_bytes() {
        let doc = rendered();
        let first = &doc["diagnostics"][0];
        assert_eq!(first["file"], "edge/main.hcl");
        assert_eq!(first["line"], 2);
        assert_eq!(first["column"], 10);
        assert_eq!(first["end_line"], 2);
        assert_eq!(first["end_column"], 15);
        assert_eq!(first["start_byte"], 26);
        assert_eq!(first["end_byte"], 31);
    }

    #[test]
    fn carries_code_name_help_address_labels_and_trace() {
        let doc = rendered();
        let first = &doc["diagnostics"][0];
        assert_eq!(first["code"], "GH904");
        assert_eq!(first["name"], "test-wrong-type");
        assert_eq!(first["severity"], "error");
        assert_eq!(first["message"], "`port` must be a number");
        assert_eq!(first["help"], "write `port = 443`");
        assert_eq!(first["address"], "listener.api");
        assert_eq!(
            first["labels"],
            json!([{
                "file": "edge/main.hcl", "line": 1, "column": 1, "end_line": 1,
                "end_column": 15, "message": "in this listener"
            }])
        );
        assert_eq!(first["trace"][0]["line"], 3);
        assert_eq!(first["trace"][0]["message"], "module call");
    }

    #[test]
    fn missing_help_and_address_are_null() {
        let doc = rendered();
        let second = &doc["diagnostics"][1];
        assert_eq!(second["severity"], "note");
        assert_eq!(second["help"], Value::Null);
        assert_eq!(second["address"], Value::Null);
        assert_eq!(second["labels"], json!([]));
    }

    #[test]
    fn has_version_and_summary() {
        let doc = rendered();
        assert_eq!(doc["version"], 1);
        assert_eq!(
            doc["summary"],
            json!({"errors": 1, "warnings": 0, "notes": 1})
        );
    }

    #[test]
    fn empty_list_is_an_empty_document() {
        let out = render(&[], &Sources::new());
        let doc: Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(
            doc,
            json!({"version": 1, "diagnostics": [], "summary": {"errors": 0, "warnings": 0, "notes": 0}})
        );
    }
}
