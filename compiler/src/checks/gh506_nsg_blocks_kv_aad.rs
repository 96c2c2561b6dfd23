//! GH506 nsg-blocks-kv-aad.

use super::util::{local_reference, vault_reads};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{ApiManagementId, Direction, NsgRule, Subnet};

declare_check! {
    /// ## What it checks
    /// An API Management instance that reads Key Vault secrets is deployed in a subnet whose
    /// network security group denies outbound HTTPS (TCP 443) to `AzureKeyVault` or
    /// `AzureActiveDirectory`: the first outbound rule, in priority order, that covers the
    /// subnet, port 443 and the service tag (the tag itself, a regional form such as
    /// `AzureKeyVault.WestEurope`, `Internet` or `*`) is a Deny.
    /// ## Why
    /// API Management fetches its hostname certificates and Key Vault named values from Key
    /// Vault over 443, after obtaining a token from Microsoft Entra ID
    /// (`AzureActiveDirectory`); both are required outbound dependencies of an instance in a
    /// virtual network. A Deny rule ahead of the Allow makes certificate refresh and token
    /// fetch fail (seed 003; UP#21; UP#32 is plausibly the same). NSG rules are evaluated by
    /// priority, lowest number first, and the first match wins.
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    ///
    /// identity "apim" {
    ///   type = "SystemAssigned"
    ///
    ///   role_assignment {
    ///     scope = key_vault.edge
    ///     role  = "Key Vault Secrets User"
    ///   }
    /// }
    ///
    /// virtual_network "edge" {
    ///   name          = "vnet-contoso-edge"
    ///   address_space = ["10.20.0.0/16"]
    ///
    ///   subnet "apim" {
    ///     address_prefix         = "10.20.2.0/24"
    ///     network_security_group = network_security_group.apim
    ///   }
    /// }
    ///
    /// network_security_group "apim" {
    ///   name = "nsg-contoso-apim"
    ///
    ///   rule "deny_internet" {
    ///     priority                   = 4000
    ///     direction                  = "Outbound"
    ///     access                     = "Deny"
    ///     protocol                   = "*"
    ///     destination_address_prefix = "Internet"
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku                  = "Premium"
    ///   publisher_name       = "Contoso"
    ///   publisher_email      = "api@contoso.com"
    ///   identities           = [identity.apim]
    ///   two_phase_hostnames = true
    ///   virtual_network_type = "Internal"
    ///   subnet               = virtual_network.edge.subnet.apim
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "gw.contoso.internal"
    ///     certificate = certificate.gateway_tls
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    ///
    /// identity "apim" {
    ///   type = "SystemAssigned"
    ///
    ///   role_assignment {
    ///     scope = key_vault.edge
    ///     role  = "Key Vault Secrets User"
    ///   }
    /// }
    ///
    /// virtual_network "edge" {
    ///   name          = "vnet-contoso-edge"
    ///   address_space = ["10.20.0.0/16"]
    ///
    ///   subnet "apim" {
    ///     address_prefix         = "10.20.2.0/24"
    ///     network_security_group = network_security_group.apim
    ///   }
    /// }
    ///
    /// network_security_group "apim" {
    ///   name = "nsg-contoso-apim"
    ///
    ///   rule "key_vault" {
    ///     priority                   = 100
    ///     direction                  = "Outbound"
    ///     access                     = "Allow"
    ///     protocol                   = "Tcp"
    ///     destination_address_prefix = "AzureKeyVault"
    ///     destination_port_range     = "443"
    ///   }
    ///
    ///   rule "entra_id" {
    ///     priority                   = 110
    ///     direction                  = "Outbound"
    ///     access                     = "Allow"
    ///     protocol                   = "Tcp"
    ///     destination_address_prefix = "AzureActiveDirectory"
    ///     destination_port_range     = "443"
    ///   }
    ///
    ///   rule "deny_internet" {
    ///     priority                   = 4000
    ///     direction                  = "Outbound"
    ///     access                     = "Deny"
    ///     protocol                   = "*"
    ///     destination_address_prefix = "Internet"
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku                  = "Premium"
    ///   publisher_name       = "Contoso"
    ///   publisher_email      = "api@contoso.com"
    ///   identities           = [identity.apim]
    ///   two_phase_hostnames = true
    ///   virtual_network_type = "Internal"
    ///   subnet               = virtual_network.edge.subnet.apim
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "gw.contoso.internal"
    ///     certificate = certificate.gateway_tls
    ///   }
    /// }
    /// ```
    "GH506", "nsg-blocks-kv-aad", Severity::Error
}

const TAGS: [&str; 2] = ["AzureKeyVault", "AzureActiveDirectory"];

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let reads = vault_reads(cx);
    for (index, apim) in m.api_managements.iter().enumerate() {
        let id = ApiManagementId(index as u32);
        let Some(read) = reads
            .iter()
            .find(|r| r.resource == NodeRef::ApiManagement(id))
        else {
            continue;
        };
        let Some(subnet_ref) = apim.subnet else {
            continue;
        };
        let subnet = &m[subnet_ref.id];
        let Some(nsg_ref) = subnet.network_security_group else {
            continue;
        };
        let nsg = &m[nsg_ref.id];
        // Denying rules and the tags each one blocks, in priority order.
        let mut blocked: Vec<(&NsgRule, Vec<&str>)> = Vec::new();
        for tag in TAGS {
            let Some(rule) = nsg.rules.iter().find(|r| applies(r, subnet, tag)) else {
                continue;
            };
            if rule.allow.value {
                continue;
            }
            match blocked.iter_mut().find(|(r, _)| std::ptr::eq(*r, rule)) {
                Some((_, tags)) => tags.push(tag),
                None => blocked.push((rule, vec![tag])),
            }
        }
        for (rule, tags) in blocked {
            let names = tags
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            out.push(
                Diagnostic::new(
                    &CODE,
                    rule.allow.span,
                    format!(
                        "network security group `{}` denies outbound HTTPS from API Management instance `{}` to {names}",
                        nsg.decl.name, apim.decl.name
                    ),
                )
                .with_primary_message(format!(
                    "rule `{}` (priority {}) matches first",
                    rule.name, rule.priority.value
                ))
                .with_label(rule.destination_address_prefix.span, "covers the service tag")
                .with_label(nsg_ref.span, format!("the NSG of subnet `{}`", subnet.decl.name))
                .with_label(subnet_ref.span, "the instance is deployed in this subnet")
                .with_label(read.span, "the instance reads Key Vault")
                .with_help(format!(
                    "add to `{}` an outbound rule for each of {names} (`access = \"Allow\"`, `protocol = \"Tcp\"`, `destination_address_prefix = \"<tag>\"`, `destination_port_range = \"443\"`) with a priority number below {}",
                    local_reference(&nsg.decl.address),
                    rule.priority.value
                ))
                .with_address(nsg.decl.address.clone())
                .with_trace(nsg.decl.trace.clone()),
            );
        }
    }
}

/// Whether an outbound rule covers TCP 443 from `subnet` to `tag`.
fn applies(rule: &NsgRule, subnet: &Subnet, tag: &str) -> bool {
    if rule.direction != Direction::Outbound {
        return false;
    }
    let protocol = rule.protocol.to_ascii_lowercase();
    if !matches!(protocol.as_str(), "*" | "tcp" | "any") {
        return false;
    }
    let source = rule.source_address_prefix.as_str();
    let source_ok =
        matches!(source, "*" | "Any" | "VirtualNetwork") || source == subnet.address_prefix.value;
    if !source_ok {
        return false;
    }
    let dest = rule.destination_address_prefix.value.as_str();
    let dest_ok = matches!(dest, "*" | "Any" | "Internet")
        || dest.eq_ignore_ascii_case(tag)
        || dest
            .to_ascii_lowercase()
            .starts_with(&format!("{}.", tag.to_ascii_lowercase()));
    dest_ok && rule.destination_port_ranges.iter().any(|p| covers_443(p))
}

fn covers_443(range: &str) -> bool {
    let range = range.trim();
    if range == "*" {
        return true;
    }
    match range.split_once('-') {
        Some((from, to)) => match (from.trim().parse::<u32>(), to.trim().parse::<u32>()) {
            (Ok(from), Ok(to)) => from <= 443 && 443 <= to,
            _ => false,
        },
        None => range.parse::<u32>() == Ok(443),
    }
}
