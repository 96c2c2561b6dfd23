//! GH503 identity-client-id-mismatch.

use super::util::{local_reference, vault_read_secret, vault_reads, VaultRead};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{ApiManagementId, IdentityId, IdentityType, Model};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An API Management instance reads a Key Vault certificate or named value with the wrong
    /// identity:
    /// - the hostname, certificate or named value names no `identity`, so API Management uses its
    ///   system-assigned identity, while only a user-assigned identity of the instance could
    ///   read the secret (or the instance has no system-assigned identity at all);
    /// - the `identity` named is not one of the instance's `identities`.
    /// ## Why
    /// API Management reads with a user-assigned identity only when the hostname or named value
    /// gives its client id (`identityClientId`); without it, it falls back to the
    /// system-assigned identity and is denied (UP#24, docs #86983). A client id the instance
    /// does not have fails with "Can not find Managed Identity with provided IdentityClientId"
    /// (UP#31, Azure/apiops#257). Pairs with GH502, which checks the grant itself.
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
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.gateway_tls # read with the system-assigned identity
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
    ///
    ///   hostname "gateway" {
    ///     type        = "Proxy"
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///     identity    = identity.apim_reader
    ///   }
    /// }
    /// ```
    "GH503", "identity-client-id-mismatch", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for read in vault_reads(cx) {
        let NodeRef::ApiManagement(apim) = read.resource else {
            continue;
        };
        match read.named {
            Some(named) => not_assigned(cx, &read, apim, named, out),
            None => falls_back(cx, &read, apim, out),
        }
    }
}

/// The identity named for the read is not one of the instance's identities.
fn not_assigned(
    cx: &CheckContext,
    read: &VaultRead,
    apim: ApiManagementId,
    named: IdentityId,
    out: &mut Vec<Diagnostic>,
) {
    let m = cx.model;
    let instance = &m[apim];
    if instance.identities.iter().any(|r| r.id == named) {
        return;
    }
    let Some(secret) = vault_read_secret(m, read) else {
        return;
    };
    let Some((span, owner)) = identity_reference(m, read, named) else {
        return;
    };
    let identity = &m[named];
    let kind = match identity.kind.value {
        IdentityType::SystemAssigned => "system-assigned identity",
        IdentityType::UserAssigned => "user-assigned identity",
    };
    let help = match identity.kind.value {
        IdentityType::UserAssigned => format!(
            "add `{}` to `identities` of `{}`, or name one of the instance's identities",
            local_reference(&identity.decl.address),
            local_reference(&instance.decl.address)
        ),
        IdentityType::SystemAssigned => format!(
            "a system-assigned identity belongs to the resource that lists it: list `{}` in `identities` of `{}`, or name a user-assigned identity of the instance",
            local_reference(&identity.decl.address),
            local_reference(&instance.decl.address)
        ),
    };
    out.push(
        Diagnostic::new(
            &CODE,
            span,
            format!(
                "{owner} names {kind} `{}`, which API Management instance `{}` does not have",
                identity.decl.name, instance.decl.name
            ),
        )
        .with_primary_message("Azure cannot find a managed identity with this client id")
        .with_label(identity.decl.name_span, "the identity")
        .with_label(
            instance.decl.name_span,
            "not among this instance's `identities`",
        )
        .with_label(
            read.span,
            format!("`{}` is read from Key Vault here", secret.name),
        )
        .with_help(help)
        .with_address(secret.address.clone())
        .with_trace(secret.trace.clone()),
    );
}

/// No identity is named, so the system-assigned identity reads; report when that cannot work
/// and a user-assigned identity of the instance is the one meant.
fn falls_back(
    cx: &CheckContext,
    read: &VaultRead,
    apim: ApiManagementId,
    out: &mut Vec<Diagnostic>,
) {
    let m = cx.model;
    let instance = &m[apim];
    let user_assigned: Vec<IdentityId> = instance
        .identities
        .iter()
        .map(|r| r.id)
        .filter(|i| m[*i].kind.value == IdentityType::UserAssigned)
        .collect();
    let Some(first) = user_assigned.first().copied() else {
        return;
    };
    let able = user_assigned
        .iter()
        .copied()
        .find(|u| cx.graph.can_read_secrets(*u, read.vault.id, true));
    let system = read.identity;
    let message_tail = match system {
        None => "the instance has no system-assigned identity".to_string(),
        Some(s) if able.is_some() && !cx.graph.can_read_secrets(s, read.vault.id, true) => {
            format!(
                "its system-assigned identity `{}` has no access to the vault",
                m[s].decl.name
            )
        }
        Some(_) => return,
    };
    let Some(secret) = vault_read_secret(m, read) else {
        return;
    };
    let suggested = &m[able.unwrap_or(first)];
    let (what, target) = match read.secret {
        NodeRef::NamedValue(_) => ("named value", format!("named value `{}`", secret.name)),
        _ => ("certificate", owner_of_certificate_read(m, read)),
    };
    out.push(
        Diagnostic::new(
            &CODE,
            read.span,
            format!(
                "{what} `{}` is read with the system-assigned identity of `{}`, but {message_tail}",
                secret.name, instance.decl.name
            ),
        )
        .with_primary_message("no `identity` named for this read")
        .with_label(
            suggested.decl.name_span,
            "user-assigned identity of the instance, never used for the read",
        )
        .with_help(format!(
            "add `identity = {}` to {target}, so that API Management reads with that identity's client id",
            local_reference(&suggested.decl.address)
        ))
        .with_address(secret.address.clone())
        .with_trace(secret.trace.clone()),
    );
}

/// Where the identity of a read is named, and a phrase for that block.
fn identity_reference(m: &Model, read: &VaultRead, named: IdentityId) -> Option<(Span, String)> {
    match read.secret {
        NodeRef::NamedValue(n) => m[n]
            .identity
            .filter(|r| r.id == named)
            .map(|r| (r.span, format!("named value `{}`", m[n].decl.name))),
        NodeRef::Certificate(c) => {
            let hostname = m.hostnames.iter().find(|h| {
                h.certificate
                    .is_some_and(|r| r.id == c && r.span == read.span)
                    && h.identity.is_some_and(|i| i.id == named)
            });
            if let Some(h) = hostname {
                return h
                    .identity
                    .map(|r| (r.span, format!("hostname `{}`", h.decl.name)));
            }
            m[c].identity
                .filter(|r| r.id == named)
                .map(|r| (r.span, format!("certificate `{}`", m[c].decl.name)))
        }
        _ => None,
    }
}

/// "hostname `gateway` (or certificate `gateway_tls`)" for a certificate read through a hostname,
/// else "certificate `gateway_tls`".
fn owner_of_certificate_read(m: &Model, read: &VaultRead) -> String {
    let NodeRef::Certificate(c) = read.secret else {
        return String::from("the block");
    };
    let cert = &m[c].decl.name;
    match m.hostnames.iter().find(|h| {
        h.certificate
            .is_some_and(|r| r.id == c && r.span == read.span)
    }) {
        Some(h) => format!("hostname `{}` (or to certificate `{cert}`)", h.decl.name),
        None => format!("certificate `{cert}`"),
    }
}
