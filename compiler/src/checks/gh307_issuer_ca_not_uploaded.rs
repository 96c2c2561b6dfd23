//! GH307 issuer-ca-not-uploaded.

use super::util::{normalized_dn, policy_owner};
use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{ApiId, CertificateId, Sku, StatementKind};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// A `validate_client_certificate` with `validate_trust = true` (the default) names, in an
    /// `identity`'s `issuer_subject`, a CA that the topology itself declares in a CA
    /// certificate block (a private CA, e.g. the chain Application Gateway trusts), while the instance's CA store
    /// (`ca_certificate`) holds neither that CA nor any CA above it. Classic tiers only: the
    /// v2 tiers and Consumption have no CA store.
    /// ## Why
    /// Trust validation builds the client's chain against the CAs API Management knows: public
    /// roots and the uploaded CA certificates. A private issuing chain that is not uploaded
    /// fails for every client (seed 002; MicrosoftDocs/azure-docs #35369: upload the root and
    /// intermediate CA certificates).
    /// ## Example
    /// ```hcl
    /// certificate "partner_issuing" {
    ///   pem = file("pki/issuing-ca.pem") # declared, but not uploaded
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           identity {
    ///             issuer_subject = "CN=Contoso Test Issuing CA, O=Contoso"
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// certificate "partner_issuing" {
    ///   pem = file("pki/issuing-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   ca_certificate "partner_issuing" {
    ///     certificate = certificate.partner_issuing
    ///     store       = "CertificateAuthority"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           identity {
    ///             issuer_subject = "CN=Contoso Test Issuing CA, O=Contoso"
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH307", "issuer-ca-not-uploaded", Severity::Error
}

/// A CA certificate the topology declares, and the certificate block it is in.
struct Known<'a> {
    cert: CertificateId,
    facts: &'a X509Facts,
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let known: Vec<Known> = (0..m.certificates.len())
        .map(|i| CertificateId(i as u32))
        // CA blocks only (a trusted chain, a CA file), not the chain inside a server PFX.
        .filter(|c| cx.certs.get(*c).leaf().is_some_and(|x| x.is_ca))
        .flat_map(|c| {
            cx.certs
                .get(c)
                .chain
                .iter()
                .filter(|x| x.is_ca)
                .map(move |facts| Known { cert: c, facts })
        })
        .collect();
    let mut seen: Vec<Span> = Vec::new();
    for (index, api) in m.apis.iter().enumerate() {
        let id = ApiId(index as u32);
        let apim = &m[api.api_management];
        if apim.sku.value == Sku::Consumption
            || apim.sku.value.is_v2()
            || cx.graph.api_only_behind_app_gateway(id)
        {
            continue;
        }
        let store: Vec<Vec<String>> = apim
            .ca_certificates
            .iter()
            .filter_map(|c| m[*c].certificate)
            .flat_map(|c| {
                cx.certs
                    .get(c.id)
                    .chain
                    .iter()
                    .map(|x| normalized_dn(&x.subject))
            })
            .collect();
        for (_, effective) in cx.graph.effective_policies(id) {
            for s in effective.all() {
                let StatementKind::ValidateClientCertificate(v) = &s.statement.kind else {
                    continue;
                };
                if !v.validate_trust.value {
                    continue;
                }
                for identity in &v.identities {
                    let Some(issuer) = &identity.issuer_subject else {
                        continue;
                    };
                    if seen.contains(&issuer.span) {
                        continue;
                    }
                    let wanted = normalized_dn(&issuer.value);
                    let Some(ca) = known
                        .iter()
                        .find(|k| normalized_dn(&k.facts.subject) == wanted)
                    else {
                        continue;
                    };
                    // The CA and every CA above it that the topology declares.
                    let mut chain = vec![ca];
                    while let Some(last) = chain.last() {
                        if last.facts.self_signed || chain.len() > 8 {
                            break;
                        }
                        let parent = known.iter().find(|k| {
                            k.facts.subject == last.facts.issuer
                                && !chain.iter().any(|c| c.facts.subject == k.facts.subject)
                        });
                        match parent {
                            Some(p) => chain.push(p),
                            None => break,
                        }
                    }
                    if chain
                        .iter()
                        .any(|c| store.contains(&normalized_dn(&c.facts.subject)))
                    {
                        continue;
                    }
                    seen.push(issuer.span);
                    let root = chain.last().unwrap_or(&ca);
                    let owner = policy_owner(m, s.policy);
                    let mut d = Diagnostic::new(
                        &CODE,
                        issuer.span,
                        format!(
                            "API `{}` requires a trusted chain to `{}`, but instance `{}` has not uploaded that CA",
                            api.decl.name, ca.facts.subject, apim.decl.name
                        ),
                    )
                    .with_primary_message("chain validation fails for every client of this issuer")
                    .with_label(m[ca.cert].decl.name_span, format!("`{}` is a private CA declared here", ca.facts.subject));
                    if let Some(t) = Some(&v.validate_trust).filter(|t| t.span != s.statement.span)
                    {
                        d = d.with_label(t.span, "trust is validated");
                    }
                    out.push(
                        d.with_help(upload_help(
                            &apim.decl.name,
                            &m[root.cert].decl.name,
                            root.facts,
                        ))
                        .with_address(cx.graph.address(NodeRef::Policy(s.policy)))
                        .with_trace(owner.trace.clone()),
                    );
                }
            }
        }
    }
}

/// What to upload: the root in `Root`, or, when the topology does not hold the root, the
/// highest CA it has in `CertificateAuthority` and its issuer in `Root`.
fn upload_help(instance: &str, cert: &str, top: &X509Facts) -> String {
    if top.self_signed {
        format!("upload the root to instance `{instance}`: a `ca_certificate` block with `certificate = certificate.{cert}` and `store = \"Root\"` (intermediates go in `store = \"CertificateAuthority\"`)")
    } else {
        format!("upload the CA to instance `{instance}`: a `ca_certificate` block with `certificate = certificate.{cert}` and `store = \"CertificateAuthority\"`, and one for its root `{}` with `store = \"Root\"`", top.issuer)
    }
}
