//! GH203 cert-expired.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate (or a certificate of its chain) has a `notAfter` before now (`--now`).
    /// ## Why
    /// An expired server certificate fails every handshake; an expired CA in a trusted chain
    /// rejects every client it issued. Also reported by PSRule Azure.APIM.CertificateExpiry for
    /// APIM hostname certificates only.
    /// ## Example
    /// ```hcl
    /// certificate "partner_client" {
    ///   pem = file("pki/expired.pem") # notAfter ten days ago
    /// }
    /// ```
    /// ## Fix
    /// Renew the certificate and point the block at the new file (or Key Vault secret).
    /// ```hcl
    /// certificate "partner_client" {
    ///   pem = file("pki/client.pem") # the renewed certificate
    /// }
    /// ```
    "GH203", "cert-expired", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        for x in facts.chain.iter().filter(|x| x.not_after < cx.now) {
            let span = facts.span.unwrap_or(cert.decl.name_span);
            let days = -x.days_left(cx.now);
            out.push(
                Diagnostic::new(&CODE, span, format!("certificate `{}` (`{}`) expired {days} day(s) ago", cert.decl.name, x.subject))
                    .with_primary_message(format!("expired on {}", date(x.not_after)))
                    .with_help("renew the certificate and replace the file or Key Vault secret")
                    .with_address(cert.decl.address.clone())
                    .with_trace(cert.decl.trace.clone()),
            );
        }
    }
}

/// A Unix time as `YYYY-MM-DD`.
pub(crate) fn date(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds).map_or_else(
        |_| seconds.to_string(),
        |t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
    )
}
