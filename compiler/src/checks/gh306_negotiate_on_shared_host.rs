//! GH306 negotiate-on-shared-host.

use super::util::{api_certificate_read, apis_served_by};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{HostnameId, HostnameType, Sku};

declare_check! {
    /// ## What it checks
    /// A proxy hostname with `negotiate_client_certificate = true` that callers can reach
    /// directly also serves APIs that make no use of the client certificate. (A hostname
    /// shared with the developer portal is GH305.)
    /// ## Why
    /// Negotiation is per hostname: every TLS handshake on it carries a CertificateRequest,
    /// whichever API the request is for. Callers of the other APIs get a certificate prompt in
    /// browsers, and some clients fail the handshake or send a certificate they should not.
    /// ## Example
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
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
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///       }
    ///     }
    ///   }
    ///
    ///   api "catalog" {
    ///     path = "catalog" # public, no certificate
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
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com"
    ///   }
    ///
    ///   hostname "partners" {
    ///     type                         = "Proxy"
    ///     host_name                    = "partners.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   api "partners" {
    ///     path      = "partners"
    ///     hostnames = [hostname.partners]
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///       }
    ///     }
    ///   }
    ///
    ///   api "catalog" {
    ///     path      = "catalog"
    ///     hostnames = [hostname.gateway]
    ///   }
    /// }
    /// ```
    "GH306", "negotiate-on-shared-host", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, hostname) in m.hostnames.iter().enumerate() {
        let id = HostnameId(index as u32);
        if hostname.kind.value != HostnameType::Proxy
            || !hostname.negotiate_client_certificate.value
            || m[hostname.api_management].sku.value == Sku::Consumption
            || !cx.graph.hostname_directly_reachable(id)
        {
            continue;
        }
        // Shared with a portal: GH305 says more.
        let portal = m.hostnames.iter().any(|h| {
            matches!(
                h.kind.value,
                HostnameType::Portal | HostnameType::DeveloperPortal
            ) && h
                .host_name
                .value
                .eq_ignore_ascii_case(&hostname.host_name.value)
        });
        if portal {
            continue;
        }
        let (using, others): (Vec<_>, Vec<_>) = apis_served_by(cx, id)
            .into_iter()
            .partition(|api| api_certificate_read(cx, *api).is_some());
        if others.is_empty() {
            continue;
        }
        let names: Vec<String> = others
            .iter()
            .map(|a| format!("`{}`", m[*a].decl.name))
            .collect();
        let mut d = Diagnostic::new(
            &CODE,
            hostname.negotiate_client_certificate.span,
            format!(
                "hostname `{}` asks every caller for a client certificate, but API {} does not use one",
                hostname.host_name.value,
                names.join(", ")
            ),
        )
        .with_primary_message("a CertificateRequest in every handshake on this host name");
        for api in &others {
            d = d.with_label(
                m[*api].decl.name_span,
                format!(
                    "API `{}` makes no use of the client certificate",
                    m[*api].decl.name
                ),
            );
        }
        let help = match using.first() {
            Some(api) => format!(
                "serve the APIs that use client certificates (such as `{}`) on a hostname of their own with `hostnames = [hostname.<name>]`, and keep `negotiate_client_certificate` off on `{}`",
                m[*api].decl.name, hostname.decl.name
            ),
            None => format!("set `negotiate_client_certificate = false` on `{}`: no API it serves reads the certificate", hostname.decl.name),
        };
        out.push(
            d.with_help(help)
                .with_address(hostname.decl.address.clone())
                .with_trace(hostname.decl.trace.clone()),
        );
    }
}
