//! Front-end diagnostics: every code raised while loading (syntax, schema, evaluation,
//! references, modules, files, policy XML, secrets) on a real bad input, with the rendered
//! diagnostics as a snapshot. Each case's directory name starts with the code it must raise.

mod support;

use std::path::Path;

fn case(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/frontend")
        .join(name);
    let loaded = support::load_dir(&dir);
    let expected = name[..5].to_ascii_uppercase();
    assert!(
        loaded.diagnostics.iter().any(|d| d.code.code == expected),
        "{name}: expected a {expected} diagnostic, got:\n{}",
        support::render(&loaded)
    );
    assert!(loaded.has_errors(), "{name}: a bad input must fail");
    insta::assert_snapshot!(name, support::render(&loaded));
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { case(stringify!($name)); })*
    };
}

cases! {
    gh001_hcl_syntax,
    gh001_hcl_syntax_nesting_too_deep,
    gh002_unknown_block,
    gh003_unknown_attribute,
    gh004_wrong_type,
    gh005_missing_required,
    gh006_duplicate_name,
    gh007_file_not_found,
    gh008_module_input,
    gh009_reference_cycle,
    gh010_module_cycle,
    gh011_no_hcl_files,
    gh012_invalid_value,
    gh013_unsupported_expression,
    gh014_not_text,
    gh015_conflicting_attributes,
    gh016_module_source,
    gh017_fragment_include_cycle,
    gh101_unresolved_reference,
    gh101_unresolved_fragment,
    gh601_policy_xml_invalid,
    gh601_policy_xml_invalid_fragment,
    gh902_secret_unset,
}

/// Every front-end code has a case above.
#[test]
fn every_front_end_code_has_a_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/frontend");
    let cases: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy()[..5].to_ascii_uppercase())
        .collect();
    for code in gatehouse::diagnostics::codes::all() {
        let is_check = gatehouse::checks::codes()
            .iter()
            .any(|c| c.code == code.code);
        // Emission codes (GH711) are tested with their emitter (tests/emit_terraform.rs).
        let is_emission = gatehouse::emit::codes().iter().any(|c| c.code == code.code);
        if !is_check && !is_emission {
            assert!(
                cases.iter().any(|c| c == code.code),
                "no front-end fixture for {}",
                code.code
            );
        }
    }
}
