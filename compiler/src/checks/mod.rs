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
pub struct CheckContext<'a> {
    pub model: &'a Model,
    pub sources: &'a Sources,
    pub graph: &'a Graph<'a>,
    pub certs: &'a Inventory,
    /// Seconds since the Unix epoch, for validity checks; fixed in tests (`--now` on the CLI).
    pub now: i64,
}

impl CheckContext<'_> {
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
checks!(CERTIFICATES_AND_APP_GATEWAY = []);
checks!(FRONTEND_FLOW_AND_POLICIES = []);
checks!(BACKEND_KEY_VAULT_AND_TIERS = []);

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
    let mut out = Vec::new();
    for check in all() {
        let mut found = Vec::new();
        (check.run)(cx, &mut found);
        found.retain(|d| !allowed(cx.model, d));
        out.append(&mut found);
    }
    out
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
