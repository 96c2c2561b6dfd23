//! GH309 forwarded-cert-spoofable.

use super::util::{all_forwarded_certificate_headers, api_header_reads, restricted_by_ip_filter};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, VirtualNetworkType};

declare_check! {
    /// ## What it checks
    /// An API trusts a header that an Application Gateway rewrite fills from a
    /// client-certificate server variable (`{var_client_certificate}`,
    /// `{var_client_certificate_fingerprint}`, ...), read by `check_header` or a
    /// `context.Request.Headers` expression, while a hostname serving the API can be called
    /// without going through that gateway (the instance is not in an internal virtual network
    /// and its public endpoint is on, and no `ip_filter` admits only known callers).
    /// ## Why
    /// Only the gateway overwrites the header; a caller who reaches API Management directly
    /// sends any value they like and is taken for the partner whose certificate it names
    /// (bosma-blog 2024-02-19: a forged `X-ARR-ClientCert` reached APIM). Envoy sanitises its
    /// forwarded-certificate header by default for this reason. GH605 reports gateway routes
    /// that do not overwrite the header.
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
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.forward_client_cert
    ///     }
    ///   }
    ///
    ///   rewrite_rule_set "forward_client_cert" {
    ///     rule "client_cert" {
    ///       sequence = 100
    ///
    ///       set_request_header "X-ARR-ClientCert" {
    ///         value = "{var_client_certificate}"
    ///       }
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
    ///
    ///     policy {
    ///       inbound {
    ///         check_header {
    ///           name                       = "X-ARR-ClientCert"
    ///           failed_check_httpcode      = 401
    ///           failed_check_error_message = "A client certificate is required"
    ///         }
    ///       }
    ///     }
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
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.forward_client_cert
    ///     }
    ///   }
    ///
    ///   rewrite_rule_set "forward_client_cert" {
    ///     rule "client_cert" {
    ///       sequence = 100
    ///
    ///       set_request_header "X-ARR-ClientCert" {
    ///         value = "{var_client_certificate}"
    ///       }
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
    ///
    ///     policy {
    ///       inbound {
    ///         check_header {
    ///           name                       = "X-ARR-ClientCert"
    ///           failed_check_httpcode      = 401
    ///           failed_check_error_message = "A client certificate is required"
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH309", "forwarded-cert-spoofable", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let forwarded = all_forwarded_certificate_headers(m);
    if forwarded.is_empty() {
        return;
    }
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let apim = &m[api.api_management];
        let hostnames = cx.graph.hostnames_serving(id);
        // Without custom hostnames the API is on the default `*.azure-api.net` hostname.
        let open = apim.virtual_network_type.value != VirtualNetworkType::Internal
            && apim.public_network_access.value;
        let reachable: Vec<_> = hostnames
            .iter()
            .filter(|h| cx.graph.hostname_directly_reachable(**h))
            .collect();
        if (hostnames.is_empty() && !open) || (!hostnames.is_empty() && reachable.is_empty()) {
            continue;
        }
        let found = api_header_reads(cx, id).into_iter().find_map(|read| {
            forwarded
                .iter()
                .find(|(_, h)| h.header.value.eq_ignore_ascii_case(&read.name))
                .map(|(set, h)| (read, *set, *h))
        });
        let Some((read, set, header)) = found else {
            continue;
        };
        if restricted_by_ip_filter(cx, id) {
            continue;
        }
        let mut d = Diagnostic::new(
            &CODE,
            read.span,
            format!(
                "API `{}` trusts the forwarded certificate header `{}`, but callers can reach it without Application Gateway",
                api.decl.name, read.name
            ),
        )
        .with_primary_message("anyone calling API Management directly can set this header")
        .with_label(
            header.header.span,
            format!("rewrite rule set `{}` fills the header from `{}`", m[set].decl.name, header.value.value),
        );
        if reachable.is_empty() {
            d = d.with_label(
                apim.decl.name_span,
                format!("instance `{}` has a public endpoint", apim.decl.name),
            );
        }
        for h in reachable {
            d = d.with_label(
                m[*h].decl.name_span,
                format!("hostname `{}` is publicly reachable", m[*h].host_name.value),
            );
        }
        out.push(
            d.with_help(format!(
                "make instance `{}` reachable only through Application Gateway: `virtual_network_type = \"Internal\"` (or `public_network_access = false` with a private endpoint), or an `ip_filter` that admits only the gateway's subnet",
                apim.decl.name
            ))
            .with_address(api.decl.address.clone())
            .with_trace(api.decl.trace.clone()),
        );
    }
}
