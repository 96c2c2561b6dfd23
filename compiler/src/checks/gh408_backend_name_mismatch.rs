//! GH408 backend-name-mismatch.

use super::util::{url_host, url_scheme};
use super::CheckContext;
use crate::certs::{covers, matches_host, X509Facts};
use crate::diagnostics::{Diagnostic, Severity};

declare_check! {
    /// ## What it checks
    /// An `https` backend's `server_certificate` (inspected) does not cover the host name of
    /// the backend `url` (SAN DNS names, wildcard over exactly one label, common name only
    /// without SANs), while `validate_certificate_name` is on (the default). IP address SANs
    /// are not read: a `url` naming an IP address the certificate lists as an IP SAN is
    /// reported too (switch the check off for that backend with `allow "GH408"`).
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
            .with_help(help(&backend.url.value, host, leaf))
            .with_address(backend.decl.address.clone())
            .with_trace(backend.decl.trace.clone()),
        );
    }
}

/// What to write: a `url` on a name the certificate covers (same scheme, port and path), or,
/// when it names none, a reissued certificate.
fn help(url: &str, host: &str, leaf: &X509Facts) -> String {
    let reissue = format!("reissue the certificate with `{host}` in its subject alternative names");
    match covered_host(host, &leaf.dns_names, leaf.common_name.as_deref()) {
        Some(name) => {
            let suggested = url.replacen(host, &name, 1);
            format!("point `url` at a name the certificate covers (`url = \"{suggested}\"`, if the backend answers there), or {reissue}")
        }
        None => reissue,
    }
}

/// A host name a certificate with `dns_names` (and `common_name`, which counts only without
/// DNS names) covers, close to `host`: its first DNS name, a wildcard filled in with the first
/// label of `host` (a wildcard covers exactly one label), or the common name.
fn covered_host(host: &str, dns_names: &[String], common_name: Option<&str>) -> Option<String> {
    let pattern = match dns_names.first() {
        Some(name) => name.as_str(),
        None => common_name?,
    };
    let name = match pattern.strip_prefix("*.") {
        Some(suffix) => format!("{}.{suffix}", host.split('.').next().unwrap_or(host)),
        None => pattern.to_string(),
    };
    matches_host(pattern, &name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::covered_host;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn suggests_a_name_the_certificate_covers() {
        let host = "orders-lb.contoso.internal";
        assert_eq!(
            covered_host(host, &names(&["orders.contoso.internal"]), None).as_deref(),
            Some("orders.contoso.internal")
        );
        assert_eq!(
            covered_host(host, &names(&["*.svc.contoso.internal"]), None).as_deref(),
            Some("orders-lb.svc.contoso.internal"),
            "a wildcard covers one label, never its bare suffix"
        );
        assert_eq!(
            covered_host(host, &[], Some("orders.contoso.internal")).as_deref(),
            Some("orders.contoso.internal"),
            "the common name counts without DNS names"
        );
        assert_eq!(covered_host(host, &[], None), None);
        assert_eq!(
            covered_host(host, &names(&["*.com"]), None),
            None,
            "a wildcard over one label covers nothing"
        );
    }
}
