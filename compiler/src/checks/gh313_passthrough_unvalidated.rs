//! GH313 passthrough-unvalidated.

use super::util::{api_header_reads, apis_served_by, forwarded_certificate_headers};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ClientAuthMode, RouteTarget};

declare_check! {
    /// ## What it checks
    /// A listener's SSL profile uses `client_auth_mode = "Passthrough"`, and a route of that
    /// listener hands the decision to nothing: it has no rewrite that forwards the client
    /// certificate (a `{var_client_certificate...}` server variable), or it routes to an APIM
    /// hostname whose APIs read none of the headers it forwards.
    /// ## Why
    /// In Passthrough mode Application Gateway requests the client certificate but does not end
    /// the connection when it is missing or invalid: the backend is responsible for validating
    /// it (Learn: mutual-authentication-overview; PowerShell
    /// New-AzApplicationGatewayClientAuthConfiguration, example 2). Since the gateway also
    /// terminates TLS, a backend that is not given the certificate in a header cannot validate
    /// anything, and every caller gets through.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     client_auth_mode = "Passthrough" # asks for the certificate, lets every client through
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
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     client_auth_mode = "Passthrough" # asks for the certificate, lets every client through
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
    "GH313", "passthrough-unvalidated", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for listener in &m.listeners {
        let Some(profile_ref) = listener.ssl_profile else {
            continue;
        };
        let profile = &m[profile_ref.id];
        if profile.client_auth_mode.value != ClientAuthMode::Passthrough {
            continue;
        }
        for route in &listener.routes {
            let forwarded = route
                .rewrite_rule_set
                .map(|s| forwarded_certificate_headers(&m[s.id]))
                .unwrap_or_default();
            let mut d = if forwarded.is_empty() {
                Diagnostic::new(
                    &CODE,
                    route.span,
                    format!("listener `{}` lets clients through unverified, and route `{}` does not forward their certificate", listener.decl.name, route.name),
                )
                .with_primary_message("no rewrite forwards `{var_client_certificate}`: the target cannot check it")
                .with_help("add a `rewrite_rule_set` to the route that sets a header from `{var_client_certificate}` (and `{var_client_certificate_verification}`), and validate it downstream; or use `client_auth_mode = \"Strict\"`")
            } else {
                let Some(RouteTarget::Hostname(h)) = route.to else {
                    continue;
                };
                let blind: Vec<_> = apis_served_by(cx, h.id)
                    .into_iter()
                    .filter(|api| {
                        !api_header_reads(cx, *api).iter().any(|r| {
                            forwarded
                                .iter()
                                .any(|f| f.header.value.eq_ignore_ascii_case(&r.name))
                        })
                    })
                    .collect();
                let Some(first) = blind.first() else { continue };
                let mut d = Diagnostic::new(
                    &CODE,
                    m[*first].decl.name_span,
                    format!(
                        "API `{}` never looks at the client certificate that listener `{}` passes through unvalidated",
                        m[*first].decl.name, listener.decl.name
                    ),
                )
                .with_primary_message(format!("reads none of {}", forwarded.iter().map(|f| format!("`{}`", f.header.value)).collect::<Vec<_>>().join(", ")))
                .with_label(forwarded[0].header.span, format!("forwarded from `{}` here", forwarded[0].value.value));
                for api in blind.iter().skip(1) {
                    d = d.with_label(
                        m[*api].decl.name_span,
                        format!("API `{}` does not read it either", m[*api].decl.name),
                    );
                }
                d.with_help(format!(
                    "validate the forwarded header in the API's policy (e.g. `check_header {{ name = \"{}\" ... }}`), or use `client_auth_mode = \"Strict\"`",
                    forwarded[0].header.value
                ))
            };
            d = d.with_label(
                profile.client_auth_mode.span,
                format!(
                    "SSL profile `{}` lets clients through without a valid certificate",
                    profile.decl.name
                ),
            );
            out.push(
                d.with_address(listener.decl.address.clone())
                    .with_trace(listener.decl.trace.clone()),
            );
        }
    }
}
