//! The Terraform target: every example's output as insta snapshots (one per file, in the
//! top-level `snapshots/`), accepted by `shared/tools/validate-terraform` (schema, wiring,
//! secrets, `terraform fmt -check`, `terraform validate`), as is the output of every check
//! fixture's `pass/` topology; every policy document accepted by
//! `shared/tools/validate-apim-policy`; byte-for-byte deterministic, also for a reordered
//! copy of each example; no secret value in any file; GH711 for passthrough; and
//! `gatehouse compile` as users run it.
//!
//! The validators are the project's shared tools; a validator that cannot run fails the test
//! (they install their pinned packages on first use).

mod support;

use gatehouse::emit::{self, Emitted, Files, Target};
use gatehouse::syntax::World;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::pki;

const EXAMPLES: [&str; 3] = [
    "appgw-apim-keyvault",
    "apim-backend-mtls",
    "apim-negotiate-client-cert",
];

fn workspace() -> PathBuf {
    support::workspace()
}

/// Loads, checks and compiles the topology in `world` for Terraform. Panics on errors from
/// the checks: examples and `pass/` fixtures are clean.
fn compile(world: &dyn World, what: &str) -> (gatehouse::load::Loaded, Emitted) {
    let loaded = gatehouse::load::load(world, "", &Default::default());
    let all = gatehouse::load::check(&loaded, world, pki::NOW);
    let errors: Vec<_> = all.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{what} has errors:\n{}",
        gatehouse::diagnostics::render::human::render(&all, &loaded.sources, false)
    );
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let emitted = emit::emit(&loaded.model, &graph, world, &[Target::Terraform]);
    (loaded, emitted)
}

fn example_world(name: &str) -> support::FixtureWorld {
    support::FixtureWorld::new(&workspace().join("examples").join(name))
}

fn compile_example(name: &str) -> Files {
    let (_, emitted) = compile(&example_world(name), name);
    assert!(
        emitted.diagnostics.is_empty(),
        "{name}: {:?}",
        emitted.diagnostics
    );
    emitted.files
}

/// Writes `files` (keys `terraform/...`) under `dir`.
fn write(dir: &Path, files: &Files) {
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(&target, bytes).expect("write");
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots

#[test]
fn every_example_file_matches_its_snapshot() {
    for example in EXAMPLES {
        let files = compile_example(example);
        assert!(files.contains_key("terraform/main.tf"), "{example}");
        assert!(files.contains_key("terraform/versions.tf"), "{example}");
        for (path, bytes) in &files {
            let name = format!("{example}__{}", path.replace('/', "__"));
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text.to_string(),
                // DER certificates: the copy is byte-for-byte the example's file (checked in
                // `certificate_copies_are_the_topology_files`); the snapshot records its size.
                Err(_) => format!("binary file, {} bytes\n", bytes.len()),
            };
            insta::with_settings!({
                snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, text);
            });
        }
    }
}

#[test]
fn certificate_copies_are_the_topology_files() {
    let files = compile_example("apim-negotiate-client-cert");
    let root = workspace().join("examples/apim-negotiate-client-cert/certs");
    assert_eq!(
        files["terraform/certs/cert_partner_root.cer"],
        std::fs::read(root.join("partner-root-ca.der")).unwrap()
    );
    assert_eq!(
        files["terraform/certs/cert_partner_issuing.pem"],
        std::fs::read(root.join("partner-issuing-ca.pem")).unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// Validators

#[test]
fn every_example_passes_validate_terraform() {
    for example in EXAMPLES {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &compile_example(example));
        support::validate("validate-terraform", &[], &tmp.path().join("terraform"));
    }
}

/// Every check fixture's `pass/` topology compiled with the test PKI, in a temporary copy.
/// Returns (fixture name, copy, compile result).
fn pass_fixtures() -> Vec<(String, tempfile::TempDir, gatehouse::load::Loaded, Emitted)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let tmp = tempfile::tempdir().unwrap();
            support::copy_dir(&root.join(&name).join("pass"), tmp.path());
            pki::write(tmp.path());
            let world = support::FixtureWorld::new(tmp.path());
            let (loaded, emitted) = compile(&world, &format!("{name}/pass"));
            (name, tmp, loaded, emitted)
        })
        .collect()
}

/// The one fixture whose fixed topology uses passthrough, which azurerm cannot deploy.
const PASSTHROUGH_FIXTURE: &str = "gh313_passthrough_unvalidated";

#[test]
fn every_check_pass_fixture_passes_validate_terraform() {
    let fixtures = pass_fixtures();
    assert!(fixtures.len() > 50, "{} fixtures", fixtures.len());
    let out = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for (name, _tmp, _, emitted) in &fixtures {
        if name == PASSTHROUGH_FIXTURE {
            let codes: Vec<&str> = emitted.diagnostics.iter().map(|d| d.code.code).collect();
            assert_eq!(codes, ["GH711"], "{name}");
            continue;
        }
        assert!(
            emitted.diagnostics.is_empty(),
            "{name}: {:?}",
            emitted.diagnostics
        );
        let dir = out.path().join(name);
        write(&dir, &emitted.files);
        dirs.push(dir.join("terraform"));
    }
    // One validator run per fixture (each output is a root module of its own), two at a time;
    // every failure is reported.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(dir) = dirs.get(i) else { break };
                if let Err(e) = support::run_validator("validate-terraform", &[], dir) {
                    failures.lock().unwrap().push(e);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_policy_document_passes_validate_apim_policy() {
    let out = tempfile::tempdir().unwrap();
    let mut count = 0;
    let mut save = |what: &str, model: &gatehouse::model::Model| {
        let graph = gatehouse::graph::Graph::new(model);
        let plan = gatehouse::emit::plan::plan(model, &graph);
        for apim in &plan.api_managements {
            for (i, policy) in apim.policies.iter().enumerate() {
                let path = out.path().join(format!("{what}__{}__{i}.xml", apim.symbol));
                std::fs::write(path, &policy.xml).unwrap();
                count += 1;
            }
        }
    };
    for example in EXAMPLES {
        let loaded = gatehouse::load::load(&example_world(example), "", &Default::default());
        save(example, &loaded.model);
    }
    for (name, _tmp, loaded, _) in pass_fixtures() {
        save(&name, &loaded.model);
    }
    assert!(count > 20, "{count} policy documents");
    support::validate("validate-apim-policy", &[], out.path());
}

// ---------------------------------------------------------------------------------------
// Determinism

#[test]
fn compiling_twice_gives_the_same_bytes() {
    for example in EXAMPLES {
        assert_eq!(
            compile_example(example),
            compile_example(example),
            "{example}"
        );
    }
}

/// `body` with its blocks in reverse order, recursively for the blocks Azure keys by name
/// (listeners, hostnames, backends, subnets, operations...). Blocks whose order is meaning
/// (policy statements, a rewrite rule's actions, an identity's role assignments, whose
/// symbols are numbered) keep their order.
fn reversed(body: hcl_edit::structure::Body) -> hcl_edit::structure::Body {
    use hcl_edit::structure::{Body, Structure};
    use hcl_edit::Decorate;
    let keep_order = [
        "policy",
        "rule",
        "identity",
        "key_vault",
        "probe",
        "ssl_policy",
    ];
    let mut items: Vec<Structure> = body.into_iter().collect();
    items.reverse();
    let items = items.into_iter().map(|s| match s {
        Structure::Block(mut block) => {
            if !keep_order.contains(&block.ident.value().as_str()) {
                let inner = std::mem::take(&mut block.body);
                block.body = reversed(inner);
            }
            block.decor_mut().set_prefix("\n");
            Structure::Block(block)
        }
        Structure::Attribute(mut attr) => {
            attr.decor_mut().set_prefix("\n");
            Structure::Attribute(attr)
        }
    });
    let mut out: Body = items.collect();
    out.set_prefer_omit_trailing_newline(false);
    out
}

/// Rewrites the `.hcl` files of `dir` as one file holding them in reverse file order, each
/// with its blocks reversed (see [`reversed`]). Returns the new text.
fn reorder_dir(dir: &Path) -> String {
    let mut hcl: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hcl"))
        .collect();
    hcl.sort();
    hcl.reverse();
    let mut all = String::new();
    for file in &hcl {
        let text = std::fs::read_to_string(file).unwrap();
        let body = hcl_edit::parser::parse_body(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        all.push_str(&reversed(body).to_string());
        all.push('\n');
        std::fs::remove_file(file).unwrap();
    }
    std::fs::write(dir.join("all.hcl"), &all).unwrap();
    all
}

/// A copy of the examples and modules, each directory reordered by [`reorder_dir`].
fn reordered_tree(dst: &Path) {
    for top in ["examples", "modules"] {
        for entry in std::fs::read_dir(workspace().join(top)).unwrap() {
            let dir = entry.unwrap().path();
            let target = dst.join(top).join(dir.file_name().unwrap());
            support::copy_dir(&dir, &target);
            reorder_dir(&target);
        }
    }
}

fn assert_same_files(what: &str, original: &Files, reordered: &Files) {
    for (path, bytes) in original {
        assert_eq!(
            reordered
                .get(path)
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            Some(String::from_utf8_lossy(bytes).into_owned()),
            "{what}: {path} differs after reordering"
        );
    }
    assert_eq!(reordered.len(), original.len(), "{what}");
}

#[test]
fn a_reordered_topology_compiles_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    reordered_tree(tmp.path());
    for example in EXAMPLES {
        let dir = tmp.path().join("examples").join(example);
        let (_, emitted) = compile(&support::FixtureWorld::new(&dir), example);
        assert_same_files(example, &compile_example(example), &emitted.files);
    }
}

/// The check fixtures hold what the examples do not: several listeners, pools, settings,
/// hostnames, vaults and identities in one topology.
#[test]
fn reordered_check_fixtures_compile_to_the_same_bytes() {
    let mut reordered_blocks = 0;
    for (name, tmp, loaded, emitted) in pass_fixtures() {
        let before = loaded.model.listeners.len() + loaded.model.hostnames.len();
        let text = reorder_dir(tmp.path());
        let world = support::FixtureWorld::new(tmp.path());
        let (again, reordered) = compile(&world, &format!("{name}/pass reordered"));
        assert_eq!(
            again.model.listeners.len() + again.model.hostnames.len(),
            before,
            "{name}: {text}"
        );
        if loaded.model.listeners.len() > 1 {
            reordered_blocks += 1;
        }
        if name == PASSTHROUGH_FIXTURE {
            continue;
        }
        assert_same_files(&name, &emitted.files, &reordered.files);
    }
    assert!(reordered_blocks > 0, "no fixture has two listeners");
}

// ---------------------------------------------------------------------------------------
// Secrets

/// Every secret value the fixtures use (their `env` files) and the PFX password of the PKI.
fn secret_values(fixture: &Path) -> Vec<String> {
    let mut values = vec![pki::PFX_PASSWORD.to_string()];
    if let Ok(env) = std::fs::read_to_string(fixture.join("env")) {
        values.extend(
            env.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| v.len() >= 6),
        );
    }
    values
}

#[test]
fn no_secret_value_reaches_an_emitted_file() {
    let mut checked = 0;
    for (name, tmp, _, emitted) in pass_fixtures() {
        let secrets = secret_values(tmp.path());
        // PFX files carry private keys: neither their bytes nor their base64 may be copied.
        let pfx: Vec<Vec<u8>> = std::fs::read_dir(tmp.path().join("pki"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pfx"))
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        for (path, bytes) in &emitted.files {
            let text = String::from_utf8_lossy(bytes);
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{name}: {path} holds a secret"
                );
            }
            for key in &pfx {
                assert_ne!(bytes, key, "{name}: {path} is a PFX");
                assert!(
                    !text.contains(&base64(&key[..48])),
                    "{name}: {path} holds PFX data"
                );
            }
            assert!(
                !text.contains("PRIVATE KEY"),
                "{name}: {path} holds a private key"
            );
        }
        checked += 1;
    }
    assert!(checked > 50);
}

#[test]
fn pfx_certificates_become_sensitive_variables() {
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/checks/gh803_appgw_to_apim_settings/pass"),
        tmp.path(),
    );
    pki::write(tmp.path());
    let (_, emitted) = compile(&support::FixtureWorld::new(tmp.path()), "gh803 pass");
    let variables = String::from_utf8(emitted.files["terraform/variables.tf"].clone()).unwrap();
    for name in ["cert_edge_tls_pfx", "cert_edge_tls_password"] {
        let block = variables
            .split("\n\n")
            .find(|b| b.contains(&format!("variable \"{name}\"")))
            .unwrap_or_else(|| panic!("no variable {name}:\n{variables}"));
        assert!(block.contains("sensitive   = true"), "{block}");
        assert!(!block.contains("default"), "{block}");
    }
    let gateway = String::from_utf8(emitted.files["terraform/app_gateway.tf"].clone()).unwrap();
    assert!(
        gateway.contains("data     = var.cert_edge_tls_pfx"),
        "{gateway}"
    );
    assert!(
        gateway.contains("password = var.cert_edge_tls_password"),
        "{gateway}"
    );
}

/// Standard base64, for looking for encoded secrets.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// GH711 and Azure traps

#[test]
fn passthrough_stops_the_terraform_target_with_gh711() {
    let fixtures = pass_fixtures();
    let (_, _tmp, loaded, emitted) = fixtures
        .iter()
        .find(|(name, ..)| name == PASSTHROUGH_FIXTURE)
        .expect("passthrough fixture");
    let text =
        gatehouse::diagnostics::render::human::render(&emitted.diagnostics, &loaded.sources, false);
    insta::assert_snapshot!("gh711_passthrough_needs_api_2025", text);
    assert!(gatehouse::diagnostics::codes::find("GH711").is_some());
    assert!(gatehouse::diagnostics::codes::find("passthrough-needs-api-2025").is_some());
}

#[test]
fn two_phase_hostnames_go_to_one_custom_domain_after_the_grants() {
    let files = compile_example("appgw-apim-keyvault");
    let apim = String::from_utf8(files["terraform/api_management.tf"].clone()).unwrap();
    assert!(!apim.contains("hostname_configuration"), "{apim}");
    assert_eq!(
        apim.matches("resource \"azurerm_api_management_custom_domain\"")
            .count(),
        1
    );
    assert!(apim.contains("  gateway {"), "{apim}");
    assert!(!apim.contains("  proxy {"), "{apim}");
    assert!(
        apim.contains("depends_on = [azurerm_role_assignment.id_apim_role_0]"),
        "{apim}"
    );
    // The default *.azure-api.net entry is Azure's own: azurerm drops it on read.
    assert!(!apim.contains("azure-api.net"), "{apim}");
}

#[test]
fn emitted_code_uses_no_deprecated_or_drifting_shape() {
    for example in EXAMPLES {
        for (path, bytes) in compile_example(example) {
            let text = String::from_utf8_lossy(&bytes);
            for bad in [
                "ignore_changes",
                "verify_client_cert_issuer_dn",
                "enable_http2",
                "enable_rbac_authorization",
                "data.azurerm_key_vault",
                "/secrets/\" ",
                "thumbprint",
            ] {
                assert!(!text.contains(bad), "{example} {path}: `{bad}`");
            }
            // APIM names Key Vault certificates with `key_vault_certificate_id` (D14).
            if path.ends_with("api_management.tf") {
                assert!(!text.contains("key_vault_id "), "{example} {path}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The CLI

fn gatehouse(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gatehouse")
}

fn out_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn compile_writes_out_whole_and_check_reports_drift() {
    let example = workspace().join("examples/appgw-apim-keyvault");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (ex, o) = (example.to_str().unwrap(), out.to_str().unwrap());
    let args = [
        "compile",
        ex,
        "--out",
        o,
        "--target",
        "terraform",
        "--now",
        "2026-06-01",
    ];
    let run = gatehouse(&args);
    assert_eq!(run.status.code(), Some(0), "{}", out_text(&run));
    let expected = compile_example("appgw-apim-keyvault");
    for (path, bytes) in &expected {
        assert_eq!(&std::fs::read(out.join(path)).unwrap(), bytes, "{path}");
    }
    let check = [&args[..], &["--check"]].concat();
    let run = gatehouse(&check);
    assert_eq!(run.status.code(), Some(0), "in sync: {}", out_text(&run));

    let main = out.join("terraform/main.tf");
    let edited = std::fs::read_to_string(&main)
        .unwrap()
        .replace("westeurope", "northeurope");
    std::fs::write(&main, edited).unwrap();
    let run = gatehouse(&check);
    assert_eq!(run.status.code(), Some(1), "{}", out_text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("--- a/terraform/main.tf"), "{stdout}");
    assert!(stdout.contains("-  location = \"northeurope\""), "{stdout}");
    assert!(stdout.contains("+  location = \"westeurope\""), "{stdout}");

    // Compiling again brings OUT back in sync.
    let run = gatehouse(&args);
    assert_eq!(run.status.code(), Some(0), "{}", out_text(&run));
    let run = gatehouse(&check);
    assert_eq!(run.status.code(), Some(0), "{}", out_text(&run));
}

#[test]
fn compile_writes_nothing_when_the_topology_has_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let topology = tmp.path().join("topology");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/checks/gh301_negotiate_off_cert_read/fail"),
        &topology,
    );
    pki::write(&topology);
    let out = tmp.path().join("out");
    let run = gatehouse(&[
        "compile",
        topology.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--now",
        "2026-06-01",
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", out_text(&run));
    assert!(out_text(&run).contains("nothing was written"));
    assert!(!out.exists());
}

#[test]
fn compile_stops_on_passthrough_for_terraform_only() {
    let tmp = tempfile::tempdir().unwrap();
    let topology = tmp.path().join("topology");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/checks")
            .join(PASSTHROUGH_FIXTURE)
            .join("pass"),
        &topology,
    );
    pki::write(&topology);
    let out = tmp.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "compile",
            topology.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--target",
            "terraform",
            "--now",
            "2026-06-01",
        ])
        .env("NO_COLOR", "1")
        .env("PFX_PASSWORD", pki::PFX_PASSWORD)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", out_text(&run));
    assert!(out_text(&run).contains("GH711"), "{}", out_text(&run));
    assert!(!out.exists());
}

/// azurerm's `xml_content` is sent as `rawxml`: a policy expression escaped for the `xml`
/// format (`&quot;`) would reach API Management's C# compiler as written. Expressions stay
/// unescaped; the flagship example's rate-limit key has quotes in it.
#[test]
fn policy_expressions_are_written_unescaped_for_rawxml() {
    let files = compile_example("appgw-apim-keyvault");
    let apis = String::from_utf8_lossy(&files["terraform/apis.tf"]).into_owned();
    assert!(
        apis.contains(
            r#"counter-key="@(context.Request.Headers.GetValueOrDefault("X-ARR-ClientCert", "")"#
        ),
        "{apis}"
    );
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for expression in text.split("@(").skip(1) {
            let expression = expression.lines().next().unwrap_or_default();
            assert!(
                !expression.contains("&quot;") && !expression.contains("&amp;"),
                "{path}: escaped expression `@({expression}`"
            );
        }
    }
}

/// Terraform derives each policy's `rawxml` text from the plan's `xml` rendering in one pass;
/// on every example and fixture policy that gives exactly what rendering again in the `rawxml`
/// format gives.
#[test]
fn raw_policy_text_is_the_raw_rendering() {
    use gatehouse::emit::policy_xml::{render, render_as, xml_to_raw, Format};
    let mut compared = 0;
    let mut check = |what: &str, model: &gatehouse::model::Model| {
        for policy in &model.policies {
            let xml = render(model, policy);
            assert_eq!(
                xml_to_raw(&xml),
                render_as(model, policy, Format::RawXml),
                "{what}"
            );
            compared += 1;
        }
    };
    for name in [
        "appgw-apim-keyvault",
        "apim-backend-mtls",
        "apim-negotiate-client-cert",
    ] {
        let world = example_world(name);
        let loaded = gatehouse::load::load(&world, "", &Default::default());
        check(name, &loaded.model);
    }
    for (name, _tmp, loaded, _) in pass_fixtures() {
        check(&name, &loaded.model);
    }
    // The failing fixtures too: policies with the shapes the checks look for.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks");
    for entry in std::fs::read_dir(&root).unwrap() {
        let fail = entry.unwrap().path().join("fail");
        if fail.is_dir() {
            let world = support::FixtureWorld::new(&fail);
            let loaded = gatehouse::load::load(&world, "", &Default::default());
            check(&fail.display().to_string(), &loaded.model);
        }
    }
    assert!(compared > 60, "only {compared} policies compared");
}
