//! GH107 cert-in-use-removed.

use super::util::local_reference;
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::{EdgeKind, NodeRef};
use crate::model::Decl;
use crate::source::Span;
use rustc_hash::FxHashMap;

declare_check! {
    /// ## What it checks
    /// Compared with the previously deployed topology (`gatehouse check --baseline DIR`, where
    /// `DIR` holds the previous version, e.g. a checkout of the main branch): a certificate
    /// that a backend or policy referenced there is removed or renamed in this change, while
    /// that backend or policy still exists.
    /// ## Why
    /// A certificate that backends or policies send (`authentication-certificate`,
    /// `certificate-id`) is its own API Management resource, and Azure refuses to delete it
    /// while anything references it ("a certificate referenced by policies cannot be deleted").
    /// A deployment that moves the reference and deletes the certificate in one go may run the
    /// deletion first and fail half-way; renaming the block is a deletion too. Teams hit it on
    /// the first certificate rotation (field report seed 003).
    /// ## Example
    /// The deployed version (the baseline) has backend `ledger` send `ledger_client`:
    /// ```hcl baseline
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client
    ///   }
    /// }
    /// ```
    /// The change renames the certificate:
    /// ```hcl
    /// certificate "ledger_client_2027" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client_2027
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// Keep the certificate's name and change only its file (or keep the old certificate in
    /// this change and remove it in a later one, once nothing deployed references it):
    /// ```hcl
    /// certificate "ledger_client" {
    ///   pfx      = file("pki/client.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///   backend "ledger" {
    ///     url                = "https://ledger.contoso.internal"
    ///     client_certificate = certificate.ledger_client
    ///   }
    /// }
    /// ```
    "GH107", "cert-in-use-removed", Severity::Error
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let Some(baseline) = cx.baseline else { return };
    let m = cx.model;
    let current: FxHashMap<String, NodeRef> = cx
        .graph
        .nodes()
        .filter(|n| matches!(n, NodeRef::Backend(_) | NodeRef::Policy(_)))
        .map(|n| (cx.graph.address(n), n))
        .collect();
    for previous in &baseline.certificates {
        if m.certificates.iter().any(|c| c.decl.address == previous.address) {
            continue;
        }
        for address in &previous.dependents {
            let Some(node) = current.get(address).copied() else {
                continue;
            };
            if let Some(found) = dependent(cx, node) {
                out.push(diagnostic(&previous.address, node, found));
            }
        }
    }
}

/// The block that owns a backend or policy node, and the certificate references it makes now.
fn dependent<'m>(cx: &CheckContext<'m, '_>, node: NodeRef) -> Option<(&'m Decl, Span, Vec<Span>)> {
    let m = cx.model;
    let (decl, span, kind) = match node {
        NodeRef::Backend(b) => (&m[b].decl, m[b].decl.name_span, EdgeKind::ClientCertificate),
        NodeRef::Policy(p) => (
            super::util::policy_owner(m, p),
            m[p].span,
            EdgeKind::PolicyCertificate,
        ),
        _ => return None,
    };
    let now: Vec<Span> = cx
        .graph
        .targets(node, kind)
        .into_iter()
        .filter(|(n, _)| matches!(n, NodeRef::Certificate(_)))
        .map(|(_, s)| s)
        .collect();
    Some((decl, span, now))
}

fn diagnostic(removed: &str, node: NodeRef, (decl, block, now): (&Decl, Span, Vec<Span>)) -> Diagnostic {
    let what = match node {
        NodeRef::Policy(_) => match decl.address.rsplit('.').nth(1) {
            Some("api") => "the policy of API",
            Some("operation") => "the policy of operation",
            Some("product") => "the policy of product",
            _ => "the global policy of instance",
        },
        _ => "backend",
    };
    let primary = now.first().copied().unwrap_or(block);
    let name = local_reference(removed);
    let mut d = Diagnostic::new(
        &CODE,
        primary,
        format!(
            "`{name}` is removed while {what} `{}` referenced it in the deployed topology",
            decl.name
        ),
    )
    .with_primary_message(if now.is_empty() {
        "no longer references it"
    } else {
        "now references another certificate"
    });
    if primary != block {
        d = d.with_label(decl.name_span, "referenced the removed certificate before this change");
    }
    d.with_help(format!(
        "Azure refuses to delete a certificate that a backend or policy references, and may try before the reference moves: keep `{name}` in this change and remove it in a later one, or keep its name and change only its file"
    ))
    .with_address(decl.address.clone())
    .with_trace(decl.trace.clone())
}
