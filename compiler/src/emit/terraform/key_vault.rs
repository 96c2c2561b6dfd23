//! `key_vault.tf`: user-assigned identities, Key Vaults, and what lets identities read them
//! (RBAC role assignments or access policies, as separate resources so that the vault never
//! fights them over its inline `access_policy`).

use super::hcl::{Block, Expr, File};
use super::root::tenant_id;
use super::{header, Tf};
use crate::emit::plan::identity_name;
use crate::graph::NodeRef;
use crate::model::*;

pub fn file(tf: &Tf) -> File {
    let plan = tf.plan;
    let m = plan.model;
    let mut file = File::new(&header(
        "Key Vault: managed identities, vaults and the grants that let identities read certificates.",
    ));

    let mut identities: Vec<(String, Block)> = Vec::new();
    for (i, identity) in m.identities.iter().enumerate() {
        let id = IdentityId(i as u32);
        if identity.kind.value != IdentityType::UserAssigned {
            continue;
        }
        let symbol = tf.symbol(NodeRef::Identity(id)).to_string();
        if tf.external(&identity.resource_group) {
            identities.push((
                symbol.clone(),
                Block::data("azurerm_user_assigned_identity", &symbol)
                    .attr("name", Expr::str(identity_name(m, id)))
                    .attr(
                        "resource_group_name",
                        tf.resource_group(identity.resource_group.as_ref()),
                    ),
            ));
            continue;
        }
        let block = Block::resource("azurerm_user_assigned_identity", &symbol)
            .attr("name", Expr::str(identity_name(m, id)))
            .attr("location", tf.location())
            .attr(
                "resource_group_name",
                tf.resource_group(identity.resource_group.as_ref()),
            );
        identities.push((symbol, tf.tags(block)));
    }
    identities.sort_by(|a, b| a.0.cmp(&b.0));

    let mut vaults: Vec<(String, Block)> = Vec::new();
    for (i, vault) in m.key_vaults.iter().enumerate() {
        let id = KeyVaultId(i as u32);
        let symbol = tf.symbol(NodeRef::KeyVault(id)).to_string();
        if tf.external(&vault.resource_group) {
            vaults.push((
                symbol.clone(),
                Block::data("azurerm_key_vault", &symbol)
                    .attr("name", Expr::str(vault.azure_name.value.clone()))
                    .attr(
                        "resource_group_name",
                        tf.resource_group(vault.resource_group.as_ref()),
                    ),
            ));
            continue;
        }
        vaults.push((symbol.clone(), key_vault(tf, vault, &symbol)));
    }
    vaults.sort_by(|a, b| a.0.cmp(&b.0));

    let mut grants: Vec<(String, Block)> = Vec::new();
    for ra in &plan.role_assignments {
        let Some(principal) = tf.principal_id(ra.principal) else {
            continue;
        };
        grants.push((
            format!("1 {}", ra.symbol),
            Block::resource("azurerm_role_assignment", &ra.symbol)
                .attr("scope", Expr::raw(format!("{}.id", tf.key_vault(ra.vault))))
                .attr("role_definition_name", Expr::str(ra.role.clone()))
                .attr("principal_id", principal)
                // Managed identities are service principals; saying so spares the
                // assignment Entra ID's replication delay for a fresh identity.
                .attr("principal_type", Expr::str("ServicePrincipal")),
        ));
    }
    for policy in &plan.access_policies {
        let Some(principal) = tf.principal_id(policy.principal) else {
            continue;
        };
        let block = Block::resource("azurerm_key_vault_access_policy", &policy.symbol)
            .attr(
                "key_vault_id",
                Expr::raw(format!("{}.id", tf.key_vault(policy.vault))),
            )
            .attr("tenant_id", tenant_id())
            .attr("object_id", principal)
            .opt(
                "secret_permissions",
                (!policy.secret_permissions.is_empty())
                    .then(|| Expr::strs(policy.secret_permissions.iter().cloned())),
            )
            .opt(
                "certificate_permissions",
                (!policy.certificate_permissions.is_empty())
                    .then(|| Expr::strs(policy.certificate_permissions.iter().cloned())),
            );
        grants.push((format!("2 {}", policy.symbol), block));
    }
    grants.sort_by(|a, b| a.0.cmp(&b.0));

    for (_, block) in identities.into_iter().chain(vaults).chain(grants) {
        file.push(block);
    }
    file
}

fn key_vault(tf: &Tf, vault: &KeyVault, symbol: &str) -> Block {
    let mut block = Block::resource("azurerm_key_vault", symbol)
        .attr("name", Expr::str(vault.azure_name.value.clone()))
        .attr("location", tf.location())
        .attr(
            "resource_group_name",
            tf.resource_group(vault.resource_group.as_ref()),
        )
        .attr("tenant_id", tenant_id())
        .attr("sku_name", Expr::str(vault.sku.clone()))
        .attr(
            "rbac_authorization_enabled",
            Expr::Bool(vault.permission_model.value == PermissionModel::Rbac),
        )
        .attr(
            "purge_protection_enabled",
            Expr::Bool(vault.purge_protection.value),
        )
        .attr(
            "soft_delete_retention_days",
            Expr::Int(i64::from(vault.soft_delete_retention_days)),
        )
        .attr(
            "public_network_access_enabled",
            Expr::Bool(vault.public_network_access.value),
        );
    block = tf.tags(block);
    // Written even when the topology sets no firewall: it is what Azure returns for a new
    // vault (allow, trusted services bypass), so the plan stays quiet.
    let acls = match &vault.network_rules {
        Some(rules) => {
            let mut subnets: Vec<String> = rules
                .allowed_subnets
                .iter()
                .map(|s| tf.subnet_id(s.id))
                .collect();
            subnets.sort();
            subnets.dedup();
            let mut ips: Vec<String> = rules.ip_rules.iter().map(|r| r.value.clone()).collect();
            ips.sort();
            ips.dedup();
            Block::new("network_acls")
                .attr(
                    "bypass",
                    Expr::str(if rules.bypass_azure_services.value {
                        "AzureServices"
                    } else {
                        "None"
                    }),
                )
                .attr(
                    "default_action",
                    Expr::str(if rules.deny_by_default.value {
                        "Deny"
                    } else {
                        "Allow"
                    }),
                )
                .opt("ip_rules", (!ips.is_empty()).then(|| Expr::strs(ips)))
                .opt(
                    "virtual_network_subnet_ids",
                    (!subnets.is_empty()).then(|| Expr::raws(subnets)),
                )
        }
        None => Block::new("network_acls")
            .attr("bypass", Expr::str("AzureServices"))
            .attr("default_action", Expr::str("Allow")),
    };
    block.child(acls)
}
