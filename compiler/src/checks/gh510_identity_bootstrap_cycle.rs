//! GH510 identity-bootstrap-cycle.

use super::util::local_reference;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{
    ApiManagement, CertSource, Hostname, HostnameId, IdentityId, IdentityType, KeyVaultId,
};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An API Management hostname reads its certificate from Key Vault with the instance's own
    /// **system-assigned** identity, and the instance does not deploy its hostnames in a second
    /// step (`two_phase_hostnames`).
    /// ## Why
    /// Custom hostnames are part of the API Management resource itself, so Azure fetches their
    /// Key Vault certificate while it creates (or updates) the instance. A system-assigned
    /// identity only exists once the instance exists, so its Key Vault role assignment or
    /// access policy cannot be granted before that read: the first deployment fails
    /// with an access error, and every template that tries to do it in one pass hits the same
    /// chicken-and-egg (Azure/bicep #10534, azure-rest-api-specs #10288, azurerm #7909,
    /// Learn docs #93950). Two ways out: a user-assigned identity, created and granted first,
    /// then named on the hostname; or `two_phase_hostnames = true`, with which gatehouse emits
    /// the hostnames as a step after the grant (Terraform `azurerm_api_management_custom_domain`,
    /// Bicep a second deployment of the instance). Choose the second when the vault's firewall
    /// admits API Management only as a trusted service, which works only with the
    /// system-assigned identity (GH505).
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    /// identity "apim" {
    ///   type = "SystemAssigned"
    ///   role_assignment {
    ///     scope = key_vault.edge
    ///     role  = "Key Vault Secrets User"
    ///   }
    /// }
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   identities      = [identity.apim]
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// A user-assigned identity, created and granted before the instance (or keep the
    /// system-assigned one and set `two_phase_hostnames = true`):
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "gateway-tls"
    /// }
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    /// identity "apim_tls" {
    ///   type = "UserAssigned"
    ///   name = "id-contoso-apim-tls"
    ///   role_assignment {
    ///     scope = key_vault.edge
    ///     role  = "Key Vault Secrets User"
    ///   }
    /// }
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   identities      = [identity.apim_tls]
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///     identity    = identity.apim_tls
    ///   }
    /// }
    /// ```
    "GH510", "identity-bootstrap-cycle", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, hostname) in m.hostnames.iter().enumerate() {
        let Some(cert_ref) = hostname.certificate else {
            continue;
        };
        let Some(CertSource::KeyVault(kv)) = &m[cert_ref.id].source else {
            continue;
        };
        let Some(identity) = reading_identity(cx, HostnameId(index as u32)) else {
            continue;
        };
        if m[identity].kind.value != IdentityType::SystemAssigned {
            continue;
        }
        let instance = &m[hostname.api_management];
        if instance.two_phase_hostnames.value {
            continue;
        }
        out.push(diagnostic(
            cx,
            hostname,
            instance,
            cert_ref.span,
            identity,
            kv.vault.id,
        ));
    }
}

/// The identity Azure reads the hostname's certificate with: the hostname's, the
/// certificate's, else the instance's system-assigned one.
fn reading_identity(cx: &CheckContext, hostname: HostnameId) -> Option<IdentityId> {
    let m = cx.model;
    let h = &m[hostname];
    let cert = h.certificate.map(|c| &m[c.id]);
    h.identity
        .map(|r| r.id)
        .or_else(|| cert.and_then(|c| c.identity).map(|r| r.id))
        .or_else(|| {
            cx.graph
                .system_identity(NodeRef::ApiManagement(h.api_management))
        })
}

/// Where the system identity is granted access to `vault`: its role assignments on the
/// vault and the vault's access policies naming it.
fn grants(cx: &CheckContext, identity: IdentityId, vault: KeyVaultId) -> Vec<Span> {
    let m = cx.model;
    let roles = m[identity]
        .role_assignments
        .iter()
        .filter(|ra| ra.scope.is_some_and(|s| s.id == vault))
        .map(|ra| ra.span);
    let policies = m[vault]
        .access_policies
        .iter()
        .filter(|p| p.identity.is_some_and(|i| i.id == identity))
        .map(|p| p.span);
    roles.chain(policies).collect()
}

fn diagnostic(
    cx: &CheckContext,
    hostname: &Hostname,
    instance: &ApiManagement,
    certificate: Span,
    identity: IdentityId,
    vault: KeyVaultId,
) -> Diagnostic {
    let m = cx.model;
    let id = &m[identity];
    let mut d = Diagnostic::new(
        &CODE,
        certificate,
        format!(
            "hostname `{}` reads its Key Vault certificate with the system-assigned identity `{}` of the instance being created",
            hostname.decl.name, id.decl.name
        ),
    )
    .with_primary_message("read while API Management instance is created")
    .with_label(
        id.decl.name_span,
        format!(
            "exists only after `{}` is created, so it cannot be granted first",
            instance.decl.name
        ),
    );
    for span in grants(cx, identity, vault) {
        d = d.with_label(
            span,
            "this grant can only be made after the instance exists",
        );
    }
    d.with_help(format!(
        "declare a `UserAssigned` identity with Key Vault Secrets User on `{}`, list it in `identities` of `{}` and set `identity = identity.<name>` on the hostname; or set `two_phase_hostnames = true` on the instance to deploy hostnames after the grant",
        local_reference(&m[vault].decl.address),
        local_reference(&instance.decl.address)
    ))
    .with_address(hostname.decl.address.clone())
    .with_trace(hostname.decl.trace.clone())
}
