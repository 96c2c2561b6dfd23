//! `key_vault` and `identity` blocks: vaults, their firewall and access, managed identities and
//! their role assignments.

use super::builder::Builder;
use super::*;
use crate::eval::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionModel {
    Rbac,
    AccessPolicy,
}

#[derive(Debug, Clone)]
pub struct KeyVault {
    pub decl: Decl,
    pub azure_name: Spanned<String>,
    pub resource_group: Option<String>,
    pub sku: String,
    pub permission_model: Spanned<PermissionModel>,
    pub soft_delete_retention_days: u32,
    pub purge_protection: Spanned<bool>,
    pub public_network_access: Spanned<bool>,
    pub network_rules: Option<NetworkRules>,
    pub access_policies: Vec<AccessPolicy>,
}

#[derive(Debug, Clone)]
pub struct NetworkRules {
    pub span: Span,
    /// `true` for `default_action = "Deny"`.
    pub deny_by_default: Spanned<bool>,
    /// `true` for `bypass = "AzureServices"` (the default).
    pub bypass_azure_services: Spanned<bool>,
    pub allowed_subnets: Vec<Ref<SubnetId>>,
    pub ip_rules: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct AccessPolicy {
    pub span: Span,
    pub identity: Option<Ref<IdentityId>>,
    pub secret_permissions: Vec<Spanned<String>>,
    pub certificate_permissions: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityType {
    SystemAssigned,
    UserAssigned,
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub decl: Decl,
    pub kind: Spanned<IdentityType>,
    pub azure_name: Option<Spanned<String>>,
    pub resource_group: Option<String>,
    pub role_assignments: Vec<RoleAssignment>,
}

#[derive(Debug, Clone)]
pub struct RoleAssignment {
    pub span: Span,
    pub scope: Option<Ref<KeyVaultId>>,
    pub role: Spanned<String>,
}

impl Builder<'_> {
    pub(super) fn key_vault(&mut self, node: &Node) {
        let model = self.string_or(node, "permission_model", "rbac");
        let permission_model = Spanned::new(
            if model.value == "access_policy" {
                PermissionModel::AccessPolicy
            } else {
                PermissionModel::Rbac
            },
            model.span,
        );
        let network_rules = node.child("network_rules").map(|rules| {
            let action = self.string_or(rules, "default_action", "Allow");
            let bypass = self.string_or(rules, "bypass", "AzureServices");
            NetworkRules {
                span: rules.span,
                deny_by_default: Spanned::new(action.value == "Deny", action.span),
                bypass_azure_services: Spanned::new(bypass.value == "AzureServices", bypass.span),
                allowed_subnets: self.references(rules, "allowed_subnets"),
                ip_rules: self.strings(rules, "ip_rules"),
            }
        });
        let access_policies = node
            .children_named("access_policy")
            .map(|p| AccessPolicy {
                span: p.span,
                identity: self.reference(p, "identity"),
                secret_permissions: self.strings(p, "secret_permissions"),
                certificate_permissions: self.strings(p, "certificate_permissions"),
            })
            .collect();
        let vault = KeyVault {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            resource_group: self.string(node, "resource_group").map(|s| s.value),
            sku: self.string_or(node, "sku", "standard").value,
            permission_model,
            soft_delete_retention_days: self
                .integer(node, "soft_delete_retention_days")
                .map_or(90, |d| d.value as u32),
            purge_protection: self.flag_or(node, "purge_protection", true),
            public_network_access: self.flag_or(node, "public_network_access", true),
            network_rules,
            access_policies,
        };
        self.model.key_vaults.push(vault);
    }

    pub(super) fn identity(&mut self, node: &Node) {
        let kind = self.string_or(node, "type", "SystemAssigned");
        let kind = Spanned::new(
            if kind.value == "UserAssigned" {
                IdentityType::UserAssigned
            } else {
                IdentityType::SystemAssigned
            },
            kind.span,
        );
        let role_assignments = node
            .children_named("role_assignment")
            .map(|r| RoleAssignment {
                span: r.span,
                scope: self.reference(r, "scope"),
                role: self.string_or(r, "role", ""),
            })
            .collect();
        let identity = Identity {
            decl: self.decl(node),
            kind,
            azure_name: self.string(node, "name"),
            resource_group: self.string(node, "resource_group").map(|s| s.value),
            role_assignments,
        };
        self.model.identities.push(identity);
    }
}
