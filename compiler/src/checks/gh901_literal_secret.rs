//! GH901 literal-secret.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{NamedValueSource, SecretText};

declare_check! {
    /// ## What it checks
    /// A secret written as a literal string in HCL: a certificate's PFX `password`, or the
    /// `value` of a named value marked `secret = true`.
    /// ## Why
    /// A literal lands in the repository, in every clone and fork, in review tools and CI
    /// logs, and in the Terraform state or Bicep parameters gatehouse emits. Read secrets from
    /// the environment with `secret("NAME")` (or a `sensitive` variable), or keep them in Key
    /// Vault. Checkov's secret scanning and PSRule Azure.Deployment.SecureValue cover parts of
    /// this for the emitted files.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = "fixture-password"
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    /// ```
    "GH901", "literal-secret", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for cert in &m.certificates {
        let Some(password) = &cert.password else {
            continue;
        };
        if !matches!(password.value, SecretText::Literal(_)) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &CODE,
                password.span,
                format!("the PFX password of certificate `{}` is written in the topology", cert.decl.name),
            )
            .with_primary_message("a literal password ends up in git, logs and state")
            .with_help(format!(
                "write `password = secret(\"{}_PFX_PASSWORD\")` and set that environment variable where gatehouse runs",
                cert.decl.name.to_ascii_uppercase().replace('-', "_")
            ))
            .with_address(cert.decl.address.clone())
            .with_trace(cert.decl.trace.clone()),
        );
    }
    for nv in &m.named_values {
        let Some(NamedValueSource::Value(value)) = &nv.source else {
            continue;
        };
        if !nv.secret.value || !matches!(value.value, SecretText::Literal(_)) {
            continue;
        }
        let mut d = Diagnostic::new(
            &CODE,
            value.span,
            format!(
                "secret named value `{}` is written in the topology",
                nv.decl.name
            ),
        )
        .with_primary_message("a literal secret ends up in git, logs and state");
        if nv.secret.span.range().start != nv.decl.span.range().start {
            d = d.with_label(nv.secret.span, "marked as a secret");
        }
        out.push(
            d.with_help(format!(
                "keep the value in Key Vault (`key_vault = key_vault.<name>` and `secret_name = \"...\"`), or write `value = secret(\"{}\")`",
                nv.decl.name.to_ascii_uppercase().replace('-', "_")
            ))
            .with_address(nv.decl.address.clone())
            .with_trace(nv.decl.trace.clone()),
        );
    }
}
