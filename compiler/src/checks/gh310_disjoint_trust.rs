//! GH310 disjoint-trust.

use super::util::{apis_served_by, normalized_dn, policy_owner, profile_requests_certificate};
use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{
    CertificateIdentity, CertificateName, Model, RouteTarget, SslProfile, StatementKind,
};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// An Application Gateway SSL profile trusts one set of client CAs, while an API behind a
    /// listener with that profile runs a `validate_client_certificate` whose identities accept
    /// only issuers outside that set. With `verify_client_cert_issuer_dn = true` the gateway
    /// accepts exactly the issuing CA nearest the leaf in each uploaded chain, so an
    /// `issuer_subject` is compared with those; without it any CA chaining to an uploaded root
    /// passes, so only an `issuer_certificate` whose certificate neither is nor was issued by
    /// an uploaded CA counts.
    /// ## Why
    /// A client has one certificate: if the gateway admits only issuers of set A and the API
    /// admits only issuers outside A, no client passes both hops and every call fails with 400
    /// at the gateway or 401 at API Management.
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas           = [certificate.partner_ca]
    ///     verify_client_cert_issuer_dn = true
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to = api_management.main.hostname.gateway
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "gw.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       inbound {
    ///         validate_client_certificate {
    ///           identity {
    ///             issuer_subject = "CN=Fabrikam Issuing CA, O=Fabrikam" # not a CA the gateway trusts
    ///           }
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas           = [certificate.partner_ca]
    ///     verify_client_cert_issuer_dn = true
    ///   }
    ///
    ///   listener "api" {
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to = api_management.main.hostname.gateway
    ///     }
    ///   }
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "gw.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
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
    "GH310", "disjoint-trust", Severity::Error
}

/// What the gateway accepts as the client certificate's issuer.
struct Accepted<'a> {
    /// Every CA of the uploaded chains.
    cas: Vec<&'a X509Facts>,
    /// With issuer DN verification: the CA nearest the leaf in each file.
    nearest: Option<Vec<&'a X509Facts>>,
}

fn accepted<'a>(cx: &'a CheckContext, profile: &SslProfile) -> Option<Accepted<'a>> {
    let mut cas = Vec::new();
    let mut nearest = Vec::new();
    for t in &profile.trusted_client_cas {
        let facts = cx.certs.get(t.id);
        if !facts.inspected() {
            return None;
        }
        let chain: Vec<&X509Facts> = facts.chain.iter().filter(|x| x.is_ca).collect();
        let near = chain
            .iter()
            .find(|c| {
                !chain
                    .iter()
                    .any(|o| o.subject != c.subject && o.issuer == c.subject)
            })
            .copied();
        nearest.extend(near);
        cas.extend(chain);
    }
    Some(Accepted {
        cas,
        nearest: profile
            .verify_client_cert_issuer_dn
            .value
            .then_some(nearest),
    })
}

/// The certificate an `issuer_certificate` names, when it was inspected.
fn issuer_facts<'a>(
    cx: &'a CheckContext,
    model: &Model,
    name: &CertificateName,
) -> Option<&'a X509Facts> {
    let cert = match name {
        CertificateName::Certificate(r) => r.id,
        CertificateName::CaCertificate(r) => model[r.id].certificate?.id,
        CertificateName::Id(_) => return None,
    };
    cx.certs.get(cert).leaf()
}

/// Whether the gateway can let through a client that `identity` accepts; `None`: undecided.
fn compatible(
    cx: &CheckContext,
    model: &Model,
    identity: &CertificateIdentity,
    accepted: &Accepted,
) -> bool {
    let same = |a: &X509Facts, b: &str| normalized_dn(&a.subject) == normalized_dn(b);
    if let Some(name) = &identity.issuer_certificate {
        let Some(issuer) = issuer_facts(cx, model, name) else {
            return true;
        };
        return match &accepted.nearest {
            Some(nearest) => nearest.iter().any(|n| same(n, &issuer.subject)),
            None => accepted
                .cas
                .iter()
                .any(|c| same(c, &issuer.subject) || same(c, &issuer.issuer) || c.issued(issuer)),
        };
    }
    if let (Some(subject), Some(nearest)) = (&identity.issuer_subject, &accepted.nearest) {
        return nearest.iter().any(|n| same(n, &subject.value));
    }
    true
}

fn issuer_span(identity: &CertificateIdentity) -> Option<Span> {
    match &identity.issuer_certificate {
        Some(CertificateName::Certificate(r)) => Some(r.span),
        Some(CertificateName::CaCertificate(r)) => Some(r.span),
        Some(CertificateName::Id(s)) => Some(s.span),
        None => identity.issuer_subject.as_ref().map(|s| s.span),
    }
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen: Vec<Span> = Vec::new();
    for listener in &m.listeners {
        let Some(profile_ref) = listener.ssl_profile else {
            continue;
        };
        let profile = &m[profile_ref.id];
        if !profile_requests_certificate(profile) || profile.trusted_client_cas.is_empty() {
            continue;
        }
        let Some(accepted) = accepted(cx, profile) else {
            continue;
        };
        for route in &listener.routes {
            let Some(RouteTarget::Hostname(h)) = route.to else {
                continue;
            };
            for api in apis_served_by(cx, h.id) {
                for (_, effective) in cx.graph.effective_policies(api) {
                    for s in effective.all() {
                        let StatementKind::ValidateClientCertificate(v) = &s.statement.kind else {
                            continue;
                        };
                        if v.identities.is_empty() || seen.contains(&s.statement.span) {
                            continue;
                        }
                        if v.identities.iter().any(|i| compatible(cx, m, i, &accepted)) {
                            continue;
                        }
                        seen.push(s.statement.span);
                        let primary = v
                            .identities
                            .iter()
                            .find_map(issuer_span)
                            .unwrap_or(s.statement.span);
                        let trusted: Vec<String> = accepted
                            .nearest
                            .as_ref()
                            .unwrap_or(&accepted.cas)
                            .iter()
                            .map(|c| format!("`{}`", c.subject))
                            .collect();
                        let owner = policy_owner(m, s.policy);
                        out.push(
                            Diagnostic::new(
                                &CODE,
                                primary,
                                format!(
                                    "API `{}` accepts no issuer that SSL profile `{}` lets through, so no client passes both",
                                    m[api].decl.name, profile.decl.name
                                ),
                            )
                            .with_primary_message("outside what the gateway trusts")
                            .with_label(profile_ref.span, format!("listener `{}` uses SSL profile `{}`", listener.decl.name, profile.decl.name))
                            .with_label(
                                profile.trusted_client_cas[0].span,
                                format!("the gateway accepts client certificates issued by {}", trusted.join(", ")),
                            )
                            .with_help(format!(
                                "make the two hops agree: accept {} in the API's `identity`, or trust the API's issuer in SSL profile `{}`",
                                trusted.join(" or "),
                                profile.decl.name
                            ))
                            .with_address(cx.graph.address(NodeRef::Policy(s.policy)))
                            .with_trace(owner.trace.clone()),
                        );
                    }
                }
            }
        }
    }
}
