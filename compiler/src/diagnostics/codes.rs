//! Codes of the front end: reading files, HCL syntax, the schema, evaluation and references.
//!
//! GH0xx are front-end codes (the topology cannot be loaded as written); GH101, GH601 and GH902
//! come from the checks catalogue's areas but are raised while loading. Check codes live with
//! their checks in `checks/`. [`all`] lists every code; `gatehouse explain` reads it.

use super::{CodeInfo, Severity};
use crate::declare_code;

declare_code! {
    /// ## What it means
    /// A file is not valid HCL: an unclosed brace or string, a missing `=`, an unexpected token,
    /// or nesting deeper than 64 levels.
    /// ## Example
    /// ```hcl
    /// certificate "edge" {
    ///   pem = file("edge.pem"
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// certificate "edge" {
    ///   pem = file("edge.pem")
    /// }
    /// ```
    pub static HCL_SYNTAX = "GH001", "hcl-syntax", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A block type that gatehouse does not know at this place. Each block kind may only appear
    /// where `docs/language.md` lists it (a `listener` belongs inside an `app_gateway`, an `api`
    /// inside an `api_management`).
    /// ## Example
    /// ```hcl
    /// app_gateway "edge" {
    ///   sku = "WAF_v2"
    ///   listner "api" { }
    /// }
    /// ```
    /// ## Fix
    /// Use the block name the help suggests (`listener`), or move the block to where it belongs.
    pub static UNKNOWN_BLOCK = "GH002", "unknown-block", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// An attribute this block does not have. Misspelt attributes would otherwise be dropped
    /// silently and deploy a different topology from the one you wrote.
    /// ## Example
    /// ```hcl
    /// hostname "gateway" {
    ///   type = "Proxy"
    ///   host_name = "gw.contoso.com"
    ///   negociate_client_certificate = true
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// hostname "gateway" {
    ///   type = "Proxy"
    ///   host_name = "gw.contoso.com"
    ///   negotiate_client_certificate = true
    /// }
    /// ```
    pub static UNKNOWN_ATTRIBUTE = "GH003", "unknown-attribute", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A value of the wrong type: a string where a number or bool is expected, a list where
    /// one value is expected, or a reference to the wrong kind of block (a `certificate` where a
    /// `hostname` is expected).
    /// ## Example
    /// ```hcl
    /// listener "api" {
    ///   port = "443"
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// listener "api" {
    ///   port = 443
    /// }
    /// ```
    pub static WRONG_TYPE = "GH004", "wrong-type", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A required attribute or block is missing, or a block lacks its name label.
    /// ## Example
    /// ```hcl
    /// api "orders" {
    ///   display_name = "Orders"
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api "orders" {
    ///   display_name = "Orders"
    ///   path         = "orders"
    /// }
    /// ```
    pub static MISSING_REQUIRED = "GH005", "missing-required", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// Two blocks of the same kind have the same name in one scope, or an attribute is set twice
    /// in one block. Names are what references and Azure resource names are made from, so they
    /// must be unique per scope (two `certificate "edge"` blocks, two `api "orders"` in one
    /// `api_management`).
    /// ## Fix
    /// Rename one of them, or merge them into one block.
    pub static DUPLICATE_NAME = "GH006", "duplicate-name", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A file named by `file(...)`, a module `source`, or the topology directory itself does not
    /// exist or cannot be read. Paths are relative to the directory of the `.hcl` file that names
    /// them.
    /// ## Example
    /// ```hcl
    /// certificate "partner_ca" { ca_chain = file("certs/partner-ca.pem") }
    /// ```
    /// ## Fix
    /// Correct the path, or add the file. Certificates for development can be generated with
    /// `gatehouse pki init`.
    pub static FILE_NOT_FOUND = "GH007", "file-not-found", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A `module` block passes an input the module does not declare as a `variable`, omits one
    /// that has no default, or passes a value of the wrong type. The diagnostic points at the
    /// calling block and, as a second label, at the module's `variable`.
    /// ## Example
    /// ```hcl
    /// module "edge" {
    ///   source   = "../../modules/appgw-mtls-edge"
    ///   hostname = "api.contoso.com"   # the module calls it host_name
    /// }
    /// ```
    /// ## Fix
    /// Use the input names the module declares (see the module's README).
    pub static MODULE_INPUT = "GH008", "module-input", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// Locals, variables or module outputs refer to each other in a cycle, so none of them has a
    /// value.
    /// ## Example
    /// ```hcl
    /// locals {
    ///   a = local.b
    ///   b = local.a
    /// }
    /// ```
    /// ## Fix
    /// Break the cycle: give one of them a value that does not depend on the others.
    pub static REFERENCE_CYCLE = "GH009", "reference-cycle", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A module includes itself, directly or through other modules. Expanding it would never
    /// end.
    /// ## Fix
    /// Remove the `module` block that points back at a module already on the call path.
    pub static MODULE_CYCLE = "GH010", "module-cycle", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// The topology directory holds no `*.hcl` file. A topology is the set of `*.hcl` files
    /// directly in one directory (sub-directories are not read, as with Terraform modules).
    /// ## Fix
    /// Point gatehouse at the directory that holds the `.hcl` files, e.g.
    /// `gatehouse check examples/appgw-apim-keyvault`.
    pub static NO_HCL_FILES = "GH011", "no-hcl-files", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A value outside the allowed set: an unknown SKU, a `type` that is not one of the Azure
    /// hostname types, a port outside 1–65535, an invalid HTTP method.
    /// ## Example
    /// ```hcl
    /// api_management "main" { sku = "Premum" }
    /// ```
    /// ## Fix
    /// Use one of the values the message lists (`Premium`). Values are case-sensitive and use
    /// Azure's spelling.
    pub static INVALID_VALUE = "GH012", "invalid-value", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// An expression gatehouse does not evaluate: an unknown function, a `for` expression, a
    /// splat, an operator applied to the wrong types, or an index out of range. gatehouse
    /// evaluates a deliberately small expression language (see `docs/language.md`,
    /// "Expressions") so that every value is known at compile time.
    /// ## Fix
    /// Write the value out, or use `locals` and the functions listed in the language reference.
    pub static UNSUPPORTED_EXPRESSION = "GH013", "unsupported-expression", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A `.hcl` or policy file is not text: it is binary, not UTF-8, or larger than the 16 MiB
    /// gatehouse reads.
    /// ## Fix
    /// Keep only HCL text in `*.hcl` files; certificates belong in their own files, named with
    /// `file(...)`.
    pub static NOT_TEXT = "GH014", "not-text", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// Attributes that exclude each other are set together, or none of a set of which exactly one
    /// is needed is set (a `certificate` is exactly one of `pem`, `der`, `pfx`, `ca_chain` or a
    /// Key Vault secret).
    /// ## Example
    /// ```hcl
    /// certificate "edge" {
    ///   pem = file("edge.pem")
    ///   pfx = file("edge.pfx")
    /// }
    /// ```
    /// ## Fix
    /// Keep the one you mean.
    pub static CONFLICTING_ATTRIBUTES = "GH015", "conflicting-attributes", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// A module `source` is not a local directory path (`./` or `../`), or the directory holds
    /// no `.hcl` file. gatehouse modules are local directories, usually under `modules/`; there
    /// is no registry.
    /// ## Example
    /// ```hcl
    /// module "edge" { source = "contoso/edge/azure" }
    /// ```
    /// ## Fix
    /// ```hcl
    /// module "edge" { source = "../../modules/appgw-mtls-edge" }
    /// ```
    pub static MODULE_SOURCE = "GH016", "module-source", Severity::Error;
}

declare_code! {
    /// ## What it means
    /// Policy fragments include each other in a cycle: a fragment includes itself, directly or
    /// through other fragments (`include_fragment` or `<include-fragment fragment-id="..." />`),
    /// so inlining it would never end.
    /// ## Example
    /// ```hcl
    /// policy_fragment "mtls" {
    ///   include_fragment { fragment = policy_fragment.audit }
    /// }
    /// policy_fragment "audit" {
    ///   include_fragment { fragment = policy_fragment.mtls }
    /// }
    /// ```
    /// ## Fix
    /// Remove the include that points back at a fragment already on the path. (API Management
    /// documents that a fragment cannot nest another one at all; keep fragments flat and include
    /// each from the policy that needs it.)
    pub static FRAGMENT_INCLUDE_CYCLE = "GH017", "fragment-include-cycle", Severity::Error;
}

declare_code! {
    /// ## What it checks
    /// A reference to a block that is not declared: a certificate, SSL profile, listener,
    /// hostname, backend, identity, Key Vault, subnet, product, version set or policy fragment,
    /// a `var.`, `local.` or `module.` name.
    /// ## Why
    /// A typo'd name would deploy nothing, or fail late in Azure with an error that does not name
    /// the HCL line.
    /// ## Example
    /// ```hcl
    /// api_management "main" {
    ///   backend "orders" { url = "https://orders.contoso.internal" }
    ///   api "orders" {
    ///     path    = "orders"
    ///     backend = backend.order
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// ```hcl
    /// api_management "main" {
    ///   backend "orders" { url = "https://orders.contoso.internal" }
    ///   api "orders" {
    ///     path    = "orders"
    ///     backend = backend.orders
    ///   }
    /// }
    /// ```
    pub static UNRESOLVED_REFERENCE = "GH101", "unresolved-reference", Severity::Error;
}

declare_code! {
    /// ## What it checks
    /// A policy given as raw XML (`xml = ...` or a `raw` statement) that is not well-formed, is
    /// not a `<policies>` document with `inbound`, `backend`, `outbound` and `on-error`
    /// sections, or uses an element that is not an API Management policy.
    /// ## Why
    /// API Management rejects such a policy when it is saved ("ValidationError ... unexpected
    /// token"), which only happens at deploy time.
    /// ## Example
    /// ```hcl
    /// policy { xml = "<policies><inbound><base/></inbound>" }
    /// ```
    /// ## Fix
    /// ```hcl
    /// policy {
    ///   xml = "<policies><inbound><base/></inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>"
    /// }
    /// ```
    pub static POLICY_XML_INVALID = "GH601", "policy-xml-invalid", Severity::Error;
}

declare_code! {
    /// ## What it checks
    /// `secret("NAME")` names an environment variable that is not set when gatehouse runs.
    /// ## Why
    /// Secret values (PFX passwords, named values) are read from the environment at compile
    /// time so that they never appear in HCL, in generated files or in logs. Without the value
    /// the topology cannot be compiled or run.
    /// ## Example
    /// ```hcl
    /// certificate "edge" {
    ///   pfx      = file("edge.pfx")
    ///   password = secret("EDGE_PFX_PASSWORD")
    /// }
    /// ```
    /// ## Fix
    /// Set the variable in the pipeline (a secret variable) or in your shell:
    /// `export EDGE_PFX_PASSWORD=...`.
    pub static SECRET_UNSET = "GH902", "secret-unset", Severity::Error;
}

/// Every code gatehouse can emit, in code order.
pub fn all() -> Vec<&'static CodeInfo> {
    let mut codes: Vec<&'static CodeInfo> = vec![
        &HCL_SYNTAX,
        &UNKNOWN_BLOCK,
        &UNKNOWN_ATTRIBUTE,
        &WRONG_TYPE,
        &MISSING_REQUIRED,
        &DUPLICATE_NAME,
        &FILE_NOT_FOUND,
        &MODULE_INPUT,
        &REFERENCE_CYCLE,
        &MODULE_CYCLE,
        &NO_HCL_FILES,
        &INVALID_VALUE,
        &UNSUPPORTED_EXPRESSION,
        &NOT_TEXT,
        &CONFLICTING_ATTRIBUTES,
        &MODULE_SOURCE,
        &FRAGMENT_INCLUDE_CYCLE,
        &UNRESOLVED_REFERENCE,
        &POLICY_XML_INVALID,
        &SECRET_UNSET,
    ];
    codes.extend(crate::checks::codes());
    codes.extend(crate::emit::codes());
    codes.sort_by_key(|c| c.code);
    codes
}

/// Looks a code up by its code (`GH301`, case-insensitive) or its name (`negotiate-off-cert-read`).
pub fn find(query: &str) -> Option<&'static CodeInfo> {
    all()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(query) || c.name == query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let codes = all();
        let mut seen = std::collections::BTreeSet::new();
        for c in &codes {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(c.code.len() == 5 && c.code.starts_with("GH"), "{}", c.code);
            assert!(
                c.code[2..].chars().all(|ch| ch.is_ascii_digit()),
                "{}",
                c.code
            );
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                c.name
            );
            assert!(
                c.explain.contains("## "),
                "{} has no explain sections",
                c.code
            );
        }
    }

    #[test]
    fn find_accepts_code_or_name() {
        assert_eq!(find("gh004").map(|c| c.name), Some("wrong-type"));
        assert_eq!(find("module-cycle").map(|c| c.code), Some("GH010"));
        assert!(find("GH999").is_none());
    }
}
