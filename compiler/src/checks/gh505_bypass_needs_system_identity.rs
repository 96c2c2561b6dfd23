//! GH505 bypass-needs-system-identity.

use super::util::{firewall_blocks, local_reference, vault_read_secret, vault_reads};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::IdentityType;

declare_check! {
    /// ## What it checks
    /// A Key Vault firewall denies by default and lets API Management through only as a trusted
    /// service (`bypass = "AzureServices"`, the instance's subnet not allowed), while the
    /// instance reads the certificate or named value with a **user-assigned** identity.
    /// ## Why
    /// The trusted-services bypass is honoured for API Management's system-assigned identity
    /// only: "if Key Vault firewall is enabled you can't use a user-assigned identity" (UP#25,
    /// docs #114880; Azure/bicep#10534). The read is denied although the identity holds the
    /// right role. GH504 reports readers the firewall stops for other reasons.
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    ///
    ///   network_rules {
    ///     default_action = "Deny"
    ///     bypass         = "AzureServices"
    ///   }
    /// }
    ///
    /// identity "apim_reader" {
    ///   type = "UserAssigned"
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
    ///   identities      = [identity.apim_reader]
    ///   two_phase_hostnames = true
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///     identity    = identity.apim_reader
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
    ///
    ///   network_rules {
    ///     default_action = "Deny"
    ///     bypass         = "AzureServices"
    ///   }
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
    "GH505", "bypass-needs-system-identity", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for read in vault_reads(cx) {
        let NodeRef::ApiManagement(apim) = read.resource else {
            continue;
        };
        let Some(identity) = read
            .identity
            .filter(|i| m[*i].kind.value == IdentityType::UserAssigned)
        else {
            continue;
        };
        let vault = &m[read.vault.id];
        let Some(rules) = &vault.network_rules else {
            continue;
        };
        if !rules.bypass_azure_services.value || firewall_blocks(cx, &read).is_none() {
            continue;
        }
        let Some(secret) = vault_read_secret(m, &read) else {
            continue;
        };
        let instance = &m[apim];
        let system = instance
            .identities
            .iter()
            .find(|r| m[r.id].kind.value == IdentityType::SystemAssigned);
        let help = match system {
            Some(s) => format!(
                "remove `identity = {}` from the read so that the system-assigned identity `{}` reads through the bypass (grant it access), or allow the instance's subnet in `allowed_subnets`",
                local_reference(&m[identity].decl.address),
                m[s.id].decl.name
            ),
            None => format!(
                "add a `SystemAssigned` identity to `identities` of `{}`, grant it Key Vault Secrets User, and remove `identity = {}` from the read; or allow the instance's subnet in `allowed_subnets`",
                local_reference(&instance.decl.address),
                local_reference(&m[identity].decl.address)
            ),
        };
        out.push(
            Diagnostic::new(
                &CODE,
                read.span,
                format!(
                    "API Management instance `{}` reads `{}` with user-assigned identity `{}`, which the trusted-services bypass of Key Vault `{}` does not let through",
                    instance.decl.name, secret.name, m[identity].decl.name, vault.decl.name
                ),
            )
            .with_primary_message("read with a user-assigned identity")
            .with_label(rules.bypass_azure_services.span, "covers API Management's system-assigned identity only")
            .with_label(rules.deny_by_default.span, "the firewall denies everything else")
            .with_label(m[identity].decl.name_span, "user-assigned identity")
            .with_help(help)
            .with_address(secret.address.clone())
            .with_trace(secret.trace.clone()),
        );
    }
}
