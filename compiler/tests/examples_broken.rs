//! The broken examples in `examples/broken/` give the diagnostics their READMEs document: each
//! README holds the `gatehouse check ...` command (in its `sh` block) and the first line of
//! every diagnostic it prints (in its `text` block). The test runs that command from the
//! workspace root, as a reader would, and compares, so README and output cannot drift. Each
//! broken example exits 1, and together they cover the traps of `docs/troubleshooting.md`.
//!
//! The clock is pinned (`--now`), so that the result does not depend on today's date.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-12-02";

/// The codes of the traps `docs/troubleshooting.md` is organised by, each of which some broken
/// example must trigger.
const TROUBLESHOOTING_CODES: [&str; 8] = [
    "GH301", "GH305", "GH308", "GH401", "GH403", "GH501", "GH702", "GH008",
];

struct Documented {
    name: String,
    /// `check` and its arguments, without the leading `gatehouse`.
    args: Vec<String>,
    /// `error[GH702]: ...` lines, in the order documented.
    diagnostics: Vec<String>,
}

fn broken_dir() -> PathBuf {
    support::workspace().join("examples/broken")
}

fn broken_examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(broken_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The contents of the fenced blocks of `lang` in `markdown`.
fn fenced(markdown: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_end() == open => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.push(current.take().unwrap()),
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    blocks
}

fn is_diagnostic_head(line: &str) -> bool {
    ["error[GH", "warning[GH", "note[GH"]
        .iter()
        .any(|p| line.starts_with(p))
        && line.contains("]: ")
}

fn documented(name: &str) -> Documented {
    let path = broken_dir().join(name).join("README.md");
    let readme = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{name}: every broken example has a README.md: {e}"));
    let commands: Vec<String> = fenced(&readme, "sh")
        .iter()
        .flat_map(|b| b.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| l.starts_with("gatehouse "))
        .collect();
    assert_eq!(
        commands.len(),
        1,
        "{name}: the README shows one `gatehouse check` command, found {commands:?}"
    );
    let args: Vec<String> = commands[0]
        .split_whitespace()
        .skip(1)
        .map(String::from)
        .collect();
    assert_eq!(args[0], "check", "{name}: {args:?}");
    assert!(
        args.iter().any(|a| a == &format!("examples/broken/{name}")),
        "{name}: the command checks this example: {args:?}"
    );
    let diagnostics: Vec<String> = fenced(&readme, "text")
        .iter()
        .flat_map(|b| b.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| is_diagnostic_head(l))
        .collect();
    assert!(
        !diagnostics.is_empty(),
        "{name}: the README documents no diagnostic"
    );
    Documented {
        name: name.to_string(),
        args,
        diagnostics,
    }
}

fn run(args: &[String], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .args(["--color", "never", "--now", NOW])
        .current_dir(cwd)
        .output()
        .expect("run gatehouse")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn heads(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| is_diagnostic_head(l))
        .map(String::from)
        .collect()
}

fn code(head: &str) -> &str {
    let start = head.find('[').unwrap() + 1;
    &head[start..start + 5]
}

#[test]
fn every_broken_example_gives_its_documented_diagnostics_and_exits_one() {
    let names = broken_examples();
    assert!(names.len() >= 6, "examples/broken/ holds {names:?}");
    for name in names {
        let doc = documented(&name);
        let out = run(&doc.args, &support::workspace());
        let text = stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: `gatehouse {}` exits 1:\n{text}{}",
            doc.name,
            doc.args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            heads(&text),
            doc.diagnostics,
            "{}: README.md documents other diagnostics than `gatehouse {}` gives:\n{text}",
            doc.name,
            doc.args.join(" ")
        );
    }
}

#[test]
fn broken_examples_cover_every_trap_of_the_troubleshooting_guide() {
    let codes: Vec<String> = broken_examples()
        .iter()
        .flat_map(|name| documented(name).diagnostics)
        .map(|head| code(&head).to_string())
        .collect();
    for expected in TROUBLESHOOTING_CODES {
        assert!(
            codes.iter().any(|c| c == expected),
            "no broken example shows {expected}; found {codes:?}"
        );
    }
    let guide =
        std::fs::read_to_string(support::workspace().join("docs/troubleshooting.md")).unwrap();
    for expected in TROUBLESHOOTING_CODES {
        assert!(
            guide.contains(expected),
            "docs/troubleshooting.md does not name {expected}"
        );
    }
}

/// The modules the broken examples call are the shipped ones, and they are clean when called
/// right: without the example's mistake, the same call loads with no diagnostic. (The fixed
/// copy of `module-wrong-input` is written here.)
#[test]
fn module_wrong_input_is_clean_once_the_inputs_are_right() {
    let root = support::workspace();
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&root.join("modules"), &tmp.path().join("modules"));
    let dir = tmp.path().join("examples/broken/module-wrong-input");
    support::copy_dir(&broken_dir().join("module-wrong-input"), &dir);
    let main = dir.join("main.hcl");
    let text = std::fs::read_to_string(&main).unwrap();
    let fixed = text.replace(
        "  hostname       = [api_management.main.hostname.gateway]",
        "  backend        = api_management.main.backend.orders\n  hostnames      = [api_management.main.hostname.gateway]",
    );
    assert_ne!(text, fixed, "the example misspells `hostnames`");
    std::fs::write(&main, fixed).unwrap();
    let out = run(&["check".to_string(), ".".to_string()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no problems found"),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------------------------------
// Diagnostics about modules point at the module file and at the calling block.

/// A wrong input is reported at the calling `module` block, with the module's `variable`
/// blocks (in the module file) as the second location.
#[test]
fn a_wrong_module_input_points_at_the_call_and_the_module_file() {
    let out = run(
        &["check".to_string(), ".".to_string()],
        &broken_dir().join("module-wrong-input"),
    );
    let text = stdout(&out);
    let missing = text
        .split("\n\n")
        .find(|d| d.starts_with("error[GH008]: module `orders` needs input `backend`"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(missing.contains("--> main.hcl:20:1"), "{missing}");
    assert!(missing.contains("20 | module \"orders\" {"), "{missing}");
    // The module's `variable "backend"` block, wherever it sits in the file.
    let module = std::fs::read_to_string(support::workspace().join("modules/partner-api/main.hcl"))
        .expect("module file");
    let line = module
        .lines()
        .position(|l| l.starts_with("variable \"backend\""))
        .expect("variable backend")
        + 1;
    assert!(
        missing.contains(&format!(
            "--> ../../../modules/partner-api/main.hcl:{line}:1"
        )) && missing.contains("variable \"backend\" {"),
        "{missing}"
    );
}

/// A check finding about a block of a module instance (the SSL profile of
/// `modules/appgw-mtls-edge`) names the calling block in its module trace.
#[test]
fn a_finding_in_a_module_instance_names_the_calling_block() {
    let out = run(
        &["check".to_string(), ".".to_string()],
        &broken_dir().join("trusted-ca-without-root"),
    );
    let text = stdout(&out);
    assert!(
        text.contains("of SSL profile `clients` has no root CA"),
        "{text}"
    );
    assert!(text.contains("module \"edge\" {"), "{text}");
    assert!(text.contains("in module `edge`"), "{text}");
    // JSON carries the same call as the trace.
    let json = run(
        &[
            "check".to_string(),
            "--format".to_string(),
            "json".to_string(),
            ".".to_string(),
        ],
        &broken_dir().join("trusted-ca-without-root"),
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "GH702");
    assert_eq!(
        d["address"],
        "module.edge.app_gateway.edge.ssl_profile.clients"
    );
    let trace = d["trace"].as_array().expect("trace");
    assert_eq!(trace.len(), 1, "{d}");
    assert_eq!(trace[0]["file"], "main.hcl");
}

/// A finding whose primary location is inside a module file (`modules/partner-api`'s
/// header check, public instance behind a gateway) names the module call too.
#[test]
fn a_finding_located_in_a_module_file_names_the_calling_block() {
    let tmp = tempfile::tempdir().unwrap();
    let root = support::workspace();
    support::copy_dir(&root.join("modules"), &tmp.path().join("modules"));
    let dir = tmp.path().join("examples/broken/spoofable");
    support::copy_dir(&broken_dir().join("tls-terminated-before-apim"), &dir);
    let main = dir.join("main.hcl");
    let text = std::fs::read_to_string(&main).unwrap();
    // Make the instance public, and validate the forwarded header with the module instead.
    let start = text.find("  api \"orders\" {").expect("api block");
    let end = start
        + text[start..]
            .find("\n  }\n}\n")
            .expect("end of api_management");
    let text = format!(
        "{}\n}}\n{}\nmodule \"orders\" {{\n  source             = \"../../../modules/partner-api\"\n  api_management     = api_management.main\n  name               = \"orders\"\n  path               = \"orders\"\n  backend            = api_management.main.backend.orders\n  hostnames          = [api_management.main.hostname.gateway]\n  client_cert_header = module.edge.client_cert_header\n}}\n",
        text[..start].trim_end(),
        &text[end + "\n  }\n}\n".len()..]
    )
    .replace("  virtual_network_type = \"Internal\"\n", "");
    std::fs::write(&main, text).unwrap();
    let out = run(&["check".to_string(), ".".to_string()], &dir);
    let text = stdout(&out);
    let spoofable = text
        .split("\n\n")
        .find(|d| d.starts_with("error[GH309]"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        spoofable.contains("--> ../../../modules/partner-api/main.hcl:"),
        "{spoofable}"
    );
    assert!(
        spoofable.contains("module \"orders\" {") && spoofable.contains("in module `orders`"),
        "{spoofable}"
    );
}

/// GH401's primary location is the backend's `client_certificate` inside
/// `modules/backend-mtls`: the finding names the calling `module "ledger"` block too.
#[test]
fn backend_cert_not_sent_in_a_module_names_the_call() {
    let out = run(
        &["check".to_string(), ".".to_string()],
        &broken_dir().join("backend-cert-not-sent"),
    );
    let text = stdout(&out);
    assert!(
        text.contains("--> ../../../modules/backend-mtls/main.hcl:"),
        "{text}"
    );
    assert!(
        text.contains("module \"ledger\" {") && text.contains("in module `ledger`"),
        "{text}"
    );
}

/// `examples/broken/README.md` lists every broken example with the codes its README documents.
#[test]
fn the_index_lists_every_broken_example_with_its_codes() {
    let index = std::fs::read_to_string(broken_dir().join("README.md")).unwrap();
    for name in broken_examples() {
        let row = index
            .lines()
            .find(|l| l.starts_with(&format!("| [`{name}`]({name}) |")))
            .unwrap_or_else(|| panic!("examples/broken/README.md has no row for {name}"));
        let listed: Vec<&str> = row
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap()
            .split(',')
            .map(str::trim)
            .collect();
        let mut documented: Vec<String> = documented(&name)
            .diagnostics
            .iter()
            .map(|h| code(h).to_string())
            .collect();
        documented.dedup();
        assert_eq!(listed, documented, "{name}: codes in the index");
    }
}
