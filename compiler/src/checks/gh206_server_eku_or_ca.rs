//! GH206 server-eku-or-ca.

use super::util::{eku_text, is_client_ca_chain, server_certificate_uses, uses_by_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate presented to clients (an HTTPS listener's or an APIM hostname's
    /// certificate) is a CA certificate (`basicConstraints CA:TRUE`), or has an extended key
    /// usage extension without `serverAuth`.
    /// ## Why
    /// TLS clients reject a server certificate whose extended key usage does not allow server
    /// authentication ("unsupported certificate purpose"), and a CA certificate as end-entity
    /// certificate; the handshake fails for every caller. GH704 covers a client CA chain bound
    /// to a listener.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server-client-eku.pfx") # clientAuth only
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx") # serverAuth
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH206", "server-eku-or-ca", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (id, uses) in uses_by_certificate(server_certificate_uses(m)) {
        // GH704 reports a client CA chain bound to a listener.
        let on_listener = m
            .listeners
            .iter()
            .any(|l| l.certificate.is_some_and(|r| r.id == id));
        if on_listener && is_client_ca_chain(m, id) {
            continue;
        }
        let facts = cx.certs.get(id);
        let Some(leaf) = facts.leaf() else { continue };
        let cert = &m[id];
        let (message, primary, help) = if leaf.is_ca {
            (
                format!(
                    "certificate `{}` (`{}`) is a CA certificate, used as a server certificate",
                    cert.decl.name, leaf.subject
                ),
                "`basicConstraints CA:TRUE`".to_string(),
                "bind the server certificate the CA issued for the host names (a PFX with its key and chain), not the CA itself",
            )
        } else if let Some(eku) = leaf.eku.filter(|_| !leaf.allows_server_auth()) {
            (
                format!(
                    "certificate `{}` (`{}`) is used as a server certificate but does not allow server authentication",
                    cert.decl.name, leaf.subject
                ),
                format!("extended key usage: {}", eku_text(&eku)),
                "bind a certificate issued with the serverAuth extended key usage (1.3.6.1.5.5.7.3.1)",
            )
        } else {
            continue;
        };
        let span = facts.span.unwrap_or(cert.decl.name_span);
        let mut d = Diagnostic::new(&CODE, span, message)
            .with_primary_message(primary)
            .with_help(help)
            .with_address(cert.decl.address.clone())
            .with_trace(cert.decl.trace.clone());
        for u in &uses {
            d = d.with_label(u.span, format!("presented to clients by {}", u.user));
        }
        out.push(d);
    }
}
