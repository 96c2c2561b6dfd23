//! GH606 revocation-unchecked.

use super::util::policy_owner;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{ApiId, StatementKind, VirtualNetworkType};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An API that can be called directly from the internet (the instance is not in an
    /// internal virtual network and its public endpoint is on) validates client certificates
    /// with `validate_revocation = false`. Application Gateway's OCSP check
    /// (`verify_client_revocation = "OCSP"`) does not help here: the direct path does not pass
    /// the gateway, and behind the gateway APIM never sees the certificate (GH308).
    /// ## Why
    /// Without a revocation check a partner certificate that was revoked, because its key
    /// leaked or the partner left, keeps working until it expires.
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
    ///           validate_revocation = false
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
    ///           validate_revocation = true
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH606", "revocation-unchecked", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen: Vec<Span> = Vec::new();
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let apim = &m[api.api_management];
        let hostnames = cx.graph.hostnames_serving(id);
        let public = if hostnames.is_empty() {
            apim.virtual_network_type.value != VirtualNetworkType::Internal
                && apim.public_network_access.value
        } else {
            hostnames
                .iter()
                .any(|h| cx.graph.hostname_directly_reachable(*h))
        };
        if !public {
            continue;
        }
        for (_, effective) in cx.graph.effective_policies(id) {
            for s in effective.all() {
                let StatementKind::ValidateClientCertificate(v) = &s.statement.kind else {
                    continue;
                };
                if v.validate_revocation.value || seen.contains(&v.validate_revocation.span) {
                    continue;
                }
                seen.push(v.validate_revocation.span);
                let owner = policy_owner(m, s.policy);
                out.push(
                    Diagnostic::new(
                        &CODE,
                        v.validate_revocation.span,
                        format!("API `{}` is public and accepts revoked client certificates", api.decl.name),
                    )
                    .with_primary_message("revocation is not checked")
                    .with_label(apim.decl.name_span, format!("instance `{}` has a public endpoint", apim.decl.name))
                    .with_help("set `validate_revocation = true` (the issuing CA must publish a CRL or OCSP responder reachable from API Management)")
                    .with_address(cx.graph.address(NodeRef::Policy(s.policy)))
                    .with_trace(owner.trace.clone()),
                );
            }
        }
    }
}
