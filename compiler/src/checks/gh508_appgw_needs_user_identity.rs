//! GH508 appgw-needs-user-identity.

use super::util::{local_reference, vault_reads};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{AppGatewayId, CertificateId, IdentityType};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An Application Gateway uses a Key Vault certificate (listener certificate, trusted
    /// client CA or trusted root) but has no `identity`, its identity is system-assigned, or the
    /// certificate names a different identity from the gateway's.
    /// ## Why
    /// Application Gateway reads Key Vault only through a **user-assigned** managed identity
    /// (the Azure Verified Module for Application Gateway exposes nothing else). Without one,
    /// the deployment fails with `MissingIdentityIds` or leaves the gateway in *Failed* state,
    /// and recovering needs the listener and certificate deleted by hand (UP#36, docs #33157).
    /// An identity named on the certificate is not used by the gateway: it reads with its own.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "edge-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2" # no identity
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
    /// app_gateway "edge" {
    ///   sku      = "WAF_v2"
    ///   identity = identity.appgw
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH508", "appgw-needs-user-identity", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // Per gateway, the Key Vault certificates it reads and where.
    let mut reads: Vec<(AppGatewayId, Vec<(CertificateId, Span)>)> = Vec::new();
    for read in vault_reads(cx) {
        let (NodeRef::AppGateway(gw), NodeRef::Certificate(cert)) = (read.resource, read.secret)
        else {
            continue;
        };
        match reads.iter_mut().find(|(g, _)| *g == gw) {
            Some((_, certs)) => {
                if !certs.iter().any(|(c, _)| *c == cert) {
                    certs.push((cert, read.span));
                }
            }
            None => reads.push((gw, vec![(cert, read.span)])),
        }
    }
    for (gw_id, certs) in reads {
        let gw = &m[gw_id];
        match gw.identity {
            None => {
                let Some((first, span)) = certs.first().copied() else {
                    continue;
                };
                let suggested = certs
                    .iter()
                    .find_map(|(c, _)| m[*c].identity)
                    .filter(|i| m[i.id].kind.value == IdentityType::UserAssigned)
                    .map_or_else(
                        || "identity.<name>".to_string(),
                        |i| local_reference(&m[i.id].decl.address).to_string(),
                    );
                let mut d = Diagnostic::new(
                    &CODE,
                    span,
                    format!(
                        "Application Gateway `{}` reads Key Vault certificate `{}` but has no user-assigned identity",
                        gw.decl.name, m[first].decl.name
                    ),
                )
                .with_primary_message("read from Key Vault here")
                .with_label(gw.decl.name_span, "no `identity`");
                for (c, s) in certs.iter().skip(1) {
                    d = d.with_label(
                        *s,
                        format!("Key Vault certificate `{}` too", m[*c].decl.name),
                    );
                }
                out.push(
                    d.with_help(format!(
                        "add `identity = {suggested}` to `{}`: a `UserAssigned` identity with Key Vault Secrets User on the vault",
                        local_reference(&gw.decl.address)
                    ))
                    .with_address(gw.decl.address.clone())
                    .with_trace(gw.decl.trace.clone()),
                );
            }
            Some(identity) if m[identity.id].kind.value == IdentityType::SystemAssigned => {
                let mut d = Diagnostic::new(
                    &CODE,
                    identity.span,
                    format!(
                        "Application Gateway `{}` reads Key Vault certificates with system-assigned identity `{}`",
                        gw.decl.name, m[identity.id].decl.name
                    ),
                )
                .with_primary_message("Application Gateway supports only user-assigned identities");
                for (c, s) in &certs {
                    d = d.with_label(*s, format!("Key Vault certificate `{}`", m[*c].decl.name));
                }
                out.push(
                    d.with_help(
                        "give the gateway an identity with `type = \"UserAssigned\"` and grant that identity Key Vault Secrets User on the vault",
                    )
                    .with_address(gw.decl.address.clone())
                    .with_trace(gw.decl.trace.clone()),
                );
            }
            Some(identity) => {
                for (c, s) in &certs {
                    let cert = &m[*c];
                    let Some(named) = cert.identity else { continue };
                    if named.id == identity.id {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            &CODE,
                            named.span,
                            format!(
                                "certificate `{}` names identity `{}`, but Application Gateway `{}` reads it with `{}`",
                                cert.decl.name,
                                m[named.id].decl.name,
                                gw.decl.name,
                                m[identity.id].decl.name
                            ),
                        )
                        .with_primary_message("not the gateway's identity")
                        .with_label(identity.span, "the identity the gateway reads Key Vault with")
                        .with_label(*s, "read by the gateway here")
                        .with_help(format!(
                            "set `identity = {}` on the certificate (and grant that identity access), or give the gateway the identity that was granted",
                            local_reference(&m[identity.id].decl.address)
                        ))
                        .with_address(cert.decl.address.clone())
                        .with_trace(cert.decl.trace.clone()),
                    );
                }
            }
        }
    }
}
