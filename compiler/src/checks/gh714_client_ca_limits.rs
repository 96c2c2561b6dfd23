//! GH714 client-ca-limits.

use super::CheckContext;
use crate::certs::CertFacts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::CertificateId;

declare_check! {
    /// ## What it checks
    /// Application Gateway's documented limits on trusted client CAs: more than 100 trusted
    /// client CA certificates in one SSL profile, more than 200 in one gateway, or a trusted
    /// client CA file larger than 25 KB (measured as the PEM of its certificates).
    /// ## Why
    /// The deployment fails beyond these limits (Learn, mutual-authentication-overview; docs
    /// PR #110506). A large file usually means a whole trust store was uploaded where the
    /// partners' own CA chains belong.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/oversized-ca-bundle.pem") # a root and 14 intermediates, 27 KB
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem") # the partners' own chain
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///   }
    /// }
    /// ```
    "GH714", "client-ca-limits", Severity::Error
}

const PER_PROFILE: usize = 100;
const PER_GATEWAY: usize = 200;
const FILE_BYTES: usize = 25 * 1024;

/// The size of the certificates written as PEM: base64 in 64-column lines between the
/// BEGIN and END lines.
fn pem_bytes(facts: &CertFacts) -> usize {
    facts
        .chain
        .iter()
        .map(|x| {
            let base64 = x.der.len().div_ceil(3) * 4;
            "-----BEGIN CERTIFICATE-----\n".len()
                + base64
                + base64.div_ceil(64)
                + "-----END CERTIFICATE-----\n".len()
        })
        .sum()
}

fn distinct(ids: impl Iterator<Item = CertificateId>) -> Vec<CertificateId> {
    let mut out = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for gateway in &m.app_gateways {
        let all = distinct(
            gateway
                .ssl_profiles
                .iter()
                .flat_map(|p| m[*p].trusted_client_cas.iter().map(|r| r.id)),
        );
        if all.len() > PER_GATEWAY {
            out.push(
                Diagnostic::new(
                    &CODE,
                    gateway.decl.name_span,
                    format!(
                        "gateway `{}` trusts {} client CA certificates; Application Gateway allows {PER_GATEWAY}",
                        gateway.decl.name,
                        all.len()
                    ),
                )
                .with_help("trust only the CA chains that issue your clients' certificates, or split the partners over two gateways")
                .with_address(gateway.decl.address.clone())
                .with_trace(gateway.decl.trace.clone()),
            );
        }
        let mut sized: Vec<CertificateId> = Vec::new();
        for p in &gateway.ssl_profiles {
            let profile = &m[*p];
            let ids = distinct(profile.trusted_client_cas.iter().map(|r| r.id));
            if ids.len() > PER_PROFILE {
                out.push(
                    Diagnostic::new(
                        &CODE,
                        profile.decl.name_span,
                        format!(
                            "SSL profile `{}` trusts {} client CA certificates; Application Gateway allows {PER_PROFILE} per profile",
                            profile.decl.name,
                            ids.len()
                        ),
                    )
                    .with_help("split the partners over several SSL profiles (and listeners)")
                    .with_address(profile.decl.address.clone())
                    .with_trace(profile.decl.trace.clone()),
                );
            }
            for trusted in &profile.trusted_client_cas {
                if sized.contains(&trusted.id) {
                    continue;
                }
                sized.push(trusted.id);
                let facts = cx.certs.get(trusted.id);
                let bytes = pem_bytes(facts);
                if bytes <= FILE_BYTES {
                    continue;
                }
                let cert = &m[trusted.id];
                let mut d = Diagnostic::new(
                    &CODE,
                    trusted.span,
                    format!(
                        "trusted client CA `{}` is {} KB as PEM ({} certificates); Application Gateway accepts at most 25 KB per file",
                        cert.decl.name,
                        (bytes + 512) / 1024,
                        facts.chain.len()
                    ),
                )
                .with_primary_message("too large to upload")
                .with_help("split the file: one `certificate` block per root CA and its intermediates, each listed in `trusted_client_cas`")
                .with_address(profile.decl.address.clone())
                .with_trace(profile.decl.trace.clone());
                if let Some(span) = facts.span {
                    d = d.with_label(span, format!("`{}` is read from here", cert.decl.name));
                }
                out.push(d);
            }
        }
    }
}
