//! GH801 tier-unsupported.

use super::util::local_reference;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Sku, VirtualNetworkType};

declare_check! {
    /// ## What it checks
    /// A setting the API Management instance's `sku` does not support:
    /// - `negotiate_client_certificate` on a Consumption instance (Consumption has
    ///   `enable_client_certificate` instead);
    /// - `enable_client_certificate` on any tier but Consumption;
    /// - virtual network injection (`virtual_network_type = "External"` or `"Internal"`) on a
    ///   tier other than Developer, Premium and Premium v2;
    /// - CA certificates (`ca_certificate`) on Consumption.
    /// ## Why
    /// The deployment fails, or Azure silently ignores the setting and the topology does not
    /// behave as written: the gateway custom domain of a Consumption instance has no "Negotiate
    /// client certificate" (UP#9, docs #64003; UP#10, docs #39105), VNet injection is a
    /// Developer and Premium feature (Learn api-management-features), and Consumption cannot
    /// upload CA certificates. Related: GH804 (custom hostnames), GH805 (ciphers), GH806 (CA
    /// certificates on v2 tiers).
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Consumption"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   sku                       = "Consumption"
    ///   publisher_name            = "Contoso"
    ///   publisher_email           = "api@contoso.com"
    ///   enable_client_certificate = true
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com"
    ///   }
    /// }
    /// ```
    "GH801", "tier-unsupported", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for apim in &m.api_managements {
        let sku = apim.sku.value;
        let tier = sku.as_str();
        let mut push = |span, message: String, help: String| {
            out.push(
                Diagnostic::new(&CODE, span, message)
                    .with_primary_message(format!("not supported on the {tier} tier"))
                    .with_label(apim.sku.span, "the tier")
                    .with_help(help)
                    .with_address(apim.decl.address.clone())
                    .with_trace(apim.decl.trace.clone()),
            );
        };
        if sku == Sku::Consumption {
            for h in &apim.hostnames {
                let hostname = &m[*h];
                if hostname.negotiate_client_certificate.value {
                    push(
                        hostname.negotiate_client_certificate.span,
                        format!(
                            "hostname `{}` negotiates client certificates on a Consumption instance",
                            hostname.decl.name
                        ),
                        format!(
                            "remove `negotiate_client_certificate` and set `enable_client_certificate = true` on `{}`",
                            local_reference(&apim.decl.address)
                        ),
                    );
                }
            }
            for c in &apim.ca_certificates {
                let ca = &m[*c];
                push(
                    ca.decl.name_span,
                    format!(
                        "CA certificate `{}` cannot be uploaded to a Consumption instance",
                        ca.decl.name
                    ),
                    "remove the `ca_certificate`; validate client certificates by `identity` (issuer, thumbprint) instead, or choose a classic tier".to_string(),
                );
            }
        } else if apim.enable_client_certificate.value {
            push(
                apim.enable_client_certificate.span,
                format!(
                    "`enable_client_certificate` applies to Consumption instances only, and `{}` is {tier}",
                    apim.decl.name
                ),
                "remove `enable_client_certificate` and set `negotiate_client_certificate = true` on the hostnames that ask for client certificates".to_string(),
            );
        }
        let injected = apim.virtual_network_type.value != VirtualNetworkType::None;
        let injectable = matches!(sku, Sku::Developer | Sku::Premium | Sku::PremiumV2);
        if injected && !injectable {
            push(
                apim.virtual_network_type.span,
                format!(
                    "API Management instance `{}` is injected into a virtual network on the {tier} tier",
                    apim.decl.name
                ),
                "use `sku = \"Developer\"`, `\"Premium\"` or `\"PremiumV2\"` for virtual network injection, or remove `virtual_network_type`".to_string(),
            );
        }
    }
}
