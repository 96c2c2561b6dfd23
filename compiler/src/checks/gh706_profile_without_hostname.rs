//! GH706 profile-without-hostname.

use super::util::profile_requests_certificate;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Listener, ListenerProtocol};

declare_check! {
    /// ## What it checks
    /// An HTTPS listener without a host name (a basic listener) has an SSL profile that asks
    /// for client certificates, while another listener on the same frontend IP and port has
    /// host names.
    /// ## Why
    /// A basic listener takes every request that no multi-site listener claims, and its TLS
    /// settings apply to clients that send no SNI or an SNI no listener names. Client
    /// authentication on it therefore applies to host names nobody meant to protect (their
    /// callers are asked for a certificate and rejected), and with the routing rules in the
    /// wrong priority order it also takes the multi-site hosts. Same class of mistake as GH705:
    /// mutual TLS is bound to a port, not to the hosts that need it.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
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
    ///   # No host name: answers every host that no other listener names.
    ///   listener "catch_all" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    ///
    ///   listener "portal" {
    ///     host_name   = "portal.contoso.com"
    ///     certificate = certificate.edge_tls
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
    ///   listener "partners" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    ///
    ///   listener "portal" {
    ///     host_name   = "portal.contoso.com"
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH706", "profile-without-hostname", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for gateway in &m.app_gateways {
        let https: Vec<&Listener> = gateway
            .listeners
            .iter()
            .map(|id| &m[*id])
            .filter(|l| l.protocol.value == ListenerProtocol::Https)
            .collect();
        for basic in https.iter().filter(|l| l.host_names.is_empty()) {
            let Some(profile) = basic.ssl_profile else {
                continue;
            };
            if !profile_requests_certificate(&m[profile.id]) {
                continue;
            }
            let Some((site, host)) = https.iter().find_map(|l| {
                let same_port = l.port.value == basic.port.value
                    && l.private_frontend == basic.private_frontend;
                l.host_names.first().filter(|_| same_port).map(|h| (l, h))
            }) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &CODE,
                    profile.span,
                    format!(
                        "listener `{}` has no host name, so SSL profile `{}` asks for client certificates on every host name of port {} that no other listener answers",
                        basic.decl.name, m[profile.id].decl.name, basic.port.value
                    ),
                )
                .with_primary_message("client authentication on the catch-all listener")
                .with_label(
                    host.span,
                    format!("listener `{}` answers `{}` on the same port", site.decl.name, host.value),
                )
                .with_help(format!(
                    "set `host_name` on listener `{}` to the host names partners call, so that the SSL profile applies exactly there",
                    basic.decl.name
                ))
                .with_address(basic.decl.address.clone())
                .with_trace(basic.decl.trace.clone()),
            );
        }
    }
}
