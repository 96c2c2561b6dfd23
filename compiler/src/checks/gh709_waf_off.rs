//! GH709 waf-off.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// An Application Gateway with a listener on its public frontend has no web application
    /// firewall (a `Standard` SKU), or runs it with `waf_mode = "Detection"`.
    /// ## Why
    /// Detection mode only logs; requests that match attack signatures reach API Management
    /// anyway. Kept for parity with the per-resource linters: PSRule Azure.AppGw.UseWAF
    /// (AZR-000063), Azure.AppGw.WAFEnabled (AZR-000066) and Azure.AppGw.Prevention
    /// (AZR-000065), Checkov CKV_AZURE_120 and CKV_AZURE_122, KICS 2e48d91c.
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
    ///   sku      = "WAF_v2"
    ///   waf_mode = "Detection"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
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
    ///   sku      = "WAF_v2"
    ///   waf_mode = "Prevention"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    "GH709", "waf-off", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for gateway in m.app_gateways.iter().filter(|g| g.public_frontend.value) {
        let Some(public) = gateway
            .listeners
            .iter()
            .map(|l| &m[*l])
            .find(|l| !l.private_frontend)
        else {
            continue;
        };
        let (span, message, primary, help) = if !gateway.sku.value.starts_with("WAF") {
            (
                gateway.sku.span,
                format!(
                    "gateway `{}` serves a public listener without a web application firewall",
                    gateway.decl.name
                ),
                format!("`{}` has no WAF", gateway.sku.value),
                "set `sku = \"WAF_v2\"` and `waf_mode = \"Prevention\"`",
            )
        } else {
            match &gateway.waf_mode {
                Some(mode) if mode.value == "Detection" => (
                    mode.span,
                    format!(
                        "the web application firewall of gateway `{}` only detects attacks on its public listener",
                        gateway.decl.name
                    ),
                    "logs, never blocks".to_string(),
                    "set `waf_mode = \"Prevention\"`",
                ),
                _ => continue,
            }
        };
        out.push(
            Diagnostic::new(&CODE, span, message)
                .with_primary_message(primary)
                .with_label(
                    public.decl.name_span,
                    format!("listener `{}` is on the public frontend", public.decl.name),
                )
                .with_help(help)
                .with_address(gateway.decl.address.clone())
                .with_trace(gateway.decl.trace.clone()),
        );
    }
}
