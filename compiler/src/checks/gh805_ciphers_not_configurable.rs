//! GH805 ciphers-not-configurable.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Sku;

declare_check! {
    /// ## What it checks
    /// An API Management instance on Consumption, Basic v2, Standard v2 or Premium v2 has a
    /// `security` block that turns on a protocol or cipher (TLS 1.0, TLS 1.1, 3DES).
    /// ## Why
    /// "The following tiers don't support changes to the default cipher configuration":
    /// Consumption and the v2 tiers (Learn manage-protocols-ciphers). The setting is rejected
    /// or ignored, so clients that need it fail. This also explains PSRule
    /// Azure.APIM.Ciphers findings on those tiers, which cannot be fixed there.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "StandardV2"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   security {
    ///     frontend_tls11_enabled = true
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "StandardV2"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    /// }
    /// ```
    "GH805", "ciphers-not-configurable", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for apim in &cx.model.api_managements {
        let sku = apim.sku.value;
        if !(sku == Sku::Consumption || sku.is_v2()) {
            continue;
        }
        let Some(security) = &apim.security else {
            continue;
        };
        let on: Vec<&str> = [
            ("frontend_tls10_enabled", security.frontend_tls10_enabled),
            ("frontend_tls11_enabled", security.frontend_tls11_enabled),
            ("backend_tls10_enabled", security.backend_tls10_enabled),
            ("backend_tls11_enabled", security.backend_tls11_enabled),
            (
                "triple_des_ciphers_enabled",
                security.triple_des_ciphers_enabled,
            ),
        ]
        .into_iter()
        .filter(|(_, v)| *v)
        .map(|(name, _)| name)
        .collect();
        if on.is_empty() {
            continue;
        }
        let list = on
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Diagnostic::new(
                &CODE,
                security.span,
                format!(
                    "API Management instance `{}` changes protocols or ciphers ({list}), which the {} tier does not allow",
                    apim.decl.name,
                    sku.as_str()
                ),
            )
            .with_primary_message("the default cipher configuration cannot be changed on this tier")
            .with_label(apim.sku.span, "the tier")
            .with_help("remove the `security` block, or choose a classic tier (Developer, Basic, Standard, Premium) if clients need these protocols")
            .with_address(apim.decl.address.clone())
            .with_trace(apim.decl.trace.clone()),
        );
    }
}
