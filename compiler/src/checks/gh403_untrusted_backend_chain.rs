//! GH403 untrusted-backend-chain.

use super::util::{anchored_by, local_reference, private_anchor, url_scheme};
use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Sku;

declare_check! {
    /// ## What it checks
    /// An `https` backend whose `server_certificate` (inspected) is self-signed or chains to a
    /// private CA — one declared in the topology, or a self-signed root in the file — that is
    /// not in the CA store (`ca_certificate`) of the backend's API Management instance, while
    /// `validate_certificate_chain` is on (the default). Chains to CAs gatehouse does not know
    /// are assumed public and not reported.
    /// ## Why
    /// API Management builds the backend's chain to a publicly trusted root or to a CA
    /// certificate uploaded to the instance; otherwise the TLS handshake fails and every call
    /// gets **500** `BackendConnectionFailure`, "Could not establish trust relationship for the
    /// SSL/TLS secure channel" (seed 003; UP#15 docs #112181; UP#16 docs PR #2564). On v2 tiers
    /// the instance CA store is not used for backends at all (GH806). Switching validation off
    /// instead is GH404.
    /// ## Example
    /// ```hcl
    /// certificate "orders_server" {
    ///   pem = file("pki/backend-self-signed.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
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
    /// ## Fix
    /// ```hcl
    /// certificate "internal_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// certificate "orders_server" {
    ///   pem = file("pki/backend-server.pem") # issued under internal_root
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
    "GH403", "untrusted-backend-chain", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for backend in &m.backends {
        if url_scheme(&backend.url.value).as_deref() != Some("https")
            || !backend.validate_certificate_chain.value
        {
            continue;
        }
        let Some(server) = backend.server_certificate else {
            continue;
        };
        let chain = &cx.certs.get(server.id).chain;
        let Some(leaf) = chain.first() else {
            continue;
        };
        let instance = &m[backend.api_management];
        // Consumption and the v2 tiers have no instance CA store for backends.
        let no_store = instance.sku.value.is_v2() || instance.sku.value == Sku::Consumption;
        let anchors: Vec<&X509Facts> = if no_store {
            Vec::new()
        } else {
            instance
                .ca_certificates
                .iter()
                .filter_map(|c| m[*c].certificate)
                .flat_map(|r| cx.certs.get(r.id).chain.iter())
                .collect()
        };
        if anchored_by(chain, &anchors) {
            continue;
        }
        let Some(private_root) = private_anchor(cx, server.id, chain) else {
            continue;
        };
        let self_signed = leaf.self_signed;
        let what = if self_signed {
            format!("a self-signed certificate (`{}`)", leaf.subject)
        } else {
            format!("a certificate issued under private CA `{private_root}`")
        };
        let mut d = Diagnostic::new(
            &CODE,
            server.span,
            format!(
                "backend `{}` serves {what}, which API Management instance `{}` does not trust",
                backend.decl.name, instance.decl.name
            ),
        )
        .with_primary_message("every call to this backend fails with 500 BackendConnectionFailure")
        .with_label(
            instance.decl.name_span,
            if no_store {
                "no instance CA store for backends on this tier"
            } else {
                "no `ca_certificate` of this instance anchors the chain"
            },
        );
        if backend.validate_certificate_chain.span.range().start != backend.decl.span.range().start
        {
            d = d.with_label(
                backend.validate_certificate_chain.span,
                "chain validation is on",
            );
        }
        let help = if self_signed {
            format!(
                "upload the backend's certificate as a root: `ca_certificate \"{}\" {{ certificate = {}, store = \"Root\" }}` in `{}`, or issue it from a CA the instance trusts",
                backend.decl.name,
                local_reference(&m[server.id].decl.address),
                local_reference(&instance.decl.address)
            )
        } else {
            format!(
                "upload the root of `{private_root}` to `{}` with `ca_certificate \"<name>\" {{ certificate = certificate.<root>, store = \"Root\" }}` (and its intermediates with `store = \"CertificateAuthority\"`)",
                local_reference(&instance.decl.address)
            )
        };
        out.push(
            d.with_help(help)
                .with_address(backend.decl.address.clone())
                .with_trace(backend.decl.trace.clone()),
        );
    }
}
