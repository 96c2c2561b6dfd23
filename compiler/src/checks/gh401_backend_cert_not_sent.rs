//! GH401 backend-cert-not-sent.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, AuthenticationCertificate, BackendId, BackendName, SetBackendService, StatementKind};

declare_check! {
    /// ## What it checks
    /// A backend declares a `client_certificate`, but an API that routes to it has no
    /// `authentication_certificate` policy in effect (global, product, API or operation scope).
    /// ## Why
    /// The certificate on an APIM backend entity is declarative only, by design: API
    /// Management presents a client certificate to a backend only when an
    /// `authentication-certificate` policy says so. Without it the backend's mutual TLS
    /// handshake fails (Learn Q&A 5808706).
    /// ## Example
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client
    ///   }
    ///
    ///   api "ledger" {
    ///     path    = "ledger"
    ///     backend = backend.ledger
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client
    ///   }
    ///
    ///   api "ledger" {
    ///     path    = "ledger"
    ///     backend = backend.ledger
    ///
    ///     policy {
    ///       inbound {
    ///         authentication_certificate {
    ///           certificate = certificate.ledger_client
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH401", "backend-cert-not-sent", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        for (operation, effective) in cx.graph.effective_policies(id) {
            let all = effective.all();
            let mut backends: Vec<BackendId> = api.backend.iter().map(|b| b.id).collect();
            for s in &all {
                if let StatementKind::SetBackendService(SetBackendService::Backend(BackendName::Backend(r))) = &s.statement.kind {
                    backends.push(r.id);
                }
            }
            let sends = all.iter().any(|s| matches!(s.statement.kind, StatementKind::AuthenticationCertificate(AuthenticationCertificate::Certificate(_) | AuthenticationCertificate::Thumbprint(_) | AuthenticationCertificate::Body(_))));
            if sends {
                continue;
            }
            backends.dedup();
            for backend_id in backends {
                let backend = &m[backend_id];
                let Some(cert) = backend.client_certificate else { continue };
                let scope = operation.map_or_else(|| format!("API `{}`", api.decl.name), |o| format!("operation `{}` of API `{}`", m[o].decl.name, api.decl.name));
                out.push(
                    Diagnostic::new(
                        &CODE,
                        cert.span,
                        format!("backend `{}` has a client certificate that {scope} never sends", backend.decl.name),
                    )
                    .with_primary_message("declarative only: APIM does not present this by itself")
                    .with_label(api.decl.name_span, "routes to the backend without an `authentication_certificate` policy")
                    .with_help(format!(
                        "add `authentication_certificate {{ certificate = {} }}` to the inbound policy of the API (or a scope above it)",
                        m[cert.id].decl.address.rsplit_once("certificate.").map_or(m[cert.id].decl.address.clone(), |(_, n)| format!("certificate.{n}"))
                    ))
                    .with_address(api.decl.address.clone())
                    .with_trace(api.decl.trace.clone()),
                );
                break;
            }
            // One finding per API is enough: the fix is the same for all operations.
            if out.last().is_some_and(|d| d.address.as_deref() == Some(api.decl.address.as_str()) && d.code.code == CODE.code) {
                break;
            }
        }
    }
}
