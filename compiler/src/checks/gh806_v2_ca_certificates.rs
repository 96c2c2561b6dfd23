//! GH806 v2-ca-certificates.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// An API Management instance on a v2 tier (Basic v2, Standard v2, Premium v2) has
    /// instance-level CA certificates (`ca_certificate`).
    /// ## Why
    /// The v2 tiers have no instance CA store: on Standard v2 the CA of a self-signed backend
    /// "cannot be set at instance level" (UP#17, Azure/azure-service-operator#5322); backend
    /// trust is set per backend (`tls.serverCertificateThumbprints`, API 2025-03-01-preview)
    /// and client certificate chains to private CAs cannot be validated with `validate-trust`
    /// (not confirmed on Learn). The upload fails or does nothing. GH403 reports the backends
    /// left untrusted.
    /// ## Example
    /// ```hcl
    /// certificate "internal_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "StandardV2"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "internal_root" {
    ///     certificate = certificate.internal_root
    ///     store       = "Root"
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "internal_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "internal_root" {
    ///     certificate = certificate.internal_root
    ///     store       = "Root"
    ///   }
    /// }
    /// ```
    "GH806", "v2-ca-certificates", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for apim in &m.api_managements {
        if !apim.sku.value.is_v2() {
            continue;
        }
        for c in &apim.ca_certificates {
            let ca = &m[*c];
            out.push(
                Diagnostic::new(
                    &CODE,
                    ca.decl.name_span,
                    format!(
                        "API Management instance `{}` is {}, which has no instance CA store for `{}`",
                        apim.decl.name,
                        apim.sku.value.as_str(),
                        ca.decl.name
                    ),
                )
                .with_primary_message("instance-level CA certificates are not available on v2 tiers")
                .with_label(apim.sku.span, "a v2 tier")
                .with_help("remove the `ca_certificate` (backends of a v2 instance need publicly trusted certificates, as per-backend trust is not modelled), or use a classic tier (Developer, Basic, Standard, Premium) for an instance CA store")
                .with_address(ca.decl.address.clone())
                .with_trace(ca.decl.trace.clone()),
            );
        }
    }
}
