//! GH501 versioned-secret-id.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::CertSource;

declare_check! {
    /// ## What it checks
    /// A Key Vault certificate pins a `secret_version`.
    /// ## Why
    /// API Management and Application Gateway pick up a renewed certificate from a
    /// **versionless** secret id (within about four hours, seed 003). With a version in the id
    /// they keep serving the old certificate until it expires: "If absolute Url containing
    /// version is provided, auto-update of ssl certificate will not work" (API reference).
    /// "Often we see support tickets where customers configure the specific version of
    /// certificate and claim AppGw is not refreshing it" (UP#38, docs PR #86115; also UP#39
    /// docs #56264, UP#40 aztfmod caf#1610, UP#41 TF #13193).
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault      = key_vault.edge
    ///   secret_name    = "gateway-tls"
    ///   secret_version = "3f1c0a6e9b2d4c8e8f7a6b5c4d3e2f10"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    /// ```
    "GH501", "versioned-secret-id", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for cert in &cx.model.certificates {
        let Some(CertSource::KeyVault(kv)) = &cert.source else {
            continue;
        };
        let Some(version) = &kv.secret_version else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &CODE,
                version.span,
                format!(
                    "certificate `{}` pins version `{}` of Key Vault secret `{}`",
                    cert.decl.name, version.value, kv.secret_name.value
                ),
            )
            .with_primary_message("Azure never picks up a renewed certificate from a versioned id")
            .with_label(kv.secret_name.span, "the secret")
            .with_help("remove `secret_version`, so that API Management and Application Gateway follow the latest version of the secret")
            .with_address(cert.decl.address.clone())
            .with_trace(cert.decl.trace.clone()),
        );
    }
}
