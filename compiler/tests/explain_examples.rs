//! Every check's explain text keeps its promise, the way rustc's tidy walks its error codes: the
//! four sections are there, in order, and the first ```` ```hcl ```` block under `## Example` is a
//! complete topology that raises the check's code while the one under `## Fix` is a complete
//! topology that does not raise it and has no error at all.
//!
//! Each block is written as `main.hcl` into a temporary directory of its own, next to the test
//! PKI in `pki/` (see `support/pki.rs`) and an `env` file with [`ENV`], then loaded and checked
//! at the fixed clock `pki::NOW`, exactly as `tests/checks.rs` runs a fixture. Both blocks must
//! load without a front-end diagnostic: an example that does not parse or names something that
//! does not exist teaches nothing.
//!
//! A check that judges a change (GH107) shows the deployed version first, in a
//! ```` ```hcl baseline ```` block under `## Example`: Example and Fix are then both checked as
//! changes from it (`--baseline`).
//!
//! The test walks `gatehouse::checks::codes()`, so a check added later is covered without
//! touching this file. All findings are collected and reported together, with the rendered
//! diagnostics of the offending block, so one run shows every broken example.

mod support;

use gatehouse::diagnostics::{Diagnostic, Severity};
use std::fmt::Write as _;

/// The environment every example is checked with, as `secret("NAME")` reads it.
const ENV: &[(&str, &str)] = &[
    // The password of every PFX in the test PKI (`pki::PFX_PASSWORD`).
    ("PFX_PASSWORD", "fixture-password"),
    // A named value's secret (GH906's example).
    ("PARTNER_KEY", "2f8e-partner-key"),
];

/// The sections of every explain text, in this order.
const SECTIONS: [&str; 4] = ["## What it checks", "## Why", "## Example", "## Fix"];

/// The lines of `section` (a `## ` heading line), up to the next `## ` heading.
fn section<'a>(text: &'a str, heading: &str) -> Option<Vec<&'a str>> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != heading);
    lines.next()?;
    Some(lines.take_while(|l| !l.starts_with("## ")).collect())
}

/// The first ```` ```hcl ```` block of a section, without its fences.
fn first_hcl_block(lines: &[&str]) -> Option<String> {
    fenced_block(lines, "```hcl")
}

/// The first block opened by `fence` in a section, without its fences.
fn fenced_block(lines: &[&str], fence: &str) -> Option<String> {
    let start = lines.iter().position(|l| l.trim() == fence)?;
    let mut block = String::new();
    for line in &lines[start + 1..] {
        if line.trim() == "```" {
            return Some(block);
        }
        block.push_str(line);
        block.push('\n');
    }
    None
}

/// A temporary topology of `main_hcl`, with the test PKI and [`ENV`].
fn topology(main_hcl: &str) -> (support::FixtureWorld, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("main.hcl"), main_hcl).unwrap();
    let env: String = ENV.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(tmp.path().join("env"), env).unwrap();
    support::pki::write(tmp.path());
    (support::FixtureWorld::new(tmp.path()), tmp)
}

/// Loads and checks `main_hcl` as a topology of its own, as a change from `baseline` when
/// given; returns every diagnostic (front end and checks) and their rendering without colour.
fn run(main_hcl: &str, baseline: Option<&str>) -> (Vec<Diagnostic>, String) {
    let baseline = baseline.map(|hcl| {
        let (world, _tmp) = topology(hcl);
        gatehouse::load::baseline(&gatehouse::load::load(&world, "", &Default::default()))
    });
    let (world, _tmp) = topology(main_hcl);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let all = gatehouse::load::check_change(&loaded, &world, support::pki::NOW, baseline.as_ref());
    let text = gatehouse::diagnostics::render::human::render(&all, &loaded.sources, false);
    (all, text)
}

/// The problems with one check's explain text; empty when it keeps its promise.
fn problems(code: &gatehouse::diagnostics::CodeInfo, check_codes: &[&str]) -> Vec<String> {
    let text = code.explain_text();
    let mut found = Vec::new();
    let mut at = 0;
    for heading in SECTIONS {
        match text.lines().position(|l| l.trim_end() == heading) {
            None => found.push(format!("lacks the section `{heading}`")),
            Some(line) if line < at => found.push(format!("`{heading}` is out of order")),
            Some(line) => at = line,
        }
    }
    let is_front_end = |d: &&Diagnostic| !check_codes.contains(&d.code.code);
    let baseline = section(&text, "## Example").and_then(|l| fenced_block(&l, "```hcl baseline"));
    for (heading, must_raise) in [("## Example", true), ("## Fix", false)] {
        let Some(block) = section(&text, heading).and_then(|lines| first_hcl_block(&lines)) else {
            found.push(format!("`{heading}` has no ```hcl block"));
            continue;
        };
        let (all, rendered) = run(&block, baseline.as_deref());
        let mut wrong = Vec::new();
        if all.iter().any(|d| is_front_end(&d)) {
            wrong.push("does not load cleanly (front-end diagnostics)".to_string());
        }
        let raises = all.iter().any(|d| d.code.code == code.code);
        if must_raise && !raises {
            wrong.push(format!("does not raise {}", code.code));
        }
        if !must_raise {
            if raises {
                wrong.push(format!("still raises {}", code.code));
            }
            if all.iter().any(|d| d.severity == Severity::Error) {
                wrong.push("has an error-severity diagnostic".to_string());
            }
        }
        if !wrong.is_empty() {
            found.push(format!(
                "`{heading}` {}; its diagnostics:\n{}",
                wrong.join(", "),
                if rendered.is_empty() {
                    "(none)\n"
                } else {
                    &rendered
                }
            ));
        }
    }
    found
}

#[test]
fn every_check_example_raises_and_every_fix_is_clean() {
    let codes = gatehouse::checks::codes();
    assert!(!codes.is_empty(), "the check registry is empty");
    let check_codes: Vec<&str> = codes.iter().map(|c| c.code).collect();
    let mut report = String::new();
    let mut failing = 0;
    for code in &codes {
        let found = problems(code, &check_codes);
        if found.is_empty() {
            continue;
        }
        failing += 1;
        writeln!(report, "==== {} {}", code.code, code.name).unwrap();
        for problem in found {
            writeln!(report, "- {problem}").unwrap();
        }
    }
    assert!(
        failing == 0,
        "{failing} of {} checks have an explain text that does not keep its promise:\n\n{report}",
        codes.len()
    );
}

/// The test itself fails for a broken example: a fragment that does not load, an example that
/// raises nothing, and a fix that still raises the code are all reported.
#[test]
fn a_broken_example_is_reported() {
    use gatehouse::diagnostics::CodeInfo;
    let check_codes: Vec<&str> = gatehouse::checks::codes().iter().map(|c| c.code).collect();
    let fragment = CodeInfo {
        code: "GH401",
        name: "backend-cert-not-sent",
        severity: Severity::Error,
        explain: " ## What it checks\n x\n ## Why\n y\n ## Example\n ```hcl\n backend \"b\" {\n   url = \"https://b.contoso.internal\"\n }\n ```\n ## Fix\n ```hcl\n ```\n",
    };
    let found = problems(&fragment, &check_codes);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("`## Example` does not load cleanly")
                && p.contains("does not raise GH401")),
        "{found:#?}"
    );
    let missing = CodeInfo {
        explain: " ## What it checks\n x\n ## Example\n text\n",
        ..fragment
    };
    let found = problems(&missing, &check_codes);
    assert!(
        found.contains(&"lacks the section `## Why`".to_string()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"lacks the section `## Fix`".to_string()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"`## Example` has no ```hcl block".to_string()),
        "{found:#?}"
    );
}
