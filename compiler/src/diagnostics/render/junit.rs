//! The JUnit XML renderer, for CI test tabs such as Azure Pipelines' `PublishTestResults`.
//!
//! Each check is a test case that fails when it has an error or warning; notes alone never fail a
//! case. Findings whose code is not among the checks get a case of their own, so none is lost.
//! No timestamps or durations are written: the same findings give the same bytes.

use crate::diagnostics::{CodeInfo, Diagnostic, Severity};
use crate::source::Sources;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

/// Renders one test suite `gatehouse` with one test case per check, as a JUnit XML document.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    checks: &[&'static CodeInfo],
) -> String {
    let mut by_code: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for diagnostic in diagnostics {
        by_code
            .entry(diagnostic.code.code)
            .or_default()
            .push(diagnostic);
    }
    let mut suite = TestSuite::new("gatehouse");
    for check in checks {
        // Removing the entry also keeps a check listed twice from reporting its findings twice.
        let findings = by_code.remove(check.code).unwrap_or_default();
        suite.add_test_case(test_case(check, &findings, sources));
    }
    for findings in by_code.values() {
        suite.add_test_case(test_case(findings[0].code, findings, sources));
    }
    let mut report = Report::new("gatehouse");
    report.add_test_suite(suite);
    // Serializing into memory fails only on IO errors, which a String cannot have.
    let mut out = report.to_string().expect("JUnit report serializes");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn test_case(check: &CodeInfo, findings: &[&Diagnostic], sources: &Sources) -> TestCase {
    let (failing, notes): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        findings.iter().partition(|d| d.severity != Severity::Note);
    let status = if failing.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(count(failing.len()))
            .set_type(worst(&failing).as_str())
            .set_description(lines(&failing, sources));
        status
    };
    let mut case = TestCase::new(format!("{} {}", check.code, check.name), status);
    case.set_classname(format!("gatehouse.{}", check.code));
    if !notes.is_empty() {
        case.set_system_out(lines(&notes, sources));
    }
    case
}

fn count(n: usize) -> String {
    format!("{n} finding{}", if n == 1 { "" } else { "s" })
}

fn worst(findings: &[&Diagnostic]) -> Severity {
    findings
        .iter()
        .map(|d| d.severity)
        .min()
        .unwrap_or(Severity::Note)
}

/// `path:line:column: severity: message`, then an indented help line, per finding.
fn lines(findings: &[&Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for finding in findings {
        let position = sources.position(finding.primary.span);
        out.push_str(&format!(
            "{position}: {}: {}\n",
            finding.severity, finding.message
        ));
        if let Some(help) = &finding.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    crate::declare_code! {
        /// A value of the wrong type.
        static WRONG_TYPE = "GH904", "test-wrong-type", Severity::Error;
    }

    crate::declare_code! {
        /// A port nobody listens on.
        static UNUSED_PORT = "GH905", "test-unused-port", Severity::Warning;
    }

    crate::declare_code! {
        /// Something worth knowing.
        static INFO = "GH906", "test-info", Severity::Note;
    }

    crate::declare_code! {
        /// Not among the checks.
        static EXTRA = "GH907", "test-extra", Severity::Error;
    }

    const TEXT: &str = "listener \"api\" {\n  port = \"443\"\n}\n";

    fn span_of(file: FileId, needle: &str) -> Span {
        let start = TEXT.find(needle).expect("needle in text");
        Span::new(file, start..start + needle.len())
    }

    fn rendered() -> String {
        let mut sources = Sources::new();
        let file = sources.add("edge/main.hcl", TEXT);
        let diagnostics = [
            Diagnostic::new(
                &WRONG_TYPE,
                span_of(file, "\"443\""),
                "`port` must be a number",
            )
            .with_help("write `port = 443`"),
            Diagnostic::new(
                &WRONG_TYPE,
                span_of(file, "listener"),
                "`listener` is wrong",
            ),
            Diagnostic::new(&INFO, span_of(file, "port"), "port is set"),
            Diagnostic::new(&EXTRA, span_of(file, "}"), "extra finding"),
        ];
        render(&diagnostics, &sources, &[&WRONG_TYPE, &UNUSED_PORT, &INFO])
    }

    /// The `<testcase>` element whose name attribute is `name`, up to its closing tag.
    fn case<'a>(xml: &'a str, name: &str) -> &'a str {
        let start = xml
            .find(&format!("<testcase name=\"{name}\""))
            .unwrap_or_else(|| panic!("no test case {name} in\n{xml}"));
        let rest = &xml[start..];
        let end = rest
            .find("</testcase>")
            .map(|i| i + "</testcase>".len())
            .or_else(|| rest.find("/>").map(|i| i + 2))
            .unwrap_or(rest.len());
        &rest[..end]
    }

    #[test]
    fn one_suite_with_a_case_per_check_and_per_unknown_code() {
        let xml = rendered();
        assert!(xml.contains("<testsuite name=\"gatehouse\" tests=\"4\" skipped=\"0\" errors=\"0\" failures=\"2\">"), "{xml}");
        assert!(case(&xml, "GH904 test-wrong-type").contains("classname=\"gatehouse.GH904\""));
        assert!(case(&xml, "GH907 test-extra").contains("<failure"));
    }

    #[test]
    fn failing_check_counts_findings_and_lists_them_with_help() {
        let xml = rendered();
        let wrong = case(&xml, "GH904 test-wrong-type");
        assert!(
            wrong.contains("<failure message=\"2 findings\" type=\"error\">"),
            "{wrong}"
        );
        assert!(
            wrong.contains(
                "edge/main.hcl:2:10: error: `port` must be a number\n  help: write `port = 443`\n"
            ),
            "{wrong}"
        );
        assert!(
            wrong.contains("edge/main.hcl:1:1: error: `listener` is wrong"),
            "{wrong}"
        );
    }

    #[test]
    fn checks_without_findings_and_notes_only_pass() {
        let xml = rendered();
        assert!(!case(&xml, "GH905 test-unused-port").contains("<failure"));
        let info = case(&xml, "GH906 test-info");
        assert!(!info.contains("<failure"), "{info}");
        assert!(
            info.contains("edge/main.hcl:2:3: note: port is set"),
            "{info}"
        );
    }

    #[test]
    fn output_has_no_times_and_is_deterministic() {
        let xml = rendered();
        assert_eq!(xml, rendered());
        assert!(!xml.contains("timestamp="));
        assert!(!xml.contains("time="));
        assert!(xml.ends_with('\n'));
    }
}
