//! GH605 header-read-without-strip.

use super::util::{
    api_header_reads, forwarded_certificate_headers, route_overwrites_header, routes_to_api,
};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::ApiId;

declare_check! {
    /// ## What it checks
    /// An API reads a forwarded client-certificate header (with `check_header` or a
    /// `context.Request.Headers` expression) that an Application Gateway rewrite fills from
    /// `{var_client_certificate}` on some routes to the API, but another route reaching the
    /// same API does not overwrite (or remove) that header on every request: it has no rewrite
    /// of the header, or sets it only under a condition on a listener in `Passthrough` mode.
    /// ## Why
    /// Application Gateway does not strip a header the client sent: a forged
    /// `X-ARR-ClientCert` on the listener without the rewrite reached API Management until a
    /// rewrite there set it to empty (bosma-blog 2024-02-19). Every path into the API must
    /// overwrite the header, or the policy trusts a value the caller chose. Pairs with GH309
    /// (the API reachable without the gateway at all).
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
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.forward_client_cert
    ///     }
    ///   }
    ///
    ///   listener "public" {
    ///     host_name   = "gw.contoso.com"
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to = api_management.main.hostname.gateway # passes on an X-ARR-ClientCert the client sent
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
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.forward_client_cert
    ///     }
    ///   }
    ///
    ///   listener "public" {
    ///     host_name   = "gw.contoso.com"
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to               = api_management.main.hostname.gateway
    ///       rewrite_rule_set = rewrite_rule_set.strip_client_cert
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
    ///
    ///   rewrite_rule_set "strip_client_cert" {
    ///     rule "strip" {
    ///       sequence = 100
    ///
    ///       set_request_header "X-ARR-ClientCert" {
    ///         value = ""
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
    "GH605", "header-read-without-strip", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let routes = routes_to_api(cx, id);
        if routes.is_empty() {
            continue;
        }
        for read in api_header_reads(cx, id) {
            // The header is a forwarded certificate: some route into the API fills it from a
            // client-certificate variable.
            let filler = routes.iter().find_map(|r| {
                let set = r.route.rewrite_rule_set?;
                forwarded_certificate_headers(&m[set.id])
                    .into_iter()
                    .find(|h| h.header.value.eq_ignore_ascii_case(&read.name))
            });
            let Some(filler) = filler else { continue };
            let open: Vec<_> = routes
                .iter()
                .filter(|r| !route_overwrites_header(m, r, &read.name))
                .collect();
            if open.is_empty() {
                continue;
            }
            let mut d = Diagnostic::new(
                &CODE,
                read.span,
                format!(
                    "API `{}` trusts header `{}`, but not every Application Gateway route to it overwrites the header",
                    api.decl.name, read.name
                ),
            )
            .with_primary_message("a client can send its own value through the routes marked here")
            .with_label(filler.header.span, format!("filled from `{}` here", filler.value.value));
            for r in &open {
                let listener = &m[r.listener];
                let why = if r.route.rewrite_rule_set.is_some() {
                    "its rewrite sets the header only when a condition holds (the client's value survives otherwise)"
                } else {
                    "no rewrite overwrites the header"
                };
                d = d.with_label(
                    r.route.span,
                    format!(
                        "route `{}` of listener `{}`: {why}",
                        r.route.name, listener.decl.name
                    ),
                );
            }
            out.push(
                d.with_help(format!(
                    "on every route to hostname `{}`, add a rewrite rule without conditions that sets `{}` (to `{}` behind a Strict SSL profile, or to \"\" to remove it)",
                    m[open[0].hostname].decl.name, filler.header.value, filler.value.value
                ))
                .with_address(api.decl.address.clone())
                .with_trace(api.decl.trace.clone()),
            );
        }
    }
}
