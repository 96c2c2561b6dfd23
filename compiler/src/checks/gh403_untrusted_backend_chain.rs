//! GH403 untrusted-backend-chain.

use super::util::{anchored_by, private_anchor, reference_from, url_scheme};
use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{CertificateId, Sku};

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
    /// SSL/TLS secure channel" (seed 003; UP#15 docs #112181; UP#16 docs PR #2564). On the v2 tiers
    /// and Consumption the instance has no CA store for backends at all (GH806), so only a
    /// publicly trusted chain works there. Switching validation off
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
        let instance_ref = &instance.decl.address;
        let help = if no_store {
            format!(
                "instance `{instance_ref}` is on the {} tier, which has no CA store for backends: serve a certificate from a publicly trusted CA, or run the instance on a classic tier (Developer, Basic, Standard, Premium) and upload the root with a `ca_certificate` block",
                instance.sku.value.as_str()
            )
        } else if self_signed {
            format!(
                "upload the backend's certificate as a root: a `ca_certificate` block in `{instance_ref}` with `certificate = {}` and `store = \"Root\"`, or issue the certificate from a CA the instance trusts",
                reference(&m[server.id].decl.address, &instance.decl.address)
            )
        } else {
            let root = root_block(cx, server.id, &private_root).map_or_else(
                || format!("`certificate` naming a `certificate` block that holds the root of `{private_root}`"),
                |c| format!("`certificate = {}`", reference(&m[c].decl.address, &instance.decl.address)),
            );
            format!(
                "upload the root of `{private_root}` to `{instance_ref}`: a `ca_certificate` block with {root} and `store = \"Root\"` (intermediates with `store = \"CertificateAuthority\"`)"
            )
        };
        out.push(
            d.with_help(help)
                .with_address(backend.decl.address.clone())
                .with_trace(backend.decl.trace.clone()),
        );
    }
}

/// How the instance's `ca_certificate` refers to the certificate at `address`: its local
/// reference when both are in one module instance, else its address (reached through a module
/// input or output).
fn reference(address: &str, instance: &str) -> String {
    reference_from(address, instance).map_or_else(
        || format!("<`{address}`, through a module input or output>"),
        str::to_string,
    )
}

/// A certificate block other than `server` that holds the CA `subject` as a certificate of its
/// own (the root to upload).
fn root_block(cx: &CheckContext, server: CertificateId, subject: &str) -> Option<CertificateId> {
    cx.certs
        .certs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != server.index())
        .find(|(_, f)| f.chain.iter().any(|c| c.is_ca && c.subject == subject))
        .map(|(i, _)| CertificateId(i as u32))
}
