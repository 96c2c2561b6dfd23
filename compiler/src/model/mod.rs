//! The typed model of a topology: one arena per entity kind, typed ids, and every attribute
//! with its span.
//!
//! [`build`] turns evaluated nodes into the model: it assigns ids, resolves every reference to a
//! typed [`Ref`] (reporting unresolved and wrong-kind references), applies Azure's defaults,
//! checks attributes that exclude each other, and parses policy XML into the same statements as
//! typed policy blocks. Later stages (graph, checks, emitters) read only the model. No IO here
//! except through the [`World`] for policy XML files.

mod api_management;
mod app_gateway;
mod builder;
mod certificate;
mod client;
mod fragment;
mod key_vault;
mod network;
pub mod policy;
mod policy_xml;

pub use api_management::*;
pub use app_gateway::*;
pub use certificate::*;
pub use client::*;
pub use fragment::*;
pub use key_vault::*;
pub use network::*;
pub use policy::*;

use crate::diagnostics::{Diagnostic, Label};
use crate::eval::{Evaluated, Output};
use crate::source::{Sources, Span};
use crate::syntax::World;

/// A value and the span of the expression it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// A resolved reference: the id of the entity and the span of the reference that named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ref<T> {
    pub id: T,
    pub span: Span,
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident => $field:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct $name(pub u32);

            impl $name {
                pub fn index(self) -> usize {
                    self.0 as usize
                }
            }

            impl std::ops::Index<$name> for Model {
                type Output = $ty;
                fn index(&self, id: $name) -> &$ty {
                    &self.$field[id.index()]
                }
            }
        )*
    };
}

ids! {
    CertificateId => certificates: Certificate;
    ClientId => clients: Client;
    KeyVaultId => key_vaults: KeyVault;
    IdentityId => identities: Identity;
    VirtualNetworkId => virtual_networks: VirtualNetwork;
    SubnetId => subnets: Subnet;
    NetworkSecurityGroupId => network_security_groups: NetworkSecurityGroup;
    PrivateDnsZoneId => private_dns_zones: PrivateDnsZone;
    AppGatewayId => app_gateways: AppGateway;
    SslProfileId => ssl_profiles: SslProfile;
    ListenerId => listeners: Listener;
    BackendPoolId => backend_pools: BackendPool;
    BackendSettingsId => backend_settings: BackendSettings;
    RewriteRuleSetId => rewrite_rule_sets: RewriteRuleSet;
    ApiManagementId => api_managements: ApiManagement;
    HostnameId => hostnames: Hostname;
    CaCertificateId => ca_certificates: CaCertificate;
    BackendId => backends: Backend;
    NamedValueId => named_values: NamedValue;
    ProductId => products: Product;
    ApiVersionSetId => api_version_sets: ApiVersionSet;
    ApiId => apis: Api;
    OperationId => operations: Operation;
    PolicyId => policies: Policy;
    PolicyFragmentId => policy_fragments: PolicyFragment;
}

/// What every entity has: its name, address and where it is declared.
#[derive(Debug, Clone)]
pub struct Decl {
    /// The block label, e.g. `partner_ca`.
    pub name: String,
    /// HCL address, e.g. `module.edge.certificate.partner_ca`.
    pub address: String,
    /// The whole block.
    pub span: Span,
    /// The label.
    pub name_span: Span,
    /// Module calls that led to this block.
    pub trace: Vec<Label>,
}

/// The Azure name of an Application Gateway child block (listener, SSL profile, pool,
/// settings, rule, rewrite set, and a certificate without `name`): the label with `_` as `-`.
pub fn gateway_name(label: &str) -> String {
    label.replace('_', "-")
}

/// The deployment settings.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub name: Spanned<String>,
    pub location: Spanned<String>,
    pub resource_group: Spanned<String>,
    pub tags: Vec<(String, String)>,
    pub cert_expiry_warning_days: u32,
    pub span: Span,
}

/// The whole topology.
#[derive(Debug, Default)]
pub struct Model {
    pub deployment: Option<Deployment>,
    pub certificates: Vec<Certificate>,
    pub clients: Vec<Client>,
    pub key_vaults: Vec<KeyVault>,
    pub identities: Vec<Identity>,
    pub virtual_networks: Vec<VirtualNetwork>,
    pub subnets: Vec<Subnet>,
    pub network_security_groups: Vec<NetworkSecurityGroup>,
    pub private_dns_zones: Vec<PrivateDnsZone>,
    pub app_gateways: Vec<AppGateway>,
    pub ssl_profiles: Vec<SslProfile>,
    pub listeners: Vec<Listener>,
    pub backend_pools: Vec<BackendPool>,
    pub backend_settings: Vec<BackendSettings>,
    pub rewrite_rule_sets: Vec<RewriteRuleSet>,
    pub api_managements: Vec<ApiManagement>,
    pub hostnames: Vec<Hostname>,
    pub ca_certificates: Vec<CaCertificate>,
    pub backends: Vec<Backend>,
    pub named_values: Vec<NamedValue>,
    pub products: Vec<Product>,
    pub api_version_sets: Vec<ApiVersionSet>,
    pub apis: Vec<Api>,
    pub operations: Vec<Operation>,
    pub policies: Vec<Policy>,
    pub policy_fragments: Vec<PolicyFragment>,
    pub outputs: Vec<Output>,
    /// `allow` blocks: checks switched off for a block and its descendants.
    pub allows: Vec<Allow>,
}

/// An `allow "CODE" { reason = "..." }` block.
#[derive(Debug, Clone)]
pub struct Allow {
    /// Address of the block the allow is written in.
    pub owner: String,
    /// The code or name as written (`GH404`, `backend-validation-off`).
    pub check: Spanned<String>,
    pub reason: Spanned<String>,
    pub span: Span,
}

impl Allow {
    /// Whether this allow covers a finding with `code`/`name` about the block at `address`.
    pub fn covers(&self, code: &str, name: &str, address: &str) -> bool {
        let check = self.check.value.as_str();
        (check.eq_ignore_ascii_case(code) || check == name)
            && (address == self.owner || address.starts_with(&format!("{}.", self.owner)))
    }
}

impl Model {
    /// The declaration of every entity (policies have none of their own), kind by kind.
    pub fn decls(&self) -> impl Iterator<Item = &Decl> {
        let m = self;
        std::iter::empty()
            .chain(m.certificates.iter().map(|e| &e.decl))
            .chain(m.clients.iter().map(|e| &e.decl))
            .chain(m.key_vaults.iter().map(|e| &e.decl))
            .chain(m.identities.iter().map(|e| &e.decl))
            .chain(m.virtual_networks.iter().map(|e| &e.decl))
            .chain(m.subnets.iter().map(|e| &e.decl))
            .chain(m.network_security_groups.iter().map(|e| &e.decl))
            .chain(m.private_dns_zones.iter().map(|e| &e.decl))
            .chain(m.app_gateways.iter().map(|e| &e.decl))
            .chain(m.ssl_profiles.iter().map(|e| &e.decl))
            .chain(m.listeners.iter().map(|e| &e.decl))
            .chain(m.backend_pools.iter().map(|e| &e.decl))
            .chain(m.backend_settings.iter().map(|e| &e.decl))
            .chain(m.rewrite_rule_sets.iter().map(|e| &e.decl))
            .chain(m.api_managements.iter().map(|e| &e.decl))
            .chain(m.hostnames.iter().map(|e| &e.decl))
            .chain(m.ca_certificates.iter().map(|e| &e.decl))
            .chain(m.backends.iter().map(|e| &e.decl))
            .chain(m.named_values.iter().map(|e| &e.decl))
            .chain(m.products.iter().map(|e| &e.decl))
            .chain(m.api_version_sets.iter().map(|e| &e.decl))
            .chain(m.apis.iter().map(|e| &e.decl))
            .chain(m.operations.iter().map(|e| &e.decl))
            .chain(m.policy_fragments.iter().map(|e| &e.decl))
    }

    /// Number of entities of every kind (policies and fragments included).
    pub fn entity_count(&self) -> usize {
        self.certificates.len()
            + self.clients.len()
            + self.key_vaults.len()
            + self.identities.len()
            + self.virtual_networks.len()
            + self.subnets.len()
            + self.network_security_groups.len()
            + self.private_dns_zones.len()
            + self.app_gateways.len()
            + self.ssl_profiles.len()
            + self.listeners.len()
            + self.backend_pools.len()
            + self.backend_settings.len()
            + self.rewrite_rule_sets.len()
            + self.api_managements.len()
            + self.hostnames.len()
            + self.ca_certificates.len()
            + self.backends.len()
            + self.named_values.len()
            + self.products.len()
            + self.api_version_sets.len()
            + self.apis.len()
            + self.operations.len()
            + self.policies.len()
            + self.policy_fragments.len()
    }
}

/// Adds to every diagnostic the module calls of its labels that lie in module files and that
/// it does not name yet, so that a finding in a module file always names the `module` block
/// that called it. A span tells the module instance only when its file is called once; for a
/// file called as two modules, the check that knows the instance adds the calls
/// ([`Diagnostic::with_secondary_trace`]), and a label it left out stays without them.
pub fn complete_traces(model: &Model, diagnostics: &mut [Diagnostic]) {
    let in_modules: Vec<&Decl> = model.decls().filter(|d| !d.trace.is_empty()).collect();
    if in_modules.is_empty() {
        return;
    }
    let named = |trace: &[Label], calls: &[Label]| {
        calls.iter().all(|c| trace.iter().any(|t| t.span == c.span))
    };
    for d in diagnostics.iter_mut() {
        let spans: Vec<Span> = std::iter::once(d.primary.span)
            .chain(d.secondary.iter().map(|l| l.span))
            .collect();
        for span in spans {
            let mut traces: Vec<&[Label]> = Vec::new();
            for decl in &in_modules {
                let inside = decl.span.file == span.file
                    && decl.span.start <= span.start
                    && span.end <= decl.span.end;
                let calls = decl.trace.as_slice();
                if inside && !traces.contains(&calls) {
                    traces.push(calls);
                }
            }
            if traces.iter().any(|calls| named(&d.trace, calls)) {
                continue;
            }
            if let [calls] = traces.as_slice() {
                d.add_secondary_trace(calls);
            }
        }
    }
}

/// Builds the model from evaluated nodes. Policy XML files named with `file()` are read through
/// `world` and added to `sources`, so that their diagnostics point into them.
pub fn build(
    evaluated: Evaluated,
    sources: &mut Sources,
    world: &dyn World,
    diagnostics: &mut Vec<Diagnostic>,
) -> Model {
    builder::build(evaluated, sources, world, diagnostics)
}
