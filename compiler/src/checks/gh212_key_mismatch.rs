//! GH212 key-mismatch.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// The private key of a certificate (its `private_key` file, or the key in its PFX) does
    /// not belong to the certificate: the public keys differ.
    /// ## Why
    /// Some tools accept such a pair at upload, but the TLS handshake cannot be completed: the
    /// signature made with the key does not verify with the certificate's public key, and
    /// every client (or backend) aborts.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pem         = file("pki/server.pem")
    ///   private_key = file("pki/server-wrong.key") # the key of another certificate
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pem         = file("pki/server.pem")
    ///   private_key = file("pki/server.key")
    /// }
    /// ```
    "GH212", "key-mismatch", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        let facts = &cx.certs.certs[i];
        if facts.key_matches != Some(false) {
            continue;
        }
        let Some(leaf) = facts.leaf() else { continue };
        let file = facts.span.unwrap_or(cert.decl.name_span);
        let span = cert.private_key.as_ref().map_or(file, |k| k.span);
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "the private key of certificate `{}` does not belong to `{}`",
                cert.decl.name, leaf.subject
            ),
        )
        .with_primary_message("a different key pair")
        .with_help("name the key generated with this certificate (`openssl x509 -noout -pubkey` and `openssl pkey -pubout` must print the same key)")
        .with_address(cert.decl.address.clone())
        .with_trace(cert.decl.trace.clone());
        if span != file {
            d = d.with_label(file, "the certificate is read from here");
        }
        out.push(d);
    }
}
