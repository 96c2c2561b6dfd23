//! GH106 unreachable-api.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, HostnameId};

declare_check! {
    /// ## What it checks
    /// An API of an instance that clients reach only through Application Gateway (internal
    /// virtual network mode, or public network access off) is served only on hostnames that no
    /// listener routes to, while other hostnames of the instance are routed.
    /// ## Why
    /// The API deploys, but no request from outside can reach it: the gateway forwards to the
    /// instance's other hostnames only. This is usually a wiring mistake (the API lists the
    /// wrong `hostnames`, or a route is missing). Instances with no route at all are taken to
    /// serve callers inside the virtual network and are not reported.
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
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
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
    ///   hostname "legacy" {
    ///     type      = "Proxy"
    ///     host_name = "legacy.contoso.internal"
    ///   }
    ///
    ///   api "orders" {
    ///     path      = "orders"
    ///     hostnames = [hostname.legacy] # no listener routes to `legacy`
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
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
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
    ///   hostname "legacy" {
    ///     type      = "Proxy"
    ///     host_name = "legacy.contoso.internal"
    ///   }
    ///
    ///   api "orders" {
    ///     path      = "orders"
    ///     hostnames = [hostname.gateway]
    ///   }
    /// }
    /// ```
    "GH106", "unreachable-api", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let routed = |h: HostnameId| !cx.graph.listeners_routing_to(h).is_empty();
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let hostnames = cx.graph.hostnames_serving(id);
        if hostnames.is_empty()
            || hostnames
                .iter()
                .any(|h| cx.graph.hostname_directly_reachable(*h) || routed(*h))
        {
            continue;
        }
        let instance = &m[api.api_management];
        let Some(entry) = instance.hostnames.iter().copied().find(|h| routed(*h)) else {
            continue;
        };
        let names = hostnames
            .iter()
            .map(|h| format!("`{}`", m[*h].decl.name))
            .collect::<Vec<_>>()
            .join(", ");
        let primary = api.hostnames.first().map_or(api.decl.name_span, |r| r.span);
        let mut d = Diagnostic::new(
            &CODE,
            primary,
            format!(
                "API `{}` is served only on {names}, which no Application Gateway listener routes to",
                api.decl.name
            ),
        )
        .with_primary_message("unreachable from outside the virtual network")
        .with_label(
            m[entry].decl.name_span,
            "clients reach the instance through this hostname",
        );
        if let Some((listener, span)) = cx.graph.listeners_routing_to(entry).first() {
            d = d.with_label(
                *span,
                format!("routed by listener `{}`", m[*listener].decl.name),
            );
        }
        out.push(
            d.with_help(format!(
                "serve the API on `{}` (`hostnames = [hostname.{}]`), or add a route to one of its hostnames",
                m[entry].decl.name, m[entry].decl.name
            ))
            .with_address(api.decl.address.clone())
            .with_trace(api.decl.trace.clone()),
        );
    }
}
