//! GH512 kv-role-too-broad.

use super::util::{local_reference, vault_reads};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{IdentityId, KeyVaultId};

declare_check! {
    /// ## What it checks
    /// A managed identity that a gateway or instance uses to read Key Vault secrets holds more
    /// than reading needs on that vault: the Key Vault Administrator, Key Vault Secrets Officer
    /// or Key Vault Certificates Officer role, or an access policy granting secret permissions
    /// other than `Get` and `List`, or certificate permissions other than `Get` and `List`.
    /// ## Why
    /// Least privilege: API Management and Application Gateway only read the certificate's
    /// secret (Key Vault Secrets User, or `Get` and `List` on secrets). A gateway identity that
    /// can write or delete secrets turns a compromise of the gateway into a compromise of the
    /// vault. The field report behind GH502 used Key Vault Administrator (UP#21, specs #25045).
    /// PSRule Azure.KeyVault.AccessPolicy covers access policies partly.
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
    ///     role  = "Key Vault Administrator"
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
    "GH512", "kv-role-too-broad", Severity::Note
}

const BROAD_ROLES: [&str; 3] = [
    "Key Vault Administrator",
    "Key Vault Secrets Officer",
    "Key Vault Certificates Officer",
];

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut pairs: Vec<(IdentityId, KeyVaultId)> = Vec::new();
    for read in vault_reads(cx) {
        if let Some(identity) = read.identity {
            if !pairs.contains(&(identity, read.vault.id)) {
                pairs.push((identity, read.vault.id));
            }
        }
    }
    for (identity_id, vault_id) in pairs {
        let identity = &m[identity_id];
        let vault = &m[vault_id];
        for ra in &identity.role_assignments {
            if ra.scope.is_none_or(|s| s.id != vault_id)
                || !BROAD_ROLES.contains(&ra.role.value.as_str())
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &CODE,
                    ra.role.span,
                    format!(
                        "identity `{}` holds `{}` on Key Vault `{}`, but only reads secrets",
                        identity.decl.name, ra.role.value, vault.decl.name
                    ),
                )
                .with_primary_message("can also change or delete the vault's contents")
                .with_label(vault.decl.name_span, "the vault")
                .with_help("use `role = \"Key Vault Secrets User\"`")
                .with_address(identity.decl.address.clone())
                .with_trace(identity.decl.trace.clone()),
            );
        }
        for ap in &vault.access_policies {
            if ap.identity.is_none_or(|i| i.id != identity_id) {
                continue;
            }
            let extra: Vec<&str> = ap
                .secret_permissions
                .iter()
                .chain(&ap.certificate_permissions)
                .map(|p| p.value.as_str())
                .filter(|p| !matches!(*p, "Get" | "List"))
                .collect();
            if extra.is_empty() {
                continue;
            }
            let extra = extra
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(
                Diagnostic::new(
                    &CODE,
                    ap.span,
                    format!(
                        "the access policy of Key Vault `{}` for identity `{}` grants {extra}, but the identity only reads secrets",
                        vault.decl.name, identity.decl.name
                    ),
                )
                .with_primary_message("more than reading needs")
                .with_label(identity.decl.name_span, "the identity")
                .with_help(format!(
                    "grant `secret_permissions = [\"Get\", \"List\"]` only to `{}`",
                    local_reference(&identity.decl.address)
                ))
                .with_address(vault.decl.address.clone())
                .with_trace(vault.decl.trace.clone()),
            );
        }
    }
}
