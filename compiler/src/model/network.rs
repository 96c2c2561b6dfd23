//! `virtual_network` (with `subnet`) and `network_security_group` (with `rule`) blocks.

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

impl Builder<'_> {
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
