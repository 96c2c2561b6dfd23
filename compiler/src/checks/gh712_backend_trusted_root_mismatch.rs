//! GH712 backend-trusted-root-mismatch.

use super::util::anchored_by;
use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{BackendSettingsId, HostnameId, RouteTarget};

declare_check! {
    /// ## What it checks
    /// A listener routes to an APIM hostname with backend settings whose
    /// `trusted_root_certificates` do not anchor the certificate that hostname presents
    /// (when both certificates can be read): no trusted root issued the hostname's chain.
    /// ## Why
    /// With trusted root certificates set, Application Gateway v2 accepts the backend's
    /// certificate only when its chain ends at one of them; otherwise the backend is unhealthy
    /// and clients get 502 ("root certificate does not match", docs #69393; "Invalid CA",
    /// docs #60015). A trusted root that is not a CA at all is GH213.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "apim_root" {
    ///   pem = file("pki/other-ca.pem") # did not issue edge_tls
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       backend_settings = backend_settings.apim
    ///     }
    ///   }
    ///
    ///   backend_settings "apim" {
    ///     port                      = 443
    ///     protocol                  = "Https"
    ///     host_name                 = "gw.contoso.internal"
    ///     trusted_root_certificates = [certificate.apim_root]
    ///
    ///     probe {
    ///       path = "/status-0123456789abcdef"
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "gw.contoso.internal"
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
    /// certificate "apim_root" {
    ///   pem = file("pki/root-ca.pem") # the root above edge_tls
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       backend_settings = backend_settings.apim
    ///     }
    ///   }
    ///
    ///   backend_settings "apim" {
    ///     port                      = 443
    ///     protocol                  = "Https"
    ///     host_name                 = "gw.contoso.internal"
    ///     trusted_root_certificates = [certificate.apim_root]
    ///
    ///     probe {
    ///       path = "/status-0123456789abcdef"
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "gw.contoso.internal"
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH712", "backend-trusted-root-mismatch", Severity::Error
}

/// The issuer DN at the top of the chain: where a trusted root would have to start.
fn top_issuer(chain: &[X509Facts]) -> Option<&str> {
    let mut current = chain.first()?;
    for _ in 0..chain.len() {
        match chain
            .iter()
            .find(|p| p.thumbprint != current.thumbprint && p.issued(current))
        {
            Some(parent) => current = parent,
            None => break,
        }
    }
    Some(&current.issuer)
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut done: Vec<(BackendSettingsId, HostnameId)> = Vec::new();
    for listener in &m.listeners {
        for route in &listener.routes {
            let (Some(RouteTarget::Hostname(h)), Some(s)) = (route.to, route.backend_settings)
            else {
                continue;
            };
            let settings = &m[s.id];
            let Some(first_root) = settings.trusted_root_certificates.first() else {
                continue;
            };
            if done.contains(&(s.id, h.id)) {
                continue;
            }
            done.push((s.id, h.id));
            let hostname = &m[h.id];
            let Some(cert) = hostname.certificate else {
                continue;
            };
            let chain = &cx.certs.get(cert.id).chain;
            let trusted: Vec<&X509Facts> = settings
                .trusted_root_certificates
                .iter()
                .flat_map(|r| cx.certs.get(r.id).chain.iter())
                .collect();
            // Without both sides read there is nothing to compare.
            if chain.is_empty() || trusted.is_empty() || anchored_by(chain, &trusted) {
                continue;
            }
            let leaf = &chain[0];
            let issuer = top_issuer(chain).unwrap_or(&leaf.issuer);
            out.push(
                Diagnostic::new(
                    &CODE,
                    first_root.span,
                    format!(
                        "the trusted root certificates of backend settings `{}` do not anchor the certificate of hostname `{}`",
                        settings.decl.name, hostname.host_name.value
                    ),
                )
                .with_primary_message(format!("none of these is `{issuer}`, where that chain ends"))
                .with_label(
                    cert.span,
                    format!(
                        "hostname `{}` presents `{}`, which chains up to `{issuer}`",
                        hostname.decl.name, leaf.subject
                    ),
                )
                .with_label(s.span, format!("route `{}` uses these backend settings", route.name))
                .with_help(format!(
                    "trust the root CA of the hostname's chain (`{issuer}`) in `trusted_root_certificates`"
                ))
                .with_address(settings.decl.address.clone())
                .with_trace(settings.decl.trace.clone()),
            );
        }
    }
}
