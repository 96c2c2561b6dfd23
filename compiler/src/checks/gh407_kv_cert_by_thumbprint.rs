//! GH407 kv-cert-by-thumbprint.

use super::util::{api_backends, local_reference};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, AuthenticationCertificate, CertSource, CertificateId, StatementKind};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An `authentication_certificate` names its certificate by `thumbprint` while the
    /// certificate is Key Vault-backed: the thumbprint is that of a Key Vault certificate's
    /// `local_copy`, or a backend the API forwards to has a Key Vault `client_certificate`.
    /// ## Why
    /// API Management refuses to save the policy: "The Certificate with id … is configured with
    /// KeyVault secret … and cannot be referenced by thumbprint. Please reference it with
    /// certificate-id" (UP#13, docs #71385). Even where it is accepted, a thumbprint pins one
    /// version: after a rotation in Key Vault the policy "will not resolve the new certificate"
    /// (UP#14, Learn authentication-certificate-policy).
    /// ## Example
    /// ```hcl
    /// certificate "ledger_client" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "ledger-client"
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
    ///
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client
    ///   }
    ///
    ///   api "ledger" {
    ///     path    = "ledger"
    ///     backend = backend.ledger
    ///
    ///     policy {
    ///       inbound {
    ///         authentication_certificate {
    ///           thumbprint = "8A5C0E4B0D7F4D8D9B6C2F1E3A7B9C0D1E2F3A4B"
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "ledger_client" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "ledger-client"
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
    ///
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client
    ///   }
    ///
    ///   api "ledger" {
    ///     path    = "ledger"
    ///     backend = backend.ledger
    ///
    ///     policy {
    ///       inbound {
    ///         authentication_certificate {
    ///           certificate = certificate.ledger_client
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH407", "kv-cert-by-thumbprint", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let key_vault = |c: CertificateId| matches!(m[c].source, Some(CertSource::KeyVault(_)));
    let mut seen: Vec<Span> = Vec::new();
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let backend_certs: Vec<CertificateId> = api_backends(cx, id)
            .iter()
            .filter_map(|b| m[b.id].client_certificate.map(|c| c.id))
            .filter(|c| key_vault(*c))
            .collect();
        for (_, effective) in cx.graph.effective_policies(id) {
            for s in effective.all() {
                let StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Thumbprint(thumbprint),
                ) = &s.statement.kind
                else {
                    continue;
                };
                if seen.contains(&thumbprint.span) {
                    continue;
                }
                let wanted = thumbprint
                    .value
                    .replace([' ', ':'], "")
                    .to_ascii_uppercase();
                let by_copy = (0..m.certificates.len())
                    .map(|i| CertificateId(i as u32))
                    .filter(|c| key_vault(*c))
                    .find(|c| {
                        cx.certs
                            .get(*c)
                            .leaf()
                            .is_some_and(|l| l.thumbprint == wanted)
                    });
                let Some(cert) = by_copy.or_else(|| backend_certs.first().copied()) else {
                    continue;
                };
                seen.push(thumbprint.span);
                let c = &m[cert];
                let mut d = Diagnostic::new(
                    &CODE,
                    thumbprint.span,
                    format!(
                        "`authentication_certificate` names Key Vault certificate `{}` by thumbprint",
                        c.decl.name
                    ),
                )
                .with_primary_message("API Management rejects thumbprints for Key Vault certificates, and a rotation changes it")
                .with_label(c.decl.name_span, "stored in Key Vault");
                if by_copy.is_none() {
                    if let Some(b) = api_backends(cx, id)
                        .into_iter()
                        .find(|b| m[b.id].client_certificate.is_some_and(|r| r.id == cert))
                    {
                        d = d.with_label(
                            b.span,
                            format!(
                                "API `{}` forwards to backend `{}`, whose client certificate it is",
                                api.decl.name, m[b.id].decl.name
                            ),
                        );
                    }
                }
                out.push(
                    d.with_help(format!(
                        "write `authentication_certificate {{ certificate = {} }}` instead of the thumbprint",
                        local_reference(&c.decl.address)
                    ))
                    .with_address(api.decl.address.clone())
                    .with_trace(api.decl.trace.clone()),
                );
            }
        }
    }
}
