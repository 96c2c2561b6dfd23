//! GH609 cors-wildcard.

use super::util::{
    all_forwarded_certificate_headers, api_certificate_read, api_header_reads, policy_owner,
};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{ApiId, StatementKind};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// A `cors` policy with `*` among its allowed origins, methods or headers is in effect for
    /// an API protected by client certificates (it reads the TLS client certificate, a
    /// forwarded certificate header, or is served on a hostname that negotiates one).
    /// ## Why
    /// A wildcard lets any web page call the API from a visitor's browser; with client
    /// certificates, the browser may present the visitor's certificate for that page. Kept
    /// for parity with PSRule Azure.APIM.CORSPolicy (AZR-000365), here only where mutual TLS
    /// makes it matter.
    /// ## Example
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
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///
    ///         cors {
    ///           allowed_origins = ["*"]
    ///           allowed_headers = ["*"]
    ///         }
    ///       }
    ///     }
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
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///
    ///         cors {
    ///           allowed_origins = ["https://portal.contoso.com"]
    ///           allowed_headers = ["Content-Type"]
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH609", "cors-wildcard", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let forwarded = all_forwarded_certificate_headers(m);
    let mut seen: Vec<Span> = Vec::new();
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let mtls = api_certificate_read(cx, id).is_some()
            || cx
                .graph
                .hostnames_serving(id)
                .iter()
                .any(|h| m[*h].negotiate_client_certificate.value)
            || api_header_reads(cx, id).iter().any(|r| {
                forwarded
                    .iter()
                    .any(|(_, h)| h.header.value.eq_ignore_ascii_case(&r.name))
            });
        if !mtls {
            continue;
        }
        for (_, effective) in cx.graph.effective_policies(id) {
            for s in effective.all() {
                let wildcard = match &s.statement.kind {
                    StatementKind::Cors(c) => c
                        .allowed_origins
                        .iter()
                        .chain(&c.allowed_methods)
                        .chain(&c.allowed_headers)
                        .find(|v| v.value.trim() == "*")
                        .map(|v| v.span),
                    StatementKind::Other(o) if o.name == "cors" => o
                        .xml
                        .replace(' ', "")
                        .contains(">*<")
                        .then_some(s.statement.span),
                    _ => None,
                };
                let Some(span) = wildcard else { continue };
                if seen.contains(&span) {
                    continue;
                }
                seen.push(span);
                let owner = policy_owner(m, s.policy);
                out.push(
                    Diagnostic::new(&CODE, span, format!("API `{}` uses client certificates but allows any cross-origin caller", api.decl.name))
                        .with_primary_message("`*` here")
                        .with_help("list the origins, methods and headers the browser clients need instead of `*`")
                        .with_address(cx.graph.address(NodeRef::Policy(s.policy)))
                        .with_trace(owner.trace.clone()),
                );
            }
        }
    }
}
