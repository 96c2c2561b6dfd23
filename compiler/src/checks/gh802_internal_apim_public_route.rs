//! GH802 internal-apim-public-route.

use super::util::local_reference;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::PrivateResolution;
use crate::model::{
    ApiManagementId, AppGateway, Decl, Model, RouteTarget, VirtualNetworkId, VirtualNetworkType,
};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An Application Gateway reaches an API Management instance in an internal virtual network
    /// (`virtual_network_type = "Internal"`) by name: a listener route to one of its hostnames,
    /// or a backend pool FQDN that is one of its hostnames or its default name
    /// `<name>.azure-api.net`, and no `private_dns_zone` linked to the gateway's virtual
    /// network resolves that name. The most specific linked zone covering the name decides: a
    /// record of that name or a wildcard resolves it; a zone without one does not, and neither
    /// does a name no linked zone covers. When the gateway names no subnet, any zone of the
    /// topology counts. Backend pool IP addresses are not checked. DNS servers of your own on
    /// the virtual network are not modelled: when they resolve the name, say so with
    /// `allow "GH802"`.
    /// ## Why
    /// In internal mode none of the API Management endpoints are registered in public DNS; they
    /// stay unreachable until DNS is configured for the virtual network (Learn,
    /// api-management-using-with-internal-vnet). A custom hostname often resolves publicly to
    /// the gateway itself, or to nothing. Either way the backend is unhealthy and clients get
    /// **502**. A private DNS zone linked to the virtual network answers for every name under
    /// it, so a zone without the record hides the name as well.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// virtual_network "edge" {
    ///   name          = "vnet-contoso-edge"
    ///   address_space = ["10.20.0.0/16"]
    ///
    ///   subnet "appgw" {
    ///     address_prefix = "10.20.1.0/24"
    ///   }
    ///
    ///   subnet "apim" {
    ///     address_prefix = "10.20.2.0/24"
    ///   }
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku          = "WAF_v2"
    ///   min_capacity = 2
    ///   max_capacity = 10
    ///   subnet       = virtual_network.edge.subnet.appgw
    ///   waf_mode     = "Prevention"
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///
    ///     route "default" {
    ///       to = api_management.main.hostname.gateway
    ///     }
    ///   }
    /// }
    ///
    /// # Internal: `gw.contoso.internal` is in no public DNS, and no private zone has it.
    /// api_management "main" {
    ///   sku                  = "Premium"
    ///   publisher_name       = "Contoso"
    ///   publisher_email      = "api@contoso.com"
    ///   virtual_network_type = "Internal"
    ///   subnet               = virtual_network.edge.subnet.apim
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "gw.contoso.internal"
    ///     certificate = certificate.edge_tls
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
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
    /// virtual_network "edge" {
    ///   name          = "vnet-contoso-edge"
    ///   address_space = ["10.20.0.0/16"]
    ///
    ///   subnet "appgw" {
    ///     address_prefix = "10.20.1.0/24"
    ///   }
    ///
    ///   subnet "apim" {
    ///     address_prefix = "10.20.2.0/24"
    ///   }
    /// }
    ///
    /// # The gateway's network resolves the hostname to the private IP of API Management.
    /// private_dns_zone "internal" {
    ///   name             = "contoso.internal"
    ///   virtual_networks = [virtual_network.edge]
    ///
    ///   a_record "gw" {
    ///     records = ["10.20.2.4"]
    ///   }
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku          = "WAF_v2"
    ///   min_capacity = 2
    ///   max_capacity = 10
    ///   subnet       = virtual_network.edge.subnet.appgw
    ///   waf_mode     = "Prevention"
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
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
    ///   subnet               = virtual_network.edge.subnet.apim
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "gw.contoso.internal"
    ///     certificate = certificate.edge_tls
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///   }
    /// }
    /// ```
    "GH802", "internal-apim-public-route", Severity::Warning
}

/// A name by which a gateway reaches an internal instance.
struct Target<'m> {
    /// The host name as written.
    host: &'m str,
    apim: ApiManagementId,
    /// The route's `to` or the backend pool's FQDN.
    span: Span,
    /// "listener `api` routes here" / "backend pool `apim` targets it".
    via: String,
    /// The listener or backend pool.
    owner: &'m Decl,
}

/// The default gateway name of an instance.
fn default_host(model: &Model, apim: ApiManagementId) -> String {
    format!("{}.azure-api.net", model[apim].azure_name.value.to_ascii_lowercase())
}

fn internal(model: &Model, apim: ApiManagementId) -> bool {
    model[apim].virtual_network_type.value == VirtualNetworkType::Internal
}

/// Every name by which `gateway` reaches an internal instance, in source order.
fn targets<'m>(model: &'m Model, gateway: &'m AppGateway) -> Vec<Target<'m>> {
    let mut out = Vec::new();
    for listener in gateway.listeners.iter().map(|l| &model[*l]) {
        for route in &listener.routes {
            let Some(RouteTarget::Hostname(h)) = route.to else {
                continue;
            };
            let hostname = &model[h.id];
            if internal(model, hostname.api_management) {
                out.push(Target {
                    host: &hostname.host_name.value,
                    apim: hostname.api_management,
                    span: h.span,
                    via: format!("listener `{}` routes here", listener.decl.name),
                    owner: &listener.decl,
                });
            }
        }
    }
    for pool in gateway.backend_pools.iter().map(|p| &model[*p]) {
        for fqdn in &pool.fqdns {
            let wanted = fqdn.value.trim_end_matches('.');
            let apim = (0..model.api_managements.len())
                .map(|i| ApiManagementId(i as u32))
                .filter(|a| internal(model, *a))
                .find(|a| {
                    default_host(model, *a).eq_ignore_ascii_case(wanted)
                        || model[*a]
                            .hostnames
                            .iter()
                            .any(|h| model[*h].host_name.value.eq_ignore_ascii_case(wanted))
                });
            if let Some(apim) = apim {
                out.push(Target {
                    host: &fqdn.value,
                    apim,
                    span: fqdn.span,
                    via: format!("backend pool `{}` targets it", pool.decl.name),
                    owner: &pool.decl,
                });
            }
        }
    }
    out.retain(|t| !t.host.is_empty() && t.host.parse::<std::net::IpAddr>().is_err());
    out
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for gateway in &m.app_gateways {
        let vnet = gateway.subnet.map(|s| m[s.id].virtual_network);
        let targets = targets(m, gateway);
        let mut done: Vec<String> = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            let host = target.host.trim_end_matches('.').to_ascii_lowercase();
            if done.contains(&host) {
                continue;
            }
            done.push(host.clone());
            let resolution = cx.graph.private_resolution(vnet, &host);
            if let PrivateResolution::Record { .. } = resolution {
                continue;
            }
            let others: Vec<&Target> = targets[i + 1..]
                .iter()
                .filter(|t| t.host.trim_end_matches('.').eq_ignore_ascii_case(&host))
                .collect();
            out.push(diagnostic(
                cx, gateway, vnet, target, &others, &host, resolution,
            ));
        }
    }
}

fn diagnostic(
    cx: &CheckContext,
    gateway: &AppGateway,
    vnet: Option<VirtualNetworkId>,
    target: &Target,
    others: &[&Target],
    host: &str,
    resolution: PrivateResolution,
) -> Diagnostic {
    let m = cx.model;
    let apim = &m[target.apim];
    let network = match vnet {
        Some(v) => format!("virtual network `{}`", m[v].decl.name),
        None => format!("the virtual network of Application Gateway `{}`", gateway.decl.name),
    };
    let linked = match vnet {
        Some(v) => format!("linked to virtual network `{}`", m[v].decl.name),
        None => "of the topology".to_string(),
    };
    let (label, rest) = host.split_once('.').unwrap_or((host, host));
    let primary = match resolution {
        PrivateResolution::NoRecord { zone } => format!(
            "private DNS zone `{}` answers for this name and has no record `{label}`",
            m[zone].decl.name
        ),
        _ => "looked up in public DNS, where an internal instance has no names".to_string(),
    };
    let mut d = Diagnostic::new(
        &CODE,
        target.span,
        format!(
            "Application Gateway `{}` reaches internal API Management instance `{}` as `{}`, which no private DNS zone {linked} resolves",
            gateway.decl.name, apim.decl.name, target.host
        ),
    )
    .with_primary_message(primary)
    .with_label(
        apim.virtual_network_type.span,
        format!(
            "API Management instance `{}` is in an internal virtual network: none of its names are in public DNS",
            apim.decl.name
        ),
    );
    if let PrivateResolution::NoRecord { zone } = resolution {
        d = d.with_label(
            m[zone].decl.name_span,
            format!(
                "answers for every name under `{}` in {network}",
                m[zone].azure_name.value
            ),
        );
    }
    // Zones that would answer, but in another network.
    let unlinked: Vec<usize> = (0..m.private_dns_zones.len())
        .filter(|z| {
            let zone = &m.private_dns_zones[*z];
            zone.record_for(host).is_some()
                && vnet.is_some_and(|v| !zone.virtual_networks.iter().any(|r| r.id == v))
        })
        .collect();
    for z in &unlinked {
        let zone = &m.private_dns_zones[*z];
        d = d.with_label(
            zone.decl.name_span,
            format!("has a record for `{host}` but is not linked to {network}"),
        );
    }
    for other in others {
        d = d.with_label(other.span, format!("also here: {}", other.via));
    }
    let vnet_ref = vnet.map_or_else(
        || "the gateway's virtual network".to_string(),
        |v| format!("`{}`", local_reference(&m[v].decl.address)),
    );
    let help = match (resolution, unlinked.first()) {
        (_, Some(z)) => format!(
            "link private DNS zone `{}` to {network}: add {vnet_ref} to its `virtual_networks`",
            m.private_dns_zones[*z].decl.name
        ),
        (PrivateResolution::NoRecord { zone }, None) => format!(
            "add `a_record \"{label}\" {{ records = [\"<private IP of API Management>\"] }}` to private DNS zone `{}`, or target the private IP address of API Management in a backend pool",
            m[zone].decl.name
        ),
        _ => format!(
            "add a `private_dns_zone` with `name = \"{rest}\"`, `virtual_networks = [{}]` and `a_record \"{label}\"` holding the private IP address of API Management, or target that IP address in a backend pool",
            vnet.map_or_else(
                || "<the gateway's virtual network>".to_string(),
                |v| local_reference(&m[v].decl.address).to_string()
            ),
        ),
    };
    d.with_help(help)
        .with_address(target.owner.address.clone())
        .with_trace(target.owner.trace.clone())
}
