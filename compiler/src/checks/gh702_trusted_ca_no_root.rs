//! GH702 trusted-ca-no-root.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A certificate in an SSL profile's `trusted_client_cas` holds CA certificates but no
    /// self-signed root, or more than one root.
    /// ## Why
    /// Application Gateway requires every trusted client CA upload to contain exactly one root
    /// CA, optionally with intermediates: a file with only an intermediate is rejected with
    /// `ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate`, as is one with
    /// several roots (Learn, mutual-authentication-overview and its troubleshooting page).
    /// GH701 covers a leaf certificate uploaded as a CA.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/issuing-ca.pem") # the issuing CA only
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
    ///   ca_chain = file("pki/ca-chain.pem") # the issuing CA, then its root
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
    "GH702", "trusted-ca-no-root", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for profile in &m.ssl_profiles {
        for trusted in &profile.trusted_client_cas {
            let facts = cx.certs.get(trusted.id);
            let cert = &m[trusted.id];
            let cas: Vec<_> = facts.chain.iter().filter(|x| x.is_ca).collect();
            if cas.is_empty() {
                continue;
            }
            let roots: Vec<_> = cas.iter().filter(|x| x.self_signed).collect();
            let (message, primary, help) = match roots.len() {
                0 => {
                    // The CA nearest the root: its issuer is not in the file.
                    let top = cas
                        .iter()
                        .find(|x| !facts.chain.iter().any(|p| p.subject == x.issuer))
                        .unwrap_or(&cas[0]);
                    (
                        format!(
                            "trusted client CA `{}` of SSL profile `{}` has no root CA",
                            cert.decl.name, profile.decl.name
                        ),
                        format!("`{}` without the root that issued it", top.subject),
                        format!(
                            "append the root CA `{}` to the file, after the intermediates (one root per trusted client CA)",
                            top.issuer
                        ),
                    )
                }
                1 => continue,
                n => (
                    format!(
                        "trusted client CA `{}` of SSL profile `{}` holds {n} root CAs",
                        cert.decl.name, profile.decl.name
                    ),
                    format!(
                        "roots {}",
                        roots
                            .iter()
                            .map(|r| format!("`{}`", r.subject))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "split the file: one `certificate` block per root CA (each with its intermediates), all listed in `trusted_client_cas`".to_string(),
                ),
            };
            let mut d = Diagnostic::new(&CODE, trusted.span, message)
                .with_primary_message(primary)
                .with_help(help)
                .with_address(profile.decl.address.clone())
                .with_trace(profile.decl.trace.clone());
            if let Some(span) = facts.span {
                d = d.with_label(span, format!("`{}` is read from here", cert.decl.name));
            }
            out.push(d);
        }
    }
}
