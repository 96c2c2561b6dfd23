//! `docs/checks.md` is generated from the checks' explain texts and must be current; every
//! check's explain text has the sections users rely on.

use std::path::Path;

#[test]
fn checks_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/checks.md");
    let expected = gatehouse::checks::reference_markdown();
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        if std::env::var_os("GATEHOUSE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, expected).unwrap();
            return;
        }
        panic!("docs/checks.md is stale; regenerate it with `GATEHOUSE_UPDATE_DOCS=1 cargo test -p gatehouse --test checks_doc`");
    }
}

#[test]
fn every_check_explains_what_why_and_how_to_fix() {
    for check in gatehouse::checks::codes() {
        let text = check.explain_text();
        for section in ["## What it checks", "## Why", "## Example", "## Fix"] {
            assert!(
                text.contains(section),
                "{} {} lacks `{section}`",
                check.code,
                check.name
            );
        }
    }
}
