//! `versions.tf`, `main.tf`, `variables.tf` and `outputs.tf`: what makes the files a root
//! module: provider pins, the existing resource group and tenant, shared locals, the secret
//! variables and the outputs.

use super::hcl::{Block, Expr, File};
use super::{header, Tf, CLIENT_CONFIG};
use crate::eval::{Output, ValueKind};
use crate::graph::NodeRef;
use crate::model::*;

/// The azurerm release whose schema the output is written and validated against.
pub const AZURERM_VERSION: &str = "~> 4.79";

pub fn versions() -> File {
    let mut file = File::new(&header(
        "Terraform and provider versions. The code follows the azurerm 4.79 schema.",
    ));
    file.push(
        Block::new("terraform")
            .attr("required_version", Expr::str(">= 1.6"))
            .child(Block::new("required_providers").attr(
                "azurerm",
                Expr::Object(vec![
                    ("source".into(), Expr::str("hashicorp/azurerm")),
                    ("version".into(), Expr::str(AZURERM_VERSION)),
                ]),
            )),
    );
    // The subscription comes from the environment (ARM_SUBSCRIPTION_ID), like the
    // credentials: nothing about where it deploys is baked into the code.
    file.push(
        Block::new("provider")
            .label("azurerm")
            .child(Block::new("features")),
    );
    file
}

pub fn main(tf: &Tf) -> File {
    let plan = tf.plan;
    let mut file = File::new(&header(&format!(
        "Deployment `{}`: the existing resource group it deploys into, the tenant, and what every resource shares.",
        plan.deployment.name
    )));
    file.push(
        Block::data("azurerm_resource_group", "this")
            .attr("name", Expr::str(plan.deployment.resource_group.clone())),
    );
    if needs_client_config(tf) {
        file.push(Block::data("azurerm_client_config", "current"));
    }
    let mut locals =
        Block::new("locals").attr("location", Expr::str(plan.deployment.location.clone()));
    if !plan.deployment.tags.is_empty() {
        locals = locals.attr(
            "tags",
            Expr::Object(
                plan.deployment
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Expr::str(v.clone())))
                    .collect(),
            ),
        );
    }
    file.push(locals);
    file
}

/// Key Vaults and access policies name the tenant.
fn needs_client_config(tf: &Tf) -> bool {
    !tf.plan.model.key_vaults.is_empty() || !tf.plan.access_policies.is_empty()
}

pub fn tenant_id() -> Expr {
    Expr::raw(format!("{CLIENT_CONFIG}.tenant_id"))
}

pub fn variables(tf: &Tf) -> File {
    let mut file = File::new(&header(
        "Inputs and secrets, passed at deploy time (e.g. TF_VAR_<name>); none has a default and no secret is ever written to a file.",
    ));
    for input in tf.plan.inputs.values() {
        file.push(
            Block::new("variable")
                .label(&input.name)
                .attr("type", Expr::raw("string"))
                .attr("description", Expr::str(input.description.clone()))
                .attr("nullable", Expr::Bool(false)),
        );
    }
    for secret in tf.plan.secrets.values() {
        let mut description = secret.description.clone();
        if let Some(source) = &secret.source {
            description.push_str(&format!(" The topology reads it from {source}."));
        }
        file.push(
            Block::new("variable")
                .label(&secret.name)
                .attr("type", Expr::raw("string"))
                .attr("description", Expr::str(description))
                .attr("sensitive", Expr::Bool(true))
                .attr("nullable", Expr::Bool(false)),
        );
    }
    file
}

pub fn outputs(tf: &Tf) -> File {
    let plan = tf.plan;
    let m = plan.model;
    let mut file = File::new(&header(
        "Outputs: the topology's own, then the addresses clients and operators need.",
    ));
    let mut names: Vec<String> = Vec::new();
    let mut outputs: Vec<&Output> = m.outputs.iter().collect();
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    for output in outputs {
        // A value holding a secret is never written, whatever the output says.
        let Some(value) = output_value(tf, &output.value) else {
            continue;
        };
        let mut block = Block::new("output").label(&output.name);
        if let Some(d) = &output.description {
            block = block.attr("description", Expr::str(d.clone()));
        }
        block = block.attr("value", value);
        if output.sensitive {
            block = block.attr("sensitive", Expr::Bool(true));
        }
        names.push(output.name.clone());
        file.push(block);
    }
    let mut generated: Vec<(String, &str, String)> = Vec::new();
    for gw in &plan.app_gateways {
        if let Some((pip, _)) = &gw.public_ip {
            generated.push((
                format!("{}_public_ip_address", gw.symbol),
                "Public IP address of the Application Gateway; point the listeners' host names at it.",
                format!("azurerm_public_ip.{pip}.ip_address"),
            ));
        }
    }
    for apim in &plan.api_managements {
        generated.push((
            format!("{}_gateway_url", apim.symbol),
            "Default gateway URL of the API Management instance.",
            format!("azurerm_api_management.{}.gateway_url", apim.symbol),
        ));
        if m[apim.id].virtual_network_type.value != VirtualNetworkType::None {
            generated.push((
                format!("{}_private_ip_addresses", apim.symbol),
                "Private IP addresses of the instance in its virtual network; DNS for its hostnames must resolve to them.",
                format!("azurerm_api_management.{}.private_ip_addresses", apim.symbol),
            ));
        }
    }
    generated.sort();
    for (name, description, value) in generated {
        if names.contains(&name) {
            continue;
        }
        file.push(
            Block::new("output")
                .label(&name)
                .attr("description", Expr::str(description))
                .attr("value", Expr::raw(value)),
        );
    }
    file
}

/// An output's value as Terraform: literals as they are, a reference to a block as the id of
/// the resource it compiles to; `None` for anything holding a secret or with no resource.
fn output_value(tf: &Tf, value: &crate::eval::Value) -> Option<Expr> {
    Some(match &value.kind {
        ValueKind::Null => Expr::raw("null"),
        ValueKind::Bool(b) => Expr::Bool(*b),
        ValueKind::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Expr::Int(*n as i64),
        ValueKind::Number(n) => Expr::raw(format!("{n}")),
        ValueKind::String(s) => Expr::str(s.clone()),
        ValueKind::File(path) => Expr::str(path.clone()),
        ValueKind::List(items) => Expr::List(
            items
                .iter()
                .map(|v| output_value(tf, v))
                .collect::<Option<Vec<_>>>()?,
        ),
        ValueKind::Object(items) => Expr::Object(
            items
                .iter()
                .map(|(k, v)| Some((k.clone(), output_value(tf, v)?)))
                .collect::<Option<Vec<_>>>()?,
        ),
        ValueKind::Ref(reference) => {
            let text = reference.segments.join(".");
            let node = reference.scopes.iter().find_map(|scope| {
                let mut address = scope.to_string();
                if !(address.is_empty() || address.ends_with('.')) {
                    address.push('.');
                }
                address.push_str(&text);
                node_at(tf.plan.model, &address)
            })?;
            Expr::raw(format!("{}.id", resource_address(tf, node)?))
        }
        ValueKind::Secret(_) => return None,
    })
}

/// The node declared at `address`, among the kinds that compile to a resource of their own.
fn node_at(m: &Model, address: &str) -> Option<NodeRef> {
    fn find<T>(items: &[T], decl: impl Fn(&T) -> &Decl, address: &str) -> Option<u32> {
        items
            .iter()
            .position(|i| decl(i).address == address)
            .map(|i| i as u32)
    }
    find(&m.api_managements, |x| &x.decl, address)
        .map(|i| NodeRef::ApiManagement(ApiManagementId(i)))
        .or_else(|| {
            find(&m.app_gateways, |x| &x.decl, address)
                .map(|i| NodeRef::AppGateway(AppGatewayId(i)))
        })
        .or_else(|| {
            find(&m.key_vaults, |x| &x.decl, address).map(|i| NodeRef::KeyVault(KeyVaultId(i)))
        })
        .or_else(|| {
            find(&m.identities, |x| &x.decl, address).map(|i| NodeRef::Identity(IdentityId(i)))
        })
        .or_else(|| {
            find(&m.virtual_networks, |x| &x.decl, address)
                .map(|i| NodeRef::VirtualNetwork(VirtualNetworkId(i)))
        })
        .or_else(|| find(&m.subnets, |x| &x.decl, address).map(|i| NodeRef::Subnet(SubnetId(i))))
        .or_else(|| {
            find(&m.network_security_groups, |x| &x.decl, address)
                .map(|i| NodeRef::NetworkSecurityGroup(NetworkSecurityGroupId(i)))
        })
        .or_else(|| find(&m.apis, |x| &x.decl, address).map(|i| NodeRef::Api(ApiId(i))))
        .or_else(|| {
            find(&m.operations, |x| &x.decl, address).map(|i| NodeRef::Operation(OperationId(i)))
        })
        .or_else(|| find(&m.backends, |x| &x.decl, address).map(|i| NodeRef::Backend(BackendId(i))))
        .or_else(|| find(&m.products, |x| &x.decl, address).map(|i| NodeRef::Product(ProductId(i))))
        .or_else(|| {
            find(&m.named_values, |x| &x.decl, address)
                .map(|i| NodeRef::NamedValue(NamedValueId(i)))
        })
        .or_else(|| {
            find(&m.api_version_sets, |x| &x.decl, address)
                .map(|i| NodeRef::ApiVersionSet(ApiVersionSetId(i)))
        })
}

/// `azurerm_TYPE.NAME` of the resource a node compiles to.
fn resource_address(tf: &Tf, node: NodeRef) -> Option<String> {
    let m = tf.plan.model;
    let ty = match node {
        NodeRef::ApiManagement(_) => "azurerm_api_management",
        NodeRef::AppGateway(_) => "azurerm_application_gateway",
        NodeRef::KeyVault(_) => "azurerm_key_vault",
        NodeRef::Identity(i) if m[i].kind.value == IdentityType::UserAssigned => {
            "azurerm_user_assigned_identity"
        }
        NodeRef::VirtualNetwork(_) => "azurerm_virtual_network",
        NodeRef::Subnet(_) => "azurerm_subnet",
        NodeRef::NetworkSecurityGroup(_) => "azurerm_network_security_group",
        NodeRef::Api(_) => "azurerm_api_management_api",
        NodeRef::Operation(_) => "azurerm_api_management_api_operation",
        NodeRef::Backend(_) => "azurerm_api_management_backend",
        NodeRef::Product(_) => "azurerm_api_management_product",
        NodeRef::NamedValue(_) => "azurerm_api_management_named_value",
        NodeRef::ApiVersionSet(_) => "azurerm_api_management_api_version_set",
        _ => return None,
    };
    Some(format!("{ty}.{}", tf.symbol(node)))
}
