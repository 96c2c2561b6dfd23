//! The topology graph: every entity of the model as a node, every reference as a typed edge
//! that keeps the span of the reference that made it.
//!
//! Checks ask the graph the cross-resource questions that no per-resource linter can answer
//! (`queries.rs`): which hostnames serve an API and how requests reach them, which policies are
//! in effect for an operation (policy fragments inlined), which identity reads which Key Vault
//! secret. `render.rs` writes
//! the graph as DOT or JSON for `gatehouse graph`.

mod build;
mod queries;
pub mod render;

pub use queries::{EffectivePolicy, EffectiveStatement, PrivateResolution, Reader};

use crate::model::*;
use crate::source::Span;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;

/// A node: one entity of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeRef {
    AppGateway(AppGatewayId),
    SslProfile(SslProfileId),
    Listener(ListenerId),
    BackendPool(BackendPoolId),
    BackendSettings(BackendSettingsId),
    RewriteRuleSet(RewriteRuleSetId),
    ApiManagement(ApiManagementId),
    Hostname(HostnameId),
    CaCertificate(CaCertificateId),
    Backend(BackendId),
    NamedValue(NamedValueId),
    Product(ProductId),
    ApiVersionSet(ApiVersionSetId),
    Api(ApiId),
    Operation(OperationId),
    Policy(PolicyId),
    PolicyFragment(PolicyFragmentId),
    Certificate(CertificateId),
    Client(ClientId),
    KeyVault(KeyVaultId),
    Identity(IdentityId),
    VirtualNetwork(VirtualNetworkId),
    Subnet(SubnetId),
    NetworkSecurityGroup(NetworkSecurityGroupId),
    PrivateDnsZone(PrivateDnsZoneId),
}

/// What an edge means: `from` → `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// A block contains another (gateway → listener, instance → API, API → operation).
    Contains,
    /// Listener → SSL profile.
    UsesSslProfile,
    /// SSL profile → trusted client CA certificate.
    TrustsClientCa,
    /// Listener or APIM hostname → its server certificate.
    ServerCertificate,
    /// Listener → APIM hostname or backend pool (a route).
    RoutesTo,
    /// Listener → backend settings used by a route.
    UsesBackendSettings,
    /// Listener → rewrite rule set applied by a route.
    AppliesRewrite,
    /// Backend settings → trusted root certificate.
    TrustsRoot,
    /// APIM hostname → API it serves.
    Serves,
    /// API → backend.
    UsesBackend,
    /// API → product.
    InProduct,
    /// API → version set.
    InVersionSet,
    /// Instance, product, API or operation → its policy.
    HasPolicy,
    /// Policy or policy fragment → fragment it includes (include-fragment).
    IncludesFragment,
    /// Policy or policy fragment → certificate it names (authentication-certificate, issuer).
    PolicyCertificate,
    /// Policy or policy fragment → backend it routes to (set-backend-service).
    PolicyBackend,
    /// Backend → its client certificate.
    ClientCertificate,
    /// Backend → the certificate it serves.
    BackendServerCertificate,
    /// CA certificate entry → the certificate.
    CaStoreEntry,
    /// Certificate → Key Vault that stores it.
    StoredIn,
    /// Certificate, hostname or named value → identity that reads it.
    ReadBy,
    /// Gateway or instance → its managed identity.
    HasIdentity,
    /// Identity → Key Vault it holds a role on.
    RoleOn,
    /// Identity → Key Vault whose access policy names it.
    AccessPolicyOn,
    /// Gateway, instance → subnet it is deployed in.
    InSubnet,
    /// Subnet → its NSG.
    SubnetNsg,
    /// Key Vault → subnet its firewall allows.
    AllowsSubnet,
    /// Private DNS zone → virtual network linked to it.
    LinksVirtualNetwork,
}

/// An edge: its kind and the span of the reference that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub kind: EdgeKind,
    pub span: Span,
}

/// The graph of one model.
#[derive(Debug)]
pub struct Graph<'m> {
    pub model: &'m Model,
    pub graph: DiGraph<NodeRef, Edge>,
    index: HashMap<NodeRef, NodeIndex>,
    /// [`Graph::effective_policies`] per API, computed on first use: a dozen checks ask for
    /// the same policies.
    effective: Vec<std::sync::OnceLock<OperationPolicies<'m>>>,
}

/// The effective policy of each operation of an API (`None`: the API has no operations).
pub type OperationPolicies<'m> = Vec<(Option<OperationId>, EffectivePolicy<'m>)>;

impl<'m> Graph<'m> {
    /// Builds the graph of `model`.
    pub fn new(model: &'m Model) -> Graph<'m> {
        build::build(model)
    }

    pub fn node(&self, node: NodeRef) -> NodeIndex {
        self.index[&node]
    }

    /// Targets of `from`'s edges of `kind`, in the order the edges were added (source order).
    pub fn targets(&self, from: NodeRef, kind: EdgeKind) -> Vec<(NodeRef, Span)> {
        let mut out: Vec<(usize, NodeRef, Span)> = self
            .graph
            .edges(self.node(from))
            .filter(|e| e.weight().kind == kind)
            .map(|e| {
                use petgraph::visit::EdgeRef;
                (e.id().index(), self.graph[e.target()], e.weight().span)
            })
            .collect();
        out.sort_by_key(|(i, _, _)| *i);
        out.into_iter().map(|(_, n, s)| (n, s)).collect()
    }

    /// Sources of edges of `kind` into `to`, in edge order.
    pub fn sources(&self, to: NodeRef, kind: EdgeKind) -> Vec<(NodeRef, Span)> {
        use petgraph::visit::EdgeRef;
        let mut out: Vec<(usize, NodeRef, Span)> = self
            .graph
            .edges_directed(self.node(to), petgraph::Direction::Incoming)
            .filter(|e| e.weight().kind == kind)
            .map(|e| (e.id().index(), self.graph[e.source()], e.weight().span))
            .collect();
        out.sort_by_key(|(i, _, _)| *i);
        out.into_iter().map(|(_, n, s)| (n, s)).collect()
    }

    /// Every node, in insertion (model) order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef> + '_ {
        self.graph.node_weights().copied()
    }

    /// The HCL address of a node.
    pub fn address(&self, node: NodeRef) -> String {
        let m = self.model;
        match node {
            NodeRef::AppGateway(id) => m[id].decl.address.clone(),
            NodeRef::SslProfile(id) => m[id].decl.address.clone(),
            NodeRef::Listener(id) => m[id].decl.address.clone(),
            NodeRef::BackendPool(id) => m[id].decl.address.clone(),
            NodeRef::BackendSettings(id) => m[id].decl.address.clone(),
            NodeRef::RewriteRuleSet(id) => m[id].decl.address.clone(),
            NodeRef::ApiManagement(id) => m[id].decl.address.clone(),
            NodeRef::Hostname(id) => m[id].decl.address.clone(),
            NodeRef::CaCertificate(id) => m[id].decl.address.clone(),
            NodeRef::Backend(id) => m[id].decl.address.clone(),
            NodeRef::NamedValue(id) => m[id].decl.address.clone(),
            NodeRef::Product(id) => m[id].decl.address.clone(),
            NodeRef::ApiVersionSet(id) => m[id].decl.address.clone(),
            NodeRef::Api(id) => m[id].decl.address.clone(),
            NodeRef::Operation(id) => m[id].decl.address.clone(),
            NodeRef::Policy(id) => format!("{}.policy", self.policy_owner_address(id)),
            NodeRef::PolicyFragment(id) => m[id].decl.address.clone(),
            NodeRef::Certificate(id) => m[id].decl.address.clone(),
            NodeRef::Client(id) => m[id].decl.address.clone(),
            NodeRef::KeyVault(id) => m[id].decl.address.clone(),
            NodeRef::Identity(id) => m[id].decl.address.clone(),
            NodeRef::VirtualNetwork(id) => m[id].decl.address.clone(),
            NodeRef::Subnet(id) => m[id].decl.address.clone(),
            NodeRef::NetworkSecurityGroup(id) => m[id].decl.address.clone(),
            NodeRef::PrivateDnsZone(id) => m[id].decl.address.clone(),
        }
    }

    fn policy_owner_address(&self, id: PolicyId) -> String {
        let m = self.model;
        match m[id].scope {
            PolicyScope::Global(a) => m[a].decl.address.clone(),
            PolicyScope::Product(p) => m[p].decl.address.clone(),
            PolicyScope::Api(a) => m[a].decl.address.clone(),
            PolicyScope::Operation(o) => m[o].decl.address.clone(),
        }
    }
}
