//! The questions checks ask, written once: how requests reach an API, which policies are in
//! effect, who reads which certificate and whether they may, how a name resolves in a virtual
//! network.

use super::{EdgeKind, Graph, NodeRef};
use crate::model::*;
use crate::source::Span;

/// Hostnames that serve `api`: its `hostnames`, or every proxy hostname of its instance.
pub(super) fn hostnames_of(model: &Model, api: ApiId) -> Vec<HostnameId> {
    let api = &model[api];
    if !api.hostnames.is_empty() {
        return api.hostnames.iter().map(|r| r.id).collect();
    }
    model[api.api_management]
        .hostnames
        .iter()
        .copied()
        .filter(|h| model[*h].kind.value == HostnameType::Proxy)
        .collect()
}

/// A statement in effect, with the policy (scope) it was written in.
#[derive(Debug, Clone, Copy)]
pub struct EffectiveStatement<'m> {
    pub policy: PolicyId,
    pub statement: &'m Statement,
}

/// The policies in effect for one operation, `<base />` expanded, per section, in execution
/// order. Statements inside `choose` are not flattened; use [`EffectivePolicy::all`].
#[derive(Debug, Clone, Default)]
pub struct EffectivePolicy<'m> {
    pub inbound: Vec<EffectiveStatement<'m>>,
    pub backend: Vec<EffectiveStatement<'m>>,
    pub outbound: Vec<EffectiveStatement<'m>>,
    pub on_error: Vec<EffectiveStatement<'m>>,
}

impl<'m> EffectivePolicy<'m> {
    /// Every statement in effect in every section, `choose` branches included.
    pub fn all(&self) -> Vec<EffectiveStatement<'m>> {
        let mut out = Vec::new();
        for section in [&self.inbound, &self.backend, &self.outbound, &self.on_error] {
            for s in section {
                flatten(s.policy, s.statement, &mut out);
            }
        }
        out
    }
}

fn flatten<'m>(policy: PolicyId, statement: &'m Statement, out: &mut Vec<EffectiveStatement<'m>>) {
    out.push(EffectiveStatement { policy, statement });
    if let StatementKind::Choose(c) = &statement.kind {
        for w in &c.whens {
            for s in &w.statements {
                flatten(policy, s, out);
            }
        }
        for s in c.otherwise.iter().flatten() {
            flatten(policy, s, out);
        }
    }
}

/// Who reads a certificate at run time, and with which identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The Application Gateway or API Management instance that reads it.
    pub resource: NodeRef,
    /// The identity named for the read (`None`: the resource's system-assigned identity).
    pub identity: Option<IdentityId>,
    /// The reference that makes the resource read it.
    pub span: Span,
}

/// How a host name resolves through the private DNS zones linked to a virtual network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateResolution {
    /// A linked zone answers with an A record.
    Record { zone: PrivateDnsZoneId },
    /// The most specific linked zone covering the name has no record for it: the name does not
    /// resolve in the network (Azure DNS does not fall back to public DNS for a zone it holds).
    NoRecord { zone: PrivateDnsZoneId },
    /// No linked zone covers the name: it resolves through public DNS.
    NoZone,
}

impl<'m> Graph<'m> {
    /// Private DNS zones linked to `vnet`, in model order.
    pub fn zones_linked_to(&self, vnet: VirtualNetworkId) -> Vec<PrivateDnsZoneId> {
        let mut out: Vec<PrivateDnsZoneId> = self
            .sources(NodeRef::VirtualNetwork(vnet), EdgeKind::LinksVirtualNetwork)
            .into_iter()
            .filter_map(|(n, _)| match n {
                NodeRef::PrivateDnsZone(z) => Some(z),
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// How `host` resolves in `vnet` through private DNS: the most specific linked zone whose
    /// name covers `host` decides. With `None` (a network the topology does not name) every
    /// zone counts as linked, and any zone with a record for `host` resolves it.
    pub fn private_resolution(
        &self,
        vnet: Option<VirtualNetworkId>,
        host: &str,
    ) -> PrivateResolution {
        let m = self.model;
        let zones: Vec<PrivateDnsZoneId> = match vnet {
            Some(v) => self.zones_linked_to(v),
            None => (0..m.private_dns_zones.len())
                .map(|i| PrivateDnsZoneId(i as u32))
                .collect(),
        };
        let covering: Vec<PrivateDnsZoneId> = zones
            .into_iter()
            .filter(|z| m[*z].relative_name(host).is_some())
            .collect();
        let answers = |z: &PrivateDnsZoneId| m[*z].record_for(host).is_some();
        if vnet.is_none() {
            if let Some(zone) = covering.iter().copied().find(answers) {
                return PrivateResolution::Record { zone };
            }
        }
        let Some(longest) = covering.iter().map(|z| m[*z].azure_name.value.len()).max() else {
            return PrivateResolution::NoZone;
        };
        let most_specific: Vec<PrivateDnsZoneId> = covering
            .into_iter()
            .filter(|z| m[*z].azure_name.value.len() == longest)
            .collect();
        match most_specific.iter().copied().find(answers) {
            Some(zone) => PrivateResolution::Record { zone },
            None => PrivateResolution::NoRecord {
                zone: most_specific[0],
            },
        }
    }

    /// Proxy hostnames that serve `api`.
    pub fn hostnames_serving(&self, api: ApiId) -> Vec<HostnameId> {
        self.sources(NodeRef::Api(api), EdgeKind::Serves)
            .into_iter()
            .filter_map(|(n, _)| match n {
                NodeRef::Hostname(h) => Some(h),
                _ => None,
            })
            .collect()
    }

    /// Listeners with a route to `hostname`.
    pub fn listeners_routing_to(&self, hostname: HostnameId) -> Vec<(ListenerId, Span)> {
        let mut out: Vec<(ListenerId, Span)> = self
            .sources(NodeRef::Hostname(hostname), EdgeKind::RoutesTo)
            .into_iter()
            .filter_map(|(n, s)| match n {
                NodeRef::Listener(l) => Some((l, s)),
                _ => None,
            })
            .collect();
        out.dedup_by_key(|(l, _)| *l);
        out
    }

    /// Whether clients can call `hostname` without going through Application Gateway: the
    /// instance is not in an internal virtual network and its public endpoint is on.
    pub fn hostname_directly_reachable(&self, hostname: HostnameId) -> bool {
        let apim = &self.model[self.model[hostname].api_management];
        apim.virtual_network_type.value != VirtualNetworkType::Internal
            && apim.public_network_access.value
    }

    /// Whether every hostname serving `api` is reached only through Application Gateway.
    pub fn api_only_behind_app_gateway(&self, api: ApiId) -> bool {
        let hostnames = self.hostnames_serving(api);
        !hostnames.is_empty()
            && hostnames.iter().all(|h| {
                !self.listeners_routing_to(*h).is_empty() && !self.hostname_directly_reachable(*h)
            })
    }

    /// The policy chain of an operation (or, with `None`, of the API itself): global, the API's
    /// products, the API, the operation.
    fn scopes(&self, api: ApiId, operation: Option<OperationId>) -> Vec<Vec<PolicyId>> {
        let m = self.model;
        let a = &m[api];
        let mut levels = vec![m[a.api_management].policy.into_iter().collect::<Vec<_>>()];
        levels.push(a.products.iter().filter_map(|p| m[p.id].policy).collect());
        levels.push(a.policy.into_iter().collect());
        if let Some(op) = operation {
            levels.push(m[op].policy.into_iter().collect());
        }
        levels
    }

    /// Policies in effect for `operation` of `api` (`None`: a call matching no operation).
    pub fn effective_policy(
        &self,
        api: ApiId,
        operation: Option<OperationId>,
    ) -> EffectivePolicy<'m> {
        let levels = self.scopes(api, operation);
        let model: &'m Model = self.model;
        let section = |pick: fn(&Policy) -> &Section| {
            let mut out = Vec::new();
            expand(model, &levels, levels.len(), pick, &mut out);
            out
        };
        EffectivePolicy {
            inbound: section(|p| &p.inbound),
            backend: section(|p| &p.backend),
            outbound: section(|p| &p.outbound),
            on_error: section(|p| &p.on_error),
        }
    }

    /// The effective policies of every operation of `api`, or of the API when it has none.
    pub fn effective_policies(
        &self,
        api: ApiId,
    ) -> Vec<(Option<OperationId>, EffectivePolicy<'m>)> {
        let ops = &self.model[api].operations;
        if ops.is_empty() {
            return vec![(None, self.effective_policy(api, None))];
        }
        ops.iter()
            .map(|o| (Some(*o), self.effective_policy(api, Some(*o))))
            .collect()
    }

    /// Who reads certificate `cert`: gateways (listener and trusted certificates), instances
    /// (hostname, CA store, backend and policy certificates).
    pub fn readers_of(&self, cert: CertificateId) -> Vec<Reader> {
        let m = self.model;
        let node = NodeRef::Certificate(cert);
        let named = m[cert].identity.map(|r| r.id);
        let mut out = Vec::new();
        let mut push = |resource: NodeRef, identity: Option<IdentityId>, span: Span| {
            let r = Reader {
                resource,
                identity: identity.or(named),
                span,
            };
            if !out.contains(&r) {
                out.push(r);
            }
        };
        for kind in [
            EdgeKind::ServerCertificate,
            EdgeKind::TrustsClientCa,
            EdgeKind::TrustsRoot,
            EdgeKind::ClientCertificate,
            EdgeKind::CaStoreEntry,
            EdgeKind::PolicyCertificate,
        ] {
            for (source, span) in self.sources(node, kind) {
                match source {
                    NodeRef::Listener(l) => {
                        let gw = m[l].app_gateway;
                        push(NodeRef::AppGateway(gw), m[gw].identity.map(|r| r.id), span)
                    }
                    NodeRef::SslProfile(p) => {
                        let gw = m[p].app_gateway;
                        push(NodeRef::AppGateway(gw), m[gw].identity.map(|r| r.id), span)
                    }
                    NodeRef::BackendSettings(s) => {
                        let gw = m[s].app_gateway;
                        push(NodeRef::AppGateway(gw), m[gw].identity.map(|r| r.id), span)
                    }
                    NodeRef::Hostname(h) => push(
                        NodeRef::ApiManagement(m[h].api_management),
                        m[h].identity.map(|r| r.id),
                        span,
                    ),
                    NodeRef::Backend(b) => {
                        push(NodeRef::ApiManagement(m[b].api_management), None, span)
                    }
                    NodeRef::CaCertificate(c) => {
                        push(NodeRef::ApiManagement(m[c].api_management), None, span)
                    }
                    NodeRef::Policy(p) => {
                        let apim = self.policy_instance(p);
                        push(NodeRef::ApiManagement(apim), None, span)
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The instance a policy belongs to.
    pub fn policy_instance(&self, policy: PolicyId) -> ApiManagementId {
        let m = self.model;
        match m[policy].scope {
            PolicyScope::Global(a) => a,
            PolicyScope::Product(p) => m[p].api_management,
            PolicyScope::Api(a) => m[a].api_management,
            PolicyScope::Operation(o) => m[m[o].api].api_management,
        }
    }

    /// The system-assigned identity a resource names, if any.
    pub fn system_identity(&self, resource: NodeRef) -> Option<IdentityId> {
        let m = self.model;
        let ids: Vec<IdentityId> = match resource {
            NodeRef::ApiManagement(a) => m[a].identities.iter().map(|r| r.id).collect(),
            NodeRef::AppGateway(g) => m[g].identity.iter().map(|r| r.id).collect(),
            _ => Vec::new(),
        };
        ids.into_iter()
            .find(|i| m[*i].kind.value == IdentityType::SystemAssigned)
    }

    /// Whether `identity` may read secrets of `vault` under the vault's permission model:
    /// a Key Vault Secrets User (or broader) role with RBAC, or Get (and, when `needs_list`,
    /// List) on secrets in an access policy.
    pub fn can_read_secrets(
        &self,
        identity: IdentityId,
        vault: KeyVaultId,
        needs_list: bool,
    ) -> bool {
        let m = self.model;
        match m[vault].permission_model.value {
            PermissionModel::Rbac => m[identity].role_assignments.iter().any(|ra| {
                ra.scope.is_some_and(|s| s.id == vault)
                    && matches!(
                        ra.role.value.as_str(),
                        "Key Vault Secrets User"
                            | "Key Vault Secrets Officer"
                            | "Key Vault Administrator"
                    )
            }),
            PermissionModel::AccessPolicy => m[vault].access_policies.iter().any(|ap| {
                let has = |p: &str| ap.secret_permissions.iter().any(|s| s.value == p);
                ap.identity.is_some_and(|i| i.id == identity)
                    && has("Get")
                    && (!needs_list || has("List"))
            }),
        }
    }
}

/// Appends the statements of levels `..upto` for one section, expanding `<base />` into the
/// level above. A level with no policy inherits: it behaves as `<base />` alone.
fn expand<'m>(
    model: &'m Model,
    levels: &[Vec<PolicyId>],
    upto: usize,
    pick: fn(&Policy) -> &Section,
    out: &mut Vec<EffectiveStatement<'m>>,
) {
    let Some(level) = upto.checked_sub(1) else {
        return;
    };
    let policies = &levels[level];
    if policies.is_empty() {
        expand(model, levels, level, pick, out);
        return;
    }
    let mut parent_expanded = false;
    for policy in policies {
        for statement in &pick(&model[*policy]).statements {
            if matches!(statement.kind, StatementKind::Base) {
                // Several products share one parent (the global policy): run it once.
                if !parent_expanded {
                    expand(model, levels, level, pick, out);
                    parent_expanded = true;
                }
            } else {
                out.push(EffectiveStatement {
                    policy: *policy,
                    statement,
                });
            }
        }
    }
}
