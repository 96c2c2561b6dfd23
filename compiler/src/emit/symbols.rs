//! Symbols: the identifier every emitted resource goes by, the same in Terraform (resource
//! names) and Bicep (symbolic names), so both outputs can be compared and read side by side.
//!
//! A symbol is a short kind prefix and the labels of the entity's HCL address, in snake case:
//! `api_management.main.api.orders` is `api_main_orders`, `module.orders.api.partner` is
//! `api_orders_partner`. Two entities that would get the same symbol get `_2`, `_3`, ... in
//! model order, so symbols are unique and stable for a given topology.

use crate::graph::{Graph, NodeRef};
use rustc_hash::FxHashMap;
use rustc_hash::FxHashSet;

/// The symbol of every node of a model.
#[derive(Debug, Default)]
pub struct Symbols {
    by_node: FxHashMap<NodeRef, String>,
}

/// Block keywords, dropped from addresses: the prefix says the kind.
const KEYWORDS: &[&str] = &[
    "module",
    "app_gateway",
    "ssl_profile",
    "listener",
    "backend_pool",
    "backend_settings",
    "rewrite_rule_set",
    "api_management",
    "hostname",
    "ca_certificate",
    "backend",
    "named_value",
    "product",
    "api_version_set",
    "api",
    "operation",
    "policy",
    "policy_fragment",
    "certificate",
    "key_vault",
    "identity",
    "virtual_network",
    "subnet",
    "network_security_group",
    "client",
    "private_dns_zone",
];

impl Symbols {
    pub fn of(graph: &Graph) -> Symbols {
        let mut by_node = FxHashMap::default();
        let mut taken = FxHashSet::default();
        for node in graph.nodes() {
            let mut base = String::from(prefix(node));
            base.push('_');
            push_labels(&graph.address(node), &mut base);
            let mut symbol = base.clone();
            let mut n = 2;
            while !taken.insert(symbol.clone()) {
                symbol = format!("{base}_{n}");
                n += 1;
            }
            by_node.insert(node, symbol);
        }
        Symbols { by_node }
    }

    /// The symbol of `node`; every node of the model has one.
    pub fn get(&self, node: NodeRef) -> &str {
        self.by_node.get(&node).map_or("unknown", String::as_str)
    }
}

fn prefix(node: NodeRef) -> &'static str {
    match node {
        NodeRef::AppGateway(_) => "agw",
        NodeRef::SslProfile(_) => "sslprofile",
        NodeRef::Listener(_) => "listener",
        NodeRef::BackendPool(_) => "pool",
        NodeRef::BackendSettings(_) => "settings",
        NodeRef::RewriteRuleSet(_) => "rewrite",
        NodeRef::ApiManagement(_) => "apim",
        NodeRef::Hostname(_) => "hostname",
        NodeRef::CaCertificate(_) => "ca",
        NodeRef::Backend(_) => "backend",
        NodeRef::NamedValue(_) => "nv",
        NodeRef::Product(_) => "product",
        NodeRef::ApiVersionSet(_) => "versionset",
        NodeRef::Api(_) => "api",
        NodeRef::Operation(_) => "op",
        NodeRef::Policy(_) => "policy",
        NodeRef::PolicyFragment(_) => "fragment",
        NodeRef::Client(_) => "client",
        NodeRef::PrivateDnsZone(_) => "dns",
        NodeRef::Certificate(_) => "cert",
        NodeRef::KeyVault(_) => "kv",
        NodeRef::Identity(_) => "id",
        NodeRef::VirtualNetwork(_) => "vnet",
        NodeRef::Subnet(_) => "snet",
        NodeRef::NetworkSecurityGroup(_) => "nsg",
    }
}

/// The labels of an address, snake case: `api_management.main.api.orders` → `main_orders`.
/// Also the name of a certificate's dev PKI stand-in, unique across module instances.
pub fn labels(address: &str) -> String {
    let mut out = String::new();
    push_labels(address, &mut out);
    out
}

/// Appends the labels of `address` to `out` (`main` when it has none).
fn push_labels(address: &str, out: &mut String) {
    let start = out.len();
    // Addresses alternate block kinds and labels (`api_management.main.api.orders`); only
    // the kinds are dropped, so a label that happens to be a keyword (`certificate.client`)
    // stays.
    for (_, part) in address
        .split('.')
        .enumerate()
        .filter(|(i, p)| !(i % 2 == 0 && KEYWORDS.contains(p)))
    {
        if out.len() > start {
            out.push('_');
        }
        out.extend(part.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        }));
    }
    if out.len() == start {
        out.push_str("main");
    }
}

#[cfg(test)]
mod tests {
    use super::labels;

    #[test]
    fn labels_drop_keywords_and_keep_module_names() {
        assert_eq!(labels("api_management.main.api.orders"), "main_orders");
        assert_eq!(labels("module.orders.api.partner"), "orders_partner");
        assert_eq!(labels("certificate.partner-ca"), "partner_ca");
        assert_eq!(
            labels("module.ledger.certificate.client"),
            "ledger_client",
            "a label that is also a block keyword is kept"
        );
    }
}
