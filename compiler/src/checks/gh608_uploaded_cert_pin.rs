//! GH608 uploaded-cert-pin.

use super::util::{statement_blocks, statement_texts};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A policy authorises clients with `context.Deployment.Certificates`, the client
    /// certificates uploaded to the instance.
    /// ## Why
    /// Authorising by uploaded certificate turns every partner certificate into a deployment:
    /// each renewal needs an upload, and removals were reported to take effect late (UP#45,
    /// Azure-Samples/api-management-samples #21; cause unverified). Trusting the partners' CA
    /// (CA store plus `validate_client_certificate` identities) survives renewals.
    /// ## Example
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         choose {
    ///           when {
    ///             condition = "@(context.Request.Certificate == null || !context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"
    ///
    ///             return_response {
    ///               status_code = 403
    ///             }
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           identity {
    ///             issuer_certificate = ca_certificate.partner_root
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH608", "uploaded-cert-pin", Severity::Note
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for block in statement_blocks(m) {
        for (_, s) in &block.statements {
            let Some((_, span)) = statement_texts(s)
                .into_iter()
                .find(|(text, _)| text.contains("context.Deployment.Certificates"))
            else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &CODE,
                    span,
                    format!("{} authorises clients by uploaded certificate", block.what),
                )
                .with_primary_message("`context.Deployment.Certificates` must be re-uploaded at every renewal")
                .with_help("trust the partners' issuing CA instead: upload it as a `ca_certificate` and use `validate_client_certificate` with `identity { issuer_certificate = ca_certificate.<name> }`")
                .with_address(cx.graph.address(block.node))
                .with_trace(block.owner.trace.clone()),
            );
        }
    }
}
