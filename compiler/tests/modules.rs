//! The shipped modules in `modules/`: each README's inputs and outputs tables are the module's
//! `variable` and `output` blocks (name, type, default), its example call passes only declared
//! inputs and every required one; and a topology built from all four modules (the fixture
//! `tests/modules/edge/`) is clean, compiles for both targets, and the output passes the
//! shared validators (`validate-terraform`, `validate-bicep`).

mod support;

use gatehouse::emit::{self, Target};
use hcl_edit::structure::{BlockLabel, Body, Structure};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MODULES: [&str; 4] = [
    "appgw-mtls-edge",
    "backend-mtls",
    "key-vault-certificate",
    "partner-api",
];

fn modules_dir() -> PathBuf {
    support::workspace().join("modules")
}

#[derive(Debug, PartialEq)]
struct Input {
    ty: String,
    /// The default as written in HCL, quotes removed; `None` when required.
    default: Option<String>,
}

fn label(labels: &[BlockLabel]) -> String {
    match labels.first() {
        Some(BlockLabel::String(s)) => s.value().to_string(),
        Some(BlockLabel::Ident(i)) => i.value().to_string(),
        None => String::new(),
    }
}

fn attribute(body: &Body, key: &str) -> Option<String> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.value().as_str() == key => {
            Some(a.value.to_string().trim().to_string())
        }
        _ => None,
    })
}

fn unquote(text: &str) -> String {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .to_string()
}

/// The `variable` and `output` blocks of every `.hcl` file of `dir`.
fn declared(dir: &Path) -> (BTreeMap<String, Input>, Vec<String>) {
    let mut inputs = BTreeMap::new();
    let mut outputs = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "hcl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let body = hcl_edit::parser::parse_body(&text).expect("module parses");
        for s in body.iter() {
            let Structure::Block(block) = s else { continue };
            match block.ident.value().as_str() {
                "variable" => {
                    let ty = attribute(&block.body, "type").unwrap_or_else(|| "any".into());
                    let default = attribute(&block.body, "default").map(|d| unquote(&d));
                    inputs.insert(label(&block.labels), Input { ty, default });
                }
                "output" => outputs.push(label(&block.labels)),
                _ => {}
            }
        }
    }
    outputs.sort();
    (inputs, outputs)
}

/// The rows of the markdown table under `## heading`, as cells with backticks removed from
/// the first cell.
fn table(readme: &str, heading: &str) -> Vec<Vec<String>> {
    let start = readme
        .find(&format!("## {heading}\n"))
        .unwrap_or_else(|| panic!("no `## {heading}` section"));
    readme[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn ticked(cell: &str) -> Option<String> {
    let rest = cell.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_string())
}

#[test]
fn every_module_readme_documents_its_inputs_and_outputs() {
    for name in MODULES {
        let dir = modules_dir().join(name);
        let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
        let (inputs, outputs) = declared(&dir);
        let rows = table(&readme, "Inputs");
        let documented: BTreeMap<String, Input> = rows
            .iter()
            .map(|r| {
                let default = if r[2] == "—" {
                    None
                } else {
                    Some(ticked(&r[2]).unwrap_or_else(|| panic!("{name}: default {:?}", r[2])))
                };
                (
                    ticked(&r[0]).expect("input name"),
                    Input {
                        ty: ticked(&r[1]).expect("input type"),
                        default,
                    },
                )
            })
            .collect();
        assert_eq!(
            documented, inputs,
            "{name}: README inputs vs variable blocks"
        );
        for (input, row) in rows.iter().map(|r| (&r[0], r)) {
            assert!(
                row.len() == 4 && !row[3].is_empty(),
                "{name}: {input} has a meaning"
            );
        }
        let mut documented: Vec<String> = table(&readme, "Outputs")
            .iter()
            .map(|r| ticked(&r[0]).expect("output name"))
            .collect();
        documented.sort();
        assert_eq!(
            documented, outputs,
            "{name}: README outputs vs output blocks"
        );
    }
}

#[test]
fn every_module_readme_example_calls_it_with_declared_and_required_inputs() {
    for name in MODULES {
        let dir = modules_dir().join(name);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        let start = readme.find("## Example\n").expect("an example section");
        let code = &readme[start..];
        let code = &code[code.find("```hcl\n").expect("hcl block") + 7..];
        let code = &code[..code.find("```").unwrap()];
        let body = hcl_edit::parser::parse_body(code).expect("example parses");
        let call = body
            .iter()
            .find_map(|s| match s {
                Structure::Block(b) if b.ident.value().as_str() == "module" => Some(b),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}: the example has a module block"));
        assert_eq!(
            attribute(&call.body, "source").as_deref(),
            Some(format!("\"../../modules/{name}\"").as_str()),
            "{name}: called as from an example directory"
        );
        let (inputs, _) = declared(&dir);
        let given: Vec<String> = call
            .body
            .iter()
            .filter_map(|s| match s {
                Structure::Attribute(a) if a.key.value().as_str() != "source" => {
                    Some(a.key.value().to_string())
                }
                _ => None,
            })
            .collect();
        for input in &given {
            assert!(inputs.contains_key(input), "{name}: `{input}` is no input");
        }
        for (input, declared) in &inputs {
            assert!(
                declared.default.is_some() || given.contains(input),
                "{name}: the example leaves out the required `{input}`"
            );
        }
    }
}

/// The fixture calls every module (the AppGW edge, two Key Vault certificates, a partner API
/// and an mTLS backend): clean with every check, and both targets compile it without a
/// diagnostic, with the mutual-TLS settings of the flagship example.
#[test]
fn a_topology_of_all_modules_is_clean_and_compiles() {
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&modules_dir(), &tmp.path().join("modules"));
    let dir = tmp.path().join("tests/modules/edge");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/modules/edge"),
        &dir,
    );
    let world = support::FixtureWorld::new(&dir);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let all = gatehouse::load::check(&loaded, &world, support::pki::NOW);
    assert!(
        all.is_empty(),
        "{}",
        gatehouse::diagnostics::render::human::render(&all, &loaded.sources, false)
    );
    let addresses: Vec<&str> = loaded
        .model
        .listeners
        .iter()
        .map(|l| l.decl.address.as_str())
        .collect();
    assert_eq!(addresses, ["module.edge.app_gateway.edge.listener.api"]);
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let emitted = emit::emit(&loaded.model, &graph, &world, &Target::DEPLOY);
    assert!(emitted.diagnostics.is_empty(), "{:?}", emitted.diagnostics);
    let app_gateway = String::from_utf8_lossy(&emitted.files["terraform/app_gateway.tf"]);
    for setting in [
        "trusted_client_certificate_names     = [\"partner-ca\"]",
        "verify_client_certificate_revocation = \"OCSP\"",
        "header_value = \"{var_client_certificate}\"",
        "key_vault_secret_id = \"https://kv-contoso-edge.vault.azure.net/secrets/edge-tls\"",
    ] {
        assert!(app_gateway.contains(setting), "{setting}:\n{app_gateway}");
    }
    let out = tempfile::tempdir().unwrap();
    for (path, bytes) in &emitted.files {
        let target = out.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    support::validate("validate-terraform", &[], &out.path().join("terraform"));
    support::validate("validate-bicep", &[], &out.path().join("bicep"));
    // The backend module's certificate, sent by the instance's global policy, and its
    // backend, both under the names made from the module's `name` input.
    let apim = String::from_utf8_lossy(&emitted.files["terraform/api_management.tf"]);
    for setting in [
        "<authentication-certificate certificate-id=\"ledger_client\" />",
        "name                         = \"ledger_client\"",
        "name                = \"ledger\"",
    ] {
        assert!(apim.contains(setting), "{setting}:\n{apim}");
    }
}

/// The edge fixture in a temporary tree, with `extra` appended to its `main.hcl`; the codes
/// `gatehouse check` reports.
fn edge_with(extra: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&modules_dir(), &tmp.path().join("modules"));
    let dir = tmp.path().join("tests/modules/edge");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/modules/edge"),
        &dir,
    );
    let main = dir.join("main.hcl");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{text}\n{extra}")).unwrap();
    let world = support::FixtureWorld::new(&dir);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    gatehouse::load::check(&loaded, &world, support::pki::NOW)
        .iter()
        .map(|d| d.code.code.to_string())
        .collect()
}

#[test]
fn a_second_partner_api_call_needs_its_own_api_name() {
    let call = |api_name: &str| {
        format!(
            r#"module "invoices" {{
  source         = "../../../modules/partner-api"
  api_management = api_management.main
  name           = "invoices"
  path           = "invoices"
  backend        = module.ledger.backend
  hostnames      = [api_management.main.hostname.gateway]
  {api_name}
}}
"#
        )
    };
    assert_eq!(edge_with(&call("")), ["GH104"]);
    assert!(edge_with(&call(r#"api_name = "invoices""#)).is_empty());
}
