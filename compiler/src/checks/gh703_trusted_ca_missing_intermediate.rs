//! GH703 trusted-ca-missing-intermediate.

use super::util::normalized_dn;
use super::CheckContext;
use crate::certs::X509Facts;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{CertificateId, Client, ClientAuthMode, Ref, SslProfile};

declare_check! {
    /// ## What it checks
    /// A known `client`'s certificate chains to a root CA that an SSL profile's
    /// `trusted_client_cas` holds, but the intermediate CA that issued the client's
    /// certificate (or another intermediate between it and that root) is in none of the
    /// profile's trusted client CA files. The intermediate comes from the client's file when it
    /// holds its chain, else from any certificate of the topology whose subject is the leaf's
    /// issuer and whose key signed it; when the topology holds it nowhere, the check cannot
    /// tell which root anchors the client and stays silent. `Passthrough` profiles do not
    /// validate client certificates and are not checked.
    /// ## Why
    /// Application Gateway validates a client certificate against the uploaded CA files only:
    /// a client that sends its leaf without the intermediate cannot be chained to the root and
    /// gets **400** "The SSL certificate error". Many clients (curl with only `--cert`, most
    /// devices, HSM-held keys) send only their leaf. Learn (mutual-authentication-overview) asks
    /// for the root and all intermediates in one file. With `verify_client_cert_issuer_dn`, the
    /// gateway also compares the leaf's issuer with the CA nearest the leaf in each file, so a
    /// root-only file fails every such client, even those sending their chain.
    /// ## Example
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// # The root only: the issuing CA of partner certificates is missing.
    /// certificate "partner_root" {
    ///   ca_chain = file("pki/root-ca.pem")
    /// }
    ///
    /// client "partner" {
    ///   certificate = file("pki/client-leaf.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku          = "WAF_v2"
    ///   min_capacity = 2
    ///   max_capacity = 10
    ///   waf_mode     = "Prevention"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_root]
    ///   }
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to = backend_pool.orders
    ///     }
    ///   }
    ///
    ///   backend_pool "orders" {
    ///     fqdns = ["orders.contoso.internal"]
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge_tls" {
    ///   pfx      = file("pki/server.pfx")
    ///   password = secret("PFX_PASSWORD")
    /// }
    ///
    /// # The issuing CA, then its root, in one file.
    /// certificate "partner_ca" {
    ///   ca_chain = file("pki/ca-chain.pem")
    /// }
    ///
    /// client "partner" {
    ///   certificate = file("pki/client-leaf.pem")
    /// }
    ///
    /// app_gateway "edge" {
    ///   sku          = "WAF_v2"
    ///   min_capacity = 2
    ///   max_capacity = 10
    ///   waf_mode     = "Prevention"
    ///
    ///   ssl_profile "partners" {
    ///     trusted_client_cas = [certificate.partner_ca]
    ///   }
    ///
    ///   listener "api" {
    ///     host_name   = "api.contoso.com"
    ///     certificate = certificate.edge_tls
    ///     ssl_profile = ssl_profile.partners
    ///
    ///     route "default" {
    ///       to = backend_pool.orders
    ///     }
    ///   }
    ///
    ///   backend_pool "orders" {
    ///     fqdns = ["orders.contoso.internal"]
    ///   }
    /// }
    /// ```
    "GH703", "trusted-ca-missing-intermediate", Severity::Warning
}

/// Longest issuer path followed from a client's leaf (leaf, intermediates, root).
const MAX_PATH: usize = 8;

/// A CA certificate of a profile's trusted client CA files, with the reference that names it.
struct Trusted<'a> {
    reference: Ref<CertificateId>,
    facts: &'a X509Facts,
}

/// Every CA certificate the topology holds, the client's own chain first: the candidates for
/// the issuers of a client's leaf. Deduplicated by thumbprint.
fn known_cas<'a>(cx: &'a CheckContext, own: &'a [X509Facts]) -> Vec<&'a X509Facts> {
    let mut out: Vec<&X509Facts> = Vec::new();
    let all = own
        .iter()
        .chain(cx.certs.certs.iter().flat_map(|f| f.chain.iter()))
        .chain(cx.certs.clients.iter().flat_map(|f| f.chain.iter()));
    for x in all.filter(|x| x.is_ca) {
        if !out.iter().any(|o| o.thumbprint == x.thumbprint) {
            out.push(x);
        }
    }
    out
}

/// The leaf and the issuers above it as far as the topology knows them: each the CA whose
/// subject is the previous certificate's issuer and whose key signed it.
fn issuer_path<'a>(leaf: &'a X509Facts, cas: &[&'a X509Facts]) -> Vec<&'a X509Facts> {
    let mut path = vec![leaf];
    while path.len() < MAX_PATH {
        let Some(current) = path.last().copied() else {
            break;
        };
        if current.self_signed {
            break;
        }
        let parent = cas.iter().copied().find(|ca| {
            normalized_dn(&ca.subject) == normalized_dn(&current.issuer)
                && !path.iter().any(|p| p.thumbprint == ca.thumbprint)
                && ca.issued(current)
        });
        match parent {
            Some(parent) => path.push(parent),
            None => break,
        }
    }
    path
}

/// The CA certificates of a profile's trusted client CA files.
fn trusted_cas<'a>(cx: &'a CheckContext, profile: &SslProfile) -> Vec<Trusted<'a>> {
    profile
        .trusted_client_cas
        .iter()
        .flat_map(|r| {
            cx.certs
                .get(r.id)
                .chain
                .iter()
                .filter(|x| x.is_ca)
                .map(move |facts| Trusted {
                    reference: *r,
                    facts,
                })
        })
        .collect()
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (index, client) in m.clients.iter().enumerate() {
        let facts = &cx.certs.clients[index];
        let Some(leaf) = facts.leaf() else { continue };
        if leaf.is_ca || leaf.self_signed {
            continue;
        }
        let cas = known_cas(cx, &facts.chain);
        let path = issuer_path(leaf, &cas);
        for profile in &m.ssl_profiles {
            if profile.client_auth_mode.value == ClientAuthMode::Passthrough {
                continue;
            }
            let trusted = trusted_cas(cx, profile);
            // The first certificate of the path that a trusted CA issued: everything between
            // the leaf and it is missing from the profile's files.
            let Some((anchored, anchor)) = path.iter().enumerate().find_map(|(i, x)| {
                trusted.iter().find(|t| t.facts.issued(x)).map(|t| (i, t))
            }) else {
                continue;
            };
            if anchored == 0 {
                continue;
            }
            let missing = &path[1..=anchored];
            out.push(diagnostic(cx, client, facts, profile, anchor, missing));
        }
    }
}

fn diagnostic(
    cx: &CheckContext,
    client: &Client,
    facts: &crate::certs::CertFacts,
    profile: &SslProfile,
    anchor: &Trusted,
    missing: &[&X509Facts],
) -> Diagnostic {
    let m = cx.model;
    let leaf = &facts.chain[0];
    let bundle = &m[anchor.reference.id].decl.name;
    let issuer = &missing[0].subject;
    let names = missing
        .iter()
        .map(|x| format!("`{}`", x.subject))
        .collect::<Vec<_>>()
        .join(", ");
    let holds_chain = facts
        .chain
        .iter()
        .skip(1)
        .any(|x| x.thumbprint == missing[0].thumbprint);
    let holds = if holds_chain {
        " (its file holds the intermediate, but a client may send only its leaf)"
    } else {
        "; its file holds no intermediate"
    };
    let mut d = Diagnostic::new(
        &CODE,
        anchor.reference.span,
        format!(
            "trusted client CA `{bundle}` of SSL profile `{}` lacks the intermediate `{issuer}` that issued the certificate of client `{}`",
            profile.decl.name, client.decl.name
        ),
    )
    .with_primary_message(format!(
        "holds `{}` but not {names}",
        anchor.facts.subject
    ))
    .with_label(
        client.decl.name_span,
        format!(
            "client `{}` presents `{}`, issued by `{issuer}`{holds}",
            client.decl.name, leaf.subject
        ),
    );
    if profile.verify_client_cert_issuer_dn.value {
        d = d.with_label(
            profile.verify_client_cert_issuer_dn.span,
            format!("the issuer `{issuer}` must be the CA nearest the leaf in a trusted file: even clients sending their chain fail"),
        );
    }
    let what = if missing.len() == 1 {
        format!("the intermediate {names}")
    } else {
        format!("the intermediates {names}")
    };
    d.with_help(format!(
        "append {what} to the file of `{bundle}` (root and all intermediates in one file), so that clients sending only their leaf pass"
    ))
    .with_address(profile.decl.address.clone())
    .with_trace(profile.decl.trace.clone())
}
