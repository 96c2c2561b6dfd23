//! GH103 unused-declaration.

use super::CheckContext;
use crate::diagnostics::{did_you_mean, Diagnostic, Severity};
use crate::graph::{EdgeKind, NodeRef};
use crate::model::{
    AuthenticationCertificate, BackendName, CertificateId, CertificateName, Decl, IdentityId,
    NamedValueSource, SecretText, SetBackendService, Statement, StatementKind,
};
use petgraph::visit::EdgeRef;

declare_check! {
    /// ## What it checks
    /// A `certificate`, `backend`, `identity` or `named_value` that nothing uses: no block
    /// refers to the certificate (listener, hostname, SSL profile, backend settings, backend,
    /// CA store entry, policy or policy fragment, by reference or by `certificate-id`), no API
    /// or `set_backend_service` names the backend, no gateway, instance, certificate, hostname
    /// or named value names the identity, and no policy, policy fragment or named value
    /// mentions `{{name}}` of the named value. CA store entries (`ca_certificate`) are not
    /// reported: API Management uses them without a reference. A topology with no Application
    /// Gateway and no API Management instance (a certificate inventory) is not checked: nothing
    /// in it could use anything.
    /// Nor is a declaration that a reference which does not resolve (GH101) probably meant.
    /// ## Why
    /// A declaration nothing uses is usually a wiring mistake (the certificate meant for the
    /// listener, the backend an API should forward to), and dead secrets and identities widen
    /// what an attacker can reach without serving anything.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// # Replaced by `edge_tls`, but still declared.
    /// certificate "old_edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// Remove the block, or reference it where it was meant to be used.
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///   }
    /// }
    /// ```
    "GH103", "unused-declaration", Severity::Warning
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    if m.app_gateways.is_empty() && m.api_managements.is_empty() {
        return;
    }
    let texts = policy_texts(cx);
    let meant = probably_meant(cx);
    let mut ids = Ids::default();
    for policy in &m.policies {
        for (_, section) in policy.sections() {
            ids.collect(&section.statements);
        }
    }
    for fragment in &m.policy_fragments {
        ids.collect(&fragment.statements);
    }
    for (index, cert) in m.certificates.iter().enumerate() {
        let used = incoming(cx, NodeRef::Certificate(CertificateId(index as u32)), &[])
            || ids.certificates.iter().any(|id| id == cert.apim_name())
            || meant.contains(&("certificate", cert.decl.name.as_str()));
        if !used {
            out.push(unused(&cert.decl, "certificate", "nothing refers to it: no listener, hostname, SSL profile, backend settings, backend, CA store entry or policy"));
        }
    }
    for (index, backend) in m.backends.iter().enumerate() {
        let node = NodeRef::Backend(crate::model::BackendId(index as u32));
        let used = incoming(cx, node, &[EdgeKind::Contains])
            || ids.backends.contains(&backend.azure_name.value)
            || meant.contains(&("backend", backend.decl.name.as_str()));
        if !used {
            out.push(unused(
                &backend.decl,
                "backend",
                "no API or `set_backend_service` forwards to it",
            ));
        }
    }
    for (index, identity) in m.identities.iter().enumerate() {
        let used = incoming(cx, NodeRef::Identity(IdentityId(index as u32)), &[])
            || meant.contains(&("identity", identity.decl.name.as_str()));
        if !used {
            out.push(unused(&identity.decl, "identity", "no Application Gateway, API Management instance, certificate, hostname or named value uses it"));
        }
    }
    for nv in &m.named_values {
        let needles = [
            format!("{{{{{}}}}}", nv.display_name.to_ascii_lowercase()),
            format!("{{{{{}}}}}", nv.decl.name.to_ascii_lowercase()),
        ];
        let used = texts
            .iter()
            .any(|t| needles.iter().any(|n| t.contains(n.as_str())));
        if !used {
            out.push(unused(
                &nv.decl,
                "named value",
                &format!(
                    "no policy or named value mentions `{{{{{}}}}}`",
                    nv.display_name
                ),
            ));
        }
    }
}

fn unused(decl: &Decl, kind: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        &CODE,
        decl.name_span,
        format!("{kind} `{}` is never used", decl.name),
    )
    .with_primary_message(why.to_string())
    .with_help(format!(
        "remove the {kind}, or reference it where it was meant to be used"
    ))
    .with_address(decl.address.clone())
    .with_trace(decl.trace.clone())
}

/// Whether any edge other than `except` points at `node`.
fn incoming(cx: &CheckContext, node: NodeRef, except: &[EdgeKind]) -> bool {
    let g = cx.graph;
    g.graph
        .edges_directed(g.node(node), petgraph::Direction::Incoming)
        .any(|e| !except.contains(&e.weight().kind) && g.graph[e.source()] != node)
}

/// Certificate and backend ids that raw XML policies name as strings.
#[derive(Default)]
struct Ids {
    certificates: Vec<String>,
    backends: Vec<String>,
}

impl Ids {
    fn collect(&mut self, statements: &[Statement]) {
        for s in statements {
            match &s.kind {
                StatementKind::AuthenticationCertificate(
                    AuthenticationCertificate::Certificate(CertificateName::Id(id)),
                ) => self.certificates.push(id.value.clone()),
                StatementKind::SetBackendService(SetBackendService::Backend(BackendName::Id(
                    id,
                ))) => self.backends.push(id.value.clone()),
                StatementKind::Choose(c) => {
                    for w in &c.whens {
                        self.collect(&w.statements);
                    }
                    if let Some(o) = &c.otherwise {
                        self.collect(o);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The text of every policy statement and named value, lower-cased, where `{{name}}` may
/// appear.
fn policy_texts(cx: &CheckContext) -> Vec<String> {
    let m = cx.model;
    let mut out = Vec::new();
    let sections = m
        .policies
        .iter()
        .flat_map(|p| p.sections().map(|(_, section)| section.statements.as_slice()))
        .chain(m.policy_fragments.iter().map(|f| f.statements.as_slice()));
    for statements in sections {
        for s in statements {
            out.push(cx.sources.snippet(s.span).to_ascii_lowercase());
            if let StatementKind::Other(o) = &s.kind {
                out.push(o.xml.to_ascii_lowercase());
            }
        }
    }
    for nv in &m.named_values {
        if let Some(NamedValueSource::Value(v)) = &nv.source {
            if let SecretText::Literal(text) = &v.value {
                out.push(text.to_ascii_lowercase());
            }
        }
    }
    out
}

/// Declarations that a reference which did not resolve (GH101) probably meant: for every
/// `certificate.x`, `backend.x` or `identity.x` in the sources naming no declaration of that
/// kind, the closest declared name. The loader drops such a reference, so without this the
/// typo's target would also be reported as unused: the same mistake twice, the second
/// pointing away from the fix.
fn probably_meant<'m>(cx: &CheckContext<'m, '_>) -> Vec<(&'static str, &'m str)> {
    let m = cx.model;
    let kinds: [(&'static str, Vec<&'m str>); 3] = [
        (
            "certificate",
            m.certificates
                .iter()
                .map(|c| c.decl.name.as_str())
                .collect(),
        ),
        (
            "backend",
            m.backends.iter().map(|b| b.decl.name.as_str()).collect(),
        ),
        (
            "identity",
            m.identities.iter().map(|i| i.decl.name.as_str()).collect(),
        ),
    ];
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = Vec::new();
    for (_, file) in cx.sources.iter() {
        let text = file.text.as_str();
        for (kind, names) in &kinds {
            let prefix = format!("{kind}.");
            for (at, _) in text.match_indices(&prefix) {
                if text[..at].chars().next_back().is_some_and(ident) {
                    continue;
                }
                let rest = &text[at + prefix.len()..];
                let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
                let name = &rest[..end];
                if name.is_empty() || names.contains(&name) {
                    continue;
                }
                if let Some(closest) = did_you_mean(name, names.iter().copied()) {
                    out.push((*kind, closest));
                }
            }
        }
    }
    out
}
