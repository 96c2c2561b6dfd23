//! GH213 ca-without-basic-constraints.

use super::util::trust_anchor_uses;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate used as a trust anchor (an SSL profile's trusted client CA, a backend
    /// settings trusted root, an APIM CA certificate, which `validate_client_certificate`
    /// issuers name) lacks `basicConstraints CA:TRUE`, or has a key usage extension without
    /// `keyCertSign`.
    /// ## Why
    /// Verifiers only accept a certificate as issuer when it is marked as a CA and may sign
    /// certificates. Application Gateway's health probe reports "Invalid CA" for a home-made
    /// root created without `basicConstraints CA:TRUE` (docs #60015). GH701 covers a leaf in
    /// `trusted_client_cas`; GH712 a trusted root that does not anchor the backend's chain.
    /// ## Example
    /// ```hcl
    /// certificate "orders_root" {
    ///   pem = file("pki/root-no-basic-constraints.pem") # made without basicConstraints CA:TRUE
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   backend_settings "orders" {
    ///     port                      = 443
    ///     protocol                  = "Https"
    ///     trusted_root_certificates = [certificate.orders_root]
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "orders_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   backend_settings "orders" {
    ///     port                      = 443
    ///     protocol                  = "Https"
    ///     trusted_root_certificates = [certificate.orders_root]
    ///   }
    /// }
    /// ```
    "GH213", "ca-without-basic-constraints", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen = Vec::new();
    for u in trust_anchor_uses(m) {
        // The same reference is not reported twice; a leaf in an SSL profile is GH701.
        if seen.contains(&u.span) {
            continue;
        }
        seen.push(u.span);
        let profile = m
            .ssl_profiles
            .iter()
            .any(|p| p.trusted_client_cas.iter().any(|r| r.span == u.span));
        let facts = cx.certs.get(u.cert);
        let bad = facts.chain.iter().find_map(|x| {
            if !x.is_ca && !profile {
                Some((x, "has no `basicConstraints CA:TRUE`"))
            } else if x.is_ca && x.key_cert_sign == Some(false) {
                Some((x, "has a key usage without `keyCertSign`"))
            } else {
                None
            }
        });
        let Some((x, what)) = bad else { continue };
        let name = &m[u.cert].decl.name;
        let mut d = Diagnostic::new(
            &CODE,
            u.span,
            format!(
                "`{name}`, trusted by {}, is not a usable CA certificate: `{}` {what}",
                u.user, x.subject
            ),
        )
        .with_primary_message("not accepted as an issuer")
        .with_help("trust a CA certificate: reissue the root with `basicConstraints = critical, CA:TRUE` and `keyUsage = keyCertSign, cRLSign`, and the certificates below it from that root")
        .with_address(u.address.clone())
        .with_trace(u.trace.clone());
        if let Some(span) = facts.span {
            d = d.with_label(span, format!("`{name}` is read from here"));
        }
        out.push(d);
    }
}
