//! `network.tf`: virtual networks, subnets, network security groups and their rules (as
//! separate `azurerm_network_security_rule` resources, so a rule is changed in place and the
//! group never fights inline rules) and the subnet associations; private DNS zones with their
//! A record sets and virtual network links.

use super::hcl::{Block, Expr, File};
use super::{header, Tf};
use crate::emit::plan::{PrivateDnsZonePlan, DNS_TTL};
use crate::graph::NodeRef;
use crate::model::*;

pub fn file(tf: &Tf) -> File {
    let m = tf.plan.model;
    let mut file = File::new(&header(
        "Network: virtual networks, subnets and network security groups.",
    ));
    let mut blocks: Vec<(String, Block)> = Vec::new();
    for (i, vnet) in m.virtual_networks.iter().enumerate() {
        let id = VirtualNetworkId(i as u32);
        let symbol = tf.symbol(NodeRef::VirtualNetwork(id)).to_string();
        if tf.external(&vnet.resource_group) {
            blocks.extend(existing_network(tf, vnet, &symbol));
            continue;
        }
        let block = Block::resource("azurerm_virtual_network", &symbol)
            .attr("name", Expr::str(vnet.azure_name.value.clone()))
            .attr("location", tf.location())
            .attr(
                "resource_group_name",
                tf.resource_group(vnet.resource_group.as_ref()),
            )
            .attr(
                "address_space",
                Expr::strs(vnet.address_space.iter().map(|a| a.value.clone())),
            );
        blocks.push((format!("1 {symbol}"), tf.tags(block)));
        for s in &vnet.subnets {
            blocks.push(subnet(tf, *s, vnet, &symbol));
        }
    }
    for (i, nsg) in m.network_security_groups.iter().enumerate() {
        let id = NetworkSecurityGroupId(i as u32);
        let symbol = tf.symbol(NodeRef::NetworkSecurityGroup(id)).to_string();
        let block = Block::resource("azurerm_network_security_group", &symbol)
            .attr("name", Expr::str(nsg.azure_name.value.clone()))
            .attr("location", tf.location())
            .attr("resource_group_name", tf.resource_group(None));
        blocks.push((format!("3 {symbol}"), tf.tags(block)));
        for rule in &nsg.rules {
            blocks.push(nsg_rule(tf, rule, &symbol));
        }
    }
    for zone in &tf.plan.private_dns_zones {
        blocks.extend(private_dns_zone(tf, zone));
    }
    // Kind first (networks, subnets, groups, rules, associations), then by name: the order
    // of the blocks in the topology does not matter.
    blocks.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, block) in blocks {
        file.push(block);
    }
    for block in associations(tf) {
        file.push(block);
    }
    file
}

/// A network in another resource group, with its subnets: read, never created or changed
/// (its subnets keep whatever security groups their owner gave them).
fn existing_network(tf: &Tf, vnet: &VirtualNetwork, symbol: &str) -> Vec<(String, Block)> {
    let m = tf.plan.model;
    let rg = tf.resource_group(vnet.resource_group.as_ref());
    let mut out = vec![(
        format!("0 {symbol}"),
        Block::data("azurerm_virtual_network", symbol)
            .attr("name", Expr::str(vnet.azure_name.value.clone()))
            .attr("resource_group_name", rg.clone()),
    )];
    for s in &vnet.subnets {
        let subnet_symbol = tf.symbol(NodeRef::Subnet(*s)).to_string();
        out.push((
            format!("0 {subnet_symbol}"),
            Block::data("azurerm_subnet", &subnet_symbol)
                .attr("name", Expr::str(m[*s].decl.name.clone()))
                .attr(
                    "virtual_network_name",
                    Expr::raw(format!("data.azurerm_virtual_network.{symbol}.name")),
                )
                .attr("resource_group_name", rg.clone()),
        ));
    }
    out
}

fn subnet(tf: &Tf, id: SubnetId, vnet: &VirtualNetwork, vnet_symbol: &str) -> (String, Block) {
    let m = tf.plan.model;
    let subnet = &m[id];
    let symbol = tf.symbol(NodeRef::Subnet(id)).to_string();
    let mut block = Block::resource("azurerm_subnet", &symbol)
        .attr("name", Expr::str(subnet.decl.name.clone()))
        .attr(
            "resource_group_name",
            tf.resource_group(vnet.resource_group.as_ref()),
        )
        .attr(
            "virtual_network_name",
            Expr::raw(format!("azurerm_virtual_network.{vnet_symbol}.name")),
        )
        .attr(
            "address_prefixes",
            Expr::strs([subnet.address_prefix.value.clone()]),
        );
    if !subnet.service_endpoints.is_empty() {
        let mut endpoints: Vec<String> = subnet
            .service_endpoints
            .iter()
            .map(|s| s.value.clone())
            .collect();
        endpoints.sort();
        endpoints.dedup();
        block = block.attr("service_endpoints", Expr::strs(endpoints));
    }
    if let Some(service) = &subnet.delegation {
        let mut delegation =
            Block::new("service_delegation").attr("name", Expr::str(service.value.clone()));
        // Azure fills in the actions of the services it knows; writing them keeps the plan
        // quiet after the first apply.
        if let Some(actions) = delegation_actions(&service.value) {
            delegation = delegation.attr("actions", Expr::strs(actions.iter().copied()));
        }
        block = block.child(
            Block::new("delegation")
                .attr("name", Expr::str(service.value.replace('/', "-")))
                .child(delegation),
        );
    }
    (format!("2 {symbol}"), block)
}

fn delegation_actions(service: &str) -> Option<&'static [&'static str]> {
    match service {
        "Microsoft.Web/serverFarms" => Some(&["Microsoft.Network/virtualNetworks/subnets/action"]),
        _ => None,
    }
}

fn nsg_rule(tf: &Tf, rule: &NsgRule, nsg_symbol: &str) -> (String, Block) {
    let symbol = format!("{nsg_symbol}_{}", snake(&rule.name));
    let mut block = Block::resource("azurerm_network_security_rule", &symbol)
        .attr("name", Expr::str(rule.name.clone()))
        .attr("resource_group_name", tf.resource_group(None))
        .attr(
            "network_security_group_name",
            Expr::raw(format!("azurerm_network_security_group.{nsg_symbol}.name")),
        )
        .attr("priority", Expr::Int(rule.priority.value))
        .attr(
            "direction",
            Expr::str(match rule.direction {
                Direction::Inbound => "Inbound",
                Direction::Outbound => "Outbound",
            }),
        )
        .attr(
            "access",
            Expr::str(if rule.allow.value { "Allow" } else { "Deny" }),
        )
        .attr("protocol", Expr::str(rule.protocol.clone()))
        .attr(
            "source_address_prefix",
            Expr::str(rule.source_address_prefix.clone()),
        )
        .attr(
            "source_port_range",
            Expr::str(rule.source_port_range.clone()),
        )
        .attr(
            "destination_address_prefix",
            Expr::str(rule.destination_address_prefix.value.clone()),
        );
    block = match rule.destination_port_ranges.as_slice() {
        [one] => block.attr("destination_port_range", Expr::str(one.clone())),
        many => block.attr("destination_port_ranges", Expr::strs(many.iter().cloned())),
    };
    block = block.opt("description", rule.description.clone().map(Expr::Str));
    (format!("4 {symbol}"), block)
}

/// The subnet ↔ NSG associations, which API Management in a virtual network waits for.
pub fn association(tf: &Tf, subnet: SubnetId) -> Option<String> {
    let m = tf.plan.model;
    m[subnet].network_security_group?;
    if tf.external(&m[m[subnet].virtual_network].resource_group) {
        return None;
    }
    Some(format!(
        "azurerm_subnet_network_security_group_association.{}",
        tf.symbol(NodeRef::Subnet(subnet))
    ))
}

/// The association blocks, last in the file.
fn associations(tf: &Tf) -> Vec<Block> {
    let m = tf.plan.model;
    let mut out: Vec<(String, Block)> = Vec::new();
    for (i, subnet) in m.subnets.iter().enumerate() {
        let id = SubnetId(i as u32);
        let Some(nsg) = subnet.network_security_group else {
            continue;
        };
        if tf.external(&m[subnet.virtual_network].resource_group) {
            continue;
        }
        let symbol = tf.symbol(NodeRef::Subnet(id)).to_string();
        out.push((
            symbol.clone(),
            Block::resource("azurerm_subnet_network_security_group_association", &symbol)
                .attr(
                    "subnet_id",
                    Expr::raw(format!("azurerm_subnet.{symbol}.id")),
                )
                .attr(
                    "network_security_group_id",
                    Expr::raw(format!(
                        "azurerm_network_security_group.{}.id",
                        tf.symbol(NodeRef::NetworkSecurityGroup(nsg.id))
                    )),
                ),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, b)| b).collect()
}

/// `snake_case` of a label, for Terraform names.
pub fn snake(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A zone, its record sets and links, keyed `5`, `6`, `7` to follow the network blocks.
fn private_dns_zone(tf: &Tf, zone: &PrivateDnsZonePlan) -> Vec<(String, Block)> {
    let m = tf.plan.model;
    let rg = tf.resource_group(m[zone.id].resource_group.as_ref());
    // A zone in another resource group is owned there: read it, add the records and links.
    let external = tf.external(&m[zone.id].resource_group);
    let zone_name = Expr::raw(format!(
        "{}azurerm_private_dns_zone.{}.name",
        if external { "data." } else { "" },
        zone.symbol
    ));
    let mut out = vec![(
        format!("5 {}", zone.symbol),
        if external {
            Block::data("azurerm_private_dns_zone", &zone.symbol)
                .attr("name", Expr::str(zone.name.clone()))
                .attr("resource_group_name", rg.clone())
        } else {
            tf.tags(
                Block::resource("azurerm_private_dns_zone", &zone.symbol)
                    .attr("name", Expr::str(zone.name.clone()))
                    .attr("resource_group_name", rg.clone()),
            )
        },
    )];
    for record in &zone.a_records {
        out.push((
            format!("6 {}", record.symbol),
            Block::resource("azurerm_private_dns_a_record", &record.symbol)
                .attr("name", Expr::str(record.name.clone()))
                .attr("zone_name", zone_name.clone())
                .attr("resource_group_name", rg.clone())
                .attr("ttl", Expr::Int(i64::from(DNS_TTL)))
                .attr("records", Expr::strs(record.addresses.iter().cloned())),
        ));
    }
    for link in &zone.links {
        out.push((
            format!("7 {}", link.symbol),
            tf.tags(
                Block::resource(
                    "azurerm_private_dns_zone_virtual_network_link",
                    &link.symbol,
                )
                .attr("name", Expr::str(link.name.clone()))
                .attr("resource_group_name", rg.clone())
                .attr("private_dns_zone_name", zone_name.clone())
                .attr(
                    "virtual_network_id",
                    Expr::raw(format!("{}.id", tf.virtual_network(link.virtual_network))),
                )
                // Gateways and APIM get static records; automatic registration would
                // add every VM of the network to the zone.
                .attr("registration_enabled", Expr::Bool(false)),
            ),
        ));
    }
    out
}
