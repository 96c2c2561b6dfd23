//! The `gatehouse` binary as users run it: exit codes, output formats, explain, fmt.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gatehouse(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("run gatehouse")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/frontend")
        .join(name)
}

#[test]
fn check_exits_zero_on_every_example() {
    let root = support::workspace();
    for example in [
        "appgw-apim-keyvault",
        "apim-negotiate-client-cert",
        "apim-backend-mtls",
    ] {
        let dir = root.join("examples").join(example);
        let out = gatehouse(&["check", "."], &dir);
        assert_eq!(out.status.code(), Some(0), "{example}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("no problems found"),
            "{example}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn check_exits_one_with_rendered_diagnostics_on_errors() {
    let out = gatehouse(
        &["check", "--color", "never", "."],
        &fixture("gh101_unresolved_reference"),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("error[GH101]: `backend.order` is not declared"),
        "{text}"
    );
    assert!(text.contains("--> main.hcl:12:15"), "{text}");
    assert!(text.contains("did you mean `backend.orders`?"), "{text}");
    assert!(
        !text.contains("\u{1b}["),
        "no colour codes with --color never"
    );
}

#[test]
fn color_always_adds_ansi_codes() {
    let out = gatehouse(
        &["check", "--color", "always", "."],
        &fixture("gh101_unresolved_reference"),
    );
    assert!(stdout(&out).contains("\u{1b}["));
}

#[test]
fn check_exits_two_when_the_directory_does_not_exist() {
    let out = gatehouse(
        &["check", "no/such/dir"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
}

#[test]
fn check_exits_two_on_a_bad_flag() {
    let out = gatehouse(
        &["check", "--format", "yaml", "."],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_output_states_positions_and_summary() {
    let out = gatehouse(
        &["check", "--format", "json", "."],
        &fixture("gh101_unresolved_reference"),
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let first = &doc["diagnostics"][0];
    assert_eq!(first["code"], "GH101");
    assert_eq!(first["file"], "main.hcl");
    assert_eq!(first["line"], 12);
    assert_eq!(first["column"], 15);
    assert_eq!(first["end_column"], 28);
    assert_eq!(doc["summary"]["errors"], 2);
}

#[test]
fn sarif_output_is_sarif_2_1_0_with_rules_and_regions() {
    let out = gatehouse(
        &["check", "--format", "sarif", "."],
        &fixture("gh101_unresolved_reference"),
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert!(run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "GH101"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "GH101");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );
}

#[test]
fn junit_output_fails_the_test_case_of_the_code_found() {
    let out = gatehouse(
        &["check", "--format", "junit", "."],
        &fixture("gh101_unresolved_reference"),
    );
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).expect("xml");
    let case = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name").is_some_and(|a| a.starts_with("GH101"))
        })
        .expect("GH101 test case");
    assert!(case.children().any(|c| c.has_tag_name("failure")));
    let passing = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name").is_some_and(|a| a.starts_with("GH004"))
        })
        .expect("GH004 test case");
    assert!(!passing.children().any(|c| c.has_tag_name("failure")));
}

#[test]
fn quiet_prints_nothing_when_clean() {
    let dir = support::workspace().join("examples/apim-backend-mtls");
    let out = gatehouse(&["--quiet", "check", "."], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn var_flag_sets_a_root_variable() {
    let dir = fixture("gh101_unresolved_reference");
    // The fixture reads an undeclared var; a declared one given by --var must be accepted.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("main.hcl"),
        "variable \"env\" {\n  type = string\n}\n\nlocals {\n  name = \"api-${var.env}\"\n}\n",
    )
    .unwrap();
    let out = gatehouse(&["check", "--var", "env=prod", "."], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = gatehouse(&["check", "--color", "never", "."], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("variable `env` has no value and no default"));
    drop(dir);
}

#[test]
fn explain_prints_the_manual_of_a_code_or_name() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = gatehouse(&["explain", "GH101"], here);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("# GH101 unresolved-reference (error)"),
        "{text}"
    );
    assert!(
        text.contains("## Example") && text.contains("## Fix"),
        "{text}"
    );
    let by_name = gatehouse(&["explain", "unresolved-reference"], here);
    assert_eq!(stdout(&by_name), text);
}

#[test]
fn explain_rejects_an_unknown_code_with_a_suggestion() {
    let out = gatehouse(&["explain", "GH10"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown code `GH10`"));
}

#[test]
fn explain_list_names_every_code() {
    let out = gatehouse(
        &["explain", "--list"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    let text = stdout(&out);
    for code in gatehouse::diagnostics::codes::all() {
        assert!(text.contains(code.code), "{}", code.code);
    }
}

#[test]
fn fmt_check_passes_on_examples_and_modules() {
    let root = support::workspace();
    for dir in [
        "examples/appgw-apim-keyvault",
        "examples/apim-negotiate-client-cert",
        "examples/apim-backend-mtls",
        "modules/partner-api",
    ] {
        let out = gatehouse(&["fmt", "--check", "."], &root.join(dir));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{dir} is not formatted:\n{}",
            stdout(&out)
        );
    }
}

#[test]
fn fmt_rewrites_a_file_keeping_comments_and_check_reports_a_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("main.hcl");
    std::fs::write(
        &file,
        "# edge\ncertificate \"ca\" {\n      ca_chain=file(\"ca.pem\") # chain\n}\n",
    )
    .unwrap();
    let check = gatehouse(&["fmt", "--check", "."], tmp.path());
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("+  ca_chain = file(\"ca.pem\") # chain"),
        "{}",
        stdout(&check)
    );
    let unchanged = std::fs::read_to_string(&file).unwrap();
    assert!(
        unchanged.contains("      ca_chain=file"),
        "--check must not write"
    );
    let write = gatehouse(&["fmt", "."], tmp.path());
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "# edge\ncertificate \"ca\" {\n  ca_chain = file(\"ca.pem\") # chain\n}\n"
    );
}

#[test]
fn fmt_reports_a_syntax_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("main.hcl");
    std::fs::write(
        &file,
        "certificate \"ca\" {\n  ca_chain = file(\"ca.pem\"\n}\n",
    )
    .unwrap();
    let out = gatehouse(&["fmt", "--color", "never", "."], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[GH001]"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "certificate \"ca\" {\n  ca_chain = file(\"ca.pem\"\n}\n"
    );
}

#[test]
fn version_and_help_describe_the_tool() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = gatehouse(&["--version"], here);
    assert_eq!(
        stdout(&version).trim(),
        format!("gatehouse {}", env!("CARGO_PKG_VERSION"))
    );
    let help = stdout(&gatehouse(&["--help"], here));
    for command in ["check", "explain", "fmt"] {
        assert!(help.contains(command), "{help}");
    }
    let check_help = stdout(&gatehouse(&["check", "--help"], here));
    for flag in ["--format", "--var", "--deny-warnings", "--quiet", "--color"] {
        assert!(check_help.contains(flag), "{check_help}");
    }
}

#[test]
fn graph_writes_dot_with_clusters_and_json_with_typed_edges() {
    let dir = support::workspace().join("examples/appgw-apim-keyvault");
    let dot = gatehouse(&["graph", "."], &dir);
    assert_eq!(dot.status.code(), Some(0));
    let text = stdout(&dot);
    assert!(text.starts_with("digraph topology {"), "{text}");
    assert!(
        text.contains("subgraph cluster_0") && text.contains("label=\"app_gateway.edge\""),
        "{text}"
    );
    assert!(text.contains("\"app_gateway.edge.listener.api\" -> \"api_management.main.hostname.gateway\" [label=\"routes_to\"]"), "{text}");
    let json = gatehouse(&["graph", "--format", "json", "."], &dir);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let edges = doc["edges"].as_array().unwrap();
    let serves = edges
        .iter()
        .find(|e| e["kind"] == "serves" && e["to"] == "module.orders.api.partner")
        .expect("hostname serves the module's API");
    assert_eq!(serves["from"], "api_management.main.hostname.gateway");
    // The edge points at the reference that made it: written in the root, passed to the module.
    assert_eq!(serves["file"], "api_management.hcl");
}

fn write_topology(dir: &Path, hcl: &str) {
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
}

const BACKEND_VALIDATION_OFF: &str = r#"api_management "main" {
  sku             = "Developer"
  publisher_name  = "Contoso"
  publisher_email = "api@contoso.com"

  backend "legacy" {
    url                       = "https://legacy.contoso.internal"
    validate_certificate_name = false
    ALLOW
  }

  api "legacy" {
    path    = "legacy"
    backend = backend.legacy
  }
}
"#;

#[test]
fn deny_warnings_fails_on_a_warning_and_allow_switches_the_check_off() {
    let tmp = tempfile::tempdir().unwrap();
    write_topology(
        tmp.path(),
        &BACKEND_VALIDATION_OFF.replace("    ALLOW\n", ""),
    );
    let plain = gatehouse(
        &["check", "--color", "never", "--now", "2026-06-01", "."],
        tmp.path(),
    );
    assert_eq!(
        plain.status.code(),
        Some(0),
        "a warning alone passes: {}",
        stdout(&plain)
    );
    assert!(
        stdout(&plain).contains("warning[GH404]"),
        "{}",
        stdout(&plain)
    );
    let denied = gatehouse(
        &["check", "--deny-warnings", "--now", "2026-06-01", "."],
        tmp.path(),
    );
    assert_eq!(denied.status.code(), Some(1));

    let allowed = BACKEND_VALIDATION_OFF.replace(
        "    ALLOW\n",
        "\n    allow \"backend-validation-off\" {\n      reason = \"legacy host serves a certificate for its IP only\"\n    }\n",
    );
    write_topology(tmp.path(), &allowed);
    let out = gatehouse(
        &["check", "--deny-warnings", "--now", "2026-06-01", "."],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("GH404"));
}

#[test]
fn an_allow_naming_no_check_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let text = BACKEND_VALIDATION_OFF.replace(
        "    ALLOW\n",
        "\n    allow \"backend-validaton-off\" {\n      reason = \"typo\"\n    }\n",
    );
    write_topology(tmp.path(), &text);
    let out = gatehouse(
        &["check", "--color", "never", "--now", "2026-06-01", "."],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("did you mean `backend-validation-off`?"),
        "{}",
        stdout(&out)
    );
}

/// The GH107 fixture, run through the CLI: the rename is an error only when judged against
/// the deployed version given with `--baseline`.
#[test]
fn baseline_judges_the_change_against_the_previous_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks/gh107_cert_in_use_removed");
    let tmp = tempfile::tempdir().unwrap();
    for side in ["baseline", "fail"] {
        let dir = tmp.path().join(side);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(root.join(side).join("main.hcl"), dir.join("main.hcl")).unwrap();
        support::pki::write(&dir);
    }
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--color", "never", "--now", "2026-06-01"];
        all.extend_from_slice(args);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        cmd.args(&all)
            .current_dir(tmp.path())
            .env("PFX_PASSWORD", "fixture-password");
        cmd.output().expect("run gatehouse")
    };
    let alone = run(&["fail"]);
    assert_eq!(alone.status.code(), Some(0), "{}", stdout(&alone));
    let judged = run(&["--baseline", "baseline", "fail"]);
    assert_eq!(judged.status.code(), Some(1), "{}", stdout(&judged));
    assert_eq!(
        stdout(&judged).matches("error[GH107]").count(),
        2,
        "{}",
        stdout(&judged)
    );

    let missing = run(&["--baseline", "nowhere", "fail"]);
    assert_eq!(missing.status.code(), Some(2));
    std::fs::write(tmp.path().join("baseline/broken.hcl"), "certificate {").unwrap();
    let broken = run(&["--baseline", "baseline", "fail"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains("has 1 error(s)"),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
}

/// An OUT that cannot be written (a file, a directory gatehouse cannot create) is a clear
/// error naming it, exit 2, and nothing is written anywhere.
#[test]
fn compile_refuses_an_out_it_cannot_write() {
    let example = support::workspace().join("examples/apim-backend-mtls");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    // /proc refuses new entries, even for root (who can write anywhere else).
    for (out, expect) in [
        (file.to_str().unwrap(), "is a file; give a directory"),
        ("/proc/gatehouse-out", "cannot write `/proc/gatehouse-out`"),
    ] {
        let o = gatehouse(
            &[
                "compile",
                ".",
                "--out",
                out,
                "--now",
                "2026-06-01T00:00:00Z",
            ],
            &example,
        );
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{out}: {stderr}");
        assert!(stderr.contains(expect), "{out}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn a_closed_stdout_ends_a_command_quietly_not_with_a_panic() {
    // The reading end is closed before gatehouse writes anything: every write fails with
    // EPIPE, as after `gatehouse explain --list | head -1` once head has exited.
    let dir = env!("CARGO_MANIFEST_DIR");
    for args in [
        &["explain", "--list"][..],
        &["explain", "GH401"][..],
        &[
            "graph",
            "../examples/appgw-apim-keyvault",
            "--format",
            "json",
        ][..],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(args)
            .current_dir(dir)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run gatehouse");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
