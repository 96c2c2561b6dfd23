//! GH509 kv-id-not-secret.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{CertSource, Decl, NamedValueSource, Spanned};

declare_check! {
    /// ## What it checks
    /// The `secret_name` of a Key Vault certificate or named value is a Key Vault **certificate**
    /// or **key** identifier (`https://<vault>.vault.azure.net/certificates/<name>` or
    /// `.../keys/<name>`) instead of the name of the secret.
    /// ## Why
    /// API Management and Application Gateway read a Key Vault certificate through its secret
    /// (the PFX with the private key): "ApiManagement service only accepts KeyVault Secrets
    /// type" (UP#29, TF #3635), and Application Gateway needs the `secret_id`, which looks
    /// almost like the certificate's `id` (UP#30, TF #16816; UP#42, specs #29260). gatehouse
    /// builds the secret id from `key_vault` and `secret_name`, so write the name only.
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault   = key_vault.edge
    ///   secret_name = "https://kv-contoso-edge.vault.azure.net/certificates/gateway-tls"
    /// }
    ///
    /// key_vault "edge" {
    ///   name = "kv-contoso-edge"
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
    /// ```
    "GH509", "kv-id-not-secret", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for cert in &m.certificates {
        if let Some(CertSource::KeyVault(kv)) = &cert.source {
            check(&kv.secret_name, &cert.decl, "certificate", out);
        }
    }
    for nv in &m.named_values {
        if let Some(NamedValueSource::KeyVault { secret_name, .. }) = &nv.source {
            check(secret_name, &nv.decl, "named value", out);
        }
    }
}

fn check(secret_name: &Spanned<String>, decl: &Decl, kind: &str, out: &mut Vec<Diagnostic>) {
    let value = secret_name.value.as_str();
    let lower = value.to_ascii_lowercase();
    let Some((object, rest)) = ["certificates", "keys"].iter().find_map(|object| {
        lower
            .find(&format!("/{object}/"))
            .map(|i| (*object, &value[i + object.len() + 2..]))
    }) else {
        return;
    };
    let name = rest.split('/').next().unwrap_or(rest);
    let what = if object == "keys" {
        "key"
    } else {
        "certificate"
    };
    out.push(
        Diagnostic::new(
            &CODE,
            secret_name.span,
            format!(
                "{kind} `{}` names a Key Vault {what} identifier, not a secret",
                decl.name
            ),
        )
        .with_primary_message(format!(
            "a `/{object}/` identifier: API Management and Application Gateway read only secrets"
        ))
        .with_help(format!(
            "write the secret's name only: `secret_name = \"{name}\"` (the certificate's secret has the certificate's name)"
        ))
        .with_address(decl.address.clone())
        .with_trace(decl.trace.clone()),
    );
}
