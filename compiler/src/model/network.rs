//! `virtual_network` (with `subnet`), `network_security_group` (with `rule`) and
//! `private_dns_zone` (with `a_record`) blocks.

use super::builder::Builder;
use super::*;
use crate::eval::Node;

#[derive(Debug, Clone)]
pub struct VirtualNetwork {
    pub decl: Decl,
    pub azure_name: Spanned<String>,
    pub address_space: Vec<Spanned<String>>,
    pub resource_group: Option<String>,
    pub subnets: Vec<SubnetId>,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub decl: Decl,
    pub virtual_network: VirtualNetworkId,
    pub address_prefix: Spanned<String>,
    pub network_security_group: Option<Ref<NetworkSecurityGroupId>>,
    pub service_endpoints: Vec<Spanned<String>>,
    pub delegation: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct NetworkSecurityGroup {
    pub decl: Decl,
    pub azure_name: Spanned<String>,
    /// Rules in priority order.
    pub rules: Vec<NsgRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone)]
pub struct NsgRule {
    pub name: String,
    pub span: Span,
    pub priority: Spanned<i64>,
    pub direction: Direction,
    /// `true` for Allow.
    pub allow: Spanned<bool>,
    pub protocol: String,
    pub source_address_prefix: String,
    pub source_port_range: String,
    pub destination_address_prefix: Spanned<String>,
    /// `destination_port_range` and `destination_port_ranges` together.
    pub destination_port_ranges: Vec<String>,
    pub description: Option<String>,
}

/// An Azure private DNS zone and the virtual networks linked to it.
#[derive(Debug, Clone)]
pub struct PrivateDnsZone {
    pub decl: Decl,
    /// The zone's DNS name (`contoso.internal`), lower-case, without a final dot.
    pub azure_name: Spanned<String>,
    pub virtual_networks: Vec<Ref<VirtualNetworkId>>,
    pub resource_group: Option<String>,
    pub a_records: Vec<ARecord>,
}

/// An A record set of a private DNS zone.
#[derive(Debug, Clone)]
pub struct ARecord {
    /// Relative name as written: `gw`, `@` (the zone apex) or a wildcard such as `*`.
    pub name: Spanned<String>,
    pub span: Span,
    pub records: Vec<Spanned<String>>,
}

impl PrivateDnsZone {
    /// The name of `host` relative to the zone (`""` for the apex), when the zone is
    /// authoritative for it.
    pub fn relative_name(&self, host: &str) -> Option<String> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let zone = self.azure_name.value.as_str();
        if host == zone {
            return Some(String::new());
        }
        host.strip_suffix(zone)
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|rest| !rest.is_empty())
            .map(str::to_string)
    }

    /// The A record answering `host`, which the zone is authoritative for: the record of that
    /// name, else a wildcard covering it (`*` covers any name below the zone, `*.eu` any name
    /// below `eu`), as Azure DNS answers.
    pub fn record_for(&self, host: &str) -> Option<&ARecord> {
        let relative = self.relative_name(host)?;
        let wanted = if relative.is_empty() {
            "@"
        } else {
            relative.as_str()
        };
        let exact = self
            .a_records
            .iter()
            .find(|r| r.name.value.eq_ignore_ascii_case(wanted));
        if exact.is_some() || relative.is_empty() {
            return exact;
        }
        // The closest enclosing wildcard wins (`*.eu` before `*`).
        self.a_records
            .iter()
            .filter_map(|r| {
                let name = r.name.value.to_ascii_lowercase();
                let below = name.strip_prefix('*')?;
                let covers = match below.strip_prefix('.') {
                    Some(parent) => relative.ends_with(&format!(".{parent}")),
                    None => below.is_empty(),
                };
                covers.then_some((below.len(), r))
            })
            .max_by_key(|(depth, _)| *depth)
            .map(|(_, r)| r)
    }
}

impl Builder<'_> {
    pub(super) fn private_dns_zone(&mut self, node: &Node) {
        let name = self.string_or(node, "name", node.label());
        let a_records = node
            .children_named("a_record")
            .map(|r| ARecord {
                name: Spanned::new(
                    r.label().to_string(),
                    r.label.as_ref().map_or(r.ident_span, |(_, s)| *s),
                ),
                span: r.span,
                records: self.strings(r, "records"),
            })
            .collect();
        let zone = PrivateDnsZone {
            decl: self.decl(node),
            azure_name: Spanned::new(
                name.value.trim_end_matches('.').to_ascii_lowercase(),
                name.span,
            ),
            virtual_networks: self.references(node, "virtual_networks"),
            resource_group: self.string(node, "resource_group").map(|s| s.value),
            a_records,
        };
        self.model.private_dns_zones.push(zone);
    }

    pub(super) fn virtual_network(&mut self, node: &Node) {
        let id: VirtualNetworkId = self.id_of(node);
        let vnet = VirtualNetwork {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            address_space: self.strings(node, "address_space"),
            resource_group: self.string(node, "resource_group").map(|s| s.value),
            subnets: self.child_ids(node, "subnet"),
        };
        self.model.virtual_networks.push(vnet);
        for subnet in node.children_named("subnet") {
            let s = Subnet {
                decl: self.decl(subnet),
                virtual_network: id,
                address_prefix: self.string_or(subnet, "address_prefix", ""),
                network_security_group: self.reference(subnet, "network_security_group"),
                service_endpoints: self.strings(subnet, "service_endpoints"),
                delegation: self.string(subnet, "delegation"),
            };
            self.model.subnets.push(s);
        }
    }

    pub(super) fn network_security_group(&mut self, node: &Node) {
        let mut rules: Vec<NsgRule> = node
            .children_named("rule")
            .map(|r| {
                let mut ports: Vec<String> = self
                    .string(r, "destination_port_range")
                    .map(|s| s.value)
                    .into_iter()
                    .collect();
                ports.extend(
                    self.strings(r, "destination_port_ranges")
                        .into_iter()
                        .map(|s| s.value),
                );
                if ports.is_empty() {
                    ports.push("*".to_string());
                }
                let access = self.string_or(r, "access", "Allow");
                NsgRule {
                    name: r.label().to_string(),
                    span: r.span,
                    priority: self
                        .integer(r, "priority")
                        .unwrap_or_else(|| Spanned::new(4096, r.ident_span)),
                    direction: if self.string_or(r, "direction", "Inbound").value == "Outbound" {
                        Direction::Outbound
                    } else {
                        Direction::Inbound
                    },
                    allow: Spanned::new(access.value == "Allow", access.span),
                    protocol: self.string_or(r, "protocol", "*").value,
                    source_address_prefix: self.string_or(r, "source_address_prefix", "*").value,
                    source_port_range: self.string_or(r, "source_port_range", "*").value,
                    destination_address_prefix: self.string_or(
                        r,
                        "destination_address_prefix",
                        "*",
                    ),
                    destination_port_ranges: ports,
                    description: self.string(r, "description").map(|s| s.value),
                }
            })
            .collect();
        rules.sort_by_key(|r| (r.priority.value, r.name.clone()));
        let nsg = NetworkSecurityGroup {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            rules,
        };
        self.model.network_security_groups.push(nsg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn zone(name: &str, records: &[&str]) -> PrivateDnsZone {
        let span = Span::new(FileId(0), 0..0);
        PrivateDnsZone {
            decl: Decl {
                name: "z".to_string(),
                address: "private_dns_zone.z".to_string(),
                span,
                name_span: span,
                trace: Vec::new(),
            },
            azure_name: Spanned::new(name.to_string(), span),
            virtual_networks: Vec::new(),
            resource_group: None,
            a_records: records
                .iter()
                .map(|r| ARecord {
                    name: Spanned::new(r.to_string(), span),
                    span,
                    records: vec![Spanned::new("10.0.0.4".to_string(), span)],
                })
                .collect(),
        }
    }

    fn answered(z: &PrivateDnsZone, host: &str) -> Option<String> {
        z.record_for(host).map(|r| r.name.value.clone())
    }

    #[test]
    fn zone_covers_names_below_it_and_its_apex() {
        let z = zone("contoso.internal", &[]);
        assert_eq!(
            z.relative_name("gw.contoso.internal"),
            Some("gw".to_string())
        );
        assert_eq!(
            z.relative_name("GW.Contoso.Internal."),
            Some("gw".to_string())
        );
        assert_eq!(
            z.relative_name("a.b.contoso.internal"),
            Some("a.b".to_string())
        );
        assert_eq!(z.relative_name("contoso.internal"), Some(String::new()));
        assert_eq!(z.relative_name("xcontoso.internal"), None);
        assert_eq!(z.relative_name("contoso.com"), None);
    }

    #[test]
    fn records_answer_by_name_then_by_closest_wildcard() {
        let z = zone("contoso.internal", &["gw", "@", "*.eu", "*"]);
        assert_eq!(answered(&z, "gw.contoso.internal").as_deref(), Some("gw"));
        assert_eq!(answered(&z, "contoso.internal").as_deref(), Some("@"));
        assert_eq!(
            answered(&z, "api.eu.contoso.internal").as_deref(),
            Some("*.eu")
        );
        assert_eq!(
            answered(&z, "portal.contoso.internal").as_deref(),
            Some("*")
        );
        assert_eq!(answered(&z, "other.com"), None);
        let no_wildcard = zone("contoso.internal", &["portal"]);
        assert_eq!(answered(&no_wildcard, "gw.contoso.internal"), None);
        // A wildcard does not answer for the apex.
        assert_eq!(
            answered(&zone("contoso.internal", &["*"]), "contoso.internal"),
            None
        );
    }
}
