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
