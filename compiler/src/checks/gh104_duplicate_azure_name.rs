//! GH104 duplicate-azure-name.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{gateway_name, ApiManagementId, CertificateId, Decl, Model, Spanned};
use crate::source::Span;

declare_check! {
    /// ## What it checks
    /// Two blocks that become the same Azure resource name in the scope where Azure keys them
    /// by name, compared without case, as Azure compares names:
    /// - in one API Management instance: two APIs with the same `path` (and version), or the
    ///   same Azure name (`name`, else the label) of two APIs, two backends, two certificates
    ///   uploaded to its certificate store (by a backend's `client_certificate` or an
    ///   `authentication_certificate` policy), or two named values, products, version sets or
    ///   policy fragments;
    /// - in one Application Gateway: two listeners, SSL profiles, backend pools, backend
    ///   settings or rewrite rule sets (named by their label with `_` as `-`), or two
    ///   certificates under one name among its listener certificates, trusted client CAs or
    ///   trusted root certificates;
    /// - anywhere: two Key Vaults, API Management instances or Application Gateways with the
    ///   same written `name`.
    ///
    /// The usual cause is a module called twice (or a module and the root) declaring blocks
    /// with the same label: each block has its own address, but both deploy under one name.
    /// ## Why
    /// Azure keys these resources by name: API paths and the names of an instance's APIs,
    /// backends, certificates and other entities are unique per instance, a gateway's child
    /// names are unique per gateway, and Key Vault and API Management names are globally
    /// unique. Two declarations of one name deploy as one resource (the last write wins) or
    /// the deployment fails with a conflict, and which one happens surfaces only at deploy
    /// time. Policies name certificates and backends by these names (`certificate-id`,
    /// `backend-id`), so a policy may present another block's certificate.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   sku             = "Premium"
    ///   publisher_name  = "Contoso"
    ///   publisher_email = "api@contoso.com"
    ///
    ///   api "orders" {
    ///     path = "orders"
    ///   }
    ///
    ///   api "orders_v2" {
    ///     path = "orders"
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
    ///   api "orders" {
    ///     path = "orders"
    ///   }
    ///
    ///   api "orders_v2" {
    ///     path = "orders/v2"
    ///   }
    /// }
    /// ```
    "GH104", "duplicate-azure-name", Severity::Error
}

/// Help for blocks that take a `name`.
const NAME_HELP: &str = "set `name` on one of them; for a block in a module, pass each module call a distinct name input";

/// Help for blocks Azure names by their label.
const LABEL_HELP: &str = "these blocks deploy under their label: rename one of them";

/// Help for Application Gateway children, named by their label with `_` as `-`.
const LABEL_HELP_GATEWAY: &str =
    "gateway blocks deploy under their label with `_` as `-`: rename one of them";

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for index in 0..m.api_managements.len() {
        api_management(m, ApiManagementId(index as u32), out);
    }
    for gateway in &m.app_gateways {
        let within = format!("Application Gateway `{}`", gateway.decl.address);
        let scope = |what: &'static str, help: &'static str| Scope {
            what,
            attribute: "Azure name",
            within: Some(within.clone()),
            help,
        };
        let lists = [
            ("listener", labelled(gateway.listeners.iter().map(|l| &m[*l].decl).collect(), gateway_name)),
            ("SSL profile", labelled(gateway.ssl_profiles.iter().map(|p| &m[*p].decl).collect(), gateway_name)),
            ("backend pool", labelled(gateway.backend_pools.iter().map(|p| &m[*p].decl).collect(), gateway_name)),
            (
                "backend settings",
                labelled(gateway.backend_settings.iter().map(|s| &m[*s].decl).collect(), gateway_name),
            ),
            (
                "rewrite rule set",
                labelled(gateway.rewrite_rule_sets.iter().map(|s| &m[*s].decl).collect(), gateway_name),
            ),
        ];
        for (what, named) in &lists {
            report(out, &scope(what, LABEL_HELP_GATEWAY), named);
        }
        // A gateway keeps three lists of certificates, each keyed by name.
        let listener_certificates: Vec<(CertificateId, Span)> = gateway
            .listeners
            .iter()
            .filter_map(|l| m[*l].certificate)
            .map(|r| (r.id, r.span))
            .collect();
        let client_cas: Vec<(CertificateId, Span)> = gateway
            .ssl_profiles
            .iter()
            .flat_map(|p| m[*p].trusted_client_cas.iter())
            .map(|r| (r.id, r.span))
            .collect();
        let roots: Vec<(CertificateId, Span)> = gateway
            .backend_settings
            .iter()
            .flat_map(|s| m[*s].trusted_root_certificates.iter())
            .map(|r| (r.id, r.span))
            .collect();
        for (what, uses) in [
            ("listener certificate", listener_certificates),
            ("trusted client CA", client_cas),
            ("trusted root certificate", roots),
        ] {
            let named = certificates(m, &uses, |c| m[c].gateway_name());
            report(out, &scope(what, NAME_HELP), &named);
        }
    }
    // A defaulted name is derived when deploying (deployment name, module path): only names
    // written out are compared.
    let written = |s: &Spanned<String>, d: &Decl| s.span.range().start != d.span.range().start;
    let global = |what: &'static str, help: &'static str| Scope {
        what,
        attribute: "Azure name",
        within: None,
        help,
    };
    let vaults: Vec<Named> = m
        .key_vaults
        .iter()
        .filter(|v| written(&v.azure_name, &v.decl))
        .map(|v| Named::attribute(&v.decl, &v.azure_name))
        .collect();
    report(
        out,
        &global(
            "Key Vault",
            "Key Vault names are globally unique: give each vault its own `name`",
        ),
        &vaults,
    );
    let instances: Vec<Named> = m
        .api_managements
        .iter()
        .filter(|a| written(&a.azure_name, &a.decl))
        .map(|a| Named::attribute(&a.decl, &a.azure_name))
        .collect();
    report(
        out,
        &global(
            "API Management instance",
            "API Management names are globally unique: give each instance its own `name`",
        ),
        &instances,
    );
    let gateways: Vec<Named> = m
        .app_gateways
        .iter()
        .filter(|g| written(&g.azure_name, &g.decl))
        .map(|g| Named::attribute(&g.decl, &g.azure_name))
        .collect();
    report(
        out,
        &global("Application Gateway", "give each Application Gateway its own `name`"),
        &gateways,
    );
}

/// The names Azure keys within one API Management instance.
fn api_management(m: &Model, id: ApiManagementId, out: &mut Vec<Diagnostic>) {
    let instance = &m[id];
    let within = || Some(format!("API Management instance `{}`", instance.decl.address));
    // API paths, with the API version (versions of one path are separate APIs).
    let paths: Vec<Named> = instance
        .apis
        .iter()
        .map(|a| {
            let api = &m[*a];
            let mut named = Named::attribute(&api.decl, &api.path);
            named.key = format!(
                "{}\u{0}{}",
                api.path.value.trim_matches('/').to_ascii_lowercase(),
                api.version.as_ref().map_or("", |v| v.value.as_str())
            );
            named
        })
        .collect();
    report(
        out,
        &Scope {
            what: "API",
            attribute: "path",
            within: within(),
            help: "API paths are unique per API Management instance; give one of them another `path` (or a `version` in a version set)",
        },
        &paths,
    );
    let scope = |what: &'static str, help: &'static str| Scope {
        what,
        attribute: "Azure name",
        within: within(),
        help,
    };
    let apis: Vec<Named> = instance
        .apis
        .iter()
        .map(|a| Named::attribute(&m[*a].decl, &m[*a].azure_name))
        .collect();
    report(out, &scope("API", NAME_HELP), &apis);
    let backends: Vec<Named> = instance
        .backends
        .iter()
        .map(|b| Named::attribute(&m[*b].decl, &m[*b].azure_name))
        .collect();
    report(out, &scope("backend", NAME_HELP), &backends);
    let uploaded = certificates(m, &m.apim_certificates(id), |c| {
        m[c].apim_name().to_string()
    });
    report(out, &scope("certificate", NAME_HELP), &uploaded);
    let as_is = |label: &str| label.to_string();
    let lists = [
        ("named value", labelled(instance.named_values.iter().map(|n| &m[*n].decl).collect(), as_is)),
        ("product", labelled(instance.products.iter().map(|p| &m[*p].decl).collect(), as_is)),
        (
            "API version set",
            labelled(instance.api_version_sets.iter().map(|v| &m[*v].decl).collect(), as_is),
        ),
        (
            "policy fragment",
            labelled(instance.policy_fragments.iter().map(|f| &m[*f].decl).collect(), as_is),
        ),
    ];
    for (what, named) in &lists {
        report(out, &scope(what, LABEL_HELP), named);
    }
}

/// Blocks named by their label, as `name` turns it into an Azure name.
fn labelled<'m>(decls: Vec<&'m Decl>, name: impl Fn(&str) -> String) -> Vec<Named<'m>> {
    decls
        .into_iter()
        .map(|d| Named::label(d, name(&d.name)))
        .collect()
}

/// Each certificate of `uses` once (at its first use), under the name `name` gives it.
fn certificates<'m>(
    m: &'m Model,
    uses: &[(CertificateId, Span)],
    name: impl Fn(CertificateId) -> String,
) -> Vec<Named<'m>> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (id, used) in uses {
        if seen.contains(id) {
            continue;
        }
        seen.push(*id);
        let cert = &m[*id];
        let name = name(*id);
        out.push(Named {
            key: name.to_ascii_lowercase(),
            name,
            span: cert.azure_name_span(),
            decl: &cert.decl,
            used: Some(*used),
        });
    }
    out
}

/// Where Azure keys blocks by name, and what to say about two under one name.
struct Scope {
    /// The kind of block, as users call it: `backend`, `listener certificate`.
    what: &'static str,
    /// What is the same: `Azure name`, `path`.
    attribute: &'static str,
    /// The resource whose names these are, `None` for globally unique names.
    within: Option<String>,
    help: &'static str,
}

/// One block under the name it deploys as.
struct Named<'m> {
    /// The name as Azure compares it (lower case).
    key: String,
    /// The name as written or derived.
    name: String,
    /// Where the name comes from: the attribute that sets it, else the block's label.
    span: Span,
    decl: &'m Decl,
    /// The reference that brings a block declared elsewhere into the scope (a certificate
    /// uploaded to an instance or used by a gateway).
    used: Option<Span>,
}

impl<'m> Named<'m> {
    /// A block named by an attribute, or by its label when the attribute was defaulted (the
    /// default's span is the block's).
    fn attribute(decl: &'m Decl, value: &Spanned<String>) -> Named<'m> {
        let span = if value.span.range().start == decl.span.range().start {
            decl.name_span
        } else {
            value.span
        };
        Named {
            key: value.value.to_ascii_lowercase(),
            name: value.value.clone(),
            span,
            decl,
            used: None,
        }
    }

    /// A block named by its label (`name` is what Azure makes of it).
    fn label(decl: &'m Decl, name: String) -> Named<'m> {
        Named {
            key: name.to_ascii_lowercase(),
            name,
            span: decl.name_span,
            decl,
            used: None,
        }
    }
}

/// Reports every block whose key an earlier block already has: at the later block, with the
/// earlier one as the second label.
fn report(out: &mut Vec<Diagnostic>, scope: &Scope, items: &[Named]) {
    for (i, second) in items.iter().enumerate() {
        let Some(first) = items[..i].iter().find(|n| n.key == second.key) else {
            continue;
        };
        let within = scope
            .within
            .as_ref()
            .map_or_else(String::new, |w| format!(" in {w}"));
        let mut d = Diagnostic::new(
            &CODE,
            second.span,
            format!(
                "{} `{}` has the same {} `{}` as `{}`{within}",
                scope.what, second.decl.address, scope.attribute, second.name, first.decl.address
            ),
        )
        .with_primary_message("deploys over the other one")
        .with_label(
            first.span,
            format!("`{}` is declared here first", first.decl.address),
        );
        for named in [first, second] {
            if let Some(used) = named.used {
                d = d.with_label(used, format!("`{}` is used here", named.decl.address));
            }
        }
        out.push(
            d.with_help(scope.help)
                .with_address(second.decl.address.clone())
                .with_trace(second.decl.trace.clone())
                .with_secondary_trace(&first.decl.trace),
        );
    }
}
