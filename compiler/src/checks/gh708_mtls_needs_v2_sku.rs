//! GH708 mtls-needs-v2-sku.

use super::util::profile_requests_certificate;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// An Application Gateway with an SSL profile that asks for client certificates has a v1
    /// SKU (`Standard_Small`/`_Medium`/`_Large`, `WAF_Medium`/`_Large`).
    /// ## Why
    /// Mutual authentication is available only on `Standard_v2` and `WAF_v2` (Learn,
    /// mutual-authentication-overview); the deployment of a v1 gateway with client
    /// authentication fails. PSRule Azure.AppGw.MigrateV2 (AZR-000376) flags v1 gateways in
    /// general.
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
    ///   sku = "WAF_Medium"
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
    ///   sku = "WAF_v2"
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
    "GH708", "mtls-needs-v2-sku", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for gateway in m.app_gateways.iter().filter(|g| !g.is_v2()) {
        let profiles: Vec<_> = gateway
            .ssl_profiles
            .iter()
            .map(|p| &m[*p])
            .filter(|p| profile_requests_certificate(p))
            .collect();
        if profiles.is_empty() {
            continue;
        }
        let v2 = if gateway.sku.value.starts_with("WAF") {
            "WAF_v2"
        } else {
            "Standard_v2"
        };
        let mut d = Diagnostic::new(
            &CODE,
            gateway.sku.span,
            format!(
                "gateway `{}` uses mutual authentication on the v1 SKU `{}`",
                gateway.decl.name, gateway.sku.value
            ),
        )
        .with_primary_message("mutual authentication needs Standard_v2 or WAF_v2")
        .with_help(format!("set `sku = \"{v2}\"`"))
        .with_address(gateway.decl.address.clone())
        .with_trace(gateway.decl.trace.clone());
        for p in profiles {
            d = d.with_label(
                p.decl.name_span,
                format!("SSL profile `{}` asks for client certificates", p.decl.name),
            );
        }
        out.push(d);
    }
}
