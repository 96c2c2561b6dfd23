//! GH207 client-eku.

use super::util::{client_certificate_uses, eku_text, uses_by_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate API Management presents as a client certificate (a backend's
    /// `client_certificate`, or the certificate of an `authentication_certificate` policy), or
    /// the certificate of a known `client`, has an extended key usage extension without
    /// `clientAuth`.
    /// ## Why
    /// Backends built on common TLS stacks reject client certificates whose extended key usage
    /// does not allow client authentication (e.g. ASP.NET Core: "reject … certs without a
    /// client auth EKU", aspnet/Security#1118), and the mutual TLS handshake to the backend
    /// fails. Application Gateway rejects such a client certificate too ("unsupported
    /// certificate purpose", Learn mutual-authentication-troubleshooting). GH402 covers a
    /// certificate without a private key in `authentication_certificate`.
    /// ## Example
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client-server-eku.pfx") # serverAuth only
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
    /// ## Fix
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx") # clientAuth
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
    "GH207", "client-eku", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (id, uses) in uses_by_certificate(client_certificate_uses(m)) {
        let facts = cx.certs.get(id);
        let Some(leaf) = facts.leaf() else { continue };
        let Some(eku) = leaf.eku.filter(|_| !leaf.allows_client_auth()) else {
            continue;
        };
        let cert = &m[id];
        let span = facts.span.unwrap_or(cert.decl.name_span);
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "certificate `{}` (`{}`) is presented to backends as a client certificate but does not allow client authentication",
                cert.decl.name, leaf.subject
            ),
        )
        .with_primary_message(format!("extended key usage: {}", eku_text(&eku)))
        .with_help("use a certificate issued with the clientAuth extended key usage (1.3.6.1.5.5.7.3.2)")
        .with_address(cert.decl.address.clone())
        .with_trace(cert.decl.trace.clone());
        for u in &uses {
            d = d.with_label(u.span, format!("sent as client certificate by {}", u.user));
        }
        out.push(d);
    }
    for (index, client) in m.clients.iter().enumerate() {
        let facts = &cx.certs.clients[index];
        let Some(leaf) = facts.leaf() else { continue };
        let Some(eku) = leaf.eku.filter(|_| !leaf.allows_client_auth()) else {
            continue;
        };
        let span = facts.span.unwrap_or(client.decl.name_span);
        out.push(
            Diagnostic::new(
                &CODE,
                span,
                format!(
                    "client `{}` presents `{}`, which does not allow client authentication",
                    client.decl.name, leaf.subject
                ),
            )
            .with_primary_message(format!("extended key usage: {}", eku_text(&eku)))
            .with_help("give the client a certificate issued with the clientAuth extended key usage (1.3.6.1.5.5.7.3.2)")
            .with_address(client.decl.address.clone())
            .with_trace(client.decl.trace.clone()),
        );
    }
}
