//! GH607 fragment-not-included.

use super::util::{
    apis_served_by, forwarded_certificate_header_names, fragment_statements, fragments,
    hostname_requests_certificate, local_reference, validates_client_certificate,
};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ApiId, HostnameId, PolicyFragmentId, StatementKind};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// A policy fragment validates the client certificate (a `validate_client_certificate`, or
    /// a `choose` or `check_header` that inspects the certificate or a header Application
    /// Gateway fills from it), and an API served on a hostname that asks for client
    /// certificates (`negotiate_client_certificate = true`, `enable_client_certificate` on a
    /// Consumption instance, or an Application Gateway listener whose SSL profile requests one)
    /// includes it, but another API on the same hostname does not include it, and the
    /// effective policy of one of its operations (global, product, API and operation policies,
    /// fragments inlined) validates the client certificate in no other way.
    /// ## Why
    /// A fragment is how one client-certificate check is shared by many APIs, and every API
    /// must opt in with `include-fragment`. Asking for a certificate on the hostname enforces
    /// nothing by itself: the API that was added later, or whose policy was rewritten, without
    /// the include accepts any certificate or none, while the hostname looks protected.
    /// ## Example
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   policy_fragment "partner_mtls" {
    ///     validate_client_certificate {
    ///       identity {
    ///         issuer_certificate = ca_certificate.partner_root
    ///       }
    ///     }
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///
    ///     policy {
    ///       inbound {
    ///         include_fragment {
    ///           fragment = policy_fragment.partner_mtls
    ///         }
    ///       }
    ///     }
    ///   }
    ///
    ///   # Added later, without the fragment: any certificate gets in.
    ///   api "invoices" {
    ///     path = "invoices"
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "partner_root" {
    ///   pem = file("pki/root-ca.pem")
    /// }
    ///
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   hostname "gateway" {
    ///     type                         = "Proxy"
    ///     host_name                    = "api.contoso.com"
    ///     negotiate_client_certificate = true
    ///   }
    ///
    ///   ca_certificate "partner_root" {
    ///     certificate = certificate.partner_root
    ///     store       = "Root"
    ///   }
    ///
    ///   policy_fragment "partner_mtls" {
    ///     validate_client_certificate {
    ///       identity {
    ///         issuer_certificate = ca_certificate.partner_root
    ///       }
    ///     }
    ///   }
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///
    ///     policy {
    ///       inbound {
    ///         include_fragment {
    ///           fragment = policy_fragment.partner_mtls
    ///         }
    ///       }
    ///     }
    ///   }
    ///
    ///   api "invoices" {
    ///     path = "invoices"
    ///
    ///     policy {
    ///       inbound {
    ///         include_fragment {
    ///           fragment = policy_fragment.partner_mtls
    ///         }
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    "GH607", "fragment-not-included", Severity::Warning
}

/// What one API's effective policies do with fragments and client certificates.
struct ApiPolicies {
    /// The fragments included, each once, with the first include.
    includes: Vec<(PolicyFragmentId, Span)>,
    /// Every effective policy (each operation's) validates the client certificate.
    validated: bool,
}

fn api_policies(cx: &CheckContext, api: ApiId, forwarded: &[&str]) -> ApiPolicies {
    let m = cx.model;
    let instance = m[api].api_management;
    let mut includes: Vec<(PolicyFragmentId, Span)> = Vec::new();
    let mut validated = true;
    for (_, effective) in cx.graph.effective_policies(api) {
        let all = effective.all();
        validated &= all
            .iter()
            .any(|s| validates_client_certificate(s.statement, forwarded).is_some());
        for s in &all {
            let StatementKind::IncludeFragment(name) = &s.statement.kind else {
                continue;
            };
            let Some(fragment) = m.included_fragment(instance, name) else {
                continue;
            };
            if !includes.iter().any(|(f, _)| *f == fragment) {
                includes.push((fragment, name.span()));
            }
        }
    }
    ApiPolicies {
        includes,
        validated,
    }
}

/// `a`, `a` and `b`, `a`, `b` and `c`.
fn names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// An API that does not include a fragment its hostnames' other APIs validate with.
struct Gap {
    api: ApiId,
    fragment: PolicyFragmentId,
    /// The hostnames that ask for a certificate and serve both it and an includer.
    hostnames: Vec<HostnameId>,
    /// The APIs on those hostnames that include the fragment, with an include site each.
    includers: Vec<(ApiId, Span)>,
}

fn diagnostic(cx: &CheckContext, gap: &Gap) -> Diagnostic {
    let m = cx.model;
    let api = &m[gap.api];
    let fragment = &m[gap.fragment];
    let hosts: Vec<String> = gap
        .hostnames
        .iter()
        .map(|h| format!("`{}`", m[*h].host_name.value))
        .collect();
    let includers: Vec<String> = gap
        .includers
        .iter()
        .map(|(a, _)| format!("`{}`", m[*a].decl.name))
        .collect();
    let message = format!(
        "API `{}` on hostname{} {} does not include fragment `{}` that API{} {} use{} to validate the client certificate",
        api.decl.name,
        if hosts.len() == 1 { "" } else { "s" },
        names(&hosts),
        fragment.decl.name,
        if includers.len() == 1 { "" } else { "s" },
        names(&includers),
        if includers.len() == 1 { "s" } else { "" },
    );
    let mut d = Diagnostic::new(&CODE, api.decl.name_span, message)
        .with_primary_message("no client-certificate validation in its effective policy")
        .with_label(
            fragment.decl.name_span,
            format!(
                "fragment `{}` validates the client certificate",
                fragment.decl.name
            ),
        );
    if let Some((includer, at)) = gap.includers.first() {
        d = d.with_label(
            *at,
            format!("API `{}` includes it here", m[*includer].decl.name),
        );
    }
    d.with_help(format!(
        "add `include_fragment {{ fragment = {} }}` (`<include-fragment fragment-id=\"{}\" />` in raw XML) to the inbound section of `{}`'s policy",
        fragment_reference(cx, gap),
        fragment.decl.name,
        api.decl.name
    ))
    .with_address(api.decl.address.clone())
    .with_trace(api.decl.trace.clone())
}

/// The reference to the fragment as written in the API's policy: relative to the instance
/// when both are declared inside its block.
fn fragment_reference(cx: &CheckContext, gap: &Gap) -> String {
    let m = cx.model;
    let fragment = local_reference(&m[gap.fragment].decl.address);
    let api = local_reference(&m[gap.api].decl.address);
    let instance = local_reference(&m[m[gap.api].api_management].decl.address);
    let prefix = format!("{instance}.");
    match (fragment.strip_prefix(&prefix), api.starts_with(&prefix)) {
        (Some(relative), true) => relative.to_string(),
        _ => fragment.to_string(),
    }
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let forwarded = forwarded_certificate_header_names(m);
    let validating: Vec<PolicyFragmentId> = fragments(m)
        .filter(|(_, f)| {
            fragment_statements(f)
                .into_iter()
                .any(|s| validates_client_certificate(s, &forwarded).is_some())
        })
        .map(|(id, _)| id)
        .collect();
    if validating.is_empty() {
        return;
    }
    let policies: Vec<ApiPolicies> = (0..m.apis.len())
        .map(|i| api_policies(cx, ApiId(i as u32), &forwarded))
        .collect();
    let hostnames: Vec<(HostnameId, Vec<ApiId>)> = (0..m.hostnames.len())
        .map(|i| HostnameId(i as u32))
        .filter(|h| hostname_requests_certificate(cx, *h))
        .map(|h| (h, apis_served_by(cx, h)))
        .collect();
    for (index, p) in policies.iter().enumerate() {
        let api = ApiId(index as u32);
        if p.validated {
            continue;
        }
        for fragment in &validating {
            if p.includes.iter().any(|(f, _)| f == fragment) {
                continue;
            }
            let mut gap = Gap {
                api,
                fragment: *fragment,
                hostnames: Vec::new(),
                includers: Vec::new(),
            };
            for (hostname, apis) in hostnames.iter().filter(|(_, apis)| apis.contains(&api)) {
                let includers: Vec<(ApiId, Span)> = apis
                    .iter()
                    .filter_map(|a| {
                        let (_, at) = policies[a.index()]
                            .includes
                            .iter()
                            .find(|(f, _)| f == fragment)?;
                        Some((*a, *at))
                    })
                    .collect();
                if includers.is_empty() {
                    continue;
                }
                gap.hostnames.push(*hostname);
                for i in includers {
                    if !gap.includers.iter().any(|(a, _)| *a == i.0) {
                        gap.includers.push(i);
                    }
                }
            }
            if !gap.hostnames.is_empty() {
                out.push(diagnostic(cx, &gap));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn lists_names_in_prose() {
        let list = |v: &[&str]| names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(list(&["`a`"]), "`a`");
        assert_eq!(list(&["`a`", "`b`"]), "`a` and `b`");
        assert_eq!(list(&["`a`", "`b`", "`c`"]), "`a`, `b` and `c`");
    }
}
