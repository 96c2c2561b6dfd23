//! `api_management` blocks: the instance, its hostnames, CA store, backends, named values,
//! products, version sets, APIs and operations.

use super::builder::Builder;
use super::*;
use crate::eval::Node;

/// API Management pricing tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sku {
    Consumption,
    Developer,
    Basic,
    Standard,
    Premium,
    BasicV2,
    StandardV2,
    PremiumV2,
}

impl Sku {
    pub fn parse(s: &str) -> Option<Sku> {
        Some(match s {
            "Consumption" => Sku::Consumption,
            "Developer" => Sku::Developer,
            "Basic" => Sku::Basic,
            "Standard" => Sku::Standard,
            "Premium" => Sku::Premium,
            "BasicV2" => Sku::BasicV2,
            "StandardV2" => Sku::StandardV2,
            "PremiumV2" => Sku::PremiumV2,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sku::Consumption => "Consumption",
            Sku::Developer => "Developer",
            Sku::Basic => "Basic",
            Sku::Standard => "Standard",
            Sku::Premium => "Premium",
            Sku::BasicV2 => "BasicV2",
            Sku::StandardV2 => "StandardV2",
            Sku::PremiumV2 => "PremiumV2",
        }
    }

    /// The v2 tiers (Basic v2, Standard v2, Premium v2).
    pub fn is_v2(self) -> bool {
        matches!(self, Sku::BasicV2 | Sku::StandardV2 | Sku::PremiumV2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VirtualNetworkType {
    None,
    External,
    Internal,
}

#[derive(Debug, Clone)]
pub struct ApiManagement {
    pub decl: Decl,
    pub azure_name: Spanned<String>,
    pub sku: Spanned<Sku>,
    pub capacity: u32,
    pub publisher_name: String,
    pub publisher_email: String,
    pub identities: Vec<Ref<IdentityId>>,
    pub virtual_network_type: Spanned<VirtualNetworkType>,
    pub subnet: Option<Ref<SubnetId>>,
    pub public_network_access: Spanned<bool>,
    /// Custom hostnames are deployed after the identity grants (two-phase plan, GH510).
    pub two_phase_hostnames: Spanned<bool>,
    pub enable_client_certificate: Spanned<bool>,
    pub http2_enabled: Spanned<bool>,
    pub min_api_version: Option<String>,
    pub security: Option<Security>,
    pub hostnames: Vec<HostnameId>,
    pub ca_certificates: Vec<CaCertificateId>,
    pub backends: Vec<BackendId>,
    pub named_values: Vec<NamedValueId>,
    pub products: Vec<ProductId>,
    pub api_version_sets: Vec<ApiVersionSetId>,
    pub apis: Vec<ApiId>,
    pub policy_fragments: Vec<PolicyFragmentId>,
    /// The global policy.
    pub policy: Option<PolicyId>,
}

#[derive(Debug, Clone)]
pub struct Security {
    pub span: Span,
    pub frontend_tls10_enabled: bool,
    pub frontend_tls11_enabled: bool,
    pub backend_tls10_enabled: bool,
    pub backend_tls11_enabled: bool,
    pub triple_des_ciphers_enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HostnameType {
    Proxy,
    Management,
    Portal,
    DeveloperPortal,
    Scm,
}

impl HostnameType {
    pub fn as_str(self) -> &'static str {
        match self {
            HostnameType::Proxy => "Proxy",
            HostnameType::Management => "Management",
            HostnameType::Portal => "Portal",
            HostnameType::DeveloperPortal => "DeveloperPortal",
            HostnameType::Scm => "Scm",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hostname {
    pub decl: Decl,
    pub api_management: ApiManagementId,
    pub kind: Spanned<HostnameType>,
    pub host_name: Spanned<String>,
    pub certificate: Option<Ref<CertificateId>>,
    pub default_ssl_binding: Spanned<bool>,
    pub negotiate_client_certificate: Spanned<bool>,
    pub identity: Option<Ref<IdentityId>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaStore {
    Root,
    CertificateAuthority,
}

#[derive(Debug, Clone)]
pub struct CaCertificate {
    pub decl: Decl,
    pub api_management: ApiManagementId,
    pub certificate: Option<Ref<CertificateId>>,
    pub store: Spanned<CaStore>,
}

#[derive(Debug, Clone)]
pub struct Backend {
    pub decl: Decl,
    /// `name`, else the label: the backend's id in the instance, which `backend-id` names.
    pub azure_name: Spanned<String>,
    pub api_management: ApiManagementId,
    pub url: Spanned<String>,
    pub protocol: String,
    pub description: Option<String>,
    pub client_certificate: Option<Ref<CertificateId>>,
    pub validate_certificate_chain: Spanned<bool>,
    pub validate_certificate_name: Spanned<bool>,
    pub server_certificate: Option<Ref<CertificateId>>,
}

/// Where a named value's value comes from.
#[derive(Debug, Clone)]
pub enum NamedValueSource {
    Value(Spanned<SecretText>),
    KeyVault {
        vault: Ref<KeyVaultId>,
        secret_name: Spanned<String>,
    },
}

#[derive(Debug, Clone)]
pub struct NamedValue {
    pub decl: Decl,
    pub api_management: ApiManagementId,
    pub display_name: String,
    pub source: Option<NamedValueSource>,
    pub secret: Spanned<bool>,
    pub identity: Option<Ref<IdentityId>>,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub decl: Decl,
    pub api_management: ApiManagementId,
    pub display_name: String,
    pub description: Option<String>,
    pub subscription_required: Spanned<bool>,
    pub approval_required: bool,
    pub published: bool,
    pub policy: Option<PolicyId>,
}

#[derive(Debug, Clone)]
pub struct ApiVersionSet {
    pub decl: Decl,
    pub api_management: ApiManagementId,
    pub display_name: String,
    pub versioning_scheme: Spanned<String>,
    pub version_header_name: Option<String>,
    pub version_query_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub decl: Decl,
    /// `name`, else the label: the API's id in the instance.
    pub azure_name: Spanned<String>,
    pub api_management: ApiManagementId,
    pub display_name: String,
    pub path: Spanned<String>,
    pub protocols: Vec<Spanned<String>>,
    /// Explicit hostnames; empty means every proxy hostname of the instance.
    pub hostnames: Vec<Ref<HostnameId>>,
    pub backend: Option<Ref<BackendId>>,
    pub subscription_required: Spanned<bool>,
    pub version_set: Option<Ref<ApiVersionSetId>>,
    pub version: Option<Spanned<String>>,
    pub revision: String,
    pub products: Vec<Ref<ProductId>>,
    pub operations: Vec<OperationId>,
    pub policy: Option<PolicyId>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub decl: Decl,
    pub api: ApiId,
    pub display_name: String,
    pub method: Spanned<String>,
    pub url_template: Spanned<String>,
    pub max_body_size: Option<Spanned<i64>>,
    pub policy: Option<PolicyId>,
}

impl Model {
    /// The certificates uploaded to the certificate store of `instance`: each certificate a
    /// backend's `client_certificate` or an `authentication_certificate` policy statement
    /// (in any policy or fragment of the instance, `choose` branches included) names, with
    /// the reference, in model order; a certificate named twice is listed at each reference.
    pub fn apim_certificates(&self, instance: ApiManagementId) -> Vec<(CertificateId, Span)> {
        let mut out: Vec<(CertificateId, Span)> = self[instance]
            .backends
            .iter()
            .filter_map(|b| self[*b].client_certificate)
            .map(|r| (r.id, r.span))
            .collect();
        let policies = (0..self.policies.len())
            .map(|i| PolicyId(i as u32))
            .filter(|p| self.policy_instance(*p) == instance);
        for p in policies {
            for (_, section) in self[p].sections() {
                policy_certificates(&section.statements, &mut out);
            }
        }
        for f in &self[instance].policy_fragments {
            policy_certificates(&self[*f].statements, &mut out);
        }
        out
    }
}

/// The certificates `authentication_certificate` statements among `statements` name.
fn policy_certificates(statements: &[Statement], out: &mut Vec<(CertificateId, Span)>) {
    for s in statements {
        match &s.kind {
            StatementKind::AuthenticationCertificate(AuthenticationCertificate::Certificate(
                CertificateName::Certificate(r),
            )) => out.push((r.id, r.span)),
            StatementKind::Choose(c) => {
                for when in &c.whens {
                    policy_certificates(&when.statements, out);
                }
                if let Some(o) = &c.otherwise {
                    policy_certificates(o, out);
                }
            }
            _ => {}
        }
    }
}

impl Builder<'_> {
    pub(super) fn api_management(&mut self, node: &Node) {
        let id: ApiManagementId = self.id_of(node);
        let sku = self.string_or(node, "sku", "Developer");
        let vnet = self.string_or(node, "virtual_network_type", "None");
        let virtual_network_type = Spanned::new(
            match vnet.value.as_str() {
                "External" => VirtualNetworkType::External,
                "Internal" => VirtualNetworkType::Internal,
                _ => VirtualNetworkType::None,
            },
            vnet.span,
        );
        let security = node.child("security").map(|s| Security {
            span: s.span,
            frontend_tls10_enabled: self.flag_or(s, "frontend_tls10_enabled", false).value,
            frontend_tls11_enabled: self.flag_or(s, "frontend_tls11_enabled", false).value,
            backend_tls10_enabled: self.flag_or(s, "backend_tls10_enabled", false).value,
            backend_tls11_enabled: self.flag_or(s, "backend_tls11_enabled", false).value,
            triple_des_ciphers_enabled: self.flag_or(s, "triple_des_ciphers_enabled", false).value,
        });
        let parsed_sku = Sku::parse(&sku.value).unwrap_or(Sku::Developer);
        let default_capacity = if parsed_sku == Sku::Consumption { 0 } else { 1 };
        let policy = self.policy(node, PolicyScope::Global(id));
        let instance = ApiManagement {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            sku: Spanned::new(parsed_sku, sku.span),
            capacity: self
                .integer(node, "capacity")
                .map_or(default_capacity, |c| c.value as u32),
            publisher_name: self.string_or(node, "publisher_name", "").value,
            publisher_email: self.string_or(node, "publisher_email", "").value,
            identities: self.references(node, "identities"),
            virtual_network_type,
            subnet: self.reference(node, "subnet"),
            public_network_access: self.flag_or(node, "public_network_access", true),
            two_phase_hostnames: self.flag_or(node, "two_phase_hostnames", false),
            enable_client_certificate: self.flag_or(node, "enable_client_certificate", false),
            http2_enabled: self.flag_or(node, "http2_enabled", false),
            min_api_version: self.string(node, "min_api_version").map(|s| s.value),
            security,
            hostnames: self.child_ids(node, "hostname"),
            ca_certificates: self.child_ids(node, "ca_certificate"),
            backends: self.child_ids(node, "backend"),
            named_values: self.child_ids(node, "named_value"),
            products: self.child_ids(node, "product"),
            api_version_sets: self.child_ids(node, "api_version_set"),
            apis: self.child_ids(node, "api"),
            policy_fragments: self.child_ids(node, "policy_fragment"),
            policy,
        };
        self.model.api_managements.push(instance);
        for child in node.children_named("hostname") {
            self.hostname(child, id);
        }
        for child in node.children_named("ca_certificate") {
            let store = self.string_or(child, "store", "Root");
            let ca = CaCertificate {
                decl: self.decl(child),
                api_management: id,
                certificate: self.reference(child, "certificate"),
                store: Spanned::new(
                    if store.value == "CertificateAuthority" {
                        CaStore::CertificateAuthority
                    } else {
                        CaStore::Root
                    },
                    store.span,
                ),
            };
            self.model.ca_certificates.push(ca);
        }
        for child in node.children_named("backend") {
            self.backend(child, id);
        }
        for child in node.children_named("named_value") {
            self.named_value(child, id);
        }
        for child in node.children_named("product") {
            let product_id: ProductId = self.id_of(child);
            let policy = self.policy(child, PolicyScope::Product(product_id));
            let product = Product {
                decl: self.decl(child),
                api_management: id,
                display_name: self.string_or(child, "display_name", child.label()).value,
                description: self.string(child, "description").map(|s| s.value),
                subscription_required: self.flag_or(child, "subscription_required", true),
                approval_required: self.flag_or(child, "approval_required", false).value,
                published: self.flag_or(child, "published", true).value,
                policy,
            };
            self.model.products.push(product);
        }
        for child in node.children_named("api_version_set") {
            let set = ApiVersionSet {
                decl: self.decl(child),
                api_management: id,
                display_name: self.string_or(child, "display_name", child.label()).value,
                versioning_scheme: self.string_or(child, "versioning_scheme", "Segment"),
                version_header_name: self.string(child, "version_header_name").map(|s| s.value),
                version_query_name: self.string(child, "version_query_name").map(|s| s.value),
            };
            self.model.api_version_sets.push(set);
        }
        for child in node.children_named("api") {
            self.api(child, id);
        }
        for child in node.children_named("policy_fragment") {
            self.policy_fragment(child, id);
        }
    }

    pub(super) fn backend(&mut self, node: &Node, api_management: ApiManagementId) {
        let backend = Backend {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            api_management,
            url: self.string_or(node, "url", ""),
            protocol: self.string_or(node, "protocol", "http").value,
            description: self.string(node, "description").map(|s| s.value),
            client_certificate: self.reference(node, "client_certificate"),
            validate_certificate_chain: self.flag_or(node, "validate_certificate_chain", true),
            validate_certificate_name: self.flag_or(node, "validate_certificate_name", true),
            server_certificate: self.reference(node, "server_certificate"),
        };
        self.model.backends.push(backend);
    }

    fn hostname(&mut self, node: &Node, api_management: ApiManagementId) {
        let kind = self.string_or(node, "type", "Proxy");
        let kind = Spanned::new(
            match kind.value.as_str() {
                "Management" => HostnameType::Management,
                "Portal" => HostnameType::Portal,
                "DeveloperPortal" => HostnameType::DeveloperPortal,
                "Scm" => HostnameType::Scm,
                _ => HostnameType::Proxy,
            },
            kind.span,
        );
        if kind.value != HostnameType::Proxy {
            for attr in ["negotiate_client_certificate", "default_ssl_binding"] {
                if let Some(a) = node.attr(attr) {
                    let span = a.key_span;
                    self.error(
                        node,
                        &crate::diagnostics::codes::CONFLICTING_ATTRIBUTES,
                        span,
                        format!("`{attr}` applies to `Proxy` hostnames only, and `{}` is a `{}` hostname", node.address, kind.value.as_str()),
                        format!("remove `{attr}`; Azure ignores or rejects it on other hostname types"),
                    );
                }
            }
        }
        let hostname = Hostname {
            decl: self.decl(node),
            api_management,
            kind,
            host_name: self.string_or(node, "host_name", ""),
            certificate: self.reference(node, "certificate"),
            default_ssl_binding: self.flag_or(node, "default_ssl_binding", false),
            negotiate_client_certificate: self.flag_or(node, "negotiate_client_certificate", false),
            identity: self.reference(node, "identity"),
        };
        self.model.hostnames.push(hostname);
    }

    fn named_value(&mut self, node: &Node, api_management: ApiManagementId) {
        let source = match self.exactly_one(
            node,
            &["value", "key_vault"],
            "a value or a Key Vault secret",
        ) {
            Some("value") => self.secret(node, "value").map(NamedValueSource::Value),
            Some(_) => {
                self.only_with(node, "identity", "key_vault");
                let vault = self.reference(node, "key_vault");
                match (vault, self.string(node, "secret_name")) {
                    (Some(vault), Some(secret_name)) => {
                        Some(NamedValueSource::KeyVault { vault, secret_name })
                    }
                    (_, None) => {
                        self.error(
                            node,
                            &crate::diagnostics::codes::MISSING_REQUIRED,
                            node.ident_span,
                            format!("`{}` names a Key Vault but no `secret_name`", node.address),
                            "add `secret_name = \"...\"`".to_string(),
                        );
                        None
                    }
                    _ => None,
                }
            }
            None => None,
        };
        let is_secret_value = matches!(&source, Some(NamedValueSource::Value(v)) if matches!(v.value, SecretText::Secret(_)))
            || matches!(source, Some(NamedValueSource::KeyVault { .. }));
        let named_value = NamedValue {
            decl: self.decl(node),
            api_management,
            display_name: self.string_or(node, "display_name", node.label()).value,
            secret: self.flag_or(node, "secret", is_secret_value),
            source,
            identity: self.reference(node, "identity"),
        };
        self.model.named_values.push(named_value);
    }

    pub(super) fn api(&mut self, node: &Node, api_management: ApiManagementId) {
        let id: ApiId = self.id_of(node);
        let policy = self.policy(node, PolicyScope::Api(id));
        let mut protocols = self.strings(node, "protocols");
        if protocols.is_empty() {
            protocols.push(Spanned::new("https".to_string(), node.ident_span));
        }
        let api = Api {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            api_management,
            display_name: self.string_or(node, "display_name", node.label()).value,
            path: self.string_or(node, "path", ""),
            protocols,
            hostnames: self.references(node, "hostnames"),
            backend: self.reference(node, "backend"),
            subscription_required: self.flag_or(node, "subscription_required", true),
            version_set: self.reference(node, "version_set"),
            version: self.string(node, "version"),
            revision: self.string_or(node, "revision", "1").value,
            products: self.references(node, "products"),
            operations: self.child_ids(node, "operation"),
            policy,
        };
        self.model.apis.push(api);
        for child in node.children_named("operation") {
            let operation_id: OperationId = self.id_of(child);
            let policy = self.policy(child, PolicyScope::Operation(operation_id));
            let operation = Operation {
                decl: self.decl(child),
                api: id,
                display_name: self.string_or(child, "display_name", child.label()).value,
                method: self.string_or(child, "method", "GET"),
                url_template: self.string_or(child, "url_template", "/"),
                max_body_size: self.integer(child, "max_body_size"),
                policy,
            };
            self.model.operations.push(operation);
        }
    }
}
