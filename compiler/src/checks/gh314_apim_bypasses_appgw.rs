//! GH314 apim-bypasses-appgw.

use super::util::{
    all_forwarded_certificate_headers, api_certificate_read, api_header_reads, apis_served_by,
    profile_requests_certificate, restricted_by_ip_filter, written,
};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::HostnameId;

declare_check! {
    /// ## What it checks
    /// An APIM hostname that an Application Gateway listener with client-certificate
    /// authentication routes to can also be called directly: the instance is not in an
    /// internal virtual network and its public endpoint is on, no `ip_filter` restricts the
    /// callers of its APIs, and API Management does not validate the client certificate
    /// itself there. APIs that trust a forwarded certificate header are GH309.
    /// ## Why
    /// Mutual TLS at the gateway protects only the requests that pass the gateway; anyone who
    /// calls the APIM hostname (or `*.azure-api.net`) directly skips it. Checkov CKV_AZURE_174
    /// flags public access on every instance, without the gateway context.
    /// ## Example
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
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to = api_management.main.hostname.gateway
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
    ///     type      = "Proxy"
    ///     host_name = "gw.contoso.com"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
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
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to = api_management.main.hostname.gateway
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku                  = "Premium"
    ///   publisher_name       = "Contoso"
    ///   publisher_email      = "api@contoso.com"
    ///   virtual_network_type = "Internal"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "gw.contoso.internal"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///   }
    /// }
    /// ```
    "GH314", "apim-bypasses-appgw", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let forwarded = all_forwarded_certificate_headers(m);
    for (index, hostname) in m.hostnames.iter().enumerate() {
        let id = HostnameId(index as u32);
        if !cx.graph.hostname_directly_reachable(id) {
            continue;
        }
        let Some((listener, profile)) =
            cx.graph
                .listeners_routing_to(id)
                .into_iter()
                .find_map(|(l, _)| {
                    m[l].ssl_profile
                        .filter(|p| profile_requests_certificate(&m[p.id]))
                        .map(|p| (l, p))
                })
        else {
            continue;
        };
        let apis = apis_served_by(cx, id);
        if apis.is_empty() || apis.iter().all(|a| restricted_by_ip_filter(cx, *a)) {
            continue;
        }
        // GH309 says more about APIs that trust a forwarded header.
        let trusts_header = apis.iter().any(|a| {
            api_header_reads(cx, *a).iter().any(|r| {
                forwarded
                    .iter()
                    .any(|(_, h)| h.header.value.eq_ignore_ascii_case(&r.name))
            })
        });
        // APIM asks for and checks the certificate itself on the direct path.
        let validates = hostname.negotiate_client_certificate.value
            && apis.iter().all(|a| api_certificate_read(cx, *a).is_some());
        if trusts_header || validates {
            continue;
        }
        let apim = &m[hostname.api_management];
        let mut d = Diagnostic::new(
            &CODE,
            hostname.decl.name_span,
            format!(
                "hostname `{}` is behind the mutual-TLS listener `{}`, but callers can reach it directly",
                hostname.host_name.value, m[listener].decl.name
            ),
        )
        .with_primary_message("calling this host name skips the gateway's client-certificate check")
        .with_label(profile.span, format!("listener `{}` requires client certificates", m[listener].decl.name));
        let access = &apim.public_network_access;
        if written(access.span, &apim.decl) {
            d = d.with_label(access.span, "the public endpoint is on");
        } else {
            d = d.with_label(
                apim.decl.name_span,
                format!(
                    "instance `{}` has a public endpoint (the default)",
                    apim.decl.name
                ),
            );
        }
        out.push(
            d.with_help(format!(
                "make instance `{}` reachable only through the gateway: `virtual_network_type = \"Internal\"` (or `public_network_access = false` with a private endpoint), or an `ip_filter` admitting only the gateway's subnet",
                apim.decl.name
            ))
            .with_address(hostname.decl.address.clone())
            .with_trace(hostname.decl.trace.clone()),
        );
    }
}
