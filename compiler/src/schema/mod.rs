//! The gatehouse language: every block kind, its label, attributes and child blocks.
//!
//! The schema is data. The evaluator decodes HCL against it (unknown names, types, required
//! attributes, repetition), `docs/language.md` is generated from it, and the model builders read
//! attributes the schema has already checked. Adding an attribute starts here.

mod blocks;
pub mod reference;

pub use blocks::{policy_statement_names, ROOT};

use std::fmt;

/// Kinds of blocks that other blocks can refer to; each is an entity in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Certificate,
    Client,
    KeyVault,
    Identity,
    VirtualNetwork,
    Subnet,
    NetworkSecurityGroup,
    PrivateDnsZone,
    AppGateway,
    SslProfile,
    Listener,
    BackendPool,
    BackendSettings,
    RewriteRuleSet,
    ApiManagement,
    Hostname,
    CaCertificate,
    Backend,
    NamedValue,
    Product,
    ApiVersionSet,
    Api,
    Operation,
    PolicyFragment,
}

impl Kind {
    /// The HCL block name of this kind.
    pub fn block_name(self) -> &'static str {
        match self {
            Kind::Certificate => "certificate",
            Kind::Client => "client",
            Kind::KeyVault => "key_vault",
            Kind::Identity => "identity",
            Kind::VirtualNetwork => "virtual_network",
            Kind::Subnet => "subnet",
            Kind::NetworkSecurityGroup => "network_security_group",
            Kind::PrivateDnsZone => "private_dns_zone",
            Kind::AppGateway => "app_gateway",
            Kind::SslProfile => "ssl_profile",
            Kind::Listener => "listener",
            Kind::BackendPool => "backend_pool",
            Kind::BackendSettings => "backend_settings",
            Kind::RewriteRuleSet => "rewrite_rule_set",
            Kind::ApiManagement => "api_management",
            Kind::Hostname => "hostname",
            Kind::CaCertificate => "ca_certificate",
            Kind::Backend => "backend",
            Kind::NamedValue => "named_value",
            Kind::Product => "product",
            Kind::ApiVersionSet => "api_version_set",
            Kind::Api => "api",
            Kind::Operation => "operation",
            Kind::PolicyFragment => "policy_fragment",
        }
    }

    pub fn all() -> &'static [Kind] {
        use Kind::*;
        &[
            Certificate,
            Client,
            KeyVault,
            Identity,
            VirtualNetwork,
            Subnet,
            NetworkSecurityGroup,
            PrivateDnsZone,
            AppGateway,
            SslProfile,
            Listener,
            BackendPool,
            BackendSettings,
            RewriteRuleSet,
            ApiManagement,
            Hostname,
            CaCertificate,
            Backend,
            NamedValue,
            Product,
            ApiVersionSet,
            Api,
            Operation,
            PolicyFragment,
        ]
    }

    pub fn from_block_name(name: &str) -> Option<Kind> {
        Kind::all().iter().copied().find(|k| k.block_name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.block_name())
    }
}

/// The type of an attribute value.
#[derive(Debug)]
pub enum Ty {
    String,
    Number,
    /// A whole number in `min..=max`.
    Integer {
        min: i64,
        max: i64,
    },
    Bool,
    /// One of these strings (Azure's spelling, case-sensitive).
    Enum(&'static [&'static str]),
    List(&'static Ty),
    /// An object with string keys and values of one type (`tags`).
    Map(&'static Ty),
    /// A reference to a block of one of these kinds (`certificate.partner_ca`).
    Ref(&'static [Kind]),
    /// A file named with `file("path")`.
    File,
    /// A secret: `secret("ENV_NAME")` or a sensitive variable (a literal is accepted and
    /// reported by the literal-secret check).
    Secret,
    /// A string, inline or read from a file with `file("path")` (policy XML).
    Text,
    /// Any value (variable defaults, outputs, module inputs are typed by their declaration).
    Any,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::String => f.write_str("a string"),
            Ty::Number => f.write_str("a number"),
            Ty::Integer { .. } => f.write_str("a whole number"),
            Ty::Bool => f.write_str("a bool"),
            Ty::Enum(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                write!(f, "one of {}", quoted.join(", "))
            }
            Ty::List(inner) => write!(f, "a list of {}", inner.plural()),
            Ty::Map(inner) => write!(f, "a map of {}", inner.plural()),
            Ty::Ref(kinds) => write!(f, "a reference to {}", kind_list(kinds)),
            Ty::File => f.write_str("`file(\"path\")`"),
            Ty::Secret => f.write_str("`secret(\"NAME\")`"),
            Ty::Text => f.write_str("a string or `file(\"path\")`"),
            Ty::Any => f.write_str("any value"),
        }
    }
}

fn kind_list(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

impl Ty {
    /// The type as a plural noun, for "a list of ...".
    fn plural(&self) -> String {
        match self {
            Ty::String => "strings".to_string(),
            Ty::Number => "numbers".to_string(),
            Ty::Integer { .. } => "whole numbers".to_string(),
            Ty::Bool => "bools".to_string(),
            Ty::Enum(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                format!("values among {}", quoted.join(", "))
            }
            Ty::List(inner) => format!("lists of {}", inner.plural()),
            Ty::Map(inner) => format!("maps of {}", inner.plural()),
            Ty::Ref(kinds) => format!("references to {}", kind_list(kinds)),
            Ty::File => "files".to_string(),
            Ty::Secret => "secrets".to_string(),
            Ty::Text => "strings or files".to_string(),
            Ty::Any => "values".to_string(),
        }
    }
}

/// One attribute of a block.
#[derive(Debug)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    pub doc: &'static str,
}

/// How often a child block may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// At most once.
    Once,
    /// Any number of times (labelled blocks: unique labels).
    Many,
}

/// One block kind at one place in the language.
#[derive(Debug)]
pub struct BlockSchema {
    pub name: &'static str,
    /// What the single label means (`"name"`); `None` for unlabelled blocks.
    pub label: Option<&'static str>,
    /// The entity kind, when other blocks can refer to this one.
    pub kind: Option<Kind>,
    pub repeat: Repeat,
    pub doc: &'static str,
    pub attrs: &'static [AttrSchema],
    pub blocks: &'static [&'static BlockSchema],
    /// Policy statement blocks: their order is meaningful.
    pub statement: bool,
}

impl BlockSchema {
    pub fn attr(&self, name: &str) -> Option<&'static AttrSchema> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&'static BlockSchema> {
        self.blocks.iter().copied().find(|b| b.name == name)
    }
}

/// Blocks the evaluator handles itself (not entities): documented in the language reference.
pub const META_BLOCKS: &[&str] = &["variable", "locals", "output", "module"];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn walk(schema: &'static BlockSchema, seen: &mut BTreeSet<*const BlockSchema>) {
        if !seen.insert(schema as *const _) {
            return;
        }
        let mut names = BTreeSet::new();
        for a in schema.attrs {
            assert!(
                names.insert(a.name),
                "{}: attribute {} twice",
                schema.name,
                a.name
            );
            assert!(!a.doc.is_empty(), "{}.{} has no doc", schema.name, a.name);
        }
        for b in schema.blocks {
            assert!(
                names.insert(b.name),
                "{}: {} is both attribute and block",
                schema.name,
                b.name
            );
            walk(b, seen);
        }
        if let Some(kind) = schema.kind {
            assert_eq!(kind.block_name(), schema.name);
            assert!(
                schema.label.is_some(),
                "entity {} needs a label",
                schema.name
            );
        }
    }

    #[test]
    fn names_are_unique_per_block_and_documented() {
        walk(&ROOT, &mut BTreeSet::new());
    }

    #[test]
    fn every_kind_has_a_block() {
        fn collect(schema: &'static BlockSchema, kinds: &mut BTreeSet<Kind>, depth: usize) {
            if depth > 12 {
                return;
            }
            if let Some(k) = schema.kind {
                kinds.insert(k);
            }
            for b in schema.blocks {
                collect(b, kinds, depth + 1);
            }
        }
        let mut kinds = BTreeSet::new();
        collect(&ROOT, &mut kinds, 0);
        assert_eq!(kinds.len(), Kind::all().len());
    }
}
