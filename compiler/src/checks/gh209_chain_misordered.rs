//! GH209 chain-misordered.

use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::CertSource;

declare_check! {
    /// ## What it checks
    /// The certificates of a PEM file are not in chain order: a certificate comes before one it
    /// issued, a certificate is followed by one that did not issue it (in a certificate's own
    /// chain, `pem`), or an intermediate's `pathLenConstraint` is smaller than the number of CA
    /// certificates below it. A `ca_chain` bundle may hold several chains, each from the CA
    /// nearest the leaf up to its root.
    /// ## Why
    /// TLS servers send the chain in the order of the file, and clients that do not reorder it
    /// fail to build a path ("unable to verify the first certificate"). For a trusted client CA
    /// file, Application Gateway derives the issuer DN that `verify_client_cert_issuer_dn`
    /// compares from the CA nearest the leaf (Learn, mutual-authentication-overview), which a
    /// root-first file makes hard to reason about. A path longer
    /// than a CA's `pathLenConstraint` is rejected by every verifier (RFC 5280, 4.2.1.9).
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain-misordered.pem") # root first, then the issuing CA
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem") # issuing CA first, its root last
    /// }
    /// ```
    "GH209", "chain-misordered", Severity::Error
}

/// The first ordering problem of `chain`: (message under the caret, help).
fn problem(chain: &[X509Facts], strict: bool) -> Option<(String, String)> {
    for (i, cert) in chain.iter().enumerate() {
        if cert.self_issued {
            continue;
        }
        if chain.get(i + 1).is_some_and(|next| next.issued(cert)) {
            continue;
        }
        let issuer = chain
            .iter()
            .enumerate()
            .find(|(j, p)| *j != i && p.issued(cert));
        match issuer {
            Some((j, parent)) if j < i || strict => {
                return Some((
                    format!(
                        "`{}` (certificate {}) issues `{}` (certificate {}) but does not follow it",
                        parent.subject,
                        j + 1,
                        cert.subject,
                        i + 1
                    ),
                    "order the certificates from the leaf (or the CA nearest it) up: each certificate followed by its issuer, the root last".to_string(),
                ));
            }
            Some(_) => {}
            None if strict => {
                let Some(next) = chain.get(i + 1) else {
                    continue;
                };
                return Some((
                    format!(
                        "`{}` (certificate {}) follows `{}` but did not issue it",
                        next.subject,
                        i + 2,
                        cert.subject
                    ),
                    format!(
                        "put the issuer of `{}` (`{}`) right after it, and remove certificates that belong to no chain",
                        cert.subject, cert.issuer
                    ),
                ));
            }
            None => {}
        }
    }
    if !strict {
        return None;
    }
    // Ordered leaf first: every CA below a constrained CA counts against its path length.
    for (k, ca) in chain.iter().enumerate() {
        let Some(limit) = ca.path_len.filter(|_| ca.is_ca) else {
            continue;
        };
        let below = chain[..k]
            .iter()
            .filter(|c| c.is_ca && !c.self_issued)
            .count();
        if below > limit as usize {
            return Some((
                format!(
                    "`{}` allows {limit} CA certificate(s) below it (pathLenConstraint), the chain has {below}",
                    ca.subject
                ),
                "reissue the constrained CA with a larger path length, or issue the leaf from a CA that allows it".to_string(),
            ));
        }
    }
    None
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for (i, cert) in cx.model.certificates.iter().enumerate() {
        // PFX and Key Vault chains are assembled by the reader, not taken from the file order.
        let strict = match cert.source {
            Some(CertSource::Pem(_)) => true,
            Some(CertSource::CaChain(_)) => false,
            _ => continue,
        };
        let facts = &cx.certs.certs[i];
        if facts.chain.len() < 2 {
            continue;
        }
        let Some((primary, help)) = problem(&facts.chain, strict) else {
            continue;
        };
        let span = facts.span.unwrap_or(cert.decl.name_span);
        out.push(
            Diagnostic::new(
                &CODE,
                span,
                format!(
                    "the certificates of `{}` are not a valid chain in file order",
                    cert.decl.name
                ),
            )
            .with_primary_message(primary)
            .with_help(help)
            .with_address(cert.decl.address.clone())
            .with_trace(cert.decl.trace.clone()),
        );
    }
}
