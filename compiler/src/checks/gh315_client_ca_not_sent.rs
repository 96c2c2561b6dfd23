//! GH315 client-ca-not-sent.

use super::util::apis_served_by;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{HostnameId, HostnameType, Sku, StatementKind};

declare_check! {
    /// ## What it checks
    /// A proxy hostname negotiates client certificates, but nothing tells clients which issuer
    /// is wanted: the instance's CA store is empty and no `validate_client_certificate`
    /// identity of the APIs it serves names an issuer (`issuer_subject`, `issuer_thumbprint`,
    /// `issuer_certificate`).
    /// ## Why
    /// A TLS server lists the acceptable issuers in its CertificateRequest; with none, clients
    /// holding several certificates pick one arbitrarily or show a picker, and the wrong one
    /// gets rejected (openziti/ziti #2178 shows the same class). Whether API Management fills
    /// the list from its CA store is unverified, hence a note.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    /// }
    /// ```
    "GH315", "client-ca-not-sent", Severity::Note
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, hostname) in m.hostnames.iter().enumerate() {
        let id = HostnameId(index as u32);
        let apim = &m[hostname.api_management];
        if hostname.kind.value != HostnameType::Proxy
            || !hostname.negotiate_client_certificate.value
            || apim.sku.value == Sku::Consumption
            || !apim.ca_certificates.is_empty()
        {
            continue;
        }
        let names_issuer = apis_served_by(cx, id).into_iter().any(|api| {
            cx.graph.effective_policies(api).iter().any(|(_, e)| {
                e.all().iter().any(|s| match &s.statement.kind {
                    StatementKind::ValidateClientCertificate(v) => v.identities.iter().any(|i| {
                        i.issuer_subject.is_some()
                            || i.issuer_thumbprint.is_some()
                            || i.issuer_certificate.is_some()
                    }),
                    _ => false,
                })
            })
        });
        if names_issuer {
            continue;
        }
        out.push(
            Diagnostic::new(
                &CODE,
                hostname.negotiate_client_certificate.span,
                format!("hostname `{}` asks for a client certificate without naming an issuer", hostname.host_name.value),
            )
            .with_primary_message("clients with several certificates must guess")
            .with_label(apim.decl.name_span, format!("instance `{}` has no `ca_certificate`", apim.decl.name))
            .with_help("upload the partners' issuing CA as a `ca_certificate` of the instance, and name it in `validate_client_certificate` (`identity { issuer_certificate = ca_certificate.<name> }`)")
            .with_address(hostname.decl.address.clone())
            .with_trace(hostname.decl.trace.clone()),
        );
    }
}
