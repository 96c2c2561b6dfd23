//! The SARIF 2.1.0 renderer, for GitHub code scanning and other SARIF viewers.
//!
//! One run, one rule per code (its explain text is the rule's help), one result per finding.
//! Paths stay relative to the topology root under the `%SRCROOT%` base id, and the output holds no
//! times, absolute paths or random ids, so the same findings give the same bytes (GitHub matches
//! alerts across runs with `partialFingerprints`).

use crate::diagnostics::{CodeInfo, Diagnostic, Label, Severity};
use crate::source::{Position, Sources};
use serde::Serialize;
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Renders the diagnostics as a SARIF log, pretty-printed and ending in a newline.
///
/// `rules` are listed in the order given; codes of diagnostics missing from `rules` are
/// appended, sorted, so that every result has a valid `ruleIndex`.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    rules: &[&'static CodeInfo],
) -> String {
    let rules = all_rules(diagnostics, rules);
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "gatehouse",
                    information_uri: "https://github.com/gatehouse/gatehouse",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: rules.iter().map(|code| Rule::new(code)).collect(),
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                BaseUri {
                    description: Text::new("The topology root; file paths are relative to it."),
                },
            )]),
            // Our columns count characters, not the UTF-16 units SARIF assumes by default.
            column_kind: "unicodeCodePoints",
            results: diagnostics
                .iter()
                .map(|d| SarifResult::new(d, sources, &rules))
                .collect(),
        }],
    };
    // Plain structs with string keys always serialize.
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF log serializes to JSON");
    out.push('\n');
    out
}

fn all_rules(diagnostics: &[Diagnostic], rules: &[&'static CodeInfo]) -> Vec<&'static CodeInfo> {
    let mut all: Vec<&'static CodeInfo> = Vec::new();
    for code in rules {
        if !all.iter().any(|c| c.code == code.code) {
            all.push(code);
        }
    }
    let mut missing: Vec<&'static CodeInfo> = diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|code| !all.iter().any(|c| c.code == code.code))
        .collect();
    missing.sort_by_key(|code| code.code);
    missing.dedup_by_key(|code| code.code);
    all.extend(missing);
    all
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The first prose paragraph of an explain text, skipping its `##` headings.
fn first_paragraph(explain: &str) -> String {
    explain
        .lines()
        .map(str::trim)
        .skip_while(|line| line.is_empty() || line.starts_with('#'))
        .take_while(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("```"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A relative path as a URI reference: forward slashes, anything else unusual percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// 64-bit FNV-1a: tiny, stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(parts: &[&str]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        // A separator keeps ("ab", "c") and ("a", "bc") apart.
        let separator: &[u8] = if i == 0 { b"" } else { b"\0" };
        for byte in separator.iter().chain(part.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    information_uri: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct BaseUri {
    description: Text,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: impl Into<String>) -> Text {
        Text { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

impl Rule {
    fn new(code: &CodeInfo) -> Rule {
        let explain = code.explain_text();
        let paragraph = first_paragraph(&explain);
        Rule {
            id: code.code,
            name: code.name,
            short_description: Text::new(code.name),
            full_description: Text::new(if paragraph.is_empty() {
                code.name.to_string()
            } else {
                paragraph
            }),
            help: Help {
                text: explain.clone(),
                markdown: explain,
            },
            default_configuration: Configuration {
                level: level(code.severity),
            },
        }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

impl SarifResult {
    fn new(diagnostic: &Diagnostic, sources: &Sources, rules: &[&'static CodeInfo]) -> SarifResult {
        let code = diagnostic.code.code;
        let position = sources.position(diagnostic.primary.span);
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related = diagnostic.secondary.iter().map(|l| (l, l.message.as_str()));
        let trace = diagnostic.trace.iter().map(|l| {
            let message = if l.message.is_empty() {
                "in module call"
            } else {
                l.message.as_str()
            };
            (l, message)
        });
        let related_locations = related
            .chain(trace)
            .enumerate()
            .map(|(id, (label, message))| related_location(id, label, message, sources))
            .collect();
        SarifResult {
            rule_id: code,
            // all_rules put every diagnostic's code into `rules`.
            rule_index: rules
                .iter()
                .position(|r| r.code == code)
                .unwrap_or_default(),
            level: level(diagnostic.severity),
            partial_fingerprints: BTreeMap::from([(
                "primaryLocationLineHash",
                fnv1a(&[code, &position.path, &diagnostic.message]),
            )]),
            message: Text::new(message),
            locations: vec![Location::new(None, position, None)],
            related_locations,
        }
    }
}

fn related_location(id: usize, label: &Label, message: &str, sources: &Sources) -> Location {
    let message = (!message.is_empty()).then(|| Text::new(message));
    Location::new(Some(id), sources.position(label.span), message)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

impl Location {
    fn new(id: Option<usize>, position: Position, message: Option<Text>) -> Location {
        Location {
            id,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri(&position.path),
                    uri_base_id: SRCROOT,
                },
                region: Region {
                    start_line: position.line,
                    start_column: position.column,
                    end_line: position.end_line,
                    end_column: position.end_column,
                },
            },
            message,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use serde_json::{json, Value};

    crate::declare_code! {
        /// ## What it means
        /// A value of the wrong type: a string where
        /// a number is expected.
        ///
        /// More detail.
        /// ## Fix
        /// Write a number.
        static WRONG_TYPE = "GH904", "test-wrong-type", Severity::Error;
    }

    crate::declare_code! {
        /// ## What it means
        /// A port nobody listens on.
        static UNUSED_PORT = "GH905", "test-unused-port", Severity::Warning;
    }

    crate::declare_code! {
        /// Not in the rules passed in.
        static EXTRA = "GH907", "test-extra", Severity::Note;
    }

    const TEXT: &str = "listener \"api\" {\n  port = \"443\"\n}\n";

    fn span_of(file: FileId, needle: &str) -> Span {
        let start = TEXT.find(needle).expect("needle in text");
        Span::new(file, start..start + needle.len())
    }

    fn diagnostics(file: FileId) -> Vec<Diagnostic> {
        vec![
            Diagnostic::new(
                &WRONG_TYPE,
                span_of(file, "\"443\""),
                "`port` must be a number",
            )
            .with_label(span_of(file, "listener \"api\""), "in this listener")
            .with_help("write `port = 443`"),
            Diagnostic::new(&EXTRA, span_of(file, "port"), "port is set"),
        ]
    }

    fn rendered() -> (String, Value) {
        let mut sources = Sources::new();
        let file = sources.add("edge dir\\main.hcl", TEXT);
        let out = render(&diagnostics(file), &sources, &[&UNUSED_PORT, &WRONG_TYPE]);
        let value = serde_json::from_str(&out).expect("valid JSON");
        (out, value)
    }

    #[test]
    fn is_a_sarif_2_1_0_log_with_one_run() {
        let (out, log) = rendered();
        assert!(out.ends_with("}\n"));
        assert_eq!(log["$schema"], SCHEMA);
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "gatehouse");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert!(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"].is_object());
    }

    #[test]
    fn lists_given_rules_then_missing_codes() {
        let (_, log) = rendered();
        let rules = &log["runs"][0]["tool"]["driver"]["rules"];
        let ids: Vec<&str> = rules
            .as_array()
            .expect("rules array")
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(ids, ["GH905", "GH904", "GH907"]);
        let wrong = &rules[1];
        assert_eq!(wrong["name"], "test-wrong-type");
        assert_eq!(wrong["shortDescription"]["text"], "test-wrong-type");
        assert_eq!(
            wrong["fullDescription"]["text"],
            "A value of the wrong type: a string where a number is expected."
        );
        assert!(wrong["help"]["markdown"]
            .as_str()
            .is_some_and(|h| h.starts_with("## What it means\n") && h.contains("Write a number.")));
        assert_eq!(wrong["defaultConfiguration"]["level"], "error");
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "warning");
    }

    #[test]
    fn result_has_rule_region_message_and_related_locations() {
        let (_, log) = rendered();
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "GH904");
        assert_eq!(result["ruleIndex"], 1);
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["message"]["text"],
            "`port` must be a number\nhelp: write `port = 443`"
        );
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"],
            json!({"uri": "edge%20dir/main.hcl", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            location["region"],
            json!({"startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 15})
        );
        let related = &result["relatedLocations"][0];
        assert_eq!(related["message"]["text"], "in this listener");
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 1);
        let note = &log["runs"][0]["results"][1];
        assert_eq!(note["ruleIndex"], 2);
        assert_eq!(note["level"], "note");
        assert!(note.get("relatedLocations").is_none());
    }

    #[test]
    fn fingerprints_are_stable_and_depend_on_code_path_and_message() {
        let (first, log) = rendered();
        let (second, _) = rendered();
        assert_eq!(first, second);
        let results = &log["runs"][0]["results"];
        let a = &results[0]["partialFingerprints"]["primaryLocationLineHash"];
        let b = &results[1]["partialFingerprints"]["primaryLocationLineHash"];
        assert_eq!(a.as_str().map(str::len), Some(16));
        assert_ne!(a, b);
        // FNV-1a of the empty input is its offset basis.
        assert_eq!(fnv1a(&[""]), "cbf29ce484222325");
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
