//! GH401 backend-cert-not-sent.

use super::util::{module_prefix, reference_from, shown_name};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Api, ApiId, Model, AuthenticationCertificate, BackendId, BackendName, SetBackendService, StatementKind};

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
                let api_name = shown_name(&api.decl);
                let scope = operation.map_or_else(|| format!("API `{api_name}`"), |o| format!("operation `{}` of API `{api_name}`", m[o].decl.name));
                let help = help(m, &m[cert.id].decl.address, api);
                out.push(
                    Diagnostic::new(
                        &CODE,
                        cert.span,
                        format!("backend `{}` has a client certificate that {scope} never sends", shown_name(&backend.decl)),
                    )
                    .with_primary_message("declarative only: APIM does not present this by itself")
                    .with_label(api.decl.name_span, "routes to the backend without an `authentication_certificate` policy")
                    .with_help(help)
                    .with_address(api.decl.address.clone())
                    // The primary span is the backend's `client_certificate`: its module calls
                    // first, then the API's.
                    .with_trace(backend.decl.trace.clone())
                    .with_secondary_trace(&api.decl.trace),
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

/// What to write, from where the API is: the reference is written in the API's scope, or in
/// the instance's global policy (which every API runs first); a certificate declared in a
/// module is reached through one of its outputs, one declared outside the API's module through
/// one of that module's inputs.
fn help(m: &Model, certificate: &str, api: &Api) -> String {
    if let Some(reference) = reference_from(certificate, &api.decl.address) {
        return format!("add `authentication_certificate {{ certificate = {reference} }}` to the inbound policy of the API (or a scope above it)");
    }
    let instance = &m[api.api_management].decl;
    if let Some(reference) = reference_from(certificate, &instance.address) {
        return format!(
            "add `authentication_certificate {{ certificate = {reference} }}` to the inbound policy of instance `{}`, which every API runs first (or pass the certificate into module `{}` for the API's own policy)",
            shown_name(instance),
            module_name(&api.decl.address)
        );
    }
    if module_prefix(certificate).starts_with(module_prefix(&api.decl.address)) {
        return format!("add `authentication_certificate {{ certificate = ... }}` to the inbound policy of the API (or a scope above it), naming `{certificate}` through the output of module `{}` that returns it", module_name(certificate));
    }
    format!("add `authentication_certificate {{ certificate = ... }}` to the inbound policy of the API (or a scope above it), with `{certificate}` passed into module `{}` as an input", module_name(&api.decl.address))
}

/// The innermost module call of `address`: `ledger` for `module.ledger.certificate.client`.
fn module_name(address: &str) -> &str {
    module_prefix(address)
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or_default()
}
