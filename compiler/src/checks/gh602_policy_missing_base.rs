//! GH602 policy-missing-base.

use super::util::{policies, policy_owner, policy_statements, reads_client_certificate};
use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::NodeRef;
use crate::model::{Model, PolicyId, PolicyScope, Statement, StatementKind};

declare_check! {
    /// ## What it checks
    /// A policy written as raw XML at product, API or operation scope has a section
    /// (`<inbound>`, `<backend>`, `<outbound>`, `<on-error>`) without `<base />`. Typed
    /// sections are not reported: they inherit unless they say `inherit = false`, which is
    /// explicit.
    /// ## Why
    /// `<base />` is where the policies of the enclosing scope run. A section without it
    /// silently drops them, including a client-certificate validation or IP filter written
    /// once at global or product scope. Also reported by PSRule Azure.APIM.PolicyBase
    /// (AZR-000371).
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   policy {
    ///     inbound {
    ///       ip_filter {
    ///         action = "allow"
    ///
    ///         address_range {
    ///           from = "10.20.1.0"
    ///           to   = "10.20.1.255"
    ///         }
    ///       }
    ///     }
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       xml = <<-XML
    ///         <policies>
    ///           <inbound>
    ///             <set-header name="X-Partner-Api" exists-action="override">
    ///               <value>partners</value>
    ///             </set-header>
    ///           </inbound>
    ///         </policies>
    ///       XML
    ///     }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   policy {
    ///     inbound {
    ///       ip_filter {
    ///         action = "allow"
    ///
    ///         address_range {
    ///           from = "10.20.1.0"
    ///           to   = "10.20.1.255"
    ///         }
    ///       }
    ///     }
    ///   }
    ///
    ///   api "partners" {
    ///     path = "partners"
    ///
    ///     policy {
    ///       xml = <<-XML
    ///         <policies>
    ///           <inbound>
    ///             <base />
    ///             <set-header name="X-Partner-Api" exists-action="override">
    ///               <value>partners</value>
    ///             </set-header>
    ///           </inbound>
    ///         </policies>
    ///       XML
    ///     }
    ///   }
    /// }
    /// ```
    "GH602", "policy-missing-base", Severity::Warning
}

/// The policies of the scopes above a policy's scope, outermost first.
fn enclosing(model: &Model, scope: PolicyScope) -> Vec<PolicyId> {
    let api_levels = |api: crate::model::ApiId| {
        let a = &model[api];
        let mut out: Vec<PolicyId> = model[a.api_management].policy.into_iter().collect();
        out.extend(a.products.iter().filter_map(|p| model[p.id].policy));
        out
    };
    match scope {
        PolicyScope::Global(_) => Vec::new(),
        PolicyScope::Product(p) => model[model[p].api_management].policy.into_iter().collect(),
        PolicyScope::Api(a) => api_levels(a),
        PolicyScope::Operation(o) => {
            let api = model[o].api;
            let mut out = api_levels(api);
            out.extend(model[api].policy);
            out
        }
    }
}

/// An inherited statement whose loss matters: a client-certificate read or an access check.
fn guards(s: &Statement) -> Option<&'static str> {
    match &s.kind {
        StatementKind::ValidateClientCertificate(_) => Some("validate_client_certificate"),
        StatementKind::CheckHeader(_) => Some("check_header"),
        StatementKind::IpFilter(_) => Some("ip_filter"),
        StatementKind::ValidateJwt(_) => Some("validate_jwt"),
        _ => reads_client_certificate(s).map(|_| "client-certificate check"),
    }
}

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for (id, policy) in policies(m) {
        if policy.xml_file.is_none() || matches!(policy.scope, PolicyScope::Global(_)) {
            continue;
        }
        let owner = policy_owner(m, id);
        for (name, section) in policy.sections() {
            let Some(span) = section.span else { continue };
            if section
                .statements
                .iter()
                .any(|s| matches!(s.kind, StatementKind::Base))
            {
                continue;
            }
            let mut d = Diagnostic::new(
                &CODE,
                span,
                format!(
                    "the `<{name}>` section of `{}`'s policy does not run the inherited policies",
                    owner.name
                ),
            )
            .with_primary_message("no `<base />` here");
            let dropped = enclosing(m, policy.scope).into_iter().find_map(|parent| {
                policy_statements(&m[parent])
                    .into_iter()
                    .filter(|(section, _)| *section == name)
                    .find_map(|(_, s)| guards(s).map(|what| (parent, s.span, what)))
            });
            if let Some((parent, at, what)) = dropped {
                d = d.with_label(
                    at,
                    format!(
                        "this `{what}` of `{}`'s policy no longer runs",
                        policy_owner(m, parent).name
                    ),
                );
            }
            let help = format!(
                "add `<base />` to `<{name}>` where the enclosing scope's policies should run \
                 (first, as the API Management editor writes it)"
            );
            out.push(
                d.with_help(help)
                    .with_address(cx.graph.address(NodeRef::Policy(id)))
                    .with_trace(owner.trace.clone()),
            );
        }
    }
}
