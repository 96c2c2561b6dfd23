//! GH713 ssl-profile-unattached.

use super::util::{forwarded_certificate_headers, profile_requests_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ListenerProtocol, SslProfileId};

declare_check! {
    /// ## What it checks
    /// An SSL profile that asks for client certificates is attached to no listener; or an
    /// HTTPS listener forwards the client certificate (a rewrite of its routes sets a header
    /// from `{var_client_certificate...}`) but has no SSL profile that asks for one.
    /// ## Why
    /// Application Gateway requests a client certificate only on listeners whose SSL profile
    /// has client authentication. Without one the handshake never asks, the access log shows
    /// `sslClientVerify` NONE although clients do have certificates (docs #82773), and the
    /// forwarded header is empty, so the API behind it rejects every call or, worse, trusts a
    /// header nobody verified.
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
    ///   listener "api" {
    ///     certificate = certificate.edge_tls # no ssl_profile
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
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    "GH713", "ssl-profile-unattached", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let attached = |id: SslProfileId| {
        m.listeners
            .iter()
            .any(|l| l.ssl_profile.is_some_and(|r| r.id == id))
    };
    // Profiles already named in a listener finding's help are not reported again.
    let mut suggested: Vec<SslProfileId> = Vec::new();
    for listener in m
        .listeners
        .iter()
        .filter(|l| l.protocol.value == ListenerProtocol::Https)
    {
        if listener
            .ssl_profile
            .is_some_and(|r| profile_requests_certificate(&m[r.id]))
        {
            continue;
        }
        let forwarded = listener.routes.iter().find_map(|route| {
            let set = route.rewrite_rule_set?;
            forwarded_certificate_headers(&m[set.id]).into_iter().next()
        });
        let Some(header) = forwarded else { continue };
        let spare = m[listener.app_gateway]
            .ssl_profiles
            .iter()
            .copied()
            .find(|p| profile_requests_certificate(&m[*p]) && !attached(*p));
        let span = listener
            .ssl_profile
            .map_or(listener.decl.name_span, |r| r.span);
        let help = match spare {
            Some(p) => format!(
                "attach the SSL profile that trusts the partners' CAs: `ssl_profile = ssl_profile.{}`",
                m[p].decl.name
            ),
            None => "attach an SSL profile with `trusted_client_cas` to the listener (`ssl_profile = ssl_profile.<name>`)".to_string(),
        };
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "listener `{}` forwards the client certificate in `{}` but never asks clients for one",
                listener.decl.name, header.header.value
            ),
        )
        .with_primary_message("no SSL profile with client authentication")
        .with_label(
            header.value.span,
            format!("`{}` is always empty here", header.value.value),
        )
        .with_help(help)
        .with_address(listener.decl.address.clone())
        .with_trace(listener.decl.trace.clone());
        if let Some(p) = spare {
            d = d.with_label(
                m[p].decl.name_span,
                format!(
                    "SSL profile `{}` is attached to no listener",
                    m[p].decl.name
                ),
            );
            suggested.push(p);
        }
        out.push(d);
    }
    for (index, profile) in m.ssl_profiles.iter().enumerate() {
        let id = SslProfileId(index as u32);
        if !profile_requests_certificate(profile) || attached(id) || suggested.contains(&id) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &CODE,
                profile.decl.name_span,
                format!(
                    "SSL profile `{}` asks for client certificates, but no listener uses it",
                    profile.decl.name
                ),
            )
            .with_primary_message("attached to no listener")
            .with_help(format!(
                "set `ssl_profile = ssl_profile.{}` on the listener partners call, or remove the profile",
                profile.decl.name
            ))
            .with_address(profile.decl.address.clone())
            .with_trace(profile.decl.trace.clone()),
        );
    }
}
