//! GH405 mtls-to-http-backend.

use super::util::{api_backends, api_certificate_read, url_scheme};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::ApiId;

declare_check! {
    /// ## What it checks
    /// An API that validates or reads the client certificate (`validate_client_certificate`,
    /// or a policy expression using `context.Request.Certificate`) forwards to a backend whose
    /// URL is `http://`.
    /// ## Why
    /// Mutual TLS protects the hop from the client to API Management only; the request then
    /// travels in clear text to the backend, which cannot tell that the caller was
    /// authenticated, and anyone on that network path can read or inject calls. Also reported,
    /// for every HTTP backend regardless of mTLS, by PSRule Azure.APIM.HTTPBackend (AZR-000044)
    /// and Checkov CKV_AZURE_215.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   backend "partners" {
    ///     url = "http://partners.contoso.internal"
    ///   }
    ///
    ///   api "partners" {
    ///     path    = "partners"
    ///     backend = backend.partners
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
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
    ///   backend "partners" {
    ///     url = "https://partners.contoso.internal"
    ///   }
    ///
    ///   api "partners" {
    ///     path    = "partners"
    ///     backend = backend.partners
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {}
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH405", "mtls-to-http-backend", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let Some(read) = api_certificate_read(cx, id) else {
            continue;
        };
        for r in api_backends(cx, id) {
            let backend = &m[r.id];
            if url_scheme(&backend.url.value).as_deref() != Some("http") {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &CODE,
                    backend.url.span,
                    format!(
                        "API `{}` authenticates callers with client certificates but forwards to `{}` over plain HTTP",
                        api.decl.name, backend.url.value
                    ),
                )
                .with_primary_message("the request leaves API Management unencrypted")
                .with_label(read, "the client certificate is checked here")
                .with_label(r.span, format!("API `{}` forwards to backend `{}`", api.decl.name, backend.decl.name))
                .with_help(format!(
                    "serve the backend over TLS and set `url = \"{}\"`",
                    backend.url.value.replacen("http://", "https://", 1)
                ))
                .with_address(api.decl.address.clone())
                .with_trace(api.decl.trace.clone()),
            );
        }
    }
}
