//! GH507 kv-recoverability.

use super::util::{resource_phrase, vault_read_secret, vault_reads};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::KeyVaultId;

declare_check! {
    /// ## What it checks
    /// A Key Vault that holds a certificate or named value a gateway or instance reads has
    /// `purge_protection = false`.
    /// ## Why
    /// Without purge protection a deleted (soft-deleted) certificate can be purged at once, and
    /// the hostnames and listeners that read it cannot be served or updated until a new one
    /// is issued: deleting the certificate behind an APIM custom domain left the instance
    /// unusable until it was restored (UP#43, docs #102784). Also reported by PSRule
    /// Azure.KeyVault.PurgeProtect (AZR-000125), Checkov CKV_AZURE_110, Trivy AVD-AZU-0016 and
    /// KICS cec6e005 for every vault; gatehouse reports only vaults holding edge secrets.
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name             = "kv-contoso-edge"
    ///   purge_protection = false
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
    "GH507", "kv-recoverability", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let reads = vault_reads(cx);
    for (index, vault) in m.key_vaults.iter().enumerate() {
        let id = KeyVaultId(index as u32);
        if vault.purge_protection.value {
            continue;
        }
        let Some(read) = reads.iter().find(|r| r.vault.id == id) else {
            continue;
        };
        let Some(secret) = vault_read_secret(m, read) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &CODE,
                vault.purge_protection.span,
                format!(
                    "Key Vault `{}` has no purge protection, but holds `{}`, which {} reads",
                    vault.decl.name,
                    secret.name,
                    resource_phrase(m, read.resource)
                ),
            )
            .with_primary_message("a deleted certificate can be purged before anyone notices")
            .with_label(read.span, "read from the vault here")
            .with_help("set `purge_protection = true`")
            .with_address(vault.decl.address.clone())
            .with_trace(vault.decl.trace.clone()),
        );
    }
}
