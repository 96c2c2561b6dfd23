//! `gatehouse graph`: the graph as Graphviz DOT (clusters per Application Gateway and API
//! Management instance) or JSON.

use super::{EdgeKind, Graph, NodeRef};

use crate::source::Sources;
use serde::Serialize;
use std::fmt::Write;

fn kind_name(node: NodeRef) -> &'static str {
    match node {
        NodeRef::AppGateway(_) => "app_gateway",
        NodeRef::SslProfile(_) => "ssl_profile",
        NodeRef::Listener(_) => "listener",
        NodeRef::BackendPool(_) => "backend_pool",
        NodeRef::BackendSettings(_) => "backend_settings",
        NodeRef::RewriteRuleSet(_) => "rewrite_rule_set",
        NodeRef::ApiManagement(_) => "api_management",
        NodeRef::Hostname(_) => "hostname",
        NodeRef::CaCertificate(_) => "ca_certificate",
        NodeRef::Backend(_) => "backend",
        NodeRef::NamedValue(_) => "named_value",
        NodeRef::Product(_) => "product",
        NodeRef::ApiVersionSet(_) => "api_version_set",
        NodeRef::Api(_) => "api",
        NodeRef::Operation(_) => "operation",
        NodeRef::Policy(_) => "policy",
        NodeRef::PolicyFragment(_) => "policy_fragment",
        NodeRef::Certificate(_) => "certificate",
        NodeRef::Client(_) => "client",
        NodeRef::KeyVault(_) => "key_vault",
        NodeRef::Identity(_) => "identity",
        NodeRef::VirtualNetwork(_) => "virtual_network",
        NodeRef::Subnet(_) => "subnet",
        NodeRef::NetworkSecurityGroup(_) => "network_security_group",
        NodeRef::PrivateDnsZone(_) => "private_dns_zone",
    }
}

fn edge_name(kind: EdgeKind) -> String {
    let debug = format!("{kind:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The instance or gateway a node is drawn inside, if any.
fn cluster(g: &Graph, node: NodeRef) -> Option<NodeRef> {
    let m = g.model;
    Some(match node {
        NodeRef::SslProfile(id) => NodeRef::AppGateway(m[id].app_gateway),
        NodeRef::Listener(id) => NodeRef::AppGateway(m[id].app_gateway),
        NodeRef::BackendPool(id) => NodeRef::AppGateway(m[id].app_gateway),
        NodeRef::BackendSettings(id) => NodeRef::AppGateway(m[id].app_gateway),
        NodeRef::RewriteRuleSet(id) => NodeRef::AppGateway(m[id].app_gateway),
        NodeRef::Hostname(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::CaCertificate(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::Backend(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::NamedValue(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::Product(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::ApiVersionSet(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::Api(id) => NodeRef::ApiManagement(m[id].api_management),
        NodeRef::Operation(id) => NodeRef::ApiManagement(m[m[id].api].api_management),
        NodeRef::Policy(id) => NodeRef::ApiManagement(g.policy_instance(id)),
        NodeRef::PolicyFragment(id) => NodeRef::ApiManagement(m[id].api_management),
        _ => return None,
    })
}

fn quote(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// DOT text: one cluster per gateway and instance, shared resources outside.
pub fn dot(g: &Graph) -> String {
    let mut out = String::from("digraph topology {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let nodes: Vec<NodeRef> = g.graph.node_weights().copied().collect();
    let id = |n: NodeRef| quote(&g.address(n));
    let label = |n: NodeRef| quote(&format!("{}\n{}", kind_name(n), g.address(n)));
    let containers: Vec<NodeRef> = nodes
        .iter()
        .copied()
        .filter(|n| matches!(n, NodeRef::AppGateway(_) | NodeRef::ApiManagement(_)))
        .collect();
    for (i, c) in containers.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{i} {{\n    label={};\n    style=dashed;",
            quote(&g.address(*c))
        );
        let _ = writeln!(
            out,
            "    {} [label={}, shape=component];",
            id(*c),
            label(*c)
        );
        for n in nodes.iter().filter(|n| cluster(g, **n) == Some(*c)) {
            let _ = writeln!(out, "    {} [label={}];", id(*n), label(*n));
        }
        out.push_str("  }\n");
    }
    for n in nodes
        .iter()
        .filter(|n| cluster(g, **n).is_none() && !containers.contains(n))
    {
        let shape = match n {
            NodeRef::Certificate(_) => "note",
            NodeRef::KeyVault(_) => "cylinder",
            NodeRef::Identity(_) | NodeRef::Client(_) => "ellipse",
            _ => "box",
        };
        let _ = writeln!(out, "  {} [label={}, shape={shape}];", id(*n), label(*n));
    }
    for e in g.graph.edge_indices() {
        let (a, b) = g.graph.edge_endpoints(e).expect("edge");
        let kind = g.graph[e].kind;
        if kind == EdgeKind::Contains
            && matches!(
                g.graph[a],
                NodeRef::AppGateway(_) | NodeRef::ApiManagement(_)
            )
        {
            continue; // drawn by the cluster
        }
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            id(g.graph[a]),
            id(g.graph[b]),
            quote(&edge_name(kind))
        );
    }
    out.push_str("}\n");
    out
}

#[derive(Serialize)]
struct JsonGraph {
    version: u32,
    nodes: Vec<JsonNode>,
    edges: Vec<JsonEdge>,
}

#[derive(Serialize)]
struct JsonNode {
    id: String,
    kind: &'static str,
    name: String,
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonEdge {
    from: String,
    to: String,
    kind: String,
    file: String,
    line: usize,
    column: usize,
}

fn decl_span(g: &Graph, node: NodeRef) -> crate::source::Span {
    let m = g.model;
    match node {
        NodeRef::AppGateway(id) => m[id].decl.span,
        NodeRef::SslProfile(id) => m[id].decl.span,
        NodeRef::Listener(id) => m[id].decl.span,
        NodeRef::BackendPool(id) => m[id].decl.span,
        NodeRef::BackendSettings(id) => m[id].decl.span,
        NodeRef::RewriteRuleSet(id) => m[id].decl.span,
        NodeRef::ApiManagement(id) => m[id].decl.span,
        NodeRef::Hostname(id) => m[id].decl.span,
        NodeRef::CaCertificate(id) => m[id].decl.span,
        NodeRef::Backend(id) => m[id].decl.span,
        NodeRef::NamedValue(id) => m[id].decl.span,
        NodeRef::Product(id) => m[id].decl.span,
        NodeRef::ApiVersionSet(id) => m[id].decl.span,
        NodeRef::Api(id) => m[id].decl.span,
        NodeRef::Operation(id) => m[id].decl.span,
        NodeRef::Policy(id) => m[id].span,
        NodeRef::PolicyFragment(id) => m[id].decl.span,
        NodeRef::Certificate(id) => m[id].decl.span,
        NodeRef::Client(id) => m[id].decl.span,
        NodeRef::KeyVault(id) => m[id].decl.span,
        NodeRef::Identity(id) => m[id].decl.span,
        NodeRef::VirtualNetwork(id) => m[id].decl.span,
        NodeRef::Subnet(id) => m[id].decl.span,
        NodeRef::NetworkSecurityGroup(id) => m[id].decl.span,
        NodeRef::PrivateDnsZone(id) => m[id].decl.span,
    }
}

/// JSON: nodes with their address, kind and declaration; edges with kind and reference position.
pub fn json(g: &Graph, sources: &Sources) -> String {
    let nodes = g
        .graph
        .node_weights()
        .map(|n| {
            let p = sources.position(decl_span(g, *n));
            let address = g.address(*n);
            JsonNode {
                name: address.rsplit('.').next().unwrap_or("").to_string(),
                id: address,
                kind: kind_name(*n),
                file: p.path,
                line: p.line,
            }
        })
        .collect();
    let edges = g
        .graph
        .edge_indices()
        .map(|e| {
            let (a, b) = g.graph.edge_endpoints(e).expect("edge");
            let p = sources.position(g.graph[e].span);
            JsonEdge {
                from: g.address(g.graph[a]),
                to: g.address(g.graph[b]),
                kind: edge_name(g.graph[e].kind),
                file: p.path,
                line: p.line,
                column: p.column,
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&JsonGraph {
        version: 1,
        nodes,
        edges,
    })
    .expect("graph serializes");
    text.push('\n');
    text
}
