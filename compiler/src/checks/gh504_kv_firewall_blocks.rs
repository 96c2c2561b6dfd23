//! GH504 kv-firewall-blocks.

use super::util::{
    firewall_blocks, local_reference, resource_decl, resource_phrase, vault_read_secret,
    vault_reads, FirewallBlock, VaultRead,
};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::IdentityType;

declare_check! {
    /// ## What it checks
    /// A Key Vault whose firewall denies by default (`network_rules { default_action = "Deny" }`)
    /// holds a certificate or named value that a gateway or instance reads, and nothing lets
    /// that reader through: its subnet is not in `allowed_subnets` (or lacks the
    /// `Microsoft.KeyVault` service endpoint), and the trusted-services bypass does not apply
    /// (`bypass = "None"`, or the reader is Application Gateway, which is not a trusted
    /// service). Vaults with public access off (private endpoints) or IP rules are not judged:
    /// gatehouse does not model private endpoints or the readers' public addresses.
    /// ## Why
    /// The vault answers the read with 403 and API Management or Application Gateway cannot
    /// fetch the certificate: deployment fails or the gateway keeps the old one (seed 003;
    /// UP#25, docs #114880; UP#35). Checkov CKV_AZURE_109 and PSRule Azure.KeyVault.Firewall
    /// require the Deny default but never check that the readers still get through. When API
    /// Management reads with a user-assigned identity through the bypass, GH505 reports it.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "edge-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    ///
    ///   network_rules {
    ///     default_action = "Deny"
    ///   }
    /// }
    ///
    /// identity "appgw" {
    ///   type = "UserAssigned"
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
    ///   subnet "appgw" {
    ///     address_prefix = "10.20.1.0/24"
    ///   }
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku      = "WAF_v2"
    ///   subnet   = virtual_network.edge.subnet.appgw
    ///   identity = identity.appgw
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "edge-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    ///
    ///   network_rules {
    ///     default_action  = "Deny"
    ///     allowed_subnets = [virtual_network.edge.subnet.appgw]
    ///   }
    /// }
    ///
    /// identity "appgw" {
    ///   type = "UserAssigned"
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
    ///   subnet "appgw" {
    ///     address_prefix    = "10.20.1.0/24"
    ///     service_endpoints = ["Microsoft.KeyVault"]
    ///   }
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku      = "WAF_v2"
    ///   subnet   = virtual_network.edge.subnet.appgw
    ///   identity = identity.appgw
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH504", "kv-firewall-blocks", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // One finding per (vault, reader): the fix is the same for every secret it reads.
    let mut groups: Vec<(VaultRead, FirewallBlock, Vec<VaultRead>)> = Vec::new();
    for read in vault_reads(cx) {
        let user_assigned = read
            .identity
            .is_some_and(|i| m[i].kind.value == IdentityType::UserAssigned);
        let bypass = m[read.vault.id]
            .network_rules
            .as_ref()
            .is_some_and(|r| r.bypass_azure_services.value);
        match read.resource {
            // Without an identity nothing reads (GH502); through the bypass with a
            // user-assigned identity is GH505.
            NodeRef::ApiManagement(_) if read.identity.is_none() => continue,
            NodeRef::ApiManagement(_) if user_assigned && bypass => continue,
            _ => {}
        }
        let Some(block) = firewall_blocks(cx, &read) else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|(r, _, _)| r.vault.id == read.vault.id && r.resource == read.resource)
        {
            Some((_, _, more)) => more.push(read),
            None => groups.push((read, block, Vec::new())),
        }
    }
    for (read, block, more) in groups {
        let vault = &m[read.vault.id];
        let Some(rules) = &vault.network_rules else {
            continue;
        };
        let Some(secret) = vault_read_secret(m, &read) else {
            continue;
        };
        let who = resource_phrase(m, read.resource);
        let mut d = Diagnostic::new(
            &CODE,
            rules.deny_by_default.span,
            format!(
                "the firewall of Key Vault `{}` stops {who} from reading `{}`",
                vault.decl.name, secret.name
            ),
        )
        .with_primary_message("denies every caller no rule allows")
        .with_label(read.span, "read from the vault here");
        for other in &more {
            if let Some(s) = vault_read_secret(m, other) {
                d = d.with_label(
                    other.span,
                    format!("`{}` is read from the vault too", s.name),
                );
            }
        }
        if let Some(subnet) = block.subnet {
            let s = &m[subnet.id];
            d = d.with_label(
                s.decl.name_span,
                if block.missing_service_endpoint {
                    "allowed, but has no `Microsoft.KeyVault` service endpoint, so the rule never matches"
                } else {
                    "the reader's subnet, not in `allowed_subnets`"
                },
            );
        }
        if let Some(decl) = resource_decl(m, read.resource) {
            d = d.with_label(decl.name_span, "the reader");
        }
        if !rules.bypass_azure_services.value {
            d = d.with_label(
                rules.bypass_azure_services.span,
                "trusted Azure services are not let through",
            );
        }
        let help = match (block.subnet, block.missing_service_endpoint) {
            (Some(s), true) => format!(
                "add `service_endpoints = [\"Microsoft.KeyVault\"]` to subnet `{}`",
                local_reference(&m[s.id].decl.address)
            ),
            (Some(s), false) => format!(
                "add `{}` to `allowed_subnets` of the vault's `network_rules`, and `service_endpoints = [\"Microsoft.KeyVault\"]` to the subnet",
                local_reference(&m[s.id].decl.address)
            ),
            (None, _) => match read.resource {
                NodeRef::ApiManagement(_) => "set `bypass = \"AzureServices\"` in the vault's `network_rules`: API Management's system-assigned identity is a trusted service".to_string(),
                _ => "deploy the reader in a subnet with the `Microsoft.KeyVault` service endpoint and add that subnet to `allowed_subnets` of the vault's `network_rules`".to_string(),
            },
        };
        out.push(
            d.with_help(help)
                .with_address(vault.decl.address.clone())
                .with_trace(vault.decl.trace.clone()),
        );
    }
}
