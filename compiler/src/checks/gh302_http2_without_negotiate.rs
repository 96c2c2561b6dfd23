//! GH302 http2-without-negotiate.

use super::util::{api_certificate_read, apis_served_by, written};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{HostnameId, HostnameType, Sku};

declare_check! {
    /// ## What it checks
    /// An instance with `http2_enabled = true` serves an API that reads the client certificate
    /// on a proxy hostname with `negotiate_client_certificate = false`, while another hostname
    /// serving the API negotiates (when none does, GH301 reports it).
    /// ## Why
    /// HTTP/2 forbids TLS renegotiation, so API Management cannot ask for the certificate once
    /// the request has arrived: "To receive and verify client certificates over HTTP/2 … turn on
    /// Negotiate client certificate" (Learn: "How to secure APIs using client certificate
    /// authentication"). HTTP/2 callers of that hostname always arrive without a certificate.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   http2_enabled   = true
    ///
    ///   hostname "partners" {
    ///     type                         = "Proxy"
    ///     host_name                    = "partners.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners" # served on both hostnames
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           identity {
    ///             issuer_subject = "CN=Contoso Test Issuing CA, O=Contoso"
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   http2_enabled   = true
    ///
    ///   hostname "partners" {
    ///     type                         = "Proxy"
    ///     host_name                    = "partners.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com"
    ///   }
    ///
    ///   api "partners" {
    ///     path      = "partners"
    ///     hostnames = [hostname.partners]
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           identity {
    ///             issuer_subject = "CN=Contoso Test Issuing CA, O=Contoso"
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH302", "http2-without-negotiate", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, hostname) in m.hostnames.iter().enumerate() {
        let id = HostnameId(index as u32);
        let apim = &m[hostname.api_management];
        if hostname.kind.value != HostnameType::Proxy
            || hostname.negotiate_client_certificate.value
            || !apim.http2_enabled.value
            || apim.sku.value == Sku::Consumption
        {
            continue;
        }
        // APIs read the certificate here while another of their hostnames negotiates; behind
        // Application Gateway only (GH308) the certificate never arrives at all.
        let affected: Vec<_> = apis_served_by(cx, id)
            .into_iter()
            .filter(|api| !cx.graph.api_only_behind_app_gateway(*api))
            .filter(|api| {
                cx.graph.hostnames_serving(*api).iter().any(|h| {
                    m[*h].kind.value == HostnameType::Proxy
                        && m[*h].negotiate_client_certificate.value
                })
            })
            .filter_map(|api| api_certificate_read(cx, api).map(|read| (api, read)))
            .collect();
        let Some((first, _)) = affected.first() else {
            continue;
        };
        let flag = &hostname.negotiate_client_certificate;
        let primary = if written(flag.span, &hostname.decl) {
            flag.span
        } else {
            hostname.decl.name_span
        };
        let mut d = Diagnostic::new(
            &CODE,
            primary,
            format!(
                "hostname `{}` serves API `{}` over HTTP/2 but does not negotiate a client certificate",
                hostname.host_name.value, m[*first].decl.name
            ),
        )
        .with_primary_message("HTTP/2 cannot renegotiate: callers here never present a certificate")
        .with_label(apim.http2_enabled.span, "HTTP/2 is enabled for the instance");
        for (api, read) in &affected {
            d = d.with_label(
                *read,
                format!("API `{}` reads the client certificate", m[*api].decl.name),
            );
        }
        out.push(
            d.with_help(format!(
                "set `negotiate_client_certificate = true` on hostname `{}`, or serve the API only on hostnames that negotiate (`hostnames = [...]`)",
                hostname.decl.name
            ))
            .with_address(hostname.decl.address.clone())
            .with_trace(hostname.decl.trace.clone()),
        );
    }
}
