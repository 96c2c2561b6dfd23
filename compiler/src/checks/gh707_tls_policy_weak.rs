//! GH707 tls-policy-weak.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::SslPolicy;
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// The gateway's `ssl_policy`, or the `ssl_policy` of any SSL profile, accepts TLS below
    /// 1.2 (`AppGwSslPolicy20150501`, `AppGwSslPolicy20170401`, or `min_protocol_version`
    /// `TLSv1_0`/`TLSv1_1`) or lists a broken cipher suite (3DES, RC4, NULL, EXPORT, MD5,
    /// anonymous).
    /// ## Why
    /// Clients can be downgraded to protocols and ciphers with known attacks. An SSL profile's
    /// policy replaces the gateway's for the listeners using it, so a strong global policy does
    /// not help there; PSRule Azure.AppGw.SSLPolicy (AZR-000064) and Checkov CKV_AZURE_218 check
    /// only the global policy.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///
    ///     ssl_policy {
    ///       policy_name = "AppGwSslPolicy20150501" # TLS 1.0 and up
    ///     }
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///
    ///     ssl_policy {
    ///       policy_name = "AppGwSslPolicy20220101S" # TLS 1.2 and up
    ///     }
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    "GH707", "tls-policy-weak", Severity::Warning
}

/// The weak spots of a policy: (span, what is weak).
fn weaknesses(policy: &SslPolicy) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let custom = policy
        .policy_type
        .as_ref()
        .is_some_and(|t| t.value.starts_with("Custom"));
    if let Some(name) = policy.policy_name.as_ref().filter(|_| !custom) {
        let min = match name.value.as_str() {
            "AppGwSslPolicy20150501" => Some("TLS 1.0"),
            "AppGwSslPolicy20170401" => Some("TLS 1.1"),
            _ => None,
        };
        if let Some(min) = min {
            out.push((name.span, format!("`{}` accepts {min}", name.value)));
        }
    }
    if let Some(v) = &policy.min_protocol_version {
        if matches!(v.value.as_str(), "TLSv1_0" | "TLSv1_1") {
            out.push((v.span, format!("minimum protocol `{}`", v.value)));
        }
    }
    for c in &policy.cipher_suites {
        let upper = c.value.to_ascii_uppercase();
        let weak = ["3DES", "RC4", "NULL", "EXPORT", "MD5", "_ANON_"]
            .iter()
            .any(|w| upper.contains(w));
        if weak {
            out.push((c.span, format!("broken cipher suite `{}`", c.value)));
        }
    }
    out
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut policies: Vec<(&SslPolicy, String, &str, &[Label])> = Vec::new();
    for g in &m.app_gateways {
        if let Some(p) = &g.ssl_policy {
            policies.push((
                p,
                format!("the TLS policy of gateway `{}`", g.decl.name),
                &g.decl.address,
                &g.decl.trace,
            ));
        }
    }
    for s in &m.ssl_profiles {
        if let Some(p) = &s.ssl_policy {
            policies.push((
                p,
                format!("the TLS policy of SSL profile `{}`", s.decl.name),
                &s.decl.address,
                &s.decl.trace,
            ));
        }
    }
    for (policy, what, address, trace) in policies {
        let weak = weaknesses(policy);
        let Some(((span, primary), rest)) = weak.split_first() else {
            continue;
        };
        let mut d = Diagnostic::new(&CODE, *span, format!("{what} allows weak TLS"))
            .with_primary_message(primary.clone())
            .with_help("use `policy_type = \"Predefined\"` with `policy_name = \"AppGwSslPolicy20220101S\"` (TLS 1.2 and later, strong ciphers only), or a custom policy with `min_protocol_version = \"TLSv1_2\"`")
            .with_address(address.to_string())
            .with_trace(trace.to_vec());
        for (span, message) in rest {
            d = d.with_label(*span, message.clone());
        }
        out.push(d);
    }
}
