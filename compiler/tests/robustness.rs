//! Bad input never panics or hangs: arbitrary bytes, mutated real topologies, huge and deeply
//! nested files, long reference chains and module cycles all end in diagnostics.
//!
//! The property tests run 1500 cases each by default; `GATEHOUSE_FUZZ_CASES=100000 cargo test
//! --release --test robustness` runs a longer campaign.

mod support;

use gatehouse::diagnostics::codes;
use gatehouse::eval::Options;
use gatehouse::load::{load, Loaded};
use gatehouse::syntax::MemoryWorld;
use proptest::prelude::*;
use std::path::Path;

/// Cases per property test: 1500, or `GATEHOUSE_FUZZ_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var_os("GATEHOUSE_FUZZ_CASES")
        .and_then(|v| v.to_str().and_then(|s| s.parse().ok()))
        .unwrap_or(1500)
}

fn load_world(world: &MemoryWorld) -> Loaded {
    load(world, "", &Options::default())
}

/// Every example's files (and the modules they use), keyed as the examples see them from
/// `examples/<name>/`, re-rooted so that the example directory is the world's root.
fn example_world(example: &str) -> MemoryWorld {
    let root = support::workspace();
    let mut world = MemoryWorld::new();
    let mut add_dir = |dir: &Path, prefix: &str| {
        for entry in walk(dir) {
            let rel = entry
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let key = if prefix.is_empty() {
                rel
            } else {
                format!("{prefix}/{rel}")
            };
            world.files.insert(key, std::fs::read(&entry).unwrap());
        }
    };
    add_dir(&root.join("examples").join(example), "");
    add_dir(&root.join("modules"), "../../modules");
    world
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn example_worlds_load_clean_before_mutation() {
    for example in [
        "appgw-apim-keyvault",
        "apim-negotiate-client-cert",
        "apim-backend-mtls",
    ] {
        let loaded = load_world(&example_world(example));
        assert!(
            loaded.diagnostics.is_empty(),
            "{example}: {:?}",
            loaded.diagnostics
        );
    }
}

/// A mutation of one file: delete a range, insert a fragment, or duplicate a range.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, fragment: &'static str },
    Duplicate { at: usize, len: usize },
    Byte { at: usize, byte: u8 },
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "\"",
    "=",
    "[",
    "]",
    "(",
    ")",
    "${",
    "%{",
    "<<EOF\n",
    "\nEOF\n",
    "local.",
    "var.",
    "module.",
    "certificate.x",
    "\n",
    "#",
    "/*",
    "*/",
    ",",
    ".",
    "\u{0}",
    "é",
    "null",
    "true",
    "1e400",
    "file(\"x\")",
    "secret(\"X\")",
    "module \"m\" {\n source = \"./\"\n}\n",
    "locals {\n a = local.a\n}\n",
    "api \"x\" {}\n",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), prop::sample::select(FRAGMENTS))
            .prop_map(|(at, fragment)| Mutation::Insert { at, fragment }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match *m {
        Mutation::Delete { at, len } => {
            let at = at % bytes.len();
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Insert { at, fragment } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, fragment.bytes());
        }
        Mutation::Duplicate { at, len } => {
            let at = at % bytes.len();
            let end = (at + len).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            bytes.splice(at..at, copy);
        }
        Mutation::Byte { at, byte } => {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let world = MemoryWorld::new().with_file("main.hcl", bytes.clone());
        let loaded = load_world(&world);
        // Whatever the input, rendering every diagnostic works too.
        let _ = gatehouse::diagnostics::render::human::render(&loaded.diagnostics, &loaded.sources, false);
        let _ = gatehouse::diagnostics::render::json::render(&loaded.diagnostics, &loaded.sources);
        if let Ok(text) = String::from_utf8(bytes) {
            let _ = gatehouse::fmt::format_source(&text);
        }
    }

    #[test]
    fn mutated_examples_never_panic(
        example in prop::sample::select(&["appgw-apim-keyvault", "apim-negotiate-client-cert", "apim-backend-mtls"][..]),
        file_index in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut world = example_world(example);
        let hcl: Vec<String> = world.files.keys().filter(|k| k.ends_with(".hcl") || k.ends_with(".xml")).cloned().collect();
        let key = &hcl[file_index % hcl.len()];
        let mut bytes = world.files[key].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        world.files.insert(key.clone(), bytes.clone());
        let loaded = load_world(&world);
        let _ = gatehouse::diagnostics::render::human::render(&loaded.diagnostics, &loaded.sources, false);
        let _ = gatehouse::diagnostics::render::sarif::render(&loaded.diagnostics, &loaded.sources, &codes::all());
        if let Ok(text) = String::from_utf8(bytes) {
            if let Ok(formatted) = gatehouse::fmt::format_source(&text) {
                // Formatting is idempotent on whatever parses.
                prop_assert_eq!(gatehouse::fmt::format_source(&formatted).ok(), Some(formatted));
            }
        }
    }
}

fn codes_of(loaded: &Loaded) -> Vec<&'static str> {
    loaded.diagnostics.iter().map(|d| d.code.code).collect()
}

#[test]
fn a_50_mib_file_is_refused_without_parsing() {
    let big = vec![b'#'; 50 * 1024 * 1024];
    let loaded = load_world(&MemoryWorld::new().with_file("main.hcl", big));
    assert_eq!(codes_of(&loaded), vec!["GH014"]);
    assert!(loaded.diagnostics[0].message.contains("more than"));
}

#[test]
fn deeply_nested_expressions_are_a_syntax_error_not_a_stack_overflow() {
    let text = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let loaded = load_world(&MemoryWorld::new().with_file("main.hcl", text));
    assert_eq!(codes_of(&loaded), vec!["GH001"]);
}

#[test]
fn deeply_nested_blocks_are_a_syntax_error_not_a_stack_overflow() {
    let text = format!("{}{}", "a {\n".repeat(5_000), "}\n".repeat(5_000));
    let loaded = load_world(&MemoryWorld::new().with_file("main.hcl", text));
    assert_eq!(codes_of(&loaded), vec!["GH001"]);
}

#[test]
fn a_long_chain_of_locals_is_reported_not_overflowed() {
    let mut text = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..5_000 {
        text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    text.push_str("}\n");
    let loaded = load_world(&MemoryWorld::new().with_file("main.hcl", text));
    assert!(!loaded.diagnostics.is_empty());
    assert!(
        codes_of(&loaded).iter().all(|c| *c == "GH013"),
        "{:?}",
        codes_of(&loaded)
    );
}

#[test]
fn a_cycle_through_a_module_output_and_input_is_reported() {
    let world = MemoryWorld::new()
        .with_file(
            "main.hcl",
            "module \"m\" {\n  source = \"./m\"\n  name   = module.m.name\n}\n",
        )
        .with_file(
            "m/main.hcl",
            "variable \"name\" {\n  type = string\n}\n\noutput \"name\" {\n  value = var.name\n}\n",
        );
    let loaded = load_world(&world);
    assert!(
        codes_of(&loaded).contains(&"GH009"),
        "{:?}",
        codes_of(&loaded)
    );
}

#[test]
fn modules_that_include_each_other_are_reported() {
    let world = MemoryWorld::new()
        .with_file("main.hcl", "module \"a\" {\n  source = \"./a\"\n}\n")
        .with_file("a/main.hcl", "module \"b\" {\n  source = \"../b\"\n}\n")
        .with_file("b/main.hcl", "module \"a\" {\n  source = \"../a\"\n}\n");
    let loaded = load_world(&world);
    assert_eq!(codes_of(&loaded), vec!["GH010"]);
    let d = &loaded.diagnostics[0];
    assert!(d.message.contains("a → b → a"), "{}", d.message);
    assert_eq!(d.trace.len(), 2, "the trace names both module calls");
}

#[test]
fn an_empty_topology_directory_is_reported() {
    let loaded = load_world(&MemoryWorld::new().with_file("README.md", "nothing"));
    assert_eq!(codes_of(&loaded), vec!["GH011"]);
}

#[test]
fn a_secret_never_appears_in_rendered_diagnostics() {
    let world = MemoryWorld::new()
        .with_env("PFX_PASSWORD", "hunter2-very-secret")
        .with_file("edge.pfx", "x")
        .with_file(
            "main.hcl",
            "certificate \"edge\" {\n  pfx      = file(\"edge.pfx\")\n  password = secret(\"PFX_PASSWORD\")\n}\n\nlocals {\n  leaked = \"${secret(\"PFX_PASSWORD\")}\"\n}\n",
        );
    let loaded = load_world(&world);
    assert_eq!(
        codes_of(&loaded),
        vec!["GH013"],
        "interpolating a secret is refused"
    );
    for text in [
        gatehouse::diagnostics::render::human::render(&loaded.diagnostics, &loaded.sources, false),
        gatehouse::diagnostics::render::json::render(&loaded.diagnostics, &loaded.sources),
        format!("{:?}", loaded.model),
    ] {
        assert!(!text.contains("hunter2"), "secret leaked: {text}");
    }
}
