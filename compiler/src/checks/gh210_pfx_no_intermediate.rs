//! GH210 pfx-no-intermediate.

use super::util::{is_client_ca_chain, server_certificate_uses, uses_by_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A server certificate (an HTTPS listener's or an APIM hostname's) comes without the
    /// certificate of its issuer: the PFX (or PEM, or Key Vault local copy) holds the leaf
    /// only, and its issuer is not a root the topology itself declares.
    /// ## Why
    /// The gateway sends clients the chain it was given. Without the intermediate, clients that
    /// do not fetch it themselves fail with "unable to verify the first certificate"
    /// (docs #52156); Application Gateway's listener documentation asks for the entire chain
    /// in the PFX.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server-no-chain.pfx") # the leaf only
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
    ///   pfx      = file("pki/server.pfx") # the leaf, then the issuing CA
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
    "GH210", "pfx-no-intermediate", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (id, uses) in uses_by_certificate(server_certificate_uses(m)) {
        if is_client_ca_chain(m, id) {
            continue;
        }
        let facts = cx.certs.get(id);
        let Some(leaf) = facts.leaf() else { continue };
        // A self-signed leaf has no issuer to add; a CA as server certificate is GH206.
        if leaf.self_issued || leaf.is_ca {
            continue;
        }
        if facts.chain.iter().skip(1).any(|c| c.subject == leaf.issuer) {
            continue;
        }
        // Issued directly by a root the topology declares: nothing is missing.
        let by_known_root = cx
            .certs
            .certs
            .iter()
            .flat_map(|f| f.chain.iter())
            .any(|c| c.self_signed && c.issued(leaf));
        if by_known_root {
            continue;
        }
        let cert = &m[id];
        let span = facts.span.unwrap_or(cert.decl.name_span);
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "server certificate `{}` comes without its issuer `{}`",
                cert.decl.name, leaf.issuer
            ),
        )
        .with_primary_message(format!("holds `{}` only", leaf.subject))
        .with_help(format!(
            "export the certificate with its chain (the leaf, then `{}` and any further intermediates), e.g. `openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile intermediates.pem`",
            leaf.issuer
        ))
        .with_address(cert.decl.address.clone())
        .with_trace(cert.decl.trace.clone());
        for u in &uses {
            d = d.with_label(u.span, format!("presented to clients by {}", u.user));
        }
        out.push(d);
    }
}
