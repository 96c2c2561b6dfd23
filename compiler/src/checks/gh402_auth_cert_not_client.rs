//! GH402 auth-cert-not-client.

use super::util::client_certificate_uses;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::CertSource;

declare_check! {
    /// ## What it checks
    /// A certificate that API Management presents to a backend (named by an
    /// `authentication_certificate` policy or a backend's `client_certificate`) cannot be a
    /// client certificate: it comes without a private key (a PEM without `private_key`, a DER
    /// file, a CA chain), or it is a CA certificate. A PFX without a key is GH202; a missing
    /// `clientAuth` extended key usage is GH207.
    /// ## Why
    /// A client certificate proves possession of its private key by signing the TLS handshake;
    /// without the key API Management cannot present it (and refuses the upload), and a CA
    /// certificate is not an identity a backend authenticates.
    /// ## Example
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pem = file("pki/client-leaf.pem") # no private_key
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   api "ledger" {
    ///     path = "ledger"
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
    /// ## Fix
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pem         = file("pki/client.pem")
    ///   private_key = file("pki/client.key")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   api "ledger" {
    ///     path = "ledger"
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
    "GH402", "auth-cert-not-client", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen = Vec::new();
    for usage in client_certificate_uses(m) {
        if seen.contains(&usage.cert) {
            continue;
        }
        let cert = &m[usage.cert];
        let facts = cx.certs.get(usage.cert);
        let Some(leaf) = facts.leaf() else {
            continue;
        };
        // A Key Vault local copy stands in for inspection and need not carry the key.
        let no_key = match &cert.source {
            Some(CertSource::Pem(_)) => cert.private_key.is_none() && !facts.has_private_key,
            Some(CertSource::Der(_) | CertSource::CaChain(_)) => true,
            _ => false,
        };
        let problem = if leaf.is_ca {
            format!("is a CA certificate (`{}`)", leaf.subject)
        } else if no_key {
            "comes without its private key".to_string()
        } else {
            continue;
        };
        seen.push(usage.cert);
        let mut d = Diagnostic::new(
            &CODE,
            usage.span,
            format!(
                "{} names certificate `{}` as client certificate, but it {problem}",
                usage.user, cert.decl.name
            ),
        )
        .with_primary_message("cannot be used as a client certificate")
        .with_label(cert.decl.name_span, "the certificate");
        if let Some(span) = facts.span {
            d = d.with_label(span, "read from here");
        }
        let help = if leaf.is_ca {
            "present the client certificate issued to API Management (an end-entity certificate with `clientAuth`), not its CA".to_string()
        } else {
            format!(
                "give certificate `{}` its key: `private_key = file(\"...\")` beside `pem`, or a PFX (`pfx = file(\"...\")` with `password = secret(\"NAME\")`), or a Key Vault certificate",
                cert.decl.name
            )
        };
        out.push(
            d.with_help(help)
                .with_address(usage.address.clone())
                .with_trace(usage.trace.clone()),
        );
    }
}
