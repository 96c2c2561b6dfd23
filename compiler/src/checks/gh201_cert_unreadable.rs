//! GH201 cert-unreadable.

use super::CheckContext;
use crate::certs::Problem;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A file named as a certificate (in a `certificate` block, or a known `client`'s
    /// `certificate`) is not one: it is corrupt, a PEM file without a `CERTIFICATE` block, a
    /// private key where a certificate is expected, PEM where DER is promised (or the
    /// reverse), or not a certificate at all.
    /// ## Why
    /// Application Gateway rejects such an upload ("Invalid data in .cer"), and API Management
    /// fails the deployment; both happen late, in the pipeline that deploys.
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/key-only.pem") # a private key, no certificate
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    /// ```
    "GH201", "cert-unreadable", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        let Some(Problem::Unreadable { reason, help }) = &facts.problem else { continue };
        let span = facts.span.unwrap_or(cert.decl.name_span);
        out.push(
            Diagnostic::new(&CODE, span, format!("certificate `{}`: {reason}", cert.decl.name))
                .with_help(help.clone())
                .with_address(cert.decl.address.clone())
                .with_trace(cert.decl.trace.clone()),
        );
    }
    for (i, client) in cx.model.clients.iter().enumerate() {
        let facts = &cx.certs.clients[i];
        let Some(Problem::Unreadable { reason, help }) = &facts.problem else { continue };
        let span = facts.span.unwrap_or(client.decl.name_span);
        out.push(
            Diagnostic::new(&CODE, span, format!("client `{}`: {reason}", client.decl.name))
                .with_help(help.clone())
                .with_address(client.decl.address.clone())
                .with_trace(client.decl.trace.clone()),
        );
    }
}
