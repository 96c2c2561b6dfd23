//! GH404 backend-validation-off.

use super::util::url_scheme;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// An `https` backend sets `validate_certificate_chain = false` or
    /// `validate_certificate_name = false`.
    /// ## Why
    /// API Management then accepts any certificate the backend (or anyone in between) presents:
    /// the connection is encrypted but not authenticated, so a man in the middle can read and
    /// change every request. Disabling chain validation is the documented workaround for
    /// self-signed backends (UP#15 docs #112181, UP#16 docs PR #2564); uploading the backend's
    /// CA keeps validation on (GH403). Where it is deliberate, keep it with an `allow` block
    /// and a reason. No peer linter checks backend `tls` settings.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   backend "orders" {
    ///     url                        = "https://orders.contoso.internal"
    ///     validate_certificate_chain = false
    ///   }
    ///
    ///   api "orders" {
    ///     path    = "orders"
    ///     backend = backend.orders
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
    ///   backend "orders" {
    ///     url = "https://orders.contoso.internal"
    ///   }
    ///
    ///   api "orders" {
    ///     path    = "orders"
    ///     backend = backend.orders
    ///   }
    /// }
    /// ```
    "GH404", "backend-validation-off", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    for backend in &cx.model.backends {
        if url_scheme(&backend.url.value).as_deref() != Some("https") {
            continue;
        }
        let chain = &backend.validate_certificate_chain;
        let name = &backend.validate_certificate_name;
        let off: Vec<(&str, crate::source::Span)> = [("chain", chain), ("name", name)]
            .into_iter()
            .filter(|(_, f)| !f.value)
            .map(|(what, f)| (what, f.span))
            .collect();
        let Some((first, span)) = off.first().copied() else {
            continue;
        };
        let what = if off.len() == 2 {
            "neither the certificate chain nor the certificate name".to_string()
        } else {
            format!("the certificate {first}")
        };
        let mut d = Diagnostic::new(
            &CODE,
            span,
            format!(
                "backend `{}` does not validate {what} of `{}`",
                backend.decl.name, backend.url.value
            ),
        )
        .with_primary_message("any certificate is accepted: a man in the middle goes unnoticed");
        for (_, s) in off.iter().skip(1) {
            d = d.with_label(*s, "switched off too");
        }
        let attrs = off
            .iter()
            .map(|(w, _)| format!("`validate_certificate_{w} = false`"))
            .collect::<Vec<_>>()
            .join(" and ");
        out.push(
            d.with_help(format!(
                "remove {attrs}, and upload the backend's CA as a `ca_certificate` if it is private; or keep it with `allow \"GH404\" {{ reason = \"...\" }}` in the backend"
            ))
            .with_address(backend.decl.address.clone())
            .with_trace(backend.decl.trace.clone()),
        );
    }
}
