//! GH214 duplicate-subject-ca.

use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::model::{CertificateId, Ref};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// Two different CA certificates with the same subject DN in one trust store: the CA
    /// certificates of one API Management instance, the trusted client CAs of one Application
    /// Gateway, or the trusted root certificates of its backend settings.
    /// ## Why
    /// Stores keyed by subject keep one of the two: the APIM CA store did not renew an
    /// intermediate whose chain changed while its common name stayed the same
    /// (docs #81745). Which certificate a verifier then picks for that issuer name is
    /// undefined, so clients of the other one fail.
    /// ## Example
    /// ```hcl
    /// certificate "root_2024" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// certificate "root_2026" {
    ///   pem = file("pki/root-ca-same-subject.pem") # same subject, new key
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "root_2024" {
    ///     certificate = certificate.root_2024
    ///     store       = "Root"
    ///   }
    ///
    ///   ca_certificate "root_2026" {
    ///     certificate = certificate.root_2026
    ///     store       = "Root"
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "root_2026" {
    ///   pem = file("pki/root-ca-same-subject.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "root_2026" {
    ///     certificate = certificate.root_2026
    ///     store       = "Root"
    ///   }
    /// }
    /// ```
    "GH214", "duplicate-subject-ca", Severity::Warning
}

/// One entry of a trust store: the reference, who holds it, its address and trace.
struct Entry<'a> {
    cert: Ref<CertificateId>,
    address: &'a str,
    trace: &'a [Label],
}

fn check_store(cx: &CheckContext, store: &str, entries: &[Entry], out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(&X509Facts, Span, &str)> = Vec::new();
    let mut done: Vec<CertificateId> = Vec::new();
    for e in entries {
        // A certificate listed twice is one entry.
        if done.contains(&e.cert.id) {
            continue;
        }
        done.push(e.cert.id);
        let name = &cx.model[e.cert.id].decl.name;
        for x in cx.certs.get(e.cert.id).chain.iter().filter(|x| x.is_ca) {
            let Some((first, span, first_name)) = seen
                .iter()
                .find(|(s, _, _)| s.subject == x.subject)
                .copied()
            else {
                seen.push((x, e.cert.span, name));
                continue;
            };
            if first.thumbprint == x.thumbprint {
                continue;
            }
            let mut d = Diagnostic::new(
                &CODE,
                e.cert.span,
                format!(
                    "two different CA certificates in {store} have the subject `{}`",
                    x.subject
                ),
            )
            .with_primary_message(format!("`{name}` holds one"))
            .with_help(format!(
                "keep one certificate per CA subject: remove the one that was replaced (`{first_name}` or `{name}`)"
            ))
            .with_address(e.address.to_string())
            .with_trace(e.trace.to_vec());
            if span != e.cert.span {
                d = d.with_label(span, format!("`{first_name}` holds the other"));
            }
            out.push(d);
        }
    }
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for apim in &m.api_managements {
        let entries: Vec<Entry> = apim
            .ca_certificates
            .iter()
            .filter_map(|c| {
                let c = &m[*c];
                Some(Entry {
                    cert: c.certificate?,
                    address: &c.decl.address,
                    trace: &c.decl.trace,
                })
            })
            .collect();
        let store = format!("the CA store of `{}`", apim.decl.name);
        check_store(cx, &store, &entries, out);
    }
    for gateway in &m.app_gateways {
        let clients: Vec<Entry> = gateway
            .ssl_profiles
            .iter()
            .flat_map(|p| {
                let p = &m[*p];
                p.trusted_client_cas.iter().map(move |r| Entry {
                    cert: *r,
                    address: &p.decl.address,
                    trace: &p.decl.trace,
                })
            })
            .collect();
        let store = format!("the trusted client CAs of `{}`", gateway.decl.name);
        check_store(cx, &store, &clients, out);
        let roots: Vec<Entry> = gateway
            .backend_settings
            .iter()
            .flat_map(|s| {
                let s = &m[*s];
                s.trusted_root_certificates.iter().map(move |r| Entry {
                    cert: *r,
                    address: &s.decl.address,
                    trace: &s.decl.trace,
                })
            })
            .collect();
        let store = format!("the trusted root certificates of `{}`", gateway.decl.name);
        check_store(cx, &store, &roots, out);
    }
}
