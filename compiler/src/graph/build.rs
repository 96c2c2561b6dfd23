//! Building the graph: one node per entity, one edge per reference, in model order so that the
//! graph (and everything rendered from it) is deterministic.

use super::{Edge, EdgeKind, Graph, NodeRef};
use crate::model::*;
use crate::source::Span;
use petgraph::graph::DiGraph;
use std::collections::HashMap;
use std::sync::OnceLock;

struct Builder<'m> {
    model: &'m Model,
    graph: DiGraph<NodeRef, Edge>,
    index: HashMap<NodeRef, petgraph::graph::NodeIndex>,
}

impl Builder<'_> {
    fn add(&mut self, node: NodeRef) {
        let i = self.graph.add_node(node);
        self.index.insert(node, i);
    }

    fn edge(&mut self, from: NodeRef, to: NodeRef, kind: EdgeKind, span: Span) {
        let (a, b) = (self.index[&from], self.index[&to]);
        self.graph.add_edge(a, b, Edge { kind, span });
    }
}

macro_rules! ids {
    ($vec:expr, $id:ident) => {
        (0..$vec.len()).map(|i| $id(i as u32))
    };
}

pub(super) fn build(model: &Model) -> Graph<'_> {
    let mut b = Builder {
        model,
        graph: DiGraph::new(),
        index: HashMap::new(),
    };
    let m = model;
    // Nodes.
    for id in ids!(m.app_gateways, AppGatewayId) {
        b.add(NodeRef::AppGateway(id));
    }
    for id in ids!(m.ssl_profiles, SslProfileId) {
        b.add(NodeRef::SslProfile(id));
    }
    for id in ids!(m.listeners, ListenerId) {
        b.add(NodeRef::Listener(id));
    }
    for id in ids!(m.backend_pools, BackendPoolId) {
        b.add(NodeRef::BackendPool(id));
    }
    for id in ids!(m.backend_settings, BackendSettingsId) {
        b.add(NodeRef::BackendSettings(id));
    }
    for id in ids!(m.rewrite_rule_sets, RewriteRuleSetId) {
        b.add(NodeRef::RewriteRuleSet(id));
    }
    for id in ids!(m.api_managements, ApiManagementId) {
        b.add(NodeRef::ApiManagement(id));
    }
    for id in ids!(m.hostnames, HostnameId) {
        b.add(NodeRef::Hostname(id));
    }
    for id in ids!(m.ca_certificates, CaCertificateId) {
        b.add(NodeRef::CaCertificate(id));
    }
    for id in ids!(m.backends, BackendId) {
        b.add(NodeRef::Backend(id));
    }
    for id in ids!(m.named_values, NamedValueId) {
        b.add(NodeRef::NamedValue(id));
    }
    for id in ids!(m.products, ProductId) {
        b.add(NodeRef::Product(id));
    }
    for id in ids!(m.api_version_sets, ApiVersionSetId) {
        b.add(NodeRef::ApiVersionSet(id));
    }
    for id in ids!(m.apis, ApiId) {
        b.add(NodeRef::Api(id));
    }
    for id in ids!(m.operations, OperationId) {
        b.add(NodeRef::Operation(id));
    }
    for id in ids!(m.policies, PolicyId) {
        b.add(NodeRef::Policy(id));
    }
    for id in ids!(m.policy_fragments, PolicyFragmentId) {
        b.add(NodeRef::PolicyFragment(id));
    }
    for id in ids!(m.certificates, CertificateId) {
        b.add(NodeRef::Certificate(id));
    }
    for id in ids!(m.key_vaults, KeyVaultId) {
        b.add(NodeRef::KeyVault(id));
    }
    for id in ids!(m.identities, IdentityId) {
        b.add(NodeRef::Identity(id));
    }
    for id in ids!(m.virtual_networks, VirtualNetworkId) {
        b.add(NodeRef::VirtualNetwork(id));
    }
    for id in ids!(m.subnets, SubnetId) {
        b.add(NodeRef::Subnet(id));
    }
    for id in ids!(m.network_security_groups, NetworkSecurityGroupId) {
        b.add(NodeRef::NetworkSecurityGroup(id));
    }
    for id in ids!(m.private_dns_zones, PrivateDnsZoneId) {
        b.add(NodeRef::PrivateDnsZone(id));
    }
    for id in ids!(m.clients, ClientId) {
        b.add(NodeRef::Client(id));
    }

    application_gateways(&mut b);
    api_managements(&mut b);
    certificates_and_access(&mut b);
    Graph {
        model,
        graph: b.graph,
        index: b.index,
        effective: (0..model.apis.len()).map(|_| OnceLock::new()).collect(),
    }
}

fn application_gateways(b: &mut Builder) {
    let m = b.model;
    for (i, gw) in m.app_gateways.iter().enumerate() {
        let gid = NodeRef::AppGateway(AppGatewayId(i as u32));
        for p in &gw.ssl_profiles {
            b.edge(
                gid,
                NodeRef::SslProfile(*p),
                EdgeKind::Contains,
                m[*p].decl.span,
            );
        }
        for l in &gw.listeners {
            b.edge(
                gid,
                NodeRef::Listener(*l),
                EdgeKind::Contains,
                m[*l].decl.span,
            );
        }
        for p in &gw.backend_pools {
            b.edge(
                gid,
                NodeRef::BackendPool(*p),
                EdgeKind::Contains,
                m[*p].decl.span,
            );
        }
        for s in &gw.backend_settings {
            b.edge(
                gid,
                NodeRef::BackendSettings(*s),
                EdgeKind::Contains,
                m[*s].decl.span,
            );
        }
        for r in &gw.rewrite_rule_sets {
            b.edge(
                gid,
                NodeRef::RewriteRuleSet(*r),
                EdgeKind::Contains,
                m[*r].decl.span,
            );
        }
        if let Some(id) = gw.identity {
            b.edge(
                gid,
                NodeRef::Identity(id.id),
                EdgeKind::HasIdentity,
                id.span,
            );
        }
        if let Some(s) = gw.subnet {
            b.edge(gid, NodeRef::Subnet(s.id), EdgeKind::InSubnet, s.span);
        }
    }
    for (i, p) in m.ssl_profiles.iter().enumerate() {
        for ca in &p.trusted_client_cas {
            b.edge(
                NodeRef::SslProfile(SslProfileId(i as u32)),
                NodeRef::Certificate(ca.id),
                EdgeKind::TrustsClientCa,
                ca.span,
            );
        }
    }
    for (i, l) in m.listeners.iter().enumerate() {
        let lid = NodeRef::Listener(ListenerId(i as u32));
        if let Some(p) = l.ssl_profile {
            b.edge(
                lid,
                NodeRef::SslProfile(p.id),
                EdgeKind::UsesSslProfile,
                p.span,
            );
        }
        if let Some(c) = l.certificate {
            b.edge(
                lid,
                NodeRef::Certificate(c.id),
                EdgeKind::ServerCertificate,
                c.span,
            );
        }
        for route in &l.routes {
            match route.to {
                Some(RouteTarget::Hostname(h)) => {
                    b.edge(lid, NodeRef::Hostname(h.id), EdgeKind::RoutesTo, h.span)
                }
                Some(RouteTarget::BackendPool(p)) => {
                    b.edge(lid, NodeRef::BackendPool(p.id), EdgeKind::RoutesTo, p.span)
                }
                None => {}
            }
            if let Some(s) = route.backend_settings {
                b.edge(
                    lid,
                    NodeRef::BackendSettings(s.id),
                    EdgeKind::UsesBackendSettings,
                    s.span,
                );
            }
            if let Some(r) = route.rewrite_rule_set {
                b.edge(
                    lid,
                    NodeRef::RewriteRuleSet(r.id),
                    EdgeKind::AppliesRewrite,
                    r.span,
                );
            }
        }
    }
    for (i, s) in m.backend_settings.iter().enumerate() {
        for root in &s.trusted_root_certificates {
            b.edge(
                NodeRef::BackendSettings(BackendSettingsId(i as u32)),
                NodeRef::Certificate(root.id),
                EdgeKind::TrustsRoot,
                root.span,
            );
        }
    }
}

fn api_managements(b: &mut Builder) {
    let m = b.model;
    for (i, apim) in m.api_managements.iter().enumerate() {
        let aid = NodeRef::ApiManagement(ApiManagementId(i as u32));
        for h in &apim.hostnames {
            b.edge(
                aid,
                NodeRef::Hostname(*h),
                EdgeKind::Contains,
                m[*h].decl.span,
            );
        }
        for c in &apim.ca_certificates {
            b.edge(
                aid,
                NodeRef::CaCertificate(*c),
                EdgeKind::Contains,
                m[*c].decl.span,
            );
        }
        for x in &apim.backends {
            b.edge(
                aid,
                NodeRef::Backend(*x),
                EdgeKind::Contains,
                m[*x].decl.span,
            );
        }
        for x in &apim.named_values {
            b.edge(
                aid,
                NodeRef::NamedValue(*x),
                EdgeKind::Contains,
                m[*x].decl.span,
            );
        }
        for x in &apim.products {
            b.edge(
                aid,
                NodeRef::Product(*x),
                EdgeKind::Contains,
                m[*x].decl.span,
            );
        }
        for x in &apim.api_version_sets {
            b.edge(
                aid,
                NodeRef::ApiVersionSet(*x),
                EdgeKind::Contains,
                m[*x].decl.span,
            );
        }
        for x in &apim.apis {
            b.edge(aid, NodeRef::Api(*x), EdgeKind::Contains, m[*x].decl.span);
        }
        for id in &apim.identities {
            b.edge(
                aid,
                NodeRef::Identity(id.id),
                EdgeKind::HasIdentity,
                id.span,
            );
        }
        if let Some(s) = apim.subnet {
            b.edge(aid, NodeRef::Subnet(s.id), EdgeKind::InSubnet, s.span);
        }
        if let Some(p) = apim.policy {
            b.edge(aid, NodeRef::Policy(p), EdgeKind::HasPolicy, m[p].span);
        }
    }
    for (i, h) in m.hostnames.iter().enumerate() {
        let hid = NodeRef::Hostname(HostnameId(i as u32));
        if let Some(c) = h.certificate {
            b.edge(
                hid,
                NodeRef::Certificate(c.id),
                EdgeKind::ServerCertificate,
                c.span,
            );
        }
        if let Some(id) = h.identity {
            b.edge(hid, NodeRef::Identity(id.id), EdgeKind::ReadBy, id.span);
        }
    }
    for (i, ca) in m.ca_certificates.iter().enumerate() {
        if let Some(c) = ca.certificate {
            b.edge(
                NodeRef::CaCertificate(CaCertificateId(i as u32)),
                NodeRef::Certificate(c.id),
                EdgeKind::CaStoreEntry,
                c.span,
            );
        }
    }
    for (i, be) in m.backends.iter().enumerate() {
        let bid = NodeRef::Backend(BackendId(i as u32));
        if let Some(c) = be.client_certificate {
            b.edge(
                bid,
                NodeRef::Certificate(c.id),
                EdgeKind::ClientCertificate,
                c.span,
            );
        }
        if let Some(c) = be.server_certificate {
            b.edge(
                bid,
                NodeRef::Certificate(c.id),
                EdgeKind::BackendServerCertificate,
                c.span,
            );
        }
    }
    for (i, nv) in m.named_values.iter().enumerate() {
        let nid = NodeRef::NamedValue(NamedValueId(i as u32));
        if let Some(id) = nv.identity {
            b.edge(nid, NodeRef::Identity(id.id), EdgeKind::ReadBy, id.span);
        }
        if let Some(NamedValueSource::KeyVault { vault, .. }) = &nv.source {
            b.edge(
                nid,
                NodeRef::KeyVault(vault.id),
                EdgeKind::StoredIn,
                vault.span,
            );
        }
    }
    for (i, p) in m.products.iter().enumerate() {
        if let Some(pol) = p.policy {
            b.edge(
                NodeRef::Product(ProductId(i as u32)),
                NodeRef::Policy(pol),
                EdgeKind::HasPolicy,
                m[pol].span,
            );
        }
    }
    for (i, api) in m.apis.iter().enumerate() {
        let aid = ApiId(i as u32);
        let node = NodeRef::Api(aid);
        for h in super::queries::hostnames_of(m, aid) {
            let span = api
                .hostnames
                .iter()
                .find(|r| r.id == h)
                .map_or(api.decl.name_span, |r| r.span);
            b.edge(NodeRef::Hostname(h), node, EdgeKind::Serves, span);
        }
        for o in &api.operations {
            b.edge(
                node,
                NodeRef::Operation(*o),
                EdgeKind::Contains,
                m[*o].decl.span,
            );
        }
        if let Some(be) = api.backend {
            b.edge(
                node,
                NodeRef::Backend(be.id),
                EdgeKind::UsesBackend,
                be.span,
            );
        }
        for p in &api.products {
            b.edge(node, NodeRef::Product(p.id), EdgeKind::InProduct, p.span);
        }
        if let Some(v) = api.version_set {
            b.edge(
                node,
                NodeRef::ApiVersionSet(v.id),
                EdgeKind::InVersionSet,
                v.span,
            );
        }
        if let Some(pol) = api.policy {
            b.edge(node, NodeRef::Policy(pol), EdgeKind::HasPolicy, m[pol].span);
        }
    }
    for (i, op) in m.operations.iter().enumerate() {
        if let Some(pol) = op.policy {
            b.edge(
                NodeRef::Operation(OperationId(i as u32)),
                NodeRef::Policy(pol),
                EdgeKind::HasPolicy,
                m[pol].span,
            );
        }
    }
    for (i, policy) in m.policies.iter().enumerate() {
        let id = PolicyId(i as u32);
        let instance = m.policy_instance(id);
        for (_, section) in policy.sections() {
            policy_edges(b, NodeRef::Policy(id), instance, &section.statements);
        }
    }
    for (i, fragment) in m.policy_fragments.iter().enumerate() {
        let node = NodeRef::PolicyFragment(PolicyFragmentId(i as u32));
        b.edge(
            NodeRef::ApiManagement(fragment.api_management),
            node,
            EdgeKind::Contains,
            fragment.decl.span,
        );
        policy_edges(b, node, fragment.api_management, &fragment.statements);
    }
}

/// Edges from a policy or fragment (`pid`) of `instance` to what its statements name.
fn policy_edges(
    b: &mut Builder,
    pid: NodeRef,
    instance: ApiManagementId,
    statements: &[Statement],
) {
    for s in statements {
        match &s.kind {
            StatementKind::IncludeFragment(name) => {
                if let Some(f) = b.model.included_fragment(instance, name) {
                    b.edge(
                        pid,
                        NodeRef::PolicyFragment(f),
                        EdgeKind::IncludesFragment,
                        name.span(),
                    );
                }
            }
            StatementKind::AuthenticationCertificate(AuthenticationCertificate::Certificate(
                CertificateName::Certificate(r),
            )) => b.edge(
                pid,
                NodeRef::Certificate(r.id),
                EdgeKind::PolicyCertificate,
                r.span,
            ),
            StatementKind::ValidateClientCertificate(v) => {
                for identity in &v.identities {
                    if let Some(CertificateName::CaCertificate(r)) = &identity.issuer_certificate {
                        b.edge(
                            pid,
                            NodeRef::CaCertificate(r.id),
                            EdgeKind::PolicyCertificate,
                            r.span,
                        );
                    }
                }
            }
            StatementKind::SetBackendService(SetBackendService::Backend(BackendName::Backend(
                r,
            ))) => b.edge(pid, NodeRef::Backend(r.id), EdgeKind::PolicyBackend, r.span),
            StatementKind::Choose(c) => {
                for w in &c.whens {
                    policy_edges(b, pid, instance, &w.statements);
                }
                if let Some(o) = &c.otherwise {
                    policy_edges(b, pid, instance, o);
                }
            }
            _ => {}
        }
    }
}

fn certificates_and_access(b: &mut Builder) {
    let m = b.model;
    for (i, c) in m.certificates.iter().enumerate() {
        let cid = NodeRef::Certificate(CertificateId(i as u32));
        if let Some(CertSource::KeyVault(kv)) = &c.source {
            b.edge(
                cid,
                NodeRef::KeyVault(kv.vault.id),
                EdgeKind::StoredIn,
                kv.vault.span,
            );
        }
        if let Some(id) = c.identity {
            b.edge(cid, NodeRef::Identity(id.id), EdgeKind::ReadBy, id.span);
        }
    }
    for (i, identity) in m.identities.iter().enumerate() {
        for ra in &identity.role_assignments {
            if let Some(scope) = ra.scope {
                b.edge(
                    NodeRef::Identity(IdentityId(i as u32)),
                    NodeRef::KeyVault(scope.id),
                    EdgeKind::RoleOn,
                    ra.span,
                );
            }
        }
    }
    for (i, kv) in m.key_vaults.iter().enumerate() {
        let kid = NodeRef::KeyVault(KeyVaultId(i as u32));
        for ap in &kv.access_policies {
            if let Some(id) = ap.identity {
                b.edge(
                    NodeRef::Identity(id.id),
                    kid,
                    EdgeKind::AccessPolicyOn,
                    ap.span,
                );
            }
        }
        if let Some(rules) = &kv.network_rules {
            for s in &rules.allowed_subnets {
                b.edge(kid, NodeRef::Subnet(s.id), EdgeKind::AllowsSubnet, s.span);
            }
        }
    }
    for (i, vnet) in m.virtual_networks.iter().enumerate() {
        for s in &vnet.subnets {
            b.edge(
                NodeRef::VirtualNetwork(VirtualNetworkId(i as u32)),
                NodeRef::Subnet(*s),
                EdgeKind::Contains,
                m[*s].decl.span,
            );
        }
    }
    for (i, s) in m.subnets.iter().enumerate() {
        if let Some(nsg) = s.network_security_group {
            b.edge(
                NodeRef::Subnet(SubnetId(i as u32)),
                NodeRef::NetworkSecurityGroup(nsg.id),
                EdgeKind::SubnetNsg,
                nsg.span,
            );
        }
    }
    for (i, zone) in m.private_dns_zones.iter().enumerate() {
        for vnet in &zone.virtual_networks {
            b.edge(
                NodeRef::PrivateDnsZone(PrivateDnsZoneId(i as u32)),
                NodeRef::VirtualNetwork(vnet.id),
                EdgeKind::LinksVirtualNetwork,
                vnet.span,
            );
        }
    }
}
