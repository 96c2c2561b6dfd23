//! GH502 identity-lacks-kv-access.

use super::util::{local_reference, resource_phrase, vault_read_secret, vault_reads, VaultRead};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{IdentityId, IdentityType, KeyVault, Model, PermissionModel};

declare_check! {
    /// ## What it checks
    /// The managed identity that reads a Key Vault certificate or named value (the identity the
    /// hostname, certificate or named value names, else the API Management instance's
    /// system-assigned identity, or the Application Gateway's user-assigned identity) may not
    /// read secrets of that vault: with `permission_model = "rbac"` it holds no Key Vault
    /// Secrets User role (or broader) on the vault, with `"access_policy"` no access policy
    /// grants it `Get` (and, for API Management, `List`) on **secrets**. Also reported: an API
    /// Management instance that reads from Key Vault but has no managed identity at all.
    /// ## Why
    /// API Management and Application Gateway fetch a Key Vault certificate as its **secret**
    /// (the PFX), so "Get certificate" or Key Vault Certificate User is not enough ("The key vault
    /// must have GET permissions on the secret", docs #44746; Secrets User vs Certificate User,
    /// docs #122202). A vault honours only its own permission model: access policies do nothing
    /// on an RBAC vault and role assignments do nothing on an access-policy vault (docs #105652).
    /// The deployment fails with "Access denied for KeyVault Secret" (azure-cli #15011), or the
    /// gateway goes to *Failed*. Seventeen field reports (UP#21–#37) are this trap.
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
    ///     role  = "Key Vault Certificate User"
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   identities      = [identity.apim]
    ///   two_phase_hostnames = true
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
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
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   identities      = [identity.apim]
    ///   two_phase_hostnames = true
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///   }
    /// }
    /// ```
    "GH502", "identity-lacks-kv-access", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for read in vault_reads(cx) {
        let Some(secret) = vault_read_secret(m, &read) else {
            continue;
        };
        let vault = &m[read.vault.id];
        let kind = match read.secret {
            NodeRef::NamedValue(_) => "named value",
            _ => "certificate",
        };
        let identity = match read.resource {
            // Application Gateway reads with its own user-assigned identity only; a missing or
            // system-assigned one is GH508.
            NodeRef::AppGateway(g) => match m[g].identity {
                Some(i) if m[i.id].kind.value == IdentityType::UserAssigned => i.id,
                _ => continue,
            },
            NodeRef::ApiManagement(a) => {
                let user_assigned: Vec<IdentityId> = m[a]
                    .identities
                    .iter()
                    .map(|r| r.id)
                    .filter(|i| m[*i].kind.value == IdentityType::UserAssigned)
                    .collect();
                let Some(identity) = read.identity else {
                    // With user-assigned identities the fix is to name one (GH503).
                    if user_assigned.is_empty() {
                        out.push(no_identity(cx, &read, kind));
                    }
                    continue;
                };
                // Falling back to a system identity while a named user-assigned one would
                // work is GH503.
                if read.named.is_none()
                    && user_assigned
                        .iter()
                        .any(|u| cx.graph.can_read_secrets(*u, read.vault.id, true))
                {
                    continue;
                }
                identity
            }
            _ => continue,
        };
        let needs_list = matches!(read.resource, NodeRef::ApiManagement(_));
        if cx
            .graph
            .can_read_secrets(identity, read.vault.id, needs_list)
        {
            continue;
        }
        let who = &m[identity];
        let (primary, labels, help) = reason(m, identity, read.vault.id, vault, needs_list);
        let mut d = Diagnostic::new(
            &CODE,
            read.span,
            format!(
                "identity `{}` cannot read {kind} `{}` from Key Vault `{}`",
                who.decl.name, secret.name, vault.decl.name
            ),
        )
        .with_primary_message(format!(
            "{} reads this with identity `{}`",
            resource_phrase(m, read.resource),
            who.decl.name
        ))
        .with_label(who.decl.name_span, primary)
        .with_label(
            // A defaulted attribute has the block's span: point at the vault's name instead.
            if vault.permission_model.span.range().start == vault.decl.span.range().start {
                vault.decl.name_span
            } else {
                vault.permission_model.span
            },
            match vault.permission_model.value {
                PermissionModel::Rbac => "the vault grants access by Azure RBAC role assignments",
                PermissionModel::AccessPolicy => "the vault grants access by access policies",
            },
        );
        for (span, message) in labels {
            d = d.with_label(span, message);
        }
        out.push(
            d.with_help(help)
                .with_address(secret.address.clone())
                .with_trace(secret.trace.clone()),
        );
    }
}

type Labels = Vec<(crate::source::Span, String)>;

/// What is missing, the blocks that explain it, and what to write.
fn reason(
    m: &Model,
    identity: IdentityId,
    vault_id: crate::model::KeyVaultId,
    vault: &KeyVault,
    needs_list: bool,
) -> (String, Labels, String) {
    let who = &m[identity];
    let vault_ref = local_reference(&vault.decl.address);
    let needed = if needs_list {
        "`Get` and `List`"
    } else {
        "`Get`"
    };
    let mut labels = Labels::new();
    match vault.permission_model.value {
        PermissionModel::Rbac => {
            for ap in &vault.access_policies {
                if ap.identity.is_some_and(|i| i.id == identity) {
                    labels.push((ap.span, "ignored: the vault uses Azure RBAC".to_string()));
                }
            }
            for ra in &who.role_assignments {
                if ra.scope.is_some_and(|s| s.id == vault_id) {
                    labels.push((
                        ra.role.span,
                        format!("`{}` does not allow reading secrets", ra.role.value),
                    ));
                }
            }
            let primary = if labels.is_empty() {
                "holds no role on the vault".to_string()
            } else {
                "holds no role that reads secrets".to_string()
            };
            let help = format!(
                "add `role_assignment {{ scope = {vault_ref}, role = \"Key Vault Secrets User\" }}` to `{}`; the certificate is read as a secret, so Key Vault Certificate User is not enough",
                local_reference(&who.decl.address)
            );
            (primary, labels, help)
        }
        PermissionModel::AccessPolicy => {
            for ra in &who.role_assignments {
                if ra.scope.is_some_and(|s| s.id == vault_id) {
                    labels.push((
                        ra.span,
                        "ignored: the vault uses access policies".to_string(),
                    ));
                }
            }
            let mut granted = false;
            for ap in &vault.access_policies {
                if ap.identity.is_some_and(|i| i.id == identity) {
                    granted = true;
                    let secrets: Vec<&str> = ap
                        .secret_permissions
                        .iter()
                        .map(|p| p.value.as_str())
                        .collect();
                    let message = if secrets.is_empty() {
                        "grants no permission on secrets".to_string()
                    } else {
                        format!("grants only {} on secrets", quoted(&secrets))
                    };
                    labels.push((ap.span, message));
                }
            }
            let primary = if granted {
                format!("needs {needed} on secrets")
            } else {
                "has no access policy on the vault".to_string()
            };
            let perms = if needs_list {
                "[\"Get\", \"List\"]"
            } else {
                "[\"Get\"]"
            };
            let certificate_only = vault.access_policies.iter().any(|ap| {
                ap.identity.is_some_and(|i| i.id == identity)
                    && !ap.certificate_permissions.is_empty()
            });
            let note = if certificate_only {
                " (permissions on certificates do not cover the secret)"
            } else {
                ""
            };
            let who_ref = local_reference(&who.decl.address);
            let help = if granted {
                format!(
                    "set `secret_permissions = {perms}` in the access policy for `{who_ref}` in `{vault_ref}`{note}"
                )
            } else {
                format!(
                    "add `access_policy {{ identity = {who_ref}, secret_permissions = {perms} }}` to `{vault_ref}`{note}"
                )
            };
            (primary, labels, help)
        }
    }
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn no_identity(cx: &CheckContext, read: &VaultRead, kind: &str) -> Diagnostic {
    let m = cx.model;
    let secret = vault_read_secret(m, read);
    let name = secret.map_or("", |s| s.name.as_str());
    let vault = &m[read.vault.id];
    let mut d = Diagnostic::new(
        &CODE,
        read.span,
        format!(
            "{} has no managed identity to read {kind} `{name}` from Key Vault `{}`",
            resource_phrase(m, read.resource),
            vault.decl.name
        ),
    )
    .with_primary_message("read from Key Vault here")
    .with_label(vault.decl.name_span, "the vault");
    if let NodeRef::ApiManagement(a) = read.resource {
        d = d.with_label(m[a].decl.name_span, "lists no `identities`");
    }
    d.with_help(format!(
        "add `identities = [identity.<name>]` to the instance, with a `SystemAssigned` identity that holds Key Vault Secrets User on `{}`",
        local_reference(&vault.decl.address)
    ))
    .with_address(secret.map_or_else(String::new, |s| s.address.clone()))
    .with_trace(secret.map_or_else(Vec::new, |s| s.trace.clone()))
}
