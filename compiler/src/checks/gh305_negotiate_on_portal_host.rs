//! GH305 negotiate-on-portal-host.

use super::util::profile_requests_certificate;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{HostnameId, HostnameType, Model, RouteTarget};

declare_check! {
    /// ## What it checks
    /// A certificate is requested on the host name of the developer portal (or the legacy
    /// portal): a `Proxy` hostname with `negotiate_client_certificate = true` whose `host_name`
    /// is that of a `Portal` or `DeveloperPortal` hostname of the same instance, or an
    /// Application Gateway listener with a client-certificate SSL profile that answers a portal
    /// host name or routes to a portal hostname.
    /// ## Why
    /// Negotiation is per host name: every TLS handshake on it gets a CertificateRequest, so
    /// every portal visitor's browser shows "Select a certificate for authentication" (Learn
    /// Q&A 5922698). The portal has no use for the certificate; only the gateway hostname that
    /// partners call should ask for it.
    /// ## Example
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Developer"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "portal.contoso.com" # the portal's host name
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   hostname "portal" {
    ///     type      = "DeveloperPortal"
    ///     host_name = "portal.contoso.com"
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
    ///   sku             = "Developer"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   hostname "portal" {
    ///     type      = "DeveloperPortal"
    ///     host_name = "portal.contoso.com"
    ///   }
    /// }
    /// ```
    "GH305", "negotiate-on-portal-host", Severity::Error
}

fn is_portal(model: &Model, h: HostnameId) -> bool {
    matches!(
        model[h].kind.value,
        HostnameType::Portal | HostnameType::DeveloperPortal
    )
}

/// The portal hostnames (of any instance) whose host name is `name`.
fn portals_named(model: &Model, name: &str) -> Vec<HostnameId> {
    (0..model.hostnames.len())
        .map(|i| HostnameId(i as u32))
        .filter(|h| is_portal(model, *h) && model[*h].host_name.value.eq_ignore_ascii_case(name))
        .collect()
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for hostname in &m.hostnames {
        if hostname.kind.value != HostnameType::Proxy
            || !hostname.negotiate_client_certificate.value
        {
            continue;
        }
        let portals: Vec<HostnameId> = portals_named(m, &hostname.host_name.value)
            .into_iter()
            .filter(|p| m[*p].api_management == hostname.api_management)
            .collect();
        let Some(first) = portals.first() else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &CODE,
                hostname.negotiate_client_certificate.span,
                format!(
                    "hostname `{}` asks for a client certificate on `{}`, the host name of the {} portal",
                    hostname.decl.name,
                    hostname.host_name.value,
                    portal_kind(m, *first)
                ),
            )
            .with_primary_message("every portal visitor gets a certificate prompt")
            .with_label(m[*first].host_name.span, format!("hostname `{}` serves the portal here", m[*first].decl.name))
            .with_help(format!(
                "give the gateway hostname its own host name (e.g. `api.{}`), or set `negotiate_client_certificate = false` on `{}`",
                parent_domain(&hostname.host_name.value),
                hostname.decl.name
            ))
            .with_address(hostname.decl.address.clone())
            .with_trace(hostname.decl.trace.clone()),
        );
    }
    for listener in &m.listeners {
        let Some(profile) = listener.ssl_profile else {
            continue;
        };
        if !profile_requests_certificate(&m[profile.id]) {
            continue;
        }
        // A portal hostname the listener routes to, or one whose host name it answers.
        let routed = listener.routes.iter().find_map(|r| match r.to {
            Some(RouteTarget::Hostname(h)) if is_portal(m, h.id) => Some((h.id, h.span)),
            _ => None,
        });
        let answered = listener
            .host_names
            .iter()
            .find_map(|n| portals_named(m, &n.value).first().map(|p| (*p, n.span)));
        let Some((portal, span)) = routed.or(answered) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &CODE,
                span,
                format!(
                    "listener `{}` asks for a client certificate on the {} portal `{}`",
                    listener.decl.name,
                    portal_kind(m, portal),
                    m[portal].host_name.value
                ),
            )
            .with_primary_message("every portal visitor gets a certificate prompt")
            .with_label(profile.span, format!("SSL profile `{}` requests client certificates", m[profile.id].decl.name))
            .with_label(m[portal].decl.name_span, format!("hostname `{}` is the portal", m[portal].decl.name))
            .with_help("serve the portal from a listener without a client-certificate SSL profile, and keep `ssl_profile` on the listener that partners' API calls use")
            .with_address(listener.decl.address.clone())
            .with_trace(listener.decl.trace.clone()),
        );
    }
}

fn portal_kind(model: &Model, h: HostnameId) -> &'static str {
    match model[h].kind.value {
        HostnameType::Portal => "legacy",
        _ => "developer",
    }
}

/// `portal.contoso.com` → `contoso.com`.
fn parent_domain(host: &str) -> &str {
    host.split_once('.').map_or(host, |(_, rest)| rest)
}
