//! The check fixtures: for every check, `tests/checks/<code>_<name>/fail/` must raise it (the
//! rendered diagnostics are an insta snapshot) and `pass/` must be clean. Each fixture is copied
//! to a temporary directory with the test PKI in `pki/` (see `support/pki.rs`) and checked at
//! the fixed clock `pki::NOW`.

mod support;

use std::path::{Path, PathBuf};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Loads and checks a fixture; returns the diagnostics rendered without colour.
fn run(dir: &Path) -> (Vec<gatehouse::diagnostics::Diagnostic>, String) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir, tmp.path());
    support::pki::write(tmp.path());
    let world = support::FixtureWorld::new(tmp.path());
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let all = gatehouse::load::check(&loaded, &world, support::pki::NOW);
    let text = gatehouse::diagnostics::render::human::render(&all, &loaded.sources, false);
    (all, text)
}

fn case(name: &str) {
    let code = name[..5].to_ascii_uppercase();
    let dir = fixture_root().join(name);
    let (fail, text) = run(&dir.join("fail"));
    assert!(
        fail.iter().any(|d| d.code.code == code),
        "{name}/fail must raise {code}; got:\n{text}"
    );
    insta::assert_snapshot!(format!("{name}__fail"), text);
    let (pass, text) = run(&dir.join("pass"));
    assert!(pass.is_empty(), "{name}/pass must be clean; got:\n{text}");
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { case(stringify!($name)); })*
    };
}

/// Every check has a fixture directory, and every fixture directory belongs to a check.
#[test]
fn every_check_has_fixtures() {
    let dirs: Vec<String> = std::fs::read_dir(fixture_root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let checks = gatehouse::checks::codes();
    for check in &checks {
        let expected = format!(
            "{}_{}",
            check.code.to_ascii_lowercase(),
            check.name.replace('-', "_")
        );
        assert!(
            dirs.contains(&expected),
            "no fixture directory tests/checks/{expected}"
        );
    }
    for dir in &dirs {
        assert!(
            checks
                .iter()
                .any(|c| dir.starts_with(&c.code.to_ascii_lowercase())),
            "fixture {dir} belongs to no check"
        );
        for side in ["fail", "pass"] {
            assert!(
                fixture_root().join(dir).join(side).is_dir(),
                "{dir} has no {side}/"
            );
        }
    }
}

// Each area lists its fixtures; a test per fixture.
cases!(
    gh201_cert_unreadable,
    gh202_pfx_unopenable,
    gh203_cert_expired,
    gh204_cert_expiring,
    gh301_negotiate_off_cert_read,
    gh401_backend_cert_not_sent,
    gh701_trusted_ca_is_leaf
);
// area: certificates and Application Gateway
cases!();
// area: front-end flow and policies
cases!();
// area: backends, Key Vault, identity, tiers, network, secrets
cases!();
