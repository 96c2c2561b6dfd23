//! GH511 kv-secret-not-pkcs12.

use super::util::{client_certificate_uses, server_certificate_uses, CertificateUse};
use super::CheckContext;
use crate::certs::FileFormat;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{CertSource, CertificateId};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// A Key Vault certificate that a gateway presents (an Application Gateway listener's
    /// certificate, an API Management hostname's certificate, or a certificate API Management
    /// sends to backends) is stored in a secret that is not PKCS#12: its `content_type` is
    /// something other than `application/x-pkcs12` (typically `application/x-pem-file`), or,
    /// without `content_type`, its `local_copy` is a PEM file with a private key, which is what
    /// a PEM secret downloads as (a PKCS#12 secret downloads as PFX).
    /// ## Why
    /// Key Vault stores a certificate's key and chain as a secret, in the content type of its
    /// policy: `application/x-pkcs12` by default, `application/x-pem-file` when PEM was asked
    /// for. API Management reads hostname certificates only from a secret that "should be of
    /// type application/x-pkcs12" (ARM HostnameConfiguration `keyVaultId`), and Application
    /// Gateway reads a "base-64 encoded unencrypted pfx" (ARM ApplicationGatewaySslCertificate
    /// `keyVaultSecretId`): a PEM secret fails the deployment, or the next rotation.
    /// ## Example
    /// ```hcl
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
    /// # Created with a PEM policy: API Management cannot use it.
    /// certificate "gateway_tls" {
    ///   key_vault    = key_vault.edge
    ///   secret_name  = "gateway-tls"
    ///   content_type = "application/x-pem-file"
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
    ///     host_name   = "gw.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
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
    /// # Imported from a PFX: stored as application/x-pkcs12.
    /// certificate "gateway_tls" {
    ///   key_vault    = key_vault.edge
    ///   secret_name  = "gateway-tls"
    ///   content_type = "application/x-pkcs12"
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
    ///     host_name   = "gw.contoso.com"
    ///     certificate = certificate.gateway_tls
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///   }
    /// }
    /// ```
    "GH511", "kv-secret-not-pkcs12", Severity::Warning
}

const PKCS12: &str = "application/x-pkcs12";

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // Every use, with what it does with the certificate, grouped by certificate.
    let mut uses: Vec<(CertificateUse, &str)> = server_certificate_uses(m)
        .into_iter()
        .map(|u| (u, "presented to clients by"))
        .collect();
    uses.extend(
        client_certificate_uses(m)
            .into_iter()
            .map(|u| (u, "sent to backends by")),
    );
    let mut certificates: Vec<CertificateId> = Vec::new();
    for (u, _) in &uses {
        if !certificates.contains(&u.cert) {
            certificates.push(u.cert);
        }
    }
    for id in certificates {
        let cert = &m[id];
        let Some(CertSource::KeyVault(secret)) = &cert.source else {
            continue;
        };
        let (span, primary, stored_as) = match &secret.content_type {
            Some(ct) if ct.value.trim().eq_ignore_ascii_case(PKCS12) => continue,
            Some(ct) => (
                ct.span,
                "API Management and Application Gateway read only PKCS#12 secrets".to_string(),
                format!("content type `{}`", ct.value),
            ),
            None => {
                let Some((span, path)) = pem_copy_with_key(cx, id) else {
                    continue;
                };
                (
                    span,
                    format!("`{path}` is PEM with a private key: a copy of a PEM secret"),
                    "PEM (per its local copy)".to_string(),
                )
            }
        };
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "Key Vault secret `{}` of certificate `{}` is stored as {stored_as}, not `{PKCS12}`",
                secret.secret_name.value, cert.decl.name
            ),
        )
        .with_primary_message(primary);
        for (u, verb) in uses.iter().filter(|(u, _)| u.cert == id) {
            d = d.with_label(u.span, format!("{verb} {}", u.user));
        }
        out.push(
            d.with_help(format!(
                "store the certificate as PKCS#12: import its PFX into Key Vault (`az keyvault certificate import --file <file>.pfx`), or create it with content type `{PKCS12}` in its policy, and set `content_type = \"{PKCS12}\"`"
            ))
            .with_address(cert.decl.address.clone())
            .with_trace(cert.decl.trace.clone()),
        );
    }
}

/// The `local_copy` of a Key Vault certificate, when it is PEM with a private key.
fn pem_copy_with_key<'a>(
    cx: &CheckContext<'a, '_>,
    id: CertificateId,
) -> Option<(Span, &'a str)> {
    let copy = cx.model[id].local_copy.as_ref()?;
    let facts = cx.certs.get(id);
    (facts.format == Some(FileFormat::Pem) && facts.has_private_key)
        .then_some((copy.span, copy.value.as_str()))
}
