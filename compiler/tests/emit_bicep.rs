//! The Bicep target, as users get it: every emitted file of every example as an insta
//! snapshot (`snapshots/<example>__bicep__<path>.snap`), `validate-bicep` with 0 errors on
//! every example and every check fixture's `pass/` output, `validate-apim-policy` on every
//! emitted policy document, byte-for-byte determinism (also for a reordered input), and no
//! secret value in any emitted file.
//!
//! The validators live in `../shared/tools/` beside the workspace; they install their pinned
//! PyPI packages on first use. A validator that cannot run fails the test (never a skip).

mod support;

use gatehouse::emit::{self, Files, Target};
use gatehouse::syntax::World;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: [&str; 3] = [
    "appgw-apim-keyvault",
    "apim-backend-mtls",
    "apim-negotiate-client-cert",
];

/// Loads, checks (no errors allowed) and emits the Bicep target of the topology in `dir`.
fn compile(dir: &Path) -> Files {
    let world = support::FixtureWorld::new(dir);
    compile_world(&world, dir)
}

fn compile_world(world: &dyn World, dir: &Path) -> Files {
    let loaded = gatehouse::load::load(world, "", &Default::default());
    let diagnostics = gatehouse::load::check(&loaded, world, support::pki::NOW);
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == gatehouse::diagnostics::Severity::Error)
        .collect();
    assert!(
        errors.is_empty(),
        "{} does not check clean:\n{}",
        dir.display(),
        gatehouse::diagnostics::render::human::render(&diagnostics, &loaded.sources, false)
    );
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let emitted = emit::emit(&loaded.model, &graph, world, &[Target::Bicep]);
    assert!(
        emitted.diagnostics.is_empty(),
        "{}: {:?}",
        dir.display(),
        emitted.diagnostics
    );
    emitted.files
}

fn example_dir(name: &str) -> PathBuf {
    support::workspace().join("examples").join(name)
}

/// Writes `files` under `dir`.
fn write_files(files: &Files, dir: &Path) {
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// Runs a validator; returns (errors, warnings, full output). Panics when it cannot run.
fn validate(tool_name: &str, args: &[&str], target: &Path) -> (usize, usize, String) {
    let out = Command::new(support::tool(tool_name))
        .args(args)
        .arg(target)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool_name}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{tool_name} could not run (exit {:?}):\n{text}",
        out.status.code()
    );
    let prefix = format!("{tool_name}: ");
    let summary = text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{tool_name} printed no summary:\n{text}"));
    let count = |word: &str| -> usize {
        summary
            .split(',')
            .find(|part| part.contains(word))
            .and_then(|part| part.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unreadable summary `{summary}`"))
    };
    (count("error"), count("warning"), text)
}

/// The Bicep files of one output, written to a temporary directory with the copied
/// certificates, validated.
fn assert_valid_bicep(label: &str, files: &Files) {
    let tmp = tempfile::tempdir().unwrap();
    write_files(files, tmp.path());
    let (errors, _warnings, text) = validate("validate-bicep", &[], &tmp.path().join("bicep"));
    assert_eq!(errors, 0, "{label}: validate-bicep found errors:\n{text}");
}

fn snapshot_name(example: &str, path: &str) -> String {
    let path = path.strip_prefix("bicep/").unwrap_or(path);
    format!("{example}__bicep__{}", path.replace('/', "__"))
}

#[test]
fn examples_match_their_snapshots() {
    for example in EXAMPLES {
        let files = compile(&example_dir(example));
        for (path, bytes) in &files {
            // The certificate copies are the example's own files, byte for byte.
            if path.starts_with("bicep/certs/") {
                continue;
            }
            let text = String::from_utf8(bytes.clone()).expect("emitted text is UTF-8");
            insta::with_settings!({
                snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"),
                prepend_module_to_snapshot => false,
            }, {
                insta::assert_snapshot!(snapshot_name(example, path), text);
            });
        }
    }
}

#[test]
fn certificate_copies_are_the_topology_files() {
    let files = compile(&example_dir("apim-negotiate-client-cert"));
    let copy = &files["bicep/certs/cert_partner_root.cer"];
    let original =
        std::fs::read(example_dir("apim-negotiate-client-cert").join("certs/partner-root-ca.der"))
            .unwrap();
    assert_eq!(copy, &original);
}

#[test]
fn examples_pass_validate_bicep() {
    for example in EXAMPLES {
        assert_valid_bicep(example, &compile(&example_dir(example)));
    }
}

/// The `pass/` directory of every check fixture, with the test PKI and its `env` file.
#[test]
fn check_fixtures_pass_validate_bicep() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path().join("pass"))
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() > 50,
        "found only {} fixtures",
        fixtures.len()
    );
    let out = tempfile::tempdir().unwrap();
    for fixture in &fixtures {
        let name = fixture
            .parent()
            .and_then(|p| p.file_name())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (world, _tmp) = fixture_world(fixture);
        let files = compile_world(&world, fixture);
        assert_no_secret_values(&name, &files, fixture);
        // One validator run over every fixture's output (it takes a directory).
        write_files(&files, &out.path().join(&name));
    }
    let (errors, _warnings, text) = validate("validate-bicep", &[], out.path());
    assert_eq!(errors, 0, "validate-bicep found errors:\n{text}");
}

/// A copy of fixture `dir` with the test PKI in `pki/`, as `tests/checks.rs` runs it.
fn fixture_world(dir: &Path) -> (support::FixtureWorld, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(dir, tmp.path());
    support::pki::write(tmp.path());
    (support::FixtureWorld::new(tmp.path()), tmp)
}

/// No value from the fixture's `env` (the secrets `secret()` reads) and no test PKI password
/// appears in any emitted file.
fn assert_no_secret_values(label: &str, files: &Files, dir: &Path) {
    let mut secrets = vec![support::pki::PFX_PASSWORD.to_string()];
    if let Ok(env) = std::fs::read_to_string(dir.join("env")) {
        secrets.extend(
            env.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| v.len() >= 6),
        );
    }
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{label}: {path} contains the secret value `{secret}`"
            );
        }
    }
}

#[test]
fn secrets_reach_bicep_only_as_secure_params_read_from_the_environment() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/checks/gh313_passthrough_unvalidated/pass");
    let (world, _tmp) = fixture_world(&fixture);
    let files = compile_world(&world, &fixture);
    assert_no_secret_values("gh313", &files, &fixture);
    let main = String::from_utf8(files["bicep/main.bicep"].clone()).unwrap();
    let params = String::from_utf8(files["bicep/main.bicepparam"].clone()).unwrap();
    assert!(
        main.contains("@secure()\nparam cert_edge_tls_password string\n"),
        "{main}"
    );
    assert!(
        main.contains("@secure()\nparam cert_edge_tls_pfx string\n"),
        "{main}"
    );
    assert!(
        params.contains("param cert_edge_tls_password = readEnvironmentVariable('PFX_PASSWORD')"),
        "{params}"
    );
    assert!(
        params.contains("param cert_edge_tls_pfx = readEnvironmentVariable('CERT_EDGE_TLS_PFX')"),
        "{params}"
    );
    // Passthrough needs Network API 2025-03-01 or later; the pinned version has it.
    assert!(
        main.contains("verifyClientAuthMode: 'Passthrough'"),
        "{main}"
    );
}

#[test]
fn emitted_policies_pass_validate_apim_policy() {
    for example in EXAMPLES {
        let dir = example_dir(example);
        let world = support::FixtureWorld::new(&dir);
        let loaded = gatehouse::load::load(&world, "", &Default::default());
        let graph = gatehouse::graph::Graph::new(&loaded.model);
        let plan = gatehouse::emit::plan::plan(&loaded.model, &graph);
        let files = compile(&dir);
        let tmp = tempfile::tempdir().unwrap();
        write_files(&files, tmp.path());
        let mut checked = 0;
        for apim in &plan.api_managements {
            for policy in &apim.policies {
                let scope = match policy.scope {
                    gatehouse::model::PolicyScope::Global(_) => "global",
                    gatehouse::model::PolicyScope::Product(_) => "product",
                    gatehouse::model::PolicyScope::Api(_) => "api",
                    gatehouse::model::PolicyScope::Operation(_) => "operation",
                };
                let symbol = plan.symbol(gatehouse::graph::NodeRef::Policy(policy.id));
                let file = tmp.path().join(format!("bicep/policies/{symbol}.xml"));
                assert!(file.is_file(), "{example}: no {}", file.display());
                let (errors, warnings, text) =
                    validate("validate-apim-policy", &["--scope", scope], &file);
                assert_eq!(
                    (errors, warnings),
                    (0, 0),
                    "{example}: {symbol}.xml:\n{text}"
                );
                checked += 1;
            }
        }
        assert!(checked > 0, "{example} has no policy");
    }
}

#[test]
fn output_is_deterministic() {
    for example in EXAMPLES {
        let first = compile(&example_dir(example));
        let second = compile(&example_dir(example));
        assert_eq!(first, second, "{example}: two runs differ");
    }
}

/// The same topology with its files renamed (so they load in the opposite order) and the
/// top-level blocks of every file reversed compiles to the same bytes.
#[test]
fn reordered_input_gives_identical_output() {
    let source = example_dir("appgw-apim-keyvault");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("examples/reordered");
    support::copy_dir(&source, &root);
    // The example calls `../../modules/partner-api`.
    support::copy_dir(
        &support::workspace().join("modules"),
        &tmp.path().join("modules"),
    );
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".hcl"))
        .collect();
    names.sort();
    let count = names.len();
    for (i, name) in names.iter().enumerate() {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        std::fs::remove_file(root.join(name)).unwrap();
        // Reverse alphabetical order of the new names.
        let renamed = format!("{}_{name}", (b'a' + (count - i) as u8) as char);
        std::fs::write(root.join(renamed), reverse_blocks(&text)).unwrap();
    }
    let reordered = compile(&root);
    let original = compile(&source);
    assert_eq!(
        original.keys().collect::<Vec<_>>(),
        reordered.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &original {
        assert!(
            &reordered[path] == bytes,
            "{path} differs for a reordered input:\n{}",
            String::from_utf8_lossy(&reordered[path])
        );
    }
}

/// The top-level blocks of an HCL file in reverse order (a block, with the comments above it,
/// ends at a `}` in the first column).
fn reverse_blocks(text: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        current.push_str(line);
        current.push('\n');
        if line == "}" {
            blocks.push(std::mem::take(&mut current));
        }
    }
    let tail = current;
    blocks.reverse();
    let mut out = blocks.join("\n");
    out.push_str(&tail);
    out
}

#[test]
fn two_phase_hostnames_deploy_in_a_module_after_the_grants() {
    let files = compile(&example_dir("appgw-apim-keyvault"));
    let main = String::from_utf8(files["bicep/main.bicep"].clone()).unwrap();
    let module = String::from_utf8(files["bicep/apim-hostnames.bicep"].clone()).unwrap();
    assert!(
        main.contains("module apim_main_hostnames 'apim-hostnames.bicep'"),
        "{main}"
    );
    let call = &main[main.find("module apim_main_hostnames").unwrap()..];
    assert!(
        call.contains("    apim_main\n    id_apim_role_0\n"),
        "{call}"
    );
    // The first step carries the hostnames only once they have been bound before.
    assert!(
        main.contains("hostnameConfigurations: apim_main_hostnames_bound ? ["),
        "{main}"
    );
    assert!(
        module.contains("resource apim_main 'Microsoft.ApiManagement/service@2024-05-01' = {"),
        "{module}"
    );
    assert!(
        module
            .contains("keyVaultId: 'https://kv-contoso-edge.vault.azure.net/secrets/gateway-tls'"),
        "{module}"
    );
}

#[test]
fn default_proxy_hostname_comes_first_without_certificate_fields() {
    let files = compile(&example_dir("apim-negotiate-client-cert"));
    let main = String::from_utf8(files["bicep/main.bicep"].clone()).unwrap();
    let hostnames = &main[main.find("hostnameConfigurations: [").unwrap()..];
    let first = &hostnames[..hostnames.find("      }").unwrap()];
    assert!(
        first.contains("hostName: 'partners.azure-api.net'"),
        "{first}"
    );
    for field in [
        "keyVaultId",
        "encodedCertificate",
        "certificateSource",
        "certificateStatus",
    ] {
        assert!(
            !first.contains(field),
            "{field} on the default hostname:\n{first}"
        );
    }
    for read_only in [
        "certificateStatus",
        "certificateSource",
        "thumbprint:",
        "expiry:",
    ] {
        assert!(!main.contains(read_only), "read-only `{read_only}` emitted");
    }
}
