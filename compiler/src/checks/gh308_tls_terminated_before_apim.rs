//! GH308 tls-terminated-before-apim.

use super::util::api_certificate_read;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::ApiId;

declare_check! {
    /// ## What it checks
    /// An API validates the client certificate of the TLS connection
    /// (`validate_client_certificate`, or a policy expression reading
    /// `context.Request.Certificate`), but every hostname serving it is reached only through an
    /// Application Gateway listener.
    /// ## Why
    /// Application Gateway terminates the client's TLS connection and opens a new one to API
    /// Management; the client certificate stays at the gateway, so `context.Request.Certificate`
    /// is null in APIM and every call fails (Stack Overflow 57372611; MicrosoftDocs/azure-docs
    /// PR #113636: mutual certificate authentication "might not function" behind Application
    /// Gateway). Microsoft's documented pattern is to forward the verified certificate in a
    /// header with the `{var_client_certificate}` server variable and validate the header in
    /// APIM. Where the hostname is also reachable directly, GH301 applies instead.
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
    ///         validate_client_certificate {}
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
    "GH308", "tls-terminated-before-apim", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        if !cx.graph.api_only_behind_app_gateway(id) {
            continue;
        }
        let Some(read) = api_certificate_read(cx, id) else {
            continue;
        };
        let mut d = Diagnostic::new(
            &CODE,
            read,
            format!(
                "API `{}` reads the client certificate of the TLS connection, but Application Gateway terminates that connection",
                api.decl.name
            ),
        )
        .with_primary_message("the client's certificate never reaches API Management: `context.Request.Certificate` is null")
        .with_help("forward the certificate the gateway verified: a `rewrite_rule_set` rule with `set_request_header \"X-ARR-ClientCert\" { value = \"{var_client_certificate}\" }`, named by the route's `rewrite_rule_set`; then check that header in the policy instead of the TLS connection (`check_header`, or `modules/partner-api`), and keep API Management reachable only through the gateway so no client can set it (GH309)")
        .with_address(api.decl.address.clone())
        .with_trace(api.decl.trace.clone());
        for hostname in cx.graph.hostnames_serving(id) {
            for (listener, span) in cx.graph.listeners_routing_to(hostname) {
                d = d.with_label(
                    span,
                    format!(
                        "listener `{}` terminates TLS and routes to hostname `{}`",
                        m[listener].decl.name, m[hostname].host_name.value
                    ),
                );
            }
        }
        out.push(d);
    }
}
