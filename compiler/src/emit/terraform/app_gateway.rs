//! `app_gateway.tf`: each Application Gateway with its public IP and WAF policy.
//!
//! The gateway's child blocks come from the plan, in its canonical order (D4, D13: the
//! ordered lists `ssl_profile` and `trusted_client_certificate` sorted by name, as are the
//! sets); mutual authentication is the SSL profile's `trusted_client_certificate_names` (the
//! CA chain, never a leaf) with `verify_client_certificate_issuer_dn` and
//! `verify_client_certificate_revocation`, attached through the listener's
//! `ssl_profile_name`; the verified certificate reaches API Management through the rewrite
//! set's `{var_client_certificate}` header.

use super::hcl::{Block, Expr, File};
use super::{depends_on, header, Tf};
use crate::emit::plan::{
    gateway_name, AppGatewayPlan, CertificateData, DerivedSettingsPlan, NamedCertificate,
    RouteTargetPlan, RuleKind, APIM_STATUS_PATH,
};
use crate::model::*;

pub fn file(tf: &Tf) -> File {
    let mut file = File::new(&header(
        "Application Gateway: mutual TLS towards clients, HTTPS towards API Management.",
    ));
    let mut gateways: Vec<&AppGatewayPlan> = tf.plan.app_gateways.iter().collect();
    gateways.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    for gw in gateways {
        let model = &tf.plan.model[gw.id];
        if let Some((symbol, name)) = &gw.public_ip {
            let mut pip = Block::resource("azurerm_public_ip", symbol)
                .attr("name", Expr::str(name.clone()))
                .attr("location", tf.location())
                .attr("resource_group_name", tf.resource_group(None))
                .attr("allocation_method", Expr::str("Static"))
                .attr("sku", Expr::str("Standard"));
            if !model.zones.is_empty() {
                pip = pip.attr("zones", Expr::strs(sorted(model.zones.clone())));
            }
            file.push(tf.tags(pip));
        }
        if let Some(waf) = waf_policy(tf, gw, model) {
            file.push(waf);
        }
        file.push(gateway(tf, gw, model));
    }
    file
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn waf_policy_symbol(gw: &AppGatewayPlan) -> String {
    format!("{}_waf", gw.symbol)
}

/// A WAF_v2 gateway gets a WAF policy (the gateway's legacy `waf_configuration` is retired for
/// v2), in the topology's mode (Prevention unless it says Detection) with the Microsoft
/// default rule set.
fn waf_policy(tf: &Tf, gw: &AppGatewayPlan, model: &AppGateway) -> Option<Block> {
    if model.sku.value != "WAF_v2" {
        return None;
    }
    let mode = model
        .waf_mode
        .as_ref()
        .map_or("Prevention".to_string(), |m| m.value.clone());
    let block = Block::resource(
        "azurerm_web_application_firewall_policy",
        &waf_policy_symbol(gw),
    )
    .attr("name", Expr::str(format!("waf-{}", model.azure_name.value)))
    .attr("location", tf.location())
    .attr("resource_group_name", tf.resource_group(None));
    let block = tf
        .tags(block)
        .child(
            Block::new("policy_settings")
                .attr("enabled", Expr::Bool(true))
                .attr("mode", Expr::str(mode))
                .attr("request_body_check", Expr::Bool(true)),
        )
        .child(
            Block::new("managed_rules").child(
                Block::new("managed_rule_set")
                    .attr("type", Expr::str("Microsoft_DefaultRuleSet"))
                    .attr("version", Expr::str("2.1")),
            ),
        );
    Some(block)
}

/// `Standard_v2` → tier `Standard_v2`; the v1 sizes (`WAF_Medium`) → tier `WAF`.
fn sku_tier(sku: &str) -> String {
    if sku.ends_with("_v2") {
        sku.to_string()
    } else if sku.starts_with("WAF") {
        "WAF".to_string()
    } else {
        "Standard".to_string()
    }
}

fn gateway(tf: &Tf, gw: &AppGatewayPlan, model: &AppGateway) -> Block {
    let plan = tf.plan;
    let m = plan.model;
    let mut block = Block::resource("azurerm_application_gateway", &gw.symbol)
        .attr("name", Expr::str(model.azure_name.value.clone()))
        .attr("location", tf.location())
        .attr("resource_group_name", tf.resource_group(None))
        .attr("http2_enabled", Expr::Bool(model.http2_enabled.value));
    if !model.zones.is_empty() {
        block = block.attr("zones", Expr::strs(sorted(model.zones.clone())));
    }
    if model.sku.value == "WAF_v2" {
        block = block
            .attr(
                "firewall_policy_id",
                Expr::raw(format!(
                    "azurerm_web_application_firewall_policy.{}.id",
                    waf_policy_symbol(gw)
                )),
            )
            .attr("force_firewall_policy_association", Expr::Bool(true));
    }
    block = tf.tags(block);

    let mut sku = Block::new("sku")
        .attr("name", Expr::str(model.sku.value.clone()))
        .attr("tier", Expr::str(sku_tier(&model.sku.value)));
    let autoscale = model.capacity.is_none();
    if let Some(c) = &model.capacity {
        sku = sku.attr("capacity", Expr::Int(c.value));
    }
    block = block.child(sku);
    if autoscale {
        // Both bounds written: Azure returns its default maximum (10) otherwise, which
        // azurerm would plan away on every run.
        block = block.child(
            Block::new("autoscale_configuration")
                .attr(
                    "min_capacity",
                    Expr::Int(model.min_capacity.as_ref().map_or(0, |c| c.value)),
                )
                .attr(
                    "max_capacity",
                    Expr::Int(model.max_capacity.as_ref().map_or(10, |c| c.value)),
                ),
        );
    }
    let identity = model
        .identity
        .filter(|i| m[i.id].kind.value == IdentityType::UserAssigned);
    if let Some(identity) = identity {
        block = block.child(
            Block::new("identity")
                .attr("type", Expr::str("UserAssigned"))
                .attr(
                    "identity_ids",
                    Expr::raws([format!("{}.id", tf.identity(identity.id))]),
                ),
        );
    }
    let subnet = match (model.subnet, &gw.subnet_input) {
        (Some(s), _) => Some(Expr::raw(tf.subnet_id(s.id))),
        (None, Some(input)) => Some(Expr::raw(format!("var.{input}"))),
        (None, None) => None,
    };
    block = block.child(
        Block::new("gateway_ip_configuration")
            .attr("name", Expr::str("gateway"))
            .opt("subnet_id", subnet.clone()),
    );
    if let Some((pip, _)) = &gw.public_ip {
        block = block.child(
            Block::new("frontend_ip_configuration")
                .attr("name", Expr::str("public"))
                .attr(
                    "public_ip_address_id",
                    Expr::raw(format!("azurerm_public_ip.{pip}.id")),
                ),
        );
    }
    let private = model.private_ip_address.is_some()
        || gw
            .listeners
            .iter()
            .any(|l| l.frontend_ip_configuration == "private");
    if private {
        let frontend = Block::new("frontend_ip_configuration")
            .attr("name", Expr::str("private"))
            .opt("subnet_id", subnet)
            .attr(
                "private_ip_address_allocation",
                Expr::str(if model.private_ip_address.is_some() {
                    "Static"
                } else {
                    "Dynamic"
                }),
            )
            .opt(
                "private_ip_address",
                model
                    .private_ip_address
                    .as_ref()
                    .map(|a| Expr::str(a.value.clone())),
            );
        block = block.child(frontend);
    }
    for (name, port) in &gw.frontend_ports {
        block = block.child(
            Block::new("frontend_port")
                .attr("name", Expr::str(name.clone()))
                .attr("port", Expr::Int(i64::from(*port))),
        );
    }
    block = block.child(ssl_policy(model.ssl_policy.as_ref(), true));

    let mut grants: Vec<String> = Vec::new();
    for cert in &gw.ssl_certificates {
        block = block.child(ssl_certificate(tf, cert));
        grants.extend(tf.certificate_grants(cert.certificate, identity.map(|i| i.id)));
    }
    for cert in &gw.trusted_client_certificates {
        let data = match &plan.certificates[cert.certificate.index()] {
            CertificateData::Public { path } => Some(Tf::file_base64(path)),
            _ => None,
        };
        block = block.child(
            Block::new("trusted_client_certificate")
                .attr("name", Expr::str(cert.name.clone()))
                .opt("data", data),
        );
    }
    for cert in &gw.trusted_root_certificates {
        let mut root =
            Block::new("trusted_root_certificate").attr("name", Expr::str(cert.name.clone()));
        match &plan.certificates[cert.certificate.index()] {
            CertificateData::Public { path } => root = root.attr("data", Tf::file_base64(path)),
            CertificateData::KeyVault { secret_id, .. } => {
                root = root.attr("key_vault_secret_id", Expr::str(secret_id.clone()));
                grants.extend(tf.certificate_grants(cert.certificate, identity.map(|i| i.id)));
            }
            CertificateData::Pfx { .. } | CertificateData::Missing => {}
        }
        block = block.child(root);
    }
    for profile in &gw.ssl_profiles {
        let p = &m[profile.id];
        let mut b = Block::new("ssl_profile").attr("name", Expr::str(profile.name.clone()));
        if !profile.trusted_client_certificate_names.is_empty() {
            b = b.attr(
                "trusted_client_certificate_names",
                Expr::strs(profile.trusted_client_certificate_names.iter().cloned()),
            );
        }
        b = b.attr(
            "verify_client_certificate_issuer_dn",
            Expr::Bool(p.verify_client_cert_issuer_dn.value),
        );
        if p.verify_client_revocation_ocsp.value {
            b = b.attr("verify_client_certificate_revocation", Expr::str("OCSP"));
        }
        if let Some(policy) = &p.ssl_policy {
            b = b.child(ssl_policy(Some(policy), false));
        }
        block = block.child(b);
    }
    for listener in &gw.listeners {
        let l = &m[listener.id];
        let mut b = Block::new("http_listener")
            .attr("name", Expr::str(listener.name.clone()))
            .attr(
                "frontend_ip_configuration_name",
                Expr::str(listener.frontend_ip_configuration),
            )
            .attr(
                "frontend_port_name",
                Expr::str(listener.frontend_port.clone()),
            )
            .attr(
                "protocol",
                Expr::str(match l.protocol.value {
                    ListenerProtocol::Https => "Https",
                    ListenerProtocol::Http => "Http",
                }),
            );
        b = match listener.host_names.as_slice() {
            [] => b,
            [one] => b.attr("host_name", Expr::str(one.clone())),
            many => b.attr("host_names", Expr::strs(many.iter().cloned())),
        };
        b = b
            .opt(
                "ssl_certificate_name",
                listener.ssl_certificate.clone().map(Expr::Str),
            )
            .opt(
                "ssl_profile_name",
                listener.ssl_profile.clone().map(Expr::Str),
            );
        block = block.child(b);
    }
    for pool in &gw.backend_pools {
        let mut b = Block::new("backend_address_pool").attr("name", Expr::str(pool.name.clone()));
        if !pool.fqdns.is_empty() {
            b = b.attr("fqdns", Expr::strs(sorted(pool.fqdns.clone())));
        }
        if !pool.ip_addresses.is_empty() {
            b = b.attr(
                "ip_addresses",
                Expr::strs(sorted(pool.ip_addresses.clone())),
            );
        }
        block = block.child(b);
    }
    for (_, b) in probes(tf, gw) {
        block = block.child(b);
    }
    for (_, b) in backend_http_settings(tf, gw) {
        block = block.child(b);
    }
    for set in &gw.rewrite_rule_sets {
        block = block.child(rewrite_rule_set(&m[*set]));
    }
    for map in &gw.url_path_maps {
        let mut b = Block::new("url_path_map").attr("name", Expr::str(map.name.clone()));
        if let Some(default) = &map.default {
            b = b
                .attr(
                    "default_backend_address_pool_name",
                    Expr::str(default.backend_pool.clone()),
                )
                .attr(
                    "default_backend_http_settings_name",
                    Expr::str(default.settings_name()),
                )
                .opt(
                    "default_rewrite_rule_set_name",
                    default.rewrite_rule_set.clone().map(Expr::Str),
                );
        }
        for rule in &map.paths {
            let r = Block::new("path_rule")
                .attr("name", Expr::str(rule.name.clone()))
                .attr("paths", Expr::strs(rule.paths.iter().cloned()));
            b = b.child(target(r, &rule.target));
        }
        block = block.child(b);
    }
    for rule in &gw.rules {
        let mut b = Block::new("request_routing_rule")
            .attr("name", Expr::str(rule.name.clone()))
            .attr("priority", Expr::Int(i64::from(rule.priority)))
            .attr(
                "rule_type",
                Expr::str(match rule.kind {
                    RuleKind::Basic(_) => "Basic",
                    RuleKind::PathBased { .. } => "PathBasedRouting",
                }),
            )
            .attr("http_listener_name", Expr::str(rule.listener.clone()));
        b = match &rule.kind {
            RuleKind::Basic(t) => target(b, t),
            RuleKind::PathBased { url_path_map } => {
                b.attr("url_path_map_name", Expr::str(url_path_map.clone()))
            }
        };
        block = block.child(b);
    }
    depends_on(block, grants)
}

/// `backend_address_pool_name`, `backend_http_settings_name`, `rewrite_rule_set_name`.
fn target(block: Block, t: &RouteTargetPlan) -> Block {
    block
        .attr(
            "backend_address_pool_name",
            Expr::str(t.backend_pool.clone()),
        )
        .attr("backend_http_settings_name", Expr::str(t.settings_name()))
        .opt(
            "rewrite_rule_set_name",
            t.rewrite_rule_set.clone().map(Expr::Str),
        )
}

/// The gateway's TLS policy; without one, Azure's default (`AppGwSslPolicy20220101`) written
/// out, which is what Azure returns.
fn ssl_policy(policy: Option<&SslPolicy>, default: bool) -> Block {
    let mut b = Block::new("ssl_policy");
    let Some(p) = policy else {
        if default {
            b = b
                .attr("policy_type", Expr::str("Predefined"))
                .attr("policy_name", Expr::str("AppGwSslPolicy20220101"));
        }
        return b;
    };
    let text = |v: &Option<Spanned<String>>| v.as_ref().map(|s| Expr::str(s.value.clone()));
    b = b
        .opt("policy_type", text(&p.policy_type))
        .opt("policy_name", text(&p.policy_name))
        .opt("min_protocol_version", text(&p.min_protocol_version));
    if !p.cipher_suites.is_empty() {
        b = b.attr(
            "cipher_suites",
            Expr::strs(p.cipher_suites.iter().map(|c| c.value.clone())),
        );
    }
    b
}

fn ssl_certificate(tf: &Tf, cert: &NamedCertificate) -> Block {
    let b = Block::new("ssl_certificate").attr("name", Expr::str(cert.name.clone()));
    match &tf.plan.certificates[cert.certificate.index()] {
        // A literal id, not a reference to a data source: `ssl_certificate` is a set, and a
        // value known only at apply time makes azurerm's plan inconsistent (D10).
        CertificateData::KeyVault { secret_id, .. } => {
            b.attr("key_vault_secret_id", Expr::str(secret_id.clone()))
        }
        CertificateData::Pfx {
            data_param,
            password_param,
        } => b
            .attr("data", Tf::var(data_param))
            .opt("password", password_param.as_deref().map(Tf::var)),
        CertificateData::Public { path } => b.attr("data", Tf::file_base64(path)),
        CertificateData::Missing => b,
    }
}

/// Probes of declared settings and of the settings derived for API Management hostnames,
/// sorted by name.
fn probes(tf: &Tf, gw: &AppGatewayPlan) -> Vec<(String, Block)> {
    let m = tf.plan.model;
    let mut out = Vec::new();
    for s in &gw.backend_settings {
        let (Some(name), Some(probe)) = (&s.probe, &m[s.id].probe) else {
            continue;
        };
        let settings = &m[s.id];
        let mut b = Block::new("probe")
            .attr("name", Expr::str(name.clone()))
            .attr(
                "protocol",
                Expr::str(if settings.https.value {
                    "Https"
                } else {
                    "Http"
                }),
            )
            .attr("path", Expr::str(probe.path.value.clone()));
        b = match &probe.host {
            Some(host) => b.attr("host", Expr::str(host.value.clone())),
            // The host name of the settings that use the probe.
            None => b.attr(
                "pick_host_name_from_backend_http_settings",
                Expr::Bool(true),
            ),
        };
        b = b
            .attr("interval", Expr::Int(i64::from(probe.interval)))
            .attr("timeout", Expr::Int(i64::from(probe.timeout)))
            .attr(
                "unhealthy_threshold",
                Expr::Int(i64::from(probe.unhealthy_threshold)),
            );
        let codes = if probe.match_status_codes.is_empty() {
            vec!["200-399".to_string()]
        } else {
            probe.match_status_codes.clone()
        };
        out.push((
            name.clone(),
            b.child(Block::new("match").attr("status_code", Expr::strs(codes))),
        ));
    }
    for d in &gw.derived_settings {
        if let (Some(name), Some(host)) = (&d.probe, &d.host_name) {
            out.push((name.clone(), derived_probe(name, host)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The probe of settings derived for an API Management hostname: its status path, which
/// answers 200 without a subscription key.
fn derived_probe(name: &str, host: &str) -> Block {
    Block::new("probe")
        .attr("name", Expr::str(name))
        .attr("protocol", Expr::str("Https"))
        .attr("path", Expr::str(APIM_STATUS_PATH))
        .attr("host", Expr::str(host))
        .attr("interval", Expr::Int(30))
        .attr("timeout", Expr::Int(30))
        .attr("unhealthy_threshold", Expr::Int(3))
        .child(Block::new("match").attr("status_code", Expr::strs(["200-399"])))
}

fn backend_http_settings(tf: &Tf, gw: &AppGatewayPlan) -> Vec<(String, Block)> {
    let m = tf.plan.model;
    let mut out = Vec::new();
    for s in &gw.backend_settings {
        let settings = &m[s.id];
        let mut b = Block::new("backend_http_settings")
            .attr("name", Expr::str(s.name.clone()))
            .attr("port", Expr::Int(i64::from(settings.port.value)))
            .attr(
                "protocol",
                Expr::str(if settings.https.value {
                    "Https"
                } else {
                    "Http"
                }),
            )
            .attr("cookie_based_affinity", Expr::str("Disabled"))
            .attr(
                "request_timeout",
                Expr::Int(i64::from(settings.request_timeout)),
            )
            .opt(
                "host_name",
                settings
                    .host_name
                    .as_ref()
                    .map(|h| Expr::str(h.value.clone())),
            );
        if settings.pick_host_name_from_backend.value {
            b = b.attr("pick_host_name_from_backend_address", Expr::Bool(true));
        }
        b = b.opt("probe_name", s.probe.clone().map(Expr::Str));
        if !s.trusted_root_certificate_names.is_empty() {
            b = b.attr(
                "trusted_root_certificate_names",
                Expr::strs(s.trusted_root_certificate_names.iter().cloned()),
            );
        }
        out.push((s.name.clone(), b));
    }
    for d in &gw.derived_settings {
        out.push((d.name.clone(), derived_settings(d)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn derived_settings(d: &DerivedSettingsPlan) -> Block {
    let b = Block::new("backend_http_settings")
        .attr("name", Expr::str(d.name.clone()))
        .attr("port", Expr::Int(i64::from(d.port)))
        .attr("protocol", Expr::str("Https"))
        .attr("cookie_based_affinity", Expr::str("Disabled"))
        .attr("request_timeout", Expr::Int(30));
    let b = match &d.host_name {
        Some(host) => b.attr("host_name", Expr::str(host.clone())),
        None => b.attr("pick_host_name_from_backend_address", Expr::Bool(true)),
    };
    b.opt("probe_name", d.probe.clone().map(Expr::Str))
}

fn rewrite_rule_set(set: &RewriteRuleSet) -> Block {
    let mut b =
        Block::new("rewrite_rule_set").attr("name", Expr::str(gateway_name(&set.decl.name)));
    for rule in &set.rules {
        let mut r = Block::new("rewrite_rule")
            .attr("name", Expr::str(gateway_name(&rule.name)))
            .attr("rule_sequence", Expr::Int(rule.sequence));
        for c in &rule.conditions {
            r = r.child(
                Block::new("condition")
                    .attr("variable", Expr::str(c.variable.value.clone()))
                    .attr("pattern", Expr::str(c.pattern.value.clone()))
                    .attr("ignore_case", Expr::Bool(c.ignore_case))
                    .attr("negate", Expr::Bool(c.negate)),
            );
        }
        for h in &rule.request_headers {
            r = r.child(
                Block::new("request_header_configuration")
                    .attr("header_name", Expr::str(h.header.value.clone()))
                    .attr("header_value", Expr::str(h.value.value.clone())),
            );
        }
        for h in &rule.response_headers {
            r = r.child(
                Block::new("response_header_configuration")
                    .attr("header_name", Expr::str(h.header.value.clone()))
                    .attr("header_value", Expr::str(h.value.value.clone())),
            );
        }
        b = b.child(r);
    }
    b
}
