//! GH208 weak-key-or-signature.

use super::CheckContext;
use crate::certs::{KeyKind, X509Facts};
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate other than a self-signed root has an RSA key shorter than 2048 bits, an
    /// elliptic-curve key smaller than P-256, or a SHA-1 or MD5 signature.
    /// ## Why
    /// Current TLS stacks, browsers and Azure's TLS policies refuse such certificates (a root's
    /// own signature is never checked). A partner CA chain
    /// with a weak intermediate makes every client certificate it issued fail verification.
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/weak-ca-chain.pem") # RSA-1024 issuing CA
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem") # elliptic-curve P-256 keys, SHA-256 signatures
    /// }
    /// ```
    "GH208", "weak-key-or-signature", Severity::Warning
}

/// What is weak about one certificate: ("key" or "signature", the detail).
fn weakness(x: &X509Facts) -> Option<(&'static str, String)> {
    // A root's own signature is never checked; the catalogue exempts roots altogether.
    if x.self_signed {
        return None;
    }
    match &x.key {
        KeyKind::Rsa { bits } if *bits < 2048 => return Some(("key", format!("RSA, {bits} bits"))),
        KeyKind::Ec { curve, bits } if *bits < 256 => {
            return Some(("key", format!("elliptic curve {curve}, {bits} bits")))
        }
        _ => {}
    }
    let signature = x.signature_algorithm.to_ascii_lowercase();
    (signature.contains("sha1") || signature.contains("md5"))
        .then(|| ("signature", format!("`{}`", x.signature_algorithm)))
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        let Some((x, (kind, detail))) =
            facts.chain.iter().find_map(|x| weakness(x).map(|w| (x, w)))
        else {
            continue;
        };
        let span = facts.span.unwrap_or(cert.decl.name_span);
        out.push(
            Diagnostic::new(
                &CODE,
                span,
                format!(
                    "certificate `{}` holds `{}`, which has a weak {kind}",
                    cert.decl.name, x.subject
                ),
            )
            .with_primary_message(format!("weak {kind}: {detail}"))
            .with_help("reissue it with an RSA key of at least 2048 bits (or an elliptic-curve key of P-256 or larger) and a SHA-256 signature")
            .with_address(cert.decl.address.clone())
            .with_trace(cert.decl.trace.clone()),
        );
    }
}
