//! GH215 validity-too-long.

use super::util::{server_certificate_uses, trust_anchor_uses, uses_by_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// A server certificate (an HTTPS listener's or an APIM hostname's) is valid for more than
    /// 398 days, and is not self-signed or issued under a CA the topology itself trusts (which
    /// would make it a private certificate).
    /// ## Why
    /// Browsers and Apple platforms reject publicly trusted TLS certificates issued with a
    /// validity above 398 days (the root programs of Apple, Google and Mozilla, since September
    /// 2020).
    /// A longer one from a public CA is mis-issued; from a private CA it is fine, and this
    /// note can be switched off with `allow "GH215"` on the certificate.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server-long-validity.pfx") # valid for 830 days
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx") # valid for 395 days
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH215", "validity-too-long", Severity::Note
}

const MAX_DAYS: i64 = 398;

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // Issuers the topology trusts itself are private CAs.
    let private: Vec<String> = trust_anchor_uses(m)
        .iter()
        .flat_map(|u| cx.certs.get(u.cert).chain.iter())
        .map(|x| x.subject.clone())
        .collect();
    for (id, uses) in uses_by_certificate(server_certificate_uses(m)) {
        let facts = cx.certs.get(id);
        let Some(leaf) = facts.leaf() else { continue };
        if leaf.self_issued || leaf.is_ca {
            continue;
        }
        let private_chain = facts
            .chain
            .iter()
            .any(|x| private.contains(&x.issuer) || private.contains(&x.subject));
        let days = (leaf.not_after - leaf.not_before).div_euclid(86_400);
        if private_chain || days <= MAX_DAYS {
            continue;
        }
        let cert = &m[id];
        let span = facts.span.unwrap_or(cert.decl.name_span);
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "server certificate `{}` is valid for {days} days, longer than the {MAX_DAYS} days browsers accept for publicly trusted certificates",
                cert.decl.name
            ),
        )
        .with_primary_message(format!("issued by `{}`", leaf.issuer))
        .with_help("if a public CA issued it, reissue it for at most 398 days; if it comes from a private CA, add `allow \"GH215\" { reason = \"private CA\" }` to the certificate")
        .with_address(cert.decl.address.clone())
        .with_trace(cert.decl.trace.clone());
        for u in &uses {
            d = d.with_label(u.span, format!("presented to clients by {}", u.user));
        }
        out.push(d);
    }
}
