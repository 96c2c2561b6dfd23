//! GH204 cert-expiring.

use super::gh203_cert_expired::date;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate (or one of its chain) expires within the warning window: 30 days, or
    /// `deployment { cert_expiry_warning_days = N }`. The message says how many days are left.
    /// ## Why
    /// A rotation missed by a few days is an outage. 30 days is PSRule's
    /// `AZURE_APIM_MINIMUM_CERTIFICATE_LIFETIME` default.
    /// ## Example
    /// ```hcl
    /// certificate "partner_client" {
    ///   pem = file("pki/expiring.pem") # notAfter in ten days
    /// }
    /// ```
    /// ## Fix
    /// Renew the certificate now; versionless Key Vault references pick the new version up.
    /// ```hcl
    /// certificate "partner_client" {
    ///   pem = file("pki/client.pem") # the renewed certificate
    /// }
    /// ```
    "GH204", "cert-expiring", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let window = cx.expiry_warning_days();
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        for x in &facts.chain {
            let left = x.days_left(cx.now);
            if x.not_after < cx.now || left > window {
                continue;
            }
            let span = facts.span.unwrap_or(cert.decl.name_span);
            out.push(
                Diagnostic::new(&CODE, span, format!("certificate `{}` (`{}`) expires in {left} day(s)", cert.decl.name, x.subject))
                    .with_primary_message(format!("expires on {}", date(x.not_after)))
                    .with_help(format!("renew it before {}; the warning window is {window} days (`cert_expiry_warning_days`)", date(x.not_after)))
                    .with_address(cert.decl.address.clone())
                    .with_trace(cert.decl.trace.clone()),
            );
        }
    }
}
