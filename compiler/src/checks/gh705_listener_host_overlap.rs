//! GH705 listener-host-overlap.

use super::util::{host_patterns_overlap, profile_requests_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Listener, ListenerProtocol, Model, Spanned};

declare_check! {
    /// ## What it checks
    /// Two HTTPS listeners of one Application Gateway on the same frontend IP and port answer
    /// the same host name with different SSL profiles or certificates, or overlapping host names
    /// (a wildcard that covers the other's name) with different SSL profiles; or a basic
    /// listener (no host name) without client authentication shares the port with a multi-site
    /// listener that requires it.
    /// ## Why
    /// Application Gateway picks the TLS settings (certificate and SSL profile, hence whether a
    /// client certificate is asked for) from the SNI of the handshake, and the listener for each
    /// request from its host name, in rule priority order. When two listeners on one port claim
    /// the same host, which one applies depends on rule order and on what the client sent in
    /// SNI: mutual TLS ends up applied to hosts it was not meant for, or skipped for hosts that
    /// need it. Gateway API GEP-91 documents the client-certificate bypass this allows through
    /// connection coalescing across listeners sharing a port. GH706 covers an SSL profile on the
    /// basic listener itself.
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
    ///   listener "partners" {
    ///     host_name   = "orders.contoso.internal"
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    ///
    ///   listener "tools" {
    ///     host_names  = ["*.contoso.internal"] # also matches orders.contoso.internal
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
    ///     host_name   = "orders.contoso.internal"
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    ///
    ///   listener "tools" {
    ///     host_names  = ["tools.contoso.internal"]
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH705", "listener-host-overlap", Severity::Error
}

/// What two listeners answering the same host present differently, if anything.
fn differences(a: &Listener, b: &Listener) -> Option<&'static str> {
    let profile = a.ssl_profile.map(|r| r.id) != b.ssl_profile.map(|r| r.id);
    let certificate = a.certificate.map(|r| r.id) != b.certificate.map(|r| r.id);
    match (profile, certificate) {
        (true, true) => Some("SSL profiles and certificates"),
        (true, false) => Some("SSL profiles"),
        (false, true) => Some("certificates"),
        (false, false) => None,
    }
}

fn requires_certificate(m: &Model, l: &Listener) -> bool {
    l.ssl_profile
        .is_some_and(|r| profile_requests_certificate(&m[r.id]))
}

fn profile_name(m: &Model, l: &Listener) -> String {
    l.ssl_profile.map_or_else(
        || "no SSL profile".to_string(),
        |r| format!("SSL profile `{}`", m[r.id].decl.name),
    )
}

/// Two multi-site listeners with overlapping host names and different TLS settings. A
/// wildcard beside a more specific name with its own certificate is the usual way to serve
/// one host with a dedicated certificate, so only a different SSL profile counts there.
fn multi_site(m: &Model, earlier: &Listener, later: &Listener) -> Option<Diagnostic> {
    let what = differences(earlier, later)?;
    let profiles_differ = earlier.ssl_profile.map(|r| r.id) != later.ssl_profile.map(|r| r.id);
    let (theirs, ours): (&Spanned<String>, &Spanned<String>) =
        later.host_names.iter().find_map(|ours| {
            earlier
                .host_names
                .iter()
                .filter(|theirs| theirs.value.eq_ignore_ascii_case(&ours.value) || profiles_differ)
                .find(|theirs| host_patterns_overlap(&theirs.value, &ours.value))
                .map(|theirs| (theirs, ours))
        })?;
    let port = later.port.value;
    let message = if theirs.value.eq_ignore_ascii_case(&ours.value) {
        format!(
            "listeners `{}` and `{}` both answer `{}` on port {port}, with different {what}",
            earlier.decl.name, later.decl.name, ours.value
        )
    } else {
        format!(
            "host name `{}` of listener `{}` overlaps `{}` of listener `{}` on port {port}, which has different {what}",
            ours.value, later.decl.name, theirs.value, earlier.decl.name
        )
    };
    Some(
        Diagnostic::new(&CODE, ours.span, message)
            .with_primary_message(format!("{} here", profile_name(m, later)))
            .with_label(
                theirs.span,
                format!(
                    "listener `{}` answers this with {}",
                    earlier.decl.name,
                    profile_name(m, earlier)
                ),
            )
            .with_help(format!(
                "give listener `{}` host names that no other listener on port {port} answers, or present the same SSL profile and certificate on both",
                later.decl.name
            ))
            .with_address(later.decl.address.clone())
            .with_trace(later.decl.trace.clone()),
    )
}

/// A basic listener without client authentication beside a multi-site listener that requires
/// it (a basic listener with a client-certificate profile is GH706).
fn basic_beside_mtls(m: &Model, basic: &Listener, site: &Listener) -> Option<Diagnostic> {
    if !basic.host_names.is_empty()
        || site.host_names.is_empty()
        || requires_certificate(m, basic)
        || !requires_certificate(m, site)
    {
        return None;
    }
    let host = site.host_names.first()?;
    let port = basic.port.value;
    Some(
        Diagnostic::new(
            &CODE,
            basic.decl.name_span,
            format!(
                "basic listener `{}` answers every host name on port {port} without asking for a client certificate, `{}` of listener `{}` included",
                basic.decl.name, host.value, site.decl.name
            ),
        )
        .with_primary_message("no host name and no client authentication")
        .with_label(
            host.span,
            format!(
                "listener `{}` requires a client certificate here ({})",
                site.decl.name,
                profile_name(m, site)
            ),
        )
        .with_help(format!(
            "give listener `{}` the host names it is meant for (`host_names = [...]`), so that `{}` is only answered with client authentication",
            basic.decl.name, host.value
        ))
        .with_address(basic.decl.address.clone())
        .with_trace(basic.decl.trace.clone()),
    )
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut reported = Vec::new();
    for gateway in &m.app_gateways {
        let https: Vec<&Listener> = gateway
            .listeners
            .iter()
            .map(|id| &m[*id])
            .filter(|l| l.protocol.value == ListenerProtocol::Https)
            .collect();
        for (i, later) in https.iter().enumerate() {
            let found = https[..i].iter().find_map(|earlier| {
                if earlier.port.value != later.port.value
                    || earlier.private_frontend != later.private_frontend
                {
                    return None;
                }
                multi_site(m, earlier, later)
                    .or_else(|| basic_beside_mtls(m, later, earlier))
                    .or_else(|| basic_beside_mtls(m, earlier, later))
            });
            // A basic listener beside several mTLS listeners is one finding.
            if let Some(d) = found.filter(|d| !reported.contains(&d.primary.span)) {
                reported.push(d.primary.span);
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_patterns_overlap;

    #[test]
    fn application_gateway_wildcards_overlap_like_azure_matches_them() {
        assert!(host_patterns_overlap("api.contoso.com", "API.contoso.com"));
        assert!(host_patterns_overlap("*.contoso.com", "api.contoso.com"));
        // Unlike a certificate wildcard, `*` in a listener host name spans dots.
        assert!(host_patterns_overlap("*.contoso.com", "a.b.contoso.com"));
        assert!(host_patterns_overlap("api.*.com", "*.contoso.com"));
        assert!(host_patterns_overlap("ap?.contoso.com", "api.contoso.com"));
        assert!(!host_patterns_overlap(
            "ap?.contoso.com",
            "apis.contoso.com"
        ));
        assert!(!host_patterns_overlap("*.contoso.com", "contoso.com"));
        assert!(!host_patterns_overlap("api.contoso.com", "gw.contoso.com"));
        assert!(!host_patterns_overlap(
            "*.contoso.internal",
            "*.contoso.com"
        ));
    }
}
