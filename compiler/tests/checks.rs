//! The check fixtures: for every check, `tests/checks/<code>_<name>/fail/` must raise it (the
//! rendered diagnostics are an insta snapshot) and `pass/` must be clean. Each fixture is copied
//! to a temporary directory with the test PKI in `pki/` (see `support/pki.rs`) and checked at
//! the fixed clock `pki::NOW`.

mod support;

use std::path::{Path, PathBuf};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks")
}

/// Loads and checks a fixture, as a change from `baseline` when given; returns the diagnostics
/// rendered without colour.
fn run(dir: &Path, baseline: Option<&Path>) -> (Vec<gatehouse::diagnostics::Diagnostic>, String) {
    let baseline = baseline.map(|dir| {
        let (world, _tmp) = fixture_world(dir);
        let loaded = gatehouse::load::load(&world, "", &Default::default());
        assert!(
            !loaded.has_errors(),
            "baseline {} does not load",
            dir.display()
        );
        gatehouse::load::baseline(&loaded)
    });
    let (world, _tmp) = fixture_world(dir);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let all = gatehouse::load::check_change(&loaded, &world, support::pki::NOW, baseline.as_ref());
    let text = gatehouse::diagnostics::render::human::render(&all, &loaded.sources, false);
    (all, text)
}

/// A copy of fixture `dir` with the test PKI, in a temporary directory that lives as long as
/// the returned guard.
fn fixture_world(dir: &Path) -> (support::FixtureWorld, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(dir, tmp.path());
    support::pki::write(tmp.path());
    (support::FixtureWorld::new(tmp.path()), tmp)
}

/// Runs `<name>/fail` and `<name>/pass`; a `<name>/baseline/` directory is the previously
/// deployed version both are checked against.
fn case(name: &str) {
    let code = name[..5].to_ascii_uppercase();
    let dir = fixture_root().join(name);
    let baseline = Some(dir.join("baseline")).filter(|b| b.is_dir());
    let (fail, text) = run(&dir.join("fail"), baseline.as_deref());
    assert!(
        fail.iter().any(|d| d.code.code == code),
        "{name}/fail must raise {code}; got:\n{text}"
    );
    insta::assert_snapshot!(format!("{name}__fail"), text);
    let (pass, text) = run(&dir.join("pass"), baseline.as_deref());
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

/// The module calls a finding names (`in module ...` trace labels), in order.
fn calls(d: &gatehouse::diagnostics::Diagnostic) -> Vec<&str> {
    d.trace.iter().map(|l| l.message.as_str()).collect()
}

/// GH401 with the backend in the root and the API in two calls of one module: the primary
/// location is the root backend, the API's label is in the module file, and each finding names
/// the call its API came from.
#[test]
fn gh401_names_the_call_of_an_api_in_a_module() {
    let dir = fixture_root().join("gh401_backend_cert_not_sent/api_in_module");
    let (found, text) = run(&dir, None);
    let gh401: Vec<_> = found.iter().filter(|d| d.code.code == "GH401").collect();
    assert_eq!(gh401.len(), 2, "{text}");
    for (d, call) in gh401
        .iter()
        .zip(["in module `partners_eu`", "in module `partners_us`"])
    {
        assert_eq!(calls(d), [call], "{text}");
    }
    insta::assert_snapshot!("gh401_backend_cert_not_sent__api_in_module", text);
}

/// GH401 with the backends in two calls of one module and the APIs in the root: the primary
/// location is in the module file, so each finding names the call of its own backend (not the
/// API's, which has none), and the help reaches the certificate through a module output.
#[test]
fn gh401_names_the_call_of_a_backend_in_a_module() {
    let dir = fixture_root().join("gh401_backend_cert_not_sent/backend_in_module");
    let (found, text) = run(&dir, None);
    let gh401: Vec<_> = found.iter().filter(|d| d.code.code == "GH401").collect();
    assert_eq!(gh401.len(), 2, "{text}");
    let mut named: Vec<Vec<&str>> = gh401.iter().map(|d| calls(d)).collect();
    named.sort();
    assert_eq!(
        named,
        [["in module `audit`"], ["in module `ledger`"]],
        "{text}"
    );
    assert!(
        text.contains(
            "naming `module.ledger.certificate.client` through the output of module `ledger`"
        ),
        "{text}"
    );
    insta::assert_snapshot!("gh401_backend_cert_not_sent__backend_in_module", text);
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
cases!(
    gh205_san_mismatch,
    gh206_server_eku_or_ca,
    gh207_client_eku,
    gh208_weak_key_or_signature,
    gh209_chain_misordered,
    gh210_pfx_no_intermediate,
    gh211_cert_not_yet_valid,
    gh212_key_mismatch,
    gh213_ca_without_basic_constraints,
    gh214_duplicate_subject_ca,
    gh215_validity_too_long,
    gh702_trusted_ca_no_root,
    gh703_trusted_ca_missing_intermediate,
    gh704_listener_cert_wrong,
    gh705_listener_host_overlap,
    gh706_profile_without_hostname,
    gh707_tls_policy_weak,
    gh708_mtls_needs_v2_sku,
    gh709_waf_off,
    gh712_backend_trusted_root_mismatch,
    gh713_ssl_profile_unattached,
    gh714_client_ca_limits
);
// area: front-end flow and policies
cases!(
    gh102_policy_dangling_id,
    gh302_http2_without_negotiate,
    gh303_consumption_request_cert_off,
    gh304_renegotiation_large_body,
    gh305_negotiate_on_portal_host,
    gh306_negotiate_on_shared_host,
    gh307_issuer_ca_not_uploaded,
    gh308_tls_terminated_before_apim,
    gh309_forwarded_cert_spoofable,
    gh310_disjoint_trust,
    gh311_ignore_error_unhandled,
    gh312_thumbprint_format_or_pin,
    gh313_passthrough_unvalidated,
    gh314_apim_bypasses_appgw,
    gh315_client_ca_not_sent,
    gh602_policy_missing_base,
    gh603_validate_accepts_any,
    gh605_header_read_without_strip,
    gh606_revocation_unchecked,
    gh607_fragment_not_included,
    gh608_uploaded_cert_pin,
    gh609_cors_wildcard,
    gh710_forwarded_header_mismatch
);
// area: backends, Key Vault, identity, tiers, network, secrets
cases!(
    gh103_unused_declaration,
    gh104_duplicate_azure_name,
    gh106_unreachable_api,
    gh107_cert_in_use_removed,
    gh402_auth_cert_not_client,
    gh403_untrusted_backend_chain,
    gh404_backend_validation_off,
    gh405_mtls_to_http_backend,
    gh406_conflicting_auth_certs,
    gh407_kv_cert_by_thumbprint,
    gh408_backend_name_mismatch,
    gh501_versioned_secret_id,
    gh502_identity_lacks_kv_access,
    gh503_identity_client_id_mismatch,
    gh504_kv_firewall_blocks,
    gh505_bypass_needs_system_identity,
    gh506_nsg_blocks_kv_aad,
    gh507_kv_recoverability,
    gh508_appgw_needs_user_identity,
    gh509_kv_id_not_secret,
    gh510_identity_bootstrap_cycle,
    gh511_kv_secret_not_pkcs12,
    gh512_kv_role_too_broad,
    gh801_tier_unsupported,
    gh802_internal_apim_public_route,
    gh803_appgw_to_apim_settings,
    gh804_multiple_hostnames_tier,
    gh805_ciphers_not_configurable,
    gh806_v2_ca_certificates,
    gh901_literal_secret,
    gh906_named_value_plaintext,
);
