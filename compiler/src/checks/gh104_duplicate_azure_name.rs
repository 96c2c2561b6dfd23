//! GH104 duplicate-azure-name.

use super::CheckContext;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Decl, Spanned};

declare_check! {
    /// ## What it checks
    /// Two blocks that become the same Azure resource name: two APIs of one API Management
    /// instance with the same `path` (and version), or two Key Vaults, two API Management
    /// instances or two Application Gateways with the same Azure `name`.
    /// ## Why
    /// Azure keys these resources by name: API paths are unique per instance, and Key Vault
    /// and API Management names are globally unique. Two declarations of one name deploy as
    /// one resource (the last write wins) or the deployment fails with a conflict, and which one
    /// happens surfaces only at deploy time.
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

pub(crate) fn run(cx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // API paths, per instance, with the API version (versions of one path are separate APIs).
    let apis: Vec<(String, &Spanned<String>, &Decl)> = m
        .apis
        .iter()
        .map(|a| {
            let key = format!(
                "{}\u{0}{}\u{0}{}",
                a.api_management.0,
                a.path.value.trim_matches('/').to_ascii_lowercase(),
                a.version.as_ref().map_or("", |v| v.value.as_str())
            );
            (key, &a.path, &a.decl)
        })
        .collect();
    report(out, &apis, "API", "path", "API paths are unique per API Management instance; give one of them another `path` (or a `version` in a version set)");
    let key = |s: &Spanned<String>| s.value.to_ascii_lowercase();
    // A defaulted name is derived when deploying (deployment name, module path): only names
    // written out are compared.
    let written = |s: &Spanned<String>, d: &Decl| s.span.range().start != d.span.range().start;
    let vaults: Vec<_> = m
        .key_vaults
        .iter()
        .filter(|v| written(&v.azure_name, &v.decl))
        .map(|v| (key(&v.azure_name), &v.azure_name, &v.decl))
        .collect();
    report(
        out,
        &vaults,
        "Key Vault",
        "name",
        "Key Vault names are globally unique: give each vault its own `name`",
    );
    let instances: Vec<_> = m
        .api_managements
        .iter()
        .filter(|a| written(&a.azure_name, &a.decl))
        .map(|a| (key(&a.azure_name), &a.azure_name, &a.decl))
        .collect();
    report(
        out,
        &instances,
        "API Management instance",
        "name",
        "API Management names are globally unique: give each instance its own `name`",
    );
    let gateways: Vec<_> = m
        .app_gateways
        .iter()
        .filter(|g| written(&g.azure_name, &g.decl))
        .map(|g| (key(&g.azure_name), &g.azure_name, &g.decl))
        .collect();
    report(
        out,
        &gateways,
        "Application Gateway",
        "name",
        "give each Application Gateway its own `name`",
    );
}

/// Reports every block whose key an earlier block already has.
fn report(
    out: &mut Vec<Diagnostic>,
    items: &[(String, &Spanned<String>, &Decl)],
    kind: &str,
    attribute: &str,
    help: &str,
) {
    for (i, (key, value, decl)) in items.iter().enumerate() {
        let Some((_, first_value, first)) = items[..i].iter().find(|(k, _, _)| k == key) else {
            continue;
        };
        // A defaulted name points at the block: name the label instead.
        let span = |v: &Spanned<String>, d: &Decl| {
            if v.span.range().start == d.span.range().start {
                d.name_span
            } else {
                v.span
            }
        };
        out.push(
            Diagnostic::new(
                &CODE,
                span(value, decl),
                format!(
                    "{kind} `{}` has the same {attribute} `{}` as {kind} `{}`",
                    decl.name, value.value, first.name
                ),
            )
            .with_primary_message("deploys over the other one")
            .with_label(
                span(first_value, first),
                format!("`{}` is declared here first", first.name),
            )
            .with_help(help.to_string())
            .with_address(decl.address.clone())
            .with_trace(decl.trace.clone()),
        );
    }
}
