//! GH408 backend-name-mismatch.

use super::util::{url_host, url_scheme};
use super::CheckContext;
use crate::certs::covers;
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// An `https` backend's `server_certificate` (inspected) does not cover the host name of
    /// the backend `url` (SAN DNS names, wildcard over exactly one label, common name only
    /// without SANs), while `validate_certificate_name` is on (the default).
    /// ## Why
    /// API Management checks the backend certificate's name against the host it connects to;
    /// a mismatch fails the TLS handshake and every call gets **500**
    /// `BackendConnectionFailure` (UP#19, docs #123380). Usually the URL names an IP address,
    /// a load balancer or another alias than the one the certificate was issued for.
    /// ## Example
    /// ```hcl
    /// certificate "internal_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// certificate "orders_server" {
    ///   pem = file("pki/backend-server.pem") # issued for orders.contoso.internal
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "internal_root" {
    ///     certificate = certificate.internal_root
    ///     store       = "Root"
    ///   }
    ///
    ///   backend "orders" {
    ///     url                = "https://orders-lb.contoso.internal"
    ///     server_certificate = certificate.orders_server
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
    /// certificate "internal_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// certificate "orders_server" {
    ///   pem = file("pki/backend-server.pem") # issued for orders.contoso.internal
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "internal_root" {
    ///     certificate = certificate.internal_root
    ///     store       = "Root"
    ///   }
    ///
    ///   backend "orders" {
    ///     url                = "https://orders.contoso.internal"
    ///     server_certificate = certificate.orders_server
    ///   }
    ///
    ///   api "orders" {
    ///     path    = "orders"
    ///     backend = backend.orders
    ///   }
    /// }
    /// ```
    "GH408", "backend-name-mismatch", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for backend in &m.backends {
        if url_scheme(&backend.url.value).as_deref() != Some("https")
            || !backend.validate_certificate_name.value
        {
            continue;
        }
        let (Some(server), Some(host)) = (backend.server_certificate, url_host(&backend.url.value))
        else {
            continue;
        };
        let Some(leaf) = cx.certs.get(server.id).leaf() else {
            continue;
        };
        if covers(leaf, host) {
            continue;
        }
        let names = if leaf.dns_names.is_empty() {
            leaf.common_name.as_ref().map_or_else(
                || "no DNS name".to_string(),
                |cn| format!("only `{cn}` (common name)"),
            )
        } else {
            leaf.dns_names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(
            Diagnostic::new(
                &CODE,
                backend.url.span,
                format!(
                    "backend `{}` connects to `{host}`, but its certificate covers {names}",
                    backend.decl.name
                ),
            )
            .with_primary_message("the certificate name check fails: every call gets 500")
            .with_label(server.span, format!("issued to `{}`", leaf.subject))
            .with_help(format!(
                "use a host name the certificate covers in `url` (e.g. `https://{}`), or reissue the certificate with `{host}` in its subject alternative names",
                leaf.dns_names.first().map_or(host, |n| n.trim_start_matches("*.")),
            ))
            .with_address(backend.decl.address.clone())
            .with_trace(backend.decl.trace.clone()),
        );
    }
}
