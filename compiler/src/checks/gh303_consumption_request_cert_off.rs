//! GH303 consumption-request-cert-off.

use super::util::{api_certificate_read, written};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Sku;

declare_check! {
    /// ## What it checks
    /// A Consumption instance has `enable_client_certificate = false` (the default), yet an API
    /// of it reads the client certificate (`validate_client_certificate`, or a policy expression
    /// reading `context.Request.Certificate`).
    /// ## Why
    /// The Consumption tier has no per-hostname negotiation; its gateway asks for a certificate
    /// only when the service property `enableClientCertificate` ("Request client certificate")
    /// is on. Otherwise `context.Request.Certificate` is null and every call fails validation
    /// (Learn: "How to secure APIs using client certificate authentication";
    /// MicrosoftDocs/azure-docs #64003, #39105). Checkov CKV_AZURE_152 checks the flag alone,
    /// whether or not a policy needs it.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Consumption"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///       }
    ///     }
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
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH303", "consumption-request-cert-off", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for apim in &m.api_managements {
        if apim.sku.value != Sku::Consumption || apim.enable_client_certificate.value {
            continue;
        }
        let reads: Vec<_> = apim
            .apis
            .iter()
            .filter(|api| !cx.graph.api_only_behind_app_gateway(**api))
            .filter_map(|api| api_certificate_read(cx, *api).map(|read| (*api, read)))
            .collect();
        let Some((first, _)) = reads.first() else {
            continue;
        };
        let flag = &apim.enable_client_certificate;
        let primary = if written(flag.span, &apim.decl) {
            flag.span
        } else {
            apim.decl.name_span
        };
        let mut d = Diagnostic::new(
            &CODE,
            primary,
            format!(
                "Consumption instance `{}` never requests client certificates, but API `{}` reads one",
                apim.decl.name, m[*first].decl.name
            ),
        )
        .with_primary_message("`enable_client_certificate` is off");
        for (api, read) in &reads {
            d = d.with_label(
                *read,
                format!(
                    "API `{}` reads the client certificate: always null",
                    m[*api].decl.name
                ),
            );
        }
        out.push(
            d.with_help("set `enable_client_certificate = true` on the instance (Consumption's \"Request client certificate\")")
                .with_address(apim.decl.address.clone())
                .with_trace(apim.decl.trace.clone()),
        );
    }
}
