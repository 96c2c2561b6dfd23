//! GH603 validate-accepts-any.

use super::util::statement_blocks;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::StatementKind;

declare_check! {
    /// ## What it checks
    /// A `validate_client_certificate` has `validate_trust = false` and no `identity`.
    /// ## Why
    /// Without a trusted chain and without an identity to match, the policy accepts any
    /// certificate at all, including one the caller made a minute ago: the validation only
    /// checks that a certificate was sent and, by default, that it is within its dates
    /// (Learn: validate-client-certificate policy).
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
    ///         validate_client_certificate {
    ///           validate_trust = false
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
    ///           validate_trust = false
    ///
    ///           identity {
    ///             issuer_certificate = ca_certificate.partner_root
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH603", "validate-accepts-any", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for block in statement_blocks(m) {
        for (_, s) in &block.statements {
            let StatementKind::ValidateClientCertificate(v) = &s.kind else {
                continue;
            };
            if v.validate_trust.value || !v.identities.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &CODE,
                    v.validate_trust.span,
                    format!("{} accepts any client certificate", block.what),
                )
                .with_primary_message("no trusted chain required")
                .with_label(s.span, "and no `identity` to match")
                .with_help("keep `validate_trust = true` (with the issuing CA in the instance's CA store), or add an `identity` naming the accepted issuer (`issuer_certificate`, `issuer_subject`) or certificates")
                .with_address(cx.graph.address(block.node))
                .with_trace(block.owner.trace.clone()),
            );
        }
    }
}
