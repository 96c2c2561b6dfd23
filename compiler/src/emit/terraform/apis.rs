//! `apis.tf`: APIs, their operations (with the template parameters API Management requires),
//! API and operation policies (XML rendered from the typed policy blocks) and the products
//! they belong to.

use super::api_management::{instance_name, policy_dependencies, raw_xml};
use super::hcl::{Block, Expr, File};
use super::{depends_on, header, Tf};
use crate::emit::plan::{template_parameters, ApiManagementPlan, ApiPlan, PolicyPlan};
use crate::graph::NodeRef;
use crate::model::*;
use std::collections::HashMap;

pub fn file(tf: &Tf) -> File {
    let mut file = File::new(&header(
        "APIs: operations, API and operation policies, product membership.",
    ));
    let mut instances: Vec<&ApiManagementPlan> = tf.plan.api_managements.iter().collect();
    instances.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    for apim in instances {
        // Looked up per API and operation: a map, not a scan of every policy each time.
        let policies: HashMap<PolicyScope, &PolicyPlan> =
            apim.policies.iter().map(|p| (p.scope, p)).collect();
        let policy_of = |scope| policies.get(&scope).copied();
        for api in &apim.apis {
            file.push(api_block(tf, apim, api));
            let mut links: Vec<(String, Block)> = Vec::new();
            for product in &tf.plan.model[api.id].products {
                let product_symbol = tf.symbol(NodeRef::Product(product.id)).to_string();
                let symbol = format!("{product_symbol}_{}", api.symbol);
                links.push((
                    symbol.clone(),
                    Block::resource("azurerm_api_management_product_api", &symbol)
                        .attr("api_name", api_name(api))
                        .attr(
                            "product_id",
                            Expr::raw(format!(
                                "azurerm_api_management_product.{product_symbol}.product_id"
                            )),
                        )
                        .attr("api_management_name", instance_name(apim))
                        .attr("resource_group_name", tf.resource_group(None)),
                ));
            }
            links.sort_by(|a, b| a.0.cmp(&b.0));
            links.dedup_by(|a, b| a.0 == b.0);
            for (_, link) in links {
                file.push(link);
            }
            if let Some(policy) = policy_of(PolicyScope::Api(api.id)) {
                let symbol = tf.symbol(NodeRef::Policy(policy.id)).to_string();
                let block = Block::resource("azurerm_api_management_api_policy", &symbol)
                    .attr("api_name", api_name(api))
                    .attr("api_management_name", instance_name(apim))
                    .attr("resource_group_name", tf.resource_group(None))
                    .attr("xml_content", Expr::Heredoc(raw_xml(policy)));
                file.push(depends_on(
                    block,
                    policy_dependencies(tf, apim, &policy.references),
                ));
            }
            for op in &api.operations {
                let symbol = tf.symbol(NodeRef::Operation(*op)).to_string();
                file.push(operation(tf, apim, api, *op, &symbol));
                if let Some(policy) = policy_of(PolicyScope::Operation(*op)) {
                    let policy_symbol = tf.symbol(NodeRef::Policy(policy.id)).to_string();
                    let block = Block::resource(
                        "azurerm_api_management_api_operation_policy",
                        &policy_symbol,
                    )
                    .attr("api_name", api_name(api))
                    .attr("api_management_name", instance_name(apim))
                    .attr("resource_group_name", tf.resource_group(None))
                    .attr(
                        "operation_id",
                        Expr::raw(format!(
                            "azurerm_api_management_api_operation.{symbol}.operation_id"
                        )),
                    )
                    .attr("xml_content", Expr::Heredoc(raw_xml(policy)));
                    file.push(depends_on(
                        block,
                        policy_dependencies(tf, apim, &policy.references),
                    ));
                }
            }
        }
    }
    file
}

fn api_name(api: &ApiPlan) -> Expr {
    Expr::raw(format!("azurerm_api_management_api.{}.name", api.symbol))
}

fn api_block(tf: &Tf, apim: &ApiManagementPlan, api: &ApiPlan) -> Block {
    let m = tf.plan.model;
    let a = &m[api.id];
    let mut protocols: Vec<String> = a.protocols.iter().map(|p| p.value.clone()).collect();
    protocols.sort();
    protocols.dedup();
    let mut block = Block::resource("azurerm_api_management_api", &api.symbol)
        .attr("name", Expr::str(a.azure_name.value.clone()))
        .attr("api_management_name", instance_name(apim))
        .attr("resource_group_name", tf.resource_group(None))
        .attr("revision", Expr::str(a.revision.clone()))
        .attr("display_name", Expr::str(a.display_name.clone()))
        .attr("path", Expr::str(a.path.value.clone()))
        .attr("protocols", Expr::strs(protocols))
        // Requests go to the backend entity's URL; API Management applies that backend's TLS
        // settings to them.
        .opt(
            "service_url",
            a.backend.map(|b| Expr::str(m[b.id].url.value.clone())),
        )
        .attr(
            "subscription_required",
            Expr::Bool(a.subscription_required.value),
        );
    if let Some(set) = a.version_set {
        block = block
            .opt(
                "version",
                a.version.as_ref().map(|v| Expr::str(v.value.clone())),
            )
            .attr(
                "version_set_id",
                Expr::raw(format!(
                    "azurerm_api_management_api_version_set.{}.id",
                    tf.symbol(NodeRef::ApiVersionSet(set.id))
                )),
            );
    }
    block
}

fn operation(
    tf: &Tf,
    apim: &ApiManagementPlan,
    api: &ApiPlan,
    id: OperationId,
    symbol: &str,
) -> Block {
    let op = &tf.plan.model[id];
    let mut block = Block::resource("azurerm_api_management_api_operation", symbol)
        .attr("operation_id", Expr::str(op.decl.name.clone()))
        .attr("api_name", api_name(api))
        .attr("api_management_name", instance_name(apim))
        .attr("resource_group_name", tf.resource_group(None))
        .attr("display_name", Expr::str(op.display_name.clone()))
        .attr("method", Expr::str(op.method.value.clone()))
        .attr("url_template", Expr::str(op.url_template.value.clone()));
    for name in template_parameters(&op.url_template.value) {
        block = block.child(
            Block::new("template_parameter")
                .attr("name", Expr::str(name))
                .attr("required", Expr::Bool(true))
                .attr("type", Expr::str("string")),
        );
    }
    block
}
