//! `api_management.tf`: each API Management instance with its hostnames, CA store, the
//! certificates backends and policies use, backends, named values, products, version sets
//! and the global policy.
//!
//! Hostnames have exactly one owner (D7): the instance's `hostname_configuration`, or, with
//! `two_phase_hostnames`, one `azurerm_api_management_custom_domain` (blocks `gateway`, not
//! `proxy`) that waits for the grants of the instance's own identity (GH510). The default
//! `<name>.azure-api.net` proxy entry the plan lists is not written: azurerm leaves it out
//! when it reads the instance, so writing it would plan a change on every run, and it must
//! never carry certificate fields (D2, D3). Key Vault certificates are named by their
//! versionless secret id, so Azure picks up rotations.

use super::hcl::{Block, Expr, File};
use super::{depends_on, header, network, Tf};
use crate::emit::plan::{
    ApiManagementPlan, CertificateData, FragmentPlan, HostnamePlan, NamedCertificate, PolicyPlan,
};
use crate::emit::policy_xml::{self, Format};
use crate::graph::NodeRef;
use crate::model::*;

pub fn file(tf: &Tf) -> File {
    let mut file = File::new(&header(
        "API Management: instances, hostnames, certificates, backends, named values, products and global policies.",
    ));
    let mut instances: Vec<&ApiManagementPlan> = tf.plan.api_managements.iter().collect();
    instances.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    for apim in instances {
        file.push(instance(tf, apim));
        if let Some(domain) = custom_domain(tf, apim) {
            file.push_commented(
                "Hostnames are a second step (two_phase_hostnames): Azure reads their Key Vault\ncertificates with the instance's own identity, which can be granted access only\nonce the instance exists.",
                domain,
            );
        }
        for cert in &apim.certificates {
            file.push(certificate(tf, apim, cert));
        }
        for b in &apim.backends {
            file.push(backend(tf, apim, *b));
        }
        for n in &apim.named_values {
            file.push(named_value(tf, apim, *n));
        }
        for v in &apim.api_version_sets {
            file.push(version_set(tf, apim, *v));
        }
        for p in &apim.products {
            file.push(product(tf, apim, *p));
        }
        for f in &apim.fragments {
            file.push(fragment(tf, apim, f));
        }
        for policy in &apim.policies {
            match policy.scope {
                PolicyScope::Global(_) => {
                    let symbol = tf.symbol(NodeRef::Policy(policy.id)).to_string();
                    let block = Block::resource("azurerm_api_management_policy", &symbol)
                        .attr(
                            "api_management_id",
                            Expr::raw(format!("{}.id", instance_address(apim))),
                        )
                        .attr("xml_content", Expr::Heredoc(raw_xml(policy)));
                    file.push(depends_on(
                        block,
                        policy_dependencies(tf, apim, &policy.references),
                    ));
                }
                PolicyScope::Product(p) => {
                    let product = tf.symbol(NodeRef::Product(p)).to_string();
                    let symbol = tf.symbol(NodeRef::Policy(policy.id)).to_string();
                    let block = Block::resource("azurerm_api_management_product_policy", &symbol)
                        .attr(
                            "product_id",
                            Expr::raw(format!(
                                "azurerm_api_management_product.{product}.product_id"
                            )),
                        )
                        .attr("api_management_name", instance_name(apim))
                        .attr("resource_group_name", tf.resource_group(None))
                        .attr("xml_content", Expr::Heredoc(raw_xml(policy)));
                    file.push(depends_on(
                        block,
                        policy_dependencies(tf, apim, &policy.references),
                    ));
                }
                // API and operation policies live with their APIs in apis.tf.
                PolicyScope::Api(_) | PolicyScope::Operation(_) => {}
            }
        }
    }
    file
}

pub fn instance_address(apim: &ApiManagementPlan) -> String {
    format!("azurerm_api_management.{}", apim.symbol)
}

/// `api_management_name` of the instance's children.
pub fn instance_name(apim: &ApiManagementPlan) -> Expr {
    Expr::raw(format!("{}.name", instance_address(apim)))
}

/// The Terraform name of an APIM certificate entity.
pub fn certificate_symbol(tf: &Tf, apim: &ApiManagementPlan, cert: CertificateId) -> String {
    format!("{}_{}", apim.symbol, tf.symbol(NodeRef::Certificate(cert)))
}

/// A policy document in the `rawxml` format, the only one azurerm's `xml_content` sends.
pub fn raw_xml(policy: &PolicyPlan) -> String {
    policy_xml::xml_to_raw(&policy.xml)
}

/// What a policy document names, as the resources it must wait for.
pub fn policy_dependencies(
    tf: &Tf,
    apim: &ApiManagementPlan,
    refs: &crate::emit::plan::PolicyReferences,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in &refs.named_values {
        out.push(format!(
            "azurerm_api_management_named_value.{}",
            tf.symbol(NodeRef::NamedValue(*n))
        ));
    }
    for name in &refs.certificates {
        if let Some(c) = apim.certificates.iter().find(|c| &c.name == name) {
            out.push(format!(
                "azurerm_api_management_certificate.{}",
                certificate_symbol(tf, apim, c.certificate)
            ));
        }
    }
    for b in &refs.backends {
        out.push(format!(
            "azurerm_api_management_backend.{}",
            tf.symbol(NodeRef::Backend(*b))
        ));
    }
    for name in &refs.fragments {
        if let Some(f) = apim.fragments.iter().find(|f| &f.name == name) {
            out.push(format!(
                "azurerm_api_management_policy_fragment.{}",
                tf.symbol(NodeRef::PolicyFragment(f.id))
            ));
        }
    }
    out
}

/// A policy fragment; `rawxml` so that Azure stores the document as written (with `xml` it
/// reformats it and the next plan shows a change).
fn fragment(tf: &Tf, apim: &ApiManagementPlan, f: &FragmentPlan) -> Block {
    let symbol = tf.symbol(NodeRef::PolicyFragment(f.id)).to_string();
    let block = Block::resource("azurerm_api_management_policy_fragment", &symbol)
        .attr(
            "api_management_id",
            Expr::raw(format!("{}.id", instance_address(apim))),
        )
        .attr("name", Expr::str(f.name.clone()))
        .attr("format", Expr::str("rawxml"))
        .attr(
            "value",
            Expr::Heredoc(policy_xml::render_fragment_as(
                tf.plan.model,
                &tf.plan.model[f.id],
                Format::RawXml,
            )),
        );
    depends_on(block, policy_dependencies(tf, apim, &f.references))
}

/// The system-assigned identity of an instance, if it has one.
fn system_identity(tf: &Tf, apim: &ApiManagement) -> Option<IdentityId> {
    apim.identities
        .iter()
        .map(|r| r.id)
        .find(|i| tf.plan.model[*i].kind.value == IdentityType::SystemAssigned)
}

/// The identity Azure reads a hostname's Key Vault certificate with.
fn reading_identity(tf: &Tf, apim: &ApiManagement, h: &HostnamePlan) -> Option<IdentityId> {
    h.identity.or_else(|| system_identity(tf, apim))
}

/// The hostname entries Terraform writes: the plan's, without the default proxy entry.
fn custom_hostnames(apim: &ApiManagementPlan) -> impl Iterator<Item = &HostnamePlan> {
    apim.hostnames.iter().filter(|h| h.hostname.is_some())
}

fn instance(tf: &Tf, apim: &ApiManagementPlan) -> Block {
    let m = tf.plan.model;
    let model = &m[apim.id];
    let mut block = Block::resource("azurerm_api_management", &apim.symbol)
        .attr("name", Expr::str(model.azure_name.value.clone()))
        .attr("location", tf.location())
        .attr("resource_group_name", tf.resource_group(None))
        .attr("publisher_name", Expr::str(model.publisher_name.clone()))
        .attr("publisher_email", Expr::str(model.publisher_email.clone()))
        .attr(
            "sku_name",
            Expr::str(format!("{}_{}", model.sku.value.as_str(), model.capacity)),
        )
        .attr(
            "public_network_access_enabled",
            Expr::Bool(model.public_network_access.value),
        );
    if model.sku.value == Sku::Consumption {
        block = block.attr(
            "client_certificate_enabled",
            Expr::Bool(model.enable_client_certificate.value),
        );
    }
    block = block.opt(
        "min_api_version",
        model.min_api_version.clone().map(Expr::Str),
    );
    let vnet = match model.virtual_network_type.value {
        VirtualNetworkType::None => None,
        VirtualNetworkType::External => Some("External"),
        VirtualNetworkType::Internal => Some("Internal"),
    };
    if let Some(vnet) = vnet {
        block = block.attr("virtual_network_type", Expr::str(vnet));
    }
    block = tf.tags(block);
    let mut waits: Vec<String> = Vec::new();
    if let (Some(_), Some(subnet)) = (vnet, model.subnet) {
        block = block.child(
            Block::new("virtual_network_configuration")
                .attr("subnet_id", Expr::raw(tf.subnet_id(subnet.id))),
        );
        // API Management in a virtual network needs its NSG rules in place to be created.
        waits.extend(network::association(tf, subnet.id));
    }
    if let Some(kind) = apim.identity_type {
        let mut identity = Block::new("identity").attr("type", Expr::str(kind));
        if !apim.user_identities.is_empty() {
            let mut ids: Vec<String> = apim
                .user_identities
                .iter()
                .map(|i| format!("{}.id", tf.identity(*i)))
                .collect();
            ids.sort();
            ids.dedup();
            identity = identity.attr("identity_ids", Expr::raws(ids));
        }
        block = block.child(identity);
    }
    if !apim.two_phase_hostnames {
        let mut config = Block::new("hostname_configuration");
        for h in custom_hostnames(apim) {
            let kind = match h.kind {
                HostnameType::Proxy => "proxy",
                HostnameType::Management => "management",
                HostnameType::Portal => "portal",
                HostnameType::DeveloperPortal => "developer_portal",
                HostnameType::Scm => "scm",
            };
            config = config.child(hostname(tf, kind, h));
            if let Some(c) = h.certificate {
                waits.extend(tf.certificate_grants(c, reading_identity(tf, model, h)));
            }
        }
        if !config.body.is_empty() {
            block = block.child(config);
        }
    }
    // The CA store is authoritative: the instance holds exactly these (D9).
    for ca in &apim.ca_certificates {
        let ca_model = &m[*ca];
        let Some(cert) = ca_model.certificate else {
            continue;
        };
        let store = match ca_model.store.value {
            CaStore::Root => "Root",
            CaStore::CertificateAuthority => "CertificateAuthority",
        };
        let b = match &tf.plan.certificates[cert.id.index()] {
            CertificateData::Public { path } => {
                Block::new("certificate").attr("encoded_certificate", Tf::file_base64(path))
            }
            CertificateData::Pfx {
                data_param,
                password_param,
            } => Block::new("certificate")
                .attr("encoded_certificate", Tf::var(data_param))
                .opt(
                    "certificate_password",
                    password_param.as_deref().map(Tf::var),
                ),
            CertificateData::KeyVault { .. } | CertificateData::Missing => continue,
        };
        block = block.child(b.attr("store_name", Expr::str(store)));
    }
    // Written out (HTTP/2 off is a setting too), except on Consumption, whose gateway takes
    // no protocol settings unless HTTP/2 is asked for.
    if model.sku.value != Sku::Consumption || model.http2_enabled.value {
        block = block.child(
            Block::new("protocols").attr("http2_enabled", Expr::Bool(model.http2_enabled.value)),
        );
    }
    if let Some(s) = &model.security {
        block = block.child(
            Block::new("security")
                .attr(
                    "frontend_tls10_enabled",
                    Expr::Bool(s.frontend_tls10_enabled),
                )
                .attr(
                    "frontend_tls11_enabled",
                    Expr::Bool(s.frontend_tls11_enabled),
                )
                .attr("backend_tls10_enabled", Expr::Bool(s.backend_tls10_enabled))
                .attr("backend_tls11_enabled", Expr::Bool(s.backend_tls11_enabled))
                .attr(
                    "triple_des_ciphers_enabled",
                    Expr::Bool(s.triple_des_ciphers_enabled),
                ),
        );
    }
    depends_on(block, waits)
}

/// One hostname entry: `proxy`/`gateway` ones say `negotiate_client_certificate` and
/// `default_ssl_binding` explicitly (D4).
fn hostname(tf: &Tf, kind: &str, h: &HostnamePlan) -> Block {
    let mut b = Block::new(kind).attr("host_name", Expr::str(h.host_name.clone()));
    if let Some(cert) = h.certificate {
        match &tf.plan.certificates[cert.index()] {
            CertificateData::KeyVault { secret_id, .. } => {
                b = b
                    .attr("key_vault_certificate_id", Expr::str(secret_id.clone()))
                    .opt("ssl_keyvault_identity_client_id", tf.client_id(h.identity));
            }
            CertificateData::Pfx {
                data_param,
                password_param,
            } => {
                b = b.attr("certificate", Tf::var(data_param)).opt(
                    "certificate_password",
                    password_param.as_deref().map(Tf::var),
                );
            }
            CertificateData::Public { .. } | CertificateData::Missing => {}
        }
    }
    if h.kind == HostnameType::Proxy {
        b = b
            .attr(
                "negotiate_client_certificate",
                Expr::Bool(h.negotiate_client_certificate),
            )
            .attr("default_ssl_binding", Expr::Bool(h.default_ssl_binding));
    }
    b
}

fn custom_domain(tf: &Tf, apim: &ApiManagementPlan) -> Option<Block> {
    if !apim.two_phase_hostnames {
        return None;
    }
    let m = tf.plan.model;
    let model = &m[apim.id];
    let mut block = Block::resource("azurerm_api_management_custom_domain", &apim.symbol).attr(
        "api_management_id",
        Expr::raw(format!("{}.id", instance_address(apim))),
    );
    let mut waits: Vec<String> = Vec::new();
    // The instance's system identity may read the vault only once these exist.
    if let Some(system) = system_identity(tf, model) {
        for vault in 0..m.key_vaults.len() {
            waits.extend(tf.grants(system, KeyVaultId(vault as u32)));
        }
    }
    let mut any = false;
    for h in custom_hostnames(apim) {
        let kind = match h.kind {
            HostnameType::Proxy => "gateway",
            HostnameType::Management => "management",
            HostnameType::Portal => "portal",
            HostnameType::DeveloperPortal => "developer_portal",
            HostnameType::Scm => "scm",
        };
        block = block.child(hostname(tf, kind, h));
        any = true;
        if let Some(c) = h.certificate {
            waits.extend(tf.certificate_grants(c, reading_identity(tf, model, h)));
        }
    }
    any.then(|| depends_on(block, waits))
}

fn certificate(tf: &Tf, apim: &ApiManagementPlan, cert: &NamedCertificate) -> Block {
    let m = tf.plan.model;
    let model = &m[apim.id];
    let mut block = Block::resource(
        "azurerm_api_management_certificate",
        &certificate_symbol(tf, apim, cert.certificate),
    )
    .attr("name", Expr::str(cert.name.clone()))
    .attr("api_management_name", instance_name(apim))
    .attr("resource_group_name", tf.resource_group(None));
    let mut waits = Vec::new();
    match &tf.plan.certificates[cert.certificate.index()] {
        CertificateData::KeyVault {
            secret_id,
            identity,
            ..
        } => {
            let reader = identity
                .filter(|i| m[*i].kind.value == IdentityType::UserAssigned)
                .or_else(|| system_identity(tf, model));
            block = block
                .attr("key_vault_secret_id", Expr::str(secret_id.clone()))
                .opt("key_vault_identity_client_id", tf.client_id(*identity));
            waits = tf.certificate_grants(cert.certificate, reader);
        }
        CertificateData::Pfx {
            data_param,
            password_param,
        } => {
            block = block
                .attr("data", Tf::var(data_param))
                .opt("password", password_param.as_deref().map(Tf::var));
        }
        CertificateData::Public { path } => block = block.attr("data", Tf::file_base64(path)),
        CertificateData::Missing => {}
    }
    depends_on(block, waits)
}

fn backend(tf: &Tf, apim: &ApiManagementPlan, id: BackendId) -> Block {
    let b = &tf.plan.model[id];
    // No `credentials.certificate`: azurerm takes thumbprints there, which change with every
    // Key Vault rotation (D16). The `authentication-certificate` policy with a
    // `certificate-id` is what presents the client certificate.
    Block::resource(
        "azurerm_api_management_backend",
        tf.symbol(NodeRef::Backend(id)),
    )
    .attr("name", Expr::str(b.azure_name.value.clone()))
    .attr("api_management_name", instance_name(apim))
    .attr("resource_group_name", tf.resource_group(None))
    .attr("protocol", Expr::str(b.protocol.clone()))
    .attr("url", Expr::str(b.url.value.clone()))
    .opt("description", b.description.clone().map(Expr::Str))
    .child(
        Block::new("tls")
            .attr(
                "validate_certificate_chain",
                Expr::Bool(b.validate_certificate_chain.value),
            )
            .attr(
                "validate_certificate_name",
                Expr::Bool(b.validate_certificate_name.value),
            ),
    )
}

fn named_value(tf: &Tf, apim: &ApiManagementPlan, id: NamedValueId) -> Block {
    let m = tf.plan.model;
    let nv = &m[id];
    let symbol = tf.symbol(NodeRef::NamedValue(id)).to_string();
    let mut block = Block::resource("azurerm_api_management_named_value", &symbol)
        .attr("name", Expr::str(nv.decl.name.clone()))
        .attr("api_management_name", instance_name(apim))
        .attr("resource_group_name", tf.resource_group(None))
        .attr("display_name", Expr::str(nv.display_name.clone()));
    let mut waits = Vec::new();
    match &nv.source {
        Some(NamedValueSource::Value(v)) => match &v.value {
            SecretText::Secret(_) => {
                block = block
                    .attr("secret", Expr::Bool(true))
                    .attr("value", Tf::var(&format!("{symbol}_value")));
            }
            SecretText::Literal(text) => {
                block = block
                    .attr("secret", Expr::Bool(nv.secret.value))
                    .attr("value", Expr::str(text.clone()));
            }
        },
        Some(NamedValueSource::KeyVault { vault, secret_name }) => {
            let secret_id = format!(
                "https://{}.vault.azure.net/secrets/{}",
                m[vault.id].azure_name.value, secret_name.value
            );
            let identity = nv.identity.map(|i| i.id);
            let reader = identity
                .filter(|i| m[*i].kind.value == IdentityType::UserAssigned)
                .or_else(|| system_identity(tf, &m[apim.id]));
            if let Some(reader) = reader {
                waits = tf.grants(reader, vault.id);
            }
            block = block.attr("secret", Expr::Bool(true)).child(
                Block::new("value_from_key_vault")
                    .attr("secret_id", Expr::str(secret_id))
                    .opt("identity_client_id", tf.client_id(identity)),
            );
        }
        None => {}
    }
    depends_on(block, waits)
}

fn version_set(tf: &Tf, apim: &ApiManagementPlan, id: ApiVersionSetId) -> Block {
    let v = &tf.plan.model[id];
    Block::resource(
        "azurerm_api_management_api_version_set",
        tf.symbol(NodeRef::ApiVersionSet(id)),
    )
    .attr("name", Expr::str(v.decl.name.clone()))
    .attr("api_management_name", instance_name(apim))
    .attr("resource_group_name", tf.resource_group(None))
    .attr("display_name", Expr::str(v.display_name.clone()))
    .attr(
        "versioning_scheme",
        Expr::str(v.versioning_scheme.value.clone()),
    )
    .opt(
        "version_header_name",
        v.version_header_name.clone().map(Expr::Str),
    )
    .opt(
        "version_query_name",
        v.version_query_name.clone().map(Expr::Str),
    )
}

fn product(tf: &Tf, apim: &ApiManagementPlan, id: ProductId) -> Block {
    let p = &tf.plan.model[id];
    let mut block = Block::resource(
        "azurerm_api_management_product",
        tf.symbol(NodeRef::Product(id)),
    )
    .attr("product_id", Expr::str(p.decl.name.clone()))
    .attr("api_management_name", instance_name(apim))
    .attr("resource_group_name", tf.resource_group(None))
    .attr("display_name", Expr::str(p.display_name.clone()))
    .opt("description", p.description.clone().map(Expr::Str))
    .attr("published", Expr::Bool(p.published))
    .attr(
        "subscription_required",
        Expr::Bool(p.subscription_required.value),
    );
    // Approval only applies to subscriptions; azurerm rejects it on a product without them.
    if p.subscription_required.value {
        block = block.attr("approval_required", Expr::Bool(p.approval_required));
    }
    block
}
