//! GH701 trusted-ca-is-leaf.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate in an SSL profile's `trusted_client_cas` is an end-entity (leaf)
    /// certificate: it has no `basicConstraints CA:TRUE`.
    /// ## Why
    /// Application Gateway needs the client **CA chain**: the upload must contain a root CA
    /// (and may add intermediates). A leaf uploaded as trusted client CA either fails the
    /// deployment or makes AppGW reject every client certificate.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner" {
    ///   pem = file("pki/client-leaf.pem") # the partner's client certificate
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem") # the CA chain that issued it
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    "GH701", "trusted-ca-is-leaf", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for profile in &cx.model.ssl_profiles {
        for trusted in &profile.trusted_client_cas {
            let cert = &cx.model[trusted.id];
            let facts = cx.certs.get(trusted.id);
            let Some(leaf) = facts.chain.iter().find(|x| !x.is_ca) else { continue };
            let mut d = Diagnostic::new(
                &CODE,
                trusted.span,
                format!("SSL profile `{}` trusts `{}`, a leaf certificate, as a client CA", profile.decl.name, leaf.subject),
            )
            .with_primary_message("not a CA certificate")
            .with_help("trust the CA chain that issues the client certificates (root and intermediates, `ca_chain = file(...)`), not a client certificate")
            .with_address(profile.decl.address.clone())
            .with_trace(profile.decl.trace.clone());
            if let Some(span) = facts.span {
                d = d.with_label(span, format!("`{}` is read from here", cert.decl.name));
            }
            out.push(d);
        }
    }
}
