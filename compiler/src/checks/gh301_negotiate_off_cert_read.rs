//! GH301 negotiate-off-cert-read.

use super::util::reads_client_certificate;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{HostnameId, HostnameType, Model, Sku};

declare_check! {
    /// ## What it checks
    /// An API validates the client certificate (`validate_client_certificate`, or a policy
    /// expression reading `context.Request.Certificate`) but every proxy hostname serving it
    /// has `negotiate_client_certificate = false` (the default). Consumption instances, which
    /// cannot negotiate, are GH303; an API reached only through Application Gateway, where the
    /// certificate never reaches API Management, is GH308.
    /// ## Why
    /// API Management only asks for a client certificate during the TLS handshake on hostnames
    /// that negotiate; since May 2021 `context.Request.Certificate` is null everywhere else, so
    /// every call fails validation (Learn: "How to secure APIs using client certificate
    /// authentication").
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type      = "Proxy"
    ///     host_name = "api.contoso.com" # negotiate_client_certificate defaults to false
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
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
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
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
    "GH301", "negotiate-off-cert-read", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, api) in m.apis.iter().enumerate() {
        let id = crate::model::ApiId(index as u32);
        let apim = &m[api.api_management];
        // Consumption has no negotiation (GH303); behind AppGW the certificate never reaches
        // APIM at all (GH308).
        if apim.sku.value == Sku::Consumption || cx.graph.api_only_behind_app_gateway(id) {
            continue;
        }
        let hostnames = cx.graph.hostnames_serving(id);
        let proxies: Vec<_> = hostnames.iter().filter(|h| m[**h].kind.value == HostnameType::Proxy).collect();
        if proxies.is_empty() || proxies.iter().any(|h| m[**h].negotiate_client_certificate.value) {
            continue;
        }
        let read = cx.graph.effective_policies(id).iter().find_map(|(_, effective)| {
            effective.all().into_iter().find_map(|s| reads_client_certificate(s.statement))
        });
        let Some(read_span) = read else { continue };
        let mut d = Diagnostic::new(
            &CODE,
            read_span,
            format!("API `{}` reads the client certificate, but no hostname serving it negotiates one", api.decl.name),
        )
        .with_primary_message("no client certificate arrives here: `context.Request.Certificate` is null")
        .with_help(help(m, &proxies))
        .with_address(api.decl.address.clone())
        .with_trace(api.decl.trace.clone());
        for h in proxies {
            d = d.with_label(m[*h].decl.name_span, format!("hostname `{}` does not negotiate client certificates", m[*h].host_name.value));
        }
        out.push(d);
    }
}

/// What to write: negotiate on the hostnames that serve the API, not on a portal's host name.
fn help(m: &Model, proxies: &[&HostnameId]) -> String {
    let names: Vec<String> = proxies
        .iter()
        .map(|h| format!("`{}`", m[**h].decl.address))
        .collect();
    let which = match names.as_slice() {
        [one] => format!("hostname {one}"),
        _ => format!("the hostnames clients call ({})", names.join(", ")),
    };
    format!("set `negotiate_client_certificate = true` on {which}; a host name that also serves the developer portal would make the portal prompt for a certificate (GH305): give the API one of its own")
}
