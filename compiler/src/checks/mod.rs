//! Checks: the Azure traps gatehouse finds in a loaded topology.
//!
//! One file per check, named after the trap; its doc comment (through [`declare_check!`]) is
//! the `gatehouse explain` text: what it checks, why (the Azure behaviour), an example and the
//! fix. A check reads the model, the graph and the certificate facts in [`CheckContext`] and
//! appends diagnostics; it never reads files or the clock (`now` comes from the CLI). Checks run
//! in code order; an `allow "CODE" { reason = "..." }` block switches a check off for a block and
//! everything inside it.

use crate::certs::Inventory;
use crate::diagnostics::{CodeInfo, Diagnostic};
use crate::graph::Graph;
use crate::model::Model;
use crate::source::Sources;

/// What a check may look at.
pub struct CheckContext<'a, 'g> {
    pub model: &'a Model,
    pub sources: &'a Sources,
    /// The graph of `model`; its own lifetime, as the graph caches what it computes.
    pub graph: &'a Graph<'g>,
    pub certs: &'a Inventory,
    /// Seconds since the Unix epoch, for validity checks; fixed in tests (`--now` on the CLI).
    pub now: i64,
    /// The previously deployed topology, for checks that judge a change (`--baseline`).
    pub baseline: Option<&'a crate::baseline::Baseline>,
}

impl CheckContext<'_, '_> {
    /// Days before `notAfter` from which a certificate counts as expiring.
    pub fn expiry_warning_days(&self) -> i64 {
        self.model
            .deployment
            .as_ref()
            .map_or(30, |d| i64::from(d.cert_expiry_warning_days))
    }
}

/// Declares a check's code; the doc comment above is its explain text.
macro_rules! declare_check {
    ($(#[doc = $doc:literal])* $code:literal, $name:literal, $sev:expr) => {
        $crate::declare_code! {
            $(#[doc = $doc])*
            pub(crate) static CODE = $code, $name, $sev;
        }
    };
}

/// One check: its code and the function that runs it.
pub struct Check {
    pub code: &'static CodeInfo,
    pub run: fn(&CheckContext, &mut Vec<Diagnostic>),
}

macro_rules! checks {
    ($group:ident = [$($module:ident),* $(,)?]) => {
        $(mod $module;)*
        static $group: &[Check] = &[$(Check { code: &$module::CODE, run: $module::run }),*];
    };
}

mod util;

// The catalogue, by area; `all()` merges the groups in code order.
checks!(
    CORE = [
        gh201_cert_unreadable,
        gh202_pfx_unopenable,
        gh203_cert_expired,
        gh204_cert_expiring,
        gh301_negotiate_off_cert_read,
        gh401_backend_cert_not_sent,
        gh701_trusted_ca_is_leaf,
    ]
);
checks!(
    CERTIFICATES_AND_APP_GATEWAY = [
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
        gh714_client_ca_limits,
    ]
);
checks!(
    FRONTEND_FLOW_AND_POLICIES = [
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
        gh710_forwarded_header_mismatch,
    ]
);
checks!(
    BACKEND_KEY_VAULT_AND_TIERS = [
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
    ]
);

/// Every check, in code order.
pub fn all() -> Vec<&'static Check> {
    let mut checks: Vec<&'static Check> = [
        CORE,
        CERTIFICATES_AND_APP_GATEWAY,
        FRONTEND_FLOW_AND_POLICIES,
        BACKEND_KEY_VAULT_AND_TIERS,
    ]
    .iter()
    .flat_map(|group| group.iter())
    .collect();
    checks.sort_by_key(|c| c.code.code);
    checks
}

/// Codes of all checks.
pub fn codes() -> Vec<&'static CodeInfo> {
    all().into_iter().map(|c| c.code).collect()
}

/// Runs every check in code order and drops the findings an `allow` block covers.
pub fn run(cx: &CheckContext) -> Vec<Diagnostic> {
    let checks = all();
    // Checks are independent reads of the same graph: they run on every core, each worker
    // taking the next check, and their findings are joined in check order, so the output
    // does not depend on which worker ran what.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(checks.len()));
    let mut found: Vec<(usize, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(check) = checks.get(i) else {
                            break;
                        };
                        let mut diagnostics = Vec::new();
                        (check.run)(cx, &mut diagnostics);
                        diagnostics.retain(|d| !allowed(cx.model, d));
                        mine.push((i, diagnostics));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().flat_map(|(_, d)| d).collect()
}

fn allowed(model: &Model, d: &Diagnostic) -> bool {
    let Some(address) = &d.address else {
        return false;
    };
    model
        .allows
        .iter()
        .any(|a| a.covers(d.code.code, d.code.name, address))
}

/// `docs/checks.md`: every check's explain text, in code order (generated; a test keeps the
/// committed copy current).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Checks reference\n\n<!-- Generated from the checks' explain texts; regenerate with `GATEHOUSE_UPDATE_DOCS=1 cargo test -p gatehouse --test checks_doc`. -->\n\nEach check can be switched off for one block (and the blocks inside it) with\n`allow \"CODE\" { reason = \"...\" }` in that block; `gatehouse explain CODE` prints the same text.\n\n",
    );
    for check in all() {
        let c = check.code;
        out.push_str(&format!(
            "## {} {} ({})\n\n",
            c.code,
            c.name,
            c.severity.as_str()
        ));
        for line in c.explain_text().lines() {
            match line.strip_prefix("## ") {
                Some(heading) => out.push_str(&format!("#### {heading}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}
