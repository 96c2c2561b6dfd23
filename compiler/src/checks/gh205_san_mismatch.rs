//! GH205 san-mismatch.

use super::util::is_client_ca_chain;
use super::CheckContext;
use crate::certs::{covers, X509Facts};
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::{CertificateId, ListenerProtocol, Ref, Spanned};

declare_check! {
    /// ## What it checks
    /// A server certificate does not cover the host name it is bound to: an APIM hostname's
    /// `host_name`, or a host name of the Application Gateway listener that presents it. Names
    /// are matched against the subject alternative names (DNS); the common name counts only
    /// when there are none, and a wildcard covers exactly one label (`*.contoso.com` covers
    /// `api.contoso.com`, not `contoso.com` or `a.b.contoso.com`).
    /// ## Why
    /// Clients check that the certificate names the host they called and abort the handshake
    /// otherwise; Azure does not check it when the certificate is bound. "The subject or SAN
    /// needs to match the domain name" (Learn, self-hosted gateway custom domain).
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server-other-host.pfx") # issued for other.fabrikam.com
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
    ///   pfx      = file("pki/server.pfx") # issued for api.contoso.com
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
    "GH205", "san-mismatch", Severity::Error
}

/// The names a certificate is valid for, for the label.
fn names(leaf: &X509Facts) -> String {
    if leaf.dns_names.is_empty() {
        return leaf.common_name.as_deref().map_or_else(
            || "no DNS name".to_string(),
            |cn| format!("only `{cn}` (common name)"),
        );
    }
    leaf.dns_names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a listener host name is one a certificate name can be compared with: a plain name
/// or a single leading `*.` label. Other Application Gateway patterns (`?`, inner `*`) are not
/// certificate names.
fn comparable(host: &str) -> bool {
    let rest = host.strip_prefix("*.").unwrap_or(host);
    !rest.contains('*') && !rest.contains('?')
}

struct Binding<'a> {
    cert: Ref<CertificateId>,
    host: &'a Spanned<String>,
    user: String,
    listener: bool,
    address: &'a str,
    trace: &'a [Label],
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut bindings = Vec::new();
    for l in m
        .listeners
        .iter()
        .filter(|l| l.protocol.value == ListenerProtocol::Https)
    {
        let Some(cert) = l.certificate else { continue };
        bindings.extend(l.host_names.iter().map(|host| Binding {
            cert,
            host,
            user: format!("listener `{}`", l.decl.name),
            listener: true,
            address: &l.decl.address,
            trace: &l.decl.trace,
        }));
    }
    for h in &m.hostnames {
        let Some(cert) = h.certificate else { continue };
        bindings.push(Binding {
            cert,
            host: &h.host_name,
            user: format!("hostname `{}`", h.decl.name),
            listener: false,
            address: &h.decl.address,
            trace: &h.decl.trace,
        });
    }
    for b in bindings {
        // A client CA chain bound to a listener is GH704.
        if !comparable(&b.host.value) || (b.listener && is_client_ca_chain(m, b.cert.id)) {
            continue;
        }
        let facts = cx.certs.get(b.cert.id);
        // A CA certificate as server certificate is GH206, whatever names it has.
        let Some(leaf) = facts.leaf().filter(|l| !l.is_ca) else {
            continue;
        };
        if covers(leaf, &b.host.value) {
            continue;
        }
        let name = &m[b.cert.id].decl.name;
        out.push(
            Diagnostic::new(
                &CODE,
                b.host.span,
                format!(
                    "certificate `{name}` of {} does not cover host name `{}`",
                    b.user, b.host.value
                ),
            )
            .with_primary_message("not among the certificate's names")
            .with_label(b.cert.span, format!("`{name}` is valid for {}", names(leaf)))
            .with_help(format!(
                "bind a certificate whose subject alternative names include `{}` (or a wildcard for its parent domain), or correct the host name",
                b.host.value
            ))
            .with_address(b.address.to_string())
            .with_trace(b.trace.to_vec()),
        );
    }
}
