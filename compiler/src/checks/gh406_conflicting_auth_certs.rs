//! GH406 conflicting-auth-certs.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, AuthenticationCertificate, CertificateName, Model, StatementKind};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// More than one `authentication_certificate` is in effect for one operation (through
    /// scope inheritance: global, product, API, operation) and they name different
    /// certificates.
    /// ## Why
    /// API Management presents one client certificate to the backend; with several
    /// `authentication-certificate` policies in effect only one of them is used, and which one
    /// depends on policy order, not on intent. A backend that expects the other certificate
    /// rejects the handshake. State the certificate once, at the scope that owns the backend.
    /// ## Example
    /// ```hcl
    /// certificate "legacy_client" {
    ///   pem         = file("pki/client.pem")
    ///   private_key = file("pki/client.key")
    /// }
    ///
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   policy {
    ///     inbound {
    ///       authentication_certificate {
    ///         certificate = certificate.legacy_client
    ///       }
    ///     }
    ///   }
    ///
    ///   api "ledger" {
    ///     path = "ledger"
    ///
    ///     policy {
    ///       inbound {
    ///         authentication_certificate {
    ///           certificate = certificate.ledger_client
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   api "ledger" {
    ///     path = "ledger"
    ///
    ///     policy {
    ///       inbound {
    ///         authentication_certificate {
    ///           certificate = certificate.ledger_client
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH406", "conflicting-auth-certs", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // The same pair of statements conflicts in every operation of the scope: report it once.
    let mut seen: Vec<(Span, Span)> = Vec::new();
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        for (operation, effective) in cx.graph.effective_policies(id) {
            let certs: Vec<(Span, String)> = effective
                .all()
                .into_iter()
                .filter_map(|s| match &s.statement.kind {
                    StatementKind::AuthenticationCertificate(a) => {
                        Some((value_span(a).unwrap_or(s.statement.span), describe(m, a)))
                    }
                    _ => None,
                })
                .collect();
            let Some((first_span, first)) = certs.first() else {
                continue;
            };
            let Some((second_span, second)) = certs.iter().skip(1).find(|(_, c)| c != first) else {
                continue;
            };
            if seen.contains(&(*first_span, *second_span)) {
                continue;
            }
            seen.push((*first_span, *second_span));
            let scope = operation.map_or_else(
                || format!("API `{}`", api.decl.name),
                |o| format!("operation `{}` of API `{}`", m[o].decl.name, api.decl.name),
            );
            out.push(
                Diagnostic::new(
                    &CODE,
                    *second_span,
                    format!("{scope} has two different backend client certificates in effect: {first} and {second}"),
                )
                .with_primary_message(format!("presents {second}"))
                .with_label(*first_span, format!("presents {first}, inherited into the same request"))
                .with_help("keep one `authentication_certificate` per request: remove it from one scope, or use `inherit = false`/no `base {}` where the scope should not inherit it")
                .with_address(api.decl.address.clone())
                .with_trace(api.decl.trace.clone()),
            );
        }
    }
}

fn describe(m: &Model, a: &AuthenticationCertificate) -> String {
    match a {
        AuthenticationCertificate::Certificate(CertificateName::Certificate(r)) => {
            format!("certificate `{}`", m[r.id].decl.name)
        }
        AuthenticationCertificate::Certificate(CertificateName::CaCertificate(r)) => {
            format!("CA certificate `{}`", m[r.id].decl.name)
        }
        AuthenticationCertificate::Certificate(CertificateName::Id(id)) => {
            format!("certificate id `{}`", id.value)
        }
        AuthenticationCertificate::Thumbprint(t) => format!("thumbprint `{}`", t.value),
        AuthenticationCertificate::Body(b) => format!("the certificate body `{}`", b.value),
    }
}

/// The span of the certificate a statement names, when it has one of its own.
fn value_span(a: &AuthenticationCertificate) -> Option<Span> {
    match a {
        AuthenticationCertificate::Certificate(CertificateName::Certificate(r)) => Some(r.span),
        AuthenticationCertificate::Certificate(CertificateName::CaCertificate(r)) => Some(r.span),
        AuthenticationCertificate::Certificate(CertificateName::Id(id)) => Some(id.span),
        AuthenticationCertificate::Thumbprint(t) => Some(t.span),
        AuthenticationCertificate::Body(b) => Some(b.span),
    }
}
