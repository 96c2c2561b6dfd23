//! The questions checks ask, written once: how requests reach an API, which policies are in
//! effect (fragments inlined), who reads which certificate and whether they may, how a name
//! resolves in a virtual network.

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

/// A statement in effect, with the policy (scope) that runs it and, for a statement inlined
/// from a policy fragment, the fragment it is written in (its span points there).
#[derive(Debug, Clone, Copy)]
pub struct EffectiveStatement<'m> {
    /// The policy whose section runs the statement: for an inlined statement, the policy that
    /// includes the fragment.
    pub policy: PolicyId,
    /// The innermost fragment the statement comes from, `None` for one written in the policy.
    pub fragment: Option<PolicyFragmentId>,
    pub statement: &'m Statement,
}

/// The policies in effect for one operation, `<base />` expanded and included fragments
/// inlined (the `include_fragment` statement first, then the fragment's statements), per
/// section, in execution order. Statements inside `choose` are not flattened; use
/// [`EffectivePolicy::all`].
#[derive(Debug, Clone, Default)]
pub struct EffectivePolicy<'m> {
    pub inbound: Vec<EffectiveStatement<'m>>,
    pub backend: Vec<EffectiveStatement<'m>>,
    pub outbound: Vec<EffectiveStatement<'m>>,
    pub on_error: Vec<EffectiveStatement<'m>>,
    /// Every statement, `choose` branches and the fragments they include too.
    flat: Vec<EffectiveStatement<'m>>,
}

impl<'m> EffectivePolicy<'m> {
    /// Every statement in effect in every section, `choose` branches (and the fragments
    /// included in them) included.
    pub fn all(&self) -> Vec<EffectiveStatement<'m>> {
        self.flat.clone()
    }
}

/// Nesting of fragments inlined into one another beyond which inlining stops. API Management
/// documents that a fragment cannot nest another at all; the bound keeps a pathological input
/// (or a cycle, GH017) from growing without end.
const MAX_FRAGMENT_DEPTH: usize = 16;

/// Statements one effective policy may inline from fragments: fragments that each include the
/// next several times would otherwise grow exponentially.
const MAX_INLINED: usize = 10_000;

/// Inlines the fragments that the `include_fragment` statements of one instance name.
struct Inliner<'m> {
    model: &'m Model,
    instance: ApiManagementId,
    /// The fragments being inlined, outermost first.
    stack: Vec<PolicyFragmentId>,
    inlined: usize,
}

impl<'m> Inliner<'m> {
    fn new(model: &'m Model, instance: ApiManagementId) -> Inliner<'m> {
        Inliner {
            model,
            instance,
            stack: Vec::new(),
            inlined: 0,
        }
    }

    /// The fragment `statement` includes, when it is an include to inline here: resolved, not
    /// already being inlined (a cycle), within the bounds.
    fn target(&self, statement: &Statement) -> Option<PolicyFragmentId> {
        let StatementKind::IncludeFragment(name) = &statement.kind else {
            return None;
        };
        let fragment = self.model.included_fragment(self.instance, name)?;
        let room = self.stack.len() < MAX_FRAGMENT_DEPTH && self.inlined < MAX_INLINED;
        (room && !self.stack.contains(&fragment)).then_some(fragment)
    }

    /// Appends `statement` and what runs in its place: for an include, the statements of the
    /// fragment it names; with `branches`, also the statements of `choose` branches (and what
    /// they include).
    fn walk(
        &mut self,
        at: (PolicyId, Option<PolicyFragmentId>),
        statement: &'m Statement,
        branches: bool,
        out: &mut Vec<EffectiveStatement<'m>>,
    ) {
        let (policy, fragment) = at;
        out.push(EffectiveStatement {
            policy,
            fragment,
            statement,
        });
        if let Some(included) = self.target(statement) {
            let model: &'m Model = self.model;
            self.stack.push(included);
            for s in &model[included].statements {
                self.inlined += 1;
                self.walk((policy, Some(included)), s, branches, out);
            }
            self.stack.pop();
        }
        let StatementKind::Choose(c) = &statement.kind else {
            return;
        };
        if !branches {
            return;
        }
        let inside = c
            .whens
            .iter()
            .flat_map(|w| w.statements.iter())
            .chain(c.otherwise.iter().flatten());
        for s in inside {
            self.walk(at, s, branches, out);
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
        let mut inliner = Inliner::new(model, model[api].api_management);
        let mut section = |pick: fn(&Policy) -> &Section| {
            let mut out = Vec::new();
            expand(model, &levels, levels.len(), pick, &mut inliner, &mut out);
            out
        };
        let inbound = section(|p| &p.inbound);
        let backend = section(|p| &p.backend);
        let outbound = section(|p| &p.outbound);
        let on_error = section(|p| &p.on_error);
        // Walk again from the statements written in the policies, this time into `choose`
        // branches; the walk inlines the fragments again, in the same places.
        let mut flat = Vec::new();
        inliner.inlined = 0;
        for s in inbound
            .iter()
            .chain(&backend)
            .chain(&outbound)
            .chain(&on_error)
        {
            if s.fragment.is_none() {
                inliner.walk((s.policy, None), s.statement, true, &mut flat);
            }
        }
        EffectivePolicy {
            inbound,
            backend,
            outbound,
            on_error,
            flat,
        }
    }

    /// The effective policies of every operation of `api`, or of the API when it has none;
    /// computed once per API.
    pub fn effective_policies(&self, api: ApiId) -> &[(Option<OperationId>, EffectivePolicy<'m>)] {
        self.effective[api.index()].get_or_init(|| {
            let ops = &self.model[api].operations;
            if ops.is_empty() {
                return vec![(None, self.effective_policy(api, None))];
            }
            ops.iter()
                .map(|o| (Some(*o), self.effective_policy(api, Some(*o))))
                .collect()
        })
    }

    /// Who reads certificate `cert`: gateways (listener and trusted certificates), instances
    /// (hostname, CA store, backend, policy and policy fragment certificates).
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
                    NodeRef::PolicyFragment(f) => {
                        push(NodeRef::ApiManagement(m[f].api_management), None, span)
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The backends and policies that name certificate `cert` as an API Management certificate
    /// (`certificate-id`): the references that stop Azure from deleting it.
    pub fn certificate_dependents(&self, cert: CertificateId) -> Vec<(NodeRef, Span)> {
        let node = NodeRef::Certificate(cert);
        let mut out = self.sources(node, EdgeKind::ClientCertificate);
        out.retain(|(n, _)| matches!(n, NodeRef::Backend(_)));
        out.extend(self.sources(node, EdgeKind::PolicyCertificate));
        out.dedup_by_key(|(n, _)| *n);
        out
    }

    /// The instance a policy belongs to.
    pub fn policy_instance(&self, policy: PolicyId) -> ApiManagementId {
        self.model.policy_instance(policy)
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
/// level above and inlining included fragments. A level with no policy inherits: it behaves as
/// `<base />` alone.
fn expand<'m>(
    model: &'m Model,
    levels: &[Vec<PolicyId>],
    upto: usize,
    pick: fn(&Policy) -> &Section,
    inliner: &mut Inliner<'m>,
    out: &mut Vec<EffectiveStatement<'m>>,
) {
    let Some(level) = upto.checked_sub(1) else {
        return;
    };
    let policies = &levels[level];
    if policies.is_empty() {
        expand(model, levels, level, pick, inliner, out);
        return;
    }
    let mut parent_expanded = false;
    for policy in policies {
        for statement in &pick(&model[*policy]).statements {
            if matches!(statement.kind, StatementKind::Base) {
                // Several products share one parent (the global policy): run it once.
                if !parent_expanded {
                    expand(model, levels, level, pick, inliner, out);
                    parent_expanded = true;
                }
            } else {
                inliner.walk((*policy, None), statement, false, out);
            }
        }
    }
}
