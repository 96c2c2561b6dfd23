//! GH704 listener-cert-wrong.

use super::util::is_client_ca_chain;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{CertSource, ListenerProtocol};

declare_check! {
    /// ## What it checks
    /// An HTTPS listener has no server certificate, its certificate has no private key (a PEM
    /// without `private_key`, a DER or CA chain file), or it presents the client CA chain
    /// (a `ca_chain` certificate, or one an SSL profile trusts as client CA) as its server
    /// certificate.
    /// ## Why
    /// The listener's server certificate is a PFX with its key, separate from the client CA
    /// chain the SSL profile trusts; binding the wrong one is a common mix-up. Application
    /// Gateway rejects an HTTPS listener without a usable certificate, and a gateway deployed
    /// with one goes to the *Failed* state (docs #115182). A PFX without its key is GH202, a CA
    /// certificate as server certificate GH206.
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
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
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.partner_ca # the client CA chain
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
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
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls # PFX with key, for api.contoso.com
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    "GH704", "listener-cert-wrong", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for listener in m
        .listeners
        .iter()
        .filter(|l| l.protocol.value == ListenerProtocol::Https)
    {
        let d = match listener.certificate {
            None => Diagnostic::new(
                &CODE,
                listener.decl.name_span,
                format!("HTTPS listener `{}` has no server certificate", listener.decl.name),
            )
            .with_primary_message("no `certificate`")
            .with_help("set `certificate = certificate.<name>`: a PFX with its private key, or a Key Vault certificate, for the listener's host names"),
            Some(r) if is_client_ca_chain(m, r.id) => {
                let mut d = Diagnostic::new(
                    &CODE,
                    r.span,
                    format!(
                        "listener `{}` presents `{}`, a client CA chain, as its server certificate",
                        listener.decl.name, m[r.id].decl.name
                    ),
                )
                .with_primary_message("the client CA chain, not a server certificate")
                .with_help("bind the listener's own server certificate (a PFX with its key) here; the client CA chain belongs only in the SSL profile's `trusted_client_cas`");
                if let Some(span) = cx.certs.get(r.id).span {
                    d = d.with_label(span, format!("`{}` is read from here", m[r.id].decl.name));
                }
                d
            }
            Some(r) => {
                let facts = cx.certs.get(r.id);
                let help = match &m[r.id].source {
                    Some(CertSource::Pem(_)) => "add `private_key = file(\"...\")` with the key of this certificate, or use `pfx` with its password",
                    Some(CertSource::Der(_)) => "a DER file holds no key: use `pfx = file(\"...\")` (certificate, chain and key) with its `password`",
                    // A PFX without its key is GH202; a Key Vault secret always has one.
                    _ => continue,
                };
                if !facts.inspected() || facts.has_private_key {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &CODE,
                    r.span,
                    format!(
                        "server certificate `{}` of listener `{}` has no private key",
                        m[r.id].decl.name, listener.decl.name
                    ),
                )
                .with_primary_message("the gateway cannot complete a handshake without the key")
                .with_help(help);
                if let Some(span) = facts.span {
                    d = d.with_label(span, "a certificate without its key");
                }
                d
            }
        };
        out.push(
            d.with_address(listener.decl.address.clone())
                .with_trace(listener.decl.trace.clone()),
        );
    }
}
