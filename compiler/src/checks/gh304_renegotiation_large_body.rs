//! GH304 renegotiation-large-body.

use super::util::api_certificate_read;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, HostnameType, Sku};

declare_check! {
    /// ## What it checks
    /// An API that reads the client certificate has operations that take a request body
    /// (`POST`, `PUT`, `PATCH`, or `max_body_size` above 60 KB) and is served on a proxy
    /// hostname with `negotiate_client_certificate = false`, while another of its hostnames
    /// negotiates. When no hostname negotiates, GH301 reports the API instead; when HTTP/2 is
    /// on, GH302 does.
    /// ## Why
    /// Without negotiation API Management asks for the certificate by TLS renegotiation after
    /// the request has started. With an HTTP/1.1 body of about 60 KB or more the renegotiation
    /// deadlocks: the call hangs until the client times out, then fails with 403 or a null
    /// certificate (notetoself.tech 2019-06-13: 32 KB bodies froze; MicrosoftDocs/azure-docs
    /// #33919; Learn: "How to secure APIs using client certificate authentication").
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "partners" {
    ///     type                         = "Proxy"
    ///     host_name                    = "partners.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com" # asks for the certificate by renegotiation
    ///   }
    ///
    ///   api "documents" {
    ///     path = "documents"
    ///
    ///     operation "upload" {
    ///       method       = "POST"
    ///       url_template = "/"
    ///     }
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
    ///
    ///   hostname "partners" {
    ///     type                         = "Proxy"
    ///     host_name                    = "partners.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   api "documents" {
    ///     path = "documents"
    ///
    ///     operation "upload" {
    ///       method       = "POST"
    ///       url_template = "/"
    ///     }
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
    "GH304", "renegotiation-large-body", Severity::Warning
}

/// Bodies from about this size deadlock renegotiation (Learn).
const LARGE_BODY: i64 = 60 * 1024;

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let apim = &m[api.api_management];
        if apim.sku.value == Sku::Consumption
            || apim.http2_enabled.value
            || cx.graph.api_only_behind_app_gateway(id)
        {
            continue;
        }
        let proxies: Vec<_> = cx
            .graph
            .hostnames_serving(id)
            .into_iter()
            .filter(|h| m[*h].kind.value == HostnameType::Proxy)
            .collect();
        let (negotiating, silent): (Vec<_>, Vec<_>) = proxies
            .into_iter()
            .partition(|h| m[*h].negotiate_client_certificate.value);
        if negotiating.is_empty() || silent.is_empty() {
            continue;
        }
        let bodies: Vec<_> = api
            .operations
            .iter()
            .filter_map(|o| {
                let op = &m[*o];
                if let Some(size) = op.max_body_size.as_ref().filter(|s| s.value > LARGE_BODY) {
                    return Some((
                        op,
                        size.span,
                        format!("accepts bodies up to {} bytes", size.value),
                    ));
                }
                matches!(op.method.value.as_str(), "POST" | "PUT" | "PATCH").then(|| {
                    (
                        op,
                        op.method.span,
                        format!("`{}` carries a request body", op.method.value),
                    )
                })
            })
            .collect();
        let Some((op, span, _)) = bodies.first() else {
            continue;
        };
        if api_certificate_read(cx, id).is_none() {
            continue;
        }
        let names: Vec<String> = silent
            .iter()
            .map(|h| format!("`{}`", m[*h].host_name.value))
            .collect();
        let mut d = Diagnostic::new(
            &CODE,
            *span,
            format!(
                "operation `{}` of API `{}` takes a request body, but the client certificate is requested by renegotiation on {}",
                op.decl.name,
                api.decl.name,
                names.join(", ")
            ),
        )
        .with_primary_message("large bodies deadlock the renegotiation");
        for (other, span, why) in bodies.iter().skip(1) {
            d = d.with_label(*span, format!("operation `{}` {why}", other.decl.name));
        }
        for h in &silent {
            d = d.with_label(
                m[*h].decl.name_span,
                format!(
                    "hostname `{}` does not negotiate client certificates",
                    m[*h].host_name.value
                ),
            );
        }
        out.push(
            d.with_help(format!(
                "set `negotiate_client_certificate = true` on {}, or serve the API only on hostnames that negotiate (`hostnames = [...]`)",
                silent.iter().map(|h| format!("hostname `{}`", m[*h].decl.name)).collect::<Vec<_>>().join(" and ")
            ))
            .with_address(api.decl.address.clone())
            .with_trace(api.decl.trace.clone()),
        );
    }
}
