//! GH804 multiple-hostnames-tier.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{HostnameType, Sku};

declare_check! {
    /// ## What it checks
    /// An API Management instance has more than one custom gateway (`Proxy`) hostname on a
    /// tier other than Developer and Premium.
    /// ## Why
    /// "Multiple custom domain names for gateway" is a Developer and Premium feature (Learn
    /// api-management-features); on the other tiers the deployment is rejected. Serve the APIs
    /// on one hostname, or put Application Gateway in front to answer several host names.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Standard"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com"
    ///   }
    ///
    ///   hostname "partners" {
    ///     type      = "Proxy"
    ///     host_name = "partners.contoso.com"
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com"
    ///   }
    ///
    ///   hostname "partners" {
    ///     type      = "Proxy"
    ///     host_name = "partners.contoso.com"
    ///   }
    /// }
    /// ```
    "GH804", "multiple-hostnames-tier", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for apim in &m.api_managements {
        if matches!(apim.sku.value, Sku::Developer | Sku::Premium) {
            continue;
        }
        let proxies: Vec<_> = apim
            .hostnames
            .iter()
            .map(|h| &m[*h])
            .filter(|h| h.kind.value == HostnameType::Proxy)
            .collect();
        let Some(first) = proxies.first() else {
            continue;
        };
        for extra in proxies.iter().skip(1) {
            out.push(
                Diagnostic::new(
                    &CODE,
                    extra.decl.name_span,
                    format!(
                        "API Management instance `{}` has a second gateway hostname `{}` on the {} tier",
                        apim.decl.name,
                        extra.host_name.value,
                        apim.sku.value.as_str()
                    ),
                )
                .with_primary_message("only Developer and Premium allow several gateway hostnames")
                .with_label(first.decl.name_span, format!("gateway hostname `{}`", first.host_name.value))
                .with_label(apim.sku.span, "the tier")
                .with_help("keep one `Proxy` hostname (route the other host names to it through Application Gateway), or use `sku = \"Premium\"`")
                .with_address(extra.decl.address.clone())
                .with_trace(extra.decl.trace.clone()),
            );
        }
    }
}
