//! GH211 cert-not-yet-valid.

use super::gh203_cert_expired::date;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate (or a certificate of its chain) has a `notBefore` after now (`--now`).
    /// ## Why
    /// Azure accepts the upload, but every handshake fails until that date: clients reject a
    /// server certificate that is not yet valid, and Application Gateway answers a client
    /// certificate that is not yet valid with HTTP 400. It usually means a wrong clock on the
    /// machine that issued it, or a certificate issued ahead of a rotation.
    /// ## Example
    /// ```hcl
    /// certificate "partner_client" {
    ///   pem = file("pki/not-yet-valid.pem") # notBefore in five days
    /// }
    /// ```
    /// ## Fix
    /// Deploy the certificate once it is valid, or reissue it with the right `notBefore`.
    /// ```hcl
    /// certificate "partner_client" {
    ///   pem = file("pki/client.pem") # valid now
    /// }
    /// ```
    "GH211", "cert-not-yet-valid", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        for x in facts.chain.iter().filter(|x| x.not_before > cx.now) {
            let span = facts.span.unwrap_or(cert.decl.name_span);
            let days = (x.not_before - cx.now + 86_399).div_euclid(86_400);
            out.push(
                Diagnostic::new(
                    &CODE,
                    span,
                    format!(
                        "certificate `{}` (`{}`) is not valid for another {days} day(s)",
                        cert.decl.name, x.subject
                    ),
                )
                .with_primary_message(format!("valid from {}", date(x.not_before)))
                .with_help("deploy it once it is valid, or reissue it with a `notBefore` in the past (check the issuing machine's clock)")
                .with_address(cert.decl.address.clone())
                .with_trace(cert.decl.trace.clone()),
            );
        }
    }
}
