//! `app_gateway` blocks: SSL policy and profiles, listeners and their routes, backend pools,
//! backend settings and rewrite rule sets.

use super::builder::Builder;
use super::*;
use crate::eval::Node;

#[derive(Debug, Clone)]
pub struct AppGateway {
    pub decl: Decl,
    pub azure_name: Spanned<String>,
    pub sku: Spanned<String>,
    pub capacity: Option<Spanned<i64>>,
    pub min_capacity: Option<Spanned<i64>>,
    pub max_capacity: Option<Spanned<i64>>,
    pub subnet: Option<Ref<SubnetId>>,
    pub identity: Option<Ref<IdentityId>>,
    pub public_frontend: Spanned<bool>,
    pub private_ip_address: Option<Spanned<String>>,
    pub http2_enabled: Spanned<bool>,
    pub waf_mode: Option<Spanned<String>>,
    pub zones: Vec<String>,
    pub ssl_policy: Option<SslPolicy>,
    pub ssl_profiles: Vec<SslProfileId>,
    pub listeners: Vec<ListenerId>,
    pub backend_pools: Vec<BackendPoolId>,
    pub backend_settings: Vec<BackendSettingsId>,
    pub rewrite_rule_sets: Vec<RewriteRuleSetId>,
}

impl AppGateway {
    /// Whether the SKU is a v2 SKU (mutual authentication needs one).
    pub fn is_v2(&self) -> bool {
        self.sku.value.ends_with("_v2")
    }
}

#[derive(Debug, Clone)]
pub struct SslPolicy {
    pub span: Span,
    pub policy_type: Option<Spanned<String>>,
    pub policy_name: Option<Spanned<String>>,
    pub min_protocol_version: Option<Spanned<String>>,
    pub cipher_suites: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthMode {
    Strict,
    Passthrough,
}

#[derive(Debug, Clone)]
pub struct SslProfile {
    pub decl: Decl,
    pub app_gateway: AppGatewayId,
    pub trusted_client_cas: Vec<Ref<CertificateId>>,
    pub verify_client_cert_issuer_dn: Spanned<bool>,
    /// `true` for `verify_client_revocation = "OCSP"`.
    pub verify_client_revocation_ocsp: Spanned<bool>,
    pub client_auth_mode: Spanned<ClientAuthMode>,
    pub ssl_policy: Option<SslPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerProtocol {
    Https,
    Http,
}

#[derive(Debug, Clone)]
pub struct Listener {
    pub decl: Decl,
    pub app_gateway: AppGatewayId,
    /// `host_name` and `host_names` together; empty for a basic listener.
    pub host_names: Vec<Spanned<String>>,
    pub port: Spanned<u16>,
    pub protocol: Spanned<ListenerProtocol>,
    /// `true` for the private frontend IP.
    pub private_frontend: bool,
    pub certificate: Option<Ref<CertificateId>>,
    pub ssl_profile: Option<Ref<SslProfileId>>,
    pub routes: Vec<Route>,
}

/// Where a route sends requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteTarget {
    Hostname(Ref<HostnameId>),
    BackendPool(Ref<BackendPoolId>),
}

#[derive(Debug, Clone)]
pub struct Route {
    pub name: String,
    pub span: Span,
    /// Empty for the default route.
    pub paths: Vec<Spanned<String>>,
    pub to: Option<RouteTarget>,
    pub backend_settings: Option<Ref<BackendSettingsId>>,
    pub rewrite_rule_set: Option<Ref<RewriteRuleSetId>>,
}

#[derive(Debug, Clone)]
pub struct BackendPool {
    pub decl: Decl,
    pub app_gateway: AppGatewayId,
    pub fqdns: Vec<Spanned<String>>,
    pub ip_addresses: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct BackendSettings {
    pub decl: Decl,
    pub app_gateway: AppGatewayId,
    pub port: Spanned<u16>,
    /// `true` for Https.
    pub https: Spanned<bool>,
    pub host_name: Option<Spanned<String>>,
    pub pick_host_name_from_backend: Spanned<bool>,
    pub trusted_root_certificates: Vec<Ref<CertificateId>>,
    pub request_timeout: u32,
    pub probe: Option<Probe>,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub span: Span,
    pub path: Spanned<String>,
    pub host: Option<Spanned<String>>,
    pub interval: u32,
    pub timeout: u32,
    pub unhealthy_threshold: u32,
    pub match_status_codes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RewriteRuleSet {
    pub decl: Decl,
    pub app_gateway: AppGatewayId,
    /// Rules in sequence order.
    pub rules: Vec<RewriteRule>,
}

#[derive(Debug, Clone)]
pub struct RewriteRule {
    pub name: String,
    pub span: Span,
    pub sequence: i64,
    pub conditions: Vec<RewriteCondition>,
    pub request_headers: Vec<HeaderRewrite>,
    pub response_headers: Vec<HeaderRewrite>,
}

#[derive(Debug, Clone)]
pub struct RewriteCondition {
    pub span: Span,
    pub variable: Spanned<String>,
    pub pattern: Spanned<String>,
    pub ignore_case: bool,
    pub negate: bool,
}

/// Sets a header (an empty value removes it).
#[derive(Debug, Clone)]
pub struct HeaderRewrite {
    pub header: Spanned<String>,
    pub value: Spanned<String>,
}

impl Builder<'_> {
    fn ssl_policy(&self, node: &Node) -> Option<SslPolicy> {
        let p = node.child("ssl_policy")?;
        Some(SslPolicy {
            span: p.span,
            policy_type: self.string(p, "policy_type"),
            policy_name: self.string(p, "policy_name"),
            min_protocol_version: self.string(p, "min_protocol_version"),
            cipher_suites: self.strings(p, "cipher_suites"),
        })
    }

    pub(super) fn app_gateway(&mut self, node: &Node) {
        let id: AppGatewayId = self.id_of(node);
        let gateway = AppGateway {
            decl: self.decl(node),
            azure_name: self.string_or(node, "name", node.label()),
            sku: self.string_or(node, "sku", "WAF_v2"),
            capacity: self.integer(node, "capacity"),
            min_capacity: self.integer(node, "min_capacity"),
            max_capacity: self.integer(node, "max_capacity"),
            subnet: self.reference(node, "subnet"),
            identity: self.reference(node, "identity"),
            public_frontend: self.flag_or(node, "public_frontend", true),
            private_ip_address: self.string(node, "private_ip_address"),
            http2_enabled: self.flag_or(node, "http2_enabled", false),
            waf_mode: self.string(node, "waf_mode"),
            zones: self
                .strings(node, "zones")
                .into_iter()
                .map(|s| s.value)
                .collect(),
            ssl_policy: self.ssl_policy(node),
            ssl_profiles: self.child_ids(node, "ssl_profile"),
            listeners: self.child_ids(node, "listener"),
            backend_pools: self.child_ids(node, "backend_pool"),
            backend_settings: self.child_ids(node, "backend_settings"),
            rewrite_rule_sets: self.child_ids(node, "rewrite_rule_set"),
        };
        self.model.app_gateways.push(gateway);
        for child in node.children_named("ssl_profile") {
            self.ssl_profile(child, id);
        }
        for child in node.children_named("listener") {
            self.listener(child, id);
        }
        for child in node.children_named("backend_pool") {
            let pool = BackendPool {
                decl: self.decl(child),
                app_gateway: id,
                fqdns: self.strings(child, "fqdns"),
                ip_addresses: self.strings(child, "ip_addresses"),
            };
            self.model.backend_pools.push(pool);
        }
        for child in node.children_named("backend_settings") {
            self.backend_settings_block(child, id);
        }
        for child in node.children_named("rewrite_rule_set") {
            self.rewrite_rule_set(child, id);
        }
    }

    fn ssl_profile(&mut self, node: &Node, app_gateway: AppGatewayId) {
        let revocation = self.string_or(node, "verify_client_revocation", "None");
        let mode = self.string_or(node, "client_auth_mode", "Strict");
        let profile = SslProfile {
            decl: self.decl(node),
            app_gateway,
            trusted_client_cas: self.references(node, "trusted_client_cas"),
            verify_client_cert_issuer_dn: self.flag_or(node, "verify_client_cert_issuer_dn", false),
            verify_client_revocation_ocsp: Spanned::new(
                revocation.value == "OCSP",
                revocation.span,
            ),
            client_auth_mode: Spanned::new(
                if mode.value == "Passthrough" {
                    ClientAuthMode::Passthrough
                } else {
                    ClientAuthMode::Strict
                },
                mode.span,
            ),
            ssl_policy: self.ssl_policy(node),
        };
        self.model.ssl_profiles.push(profile);
    }

    fn listener(&mut self, node: &Node, app_gateway: AppGatewayId) {
        let protocol = self.string_or(node, "protocol", "Https");
        let protocol = Spanned::new(
            if protocol.value == "Http" {
                ListenerProtocol::Http
            } else {
                ListenerProtocol::Https
            },
            protocol.span,
        );
        let default_port = if protocol.value == ListenerProtocol::Http {
            80
        } else {
            443
        };
        let port = self
            .integer(node, "port")
            .map_or(Spanned::new(default_port, node.ident_span), |p| {
                Spanned::new(p.value as u16, p.span)
            });
        let mut host_names: Vec<Spanned<String>> =
            self.string(node, "host_name").into_iter().collect();
        host_names.extend(self.strings(node, "host_names"));
        let routes = node
            .children_named("route")
            .map(|r| {
                let to = r.value("to").cloned().and_then(|v| {
                    let (kind, index, span) = self.resolve(
                        r,
                        &v,
                        &[
                            crate::schema::Kind::Hostname,
                            crate::schema::Kind::BackendPool,
                        ],
                    )?;
                    Some(match kind {
                        crate::schema::Kind::Hostname => RouteTarget::Hostname(Ref {
                            id: HostnameId(index),
                            span,
                        }),
                        _ => RouteTarget::BackendPool(Ref {
                            id: BackendPoolId(index),
                            span,
                        }),
                    })
                });
                Route {
                    name: r.label().to_string(),
                    span: r.span,
                    paths: self.strings(r, "paths"),
                    to,
                    backend_settings: self.reference(r, "backend_settings"),
                    rewrite_rule_set: self.reference(r, "rewrite_rule_set"),
                }
            })
            .collect();
        let listener = Listener {
            decl: self.decl(node),
            app_gateway,
            host_names,
            port,
            protocol,
            private_frontend: self.string_or(node, "frontend", "public").value == "private",
            certificate: self.reference(node, "certificate"),
            ssl_profile: self.reference(node, "ssl_profile"),
            routes,
        };
        self.model.listeners.push(listener);
    }

    fn backend_settings_block(&mut self, node: &Node, app_gateway: AppGatewayId) {
        let protocol = self.string_or(node, "protocol", "Https");
        let port = self
            .integer(node, "port")
            .unwrap_or_else(|| Spanned::new(443, node.ident_span));
        let probe = node.child("probe").map(|p| Probe {
            span: p.span,
            path: self.string_or(p, "path", "/"),
            host: self.string(p, "host"),
            interval: self.integer(p, "interval").map_or(30, |v| v.value as u32),
            timeout: self.integer(p, "timeout").map_or(30, |v| v.value as u32),
            unhealthy_threshold: self
                .integer(p, "unhealthy_threshold")
                .map_or(3, |v| v.value as u32),
            match_status_codes: self
                .strings(p, "match_status_codes")
                .into_iter()
                .map(|s| s.value)
                .collect(),
        });
        let settings = BackendSettings {
            decl: self.decl(node),
            app_gateway,
            port: Spanned::new(port.value as u16, port.span),
            https: Spanned::new(protocol.value == "Https", protocol.span),
            host_name: self.string(node, "host_name"),
            pick_host_name_from_backend: self.flag_or(node, "pick_host_name_from_backend", false),
            trusted_root_certificates: self.references(node, "trusted_root_certificates"),
            request_timeout: self
                .integer(node, "request_timeout")
                .map_or(30, |v| v.value as u32),
            probe,
        };
        self.model.backend_settings.push(settings);
    }

    fn rewrite_rule_set(&mut self, node: &Node, app_gateway: AppGatewayId) {
        let headers = |b: &Self, rule: &Node, name: &str| -> Vec<HeaderRewrite> {
            rule.children_named(name)
                .map(|h| HeaderRewrite {
                    header: Spanned::new(
                        h.label().to_string(),
                        h.label.as_ref().map_or(h.span, |(_, s)| *s),
                    ),
                    value: b.string_or(h, "value", ""),
                })
                .collect()
        };
        let mut rules: Vec<RewriteRule> = node
            .children_named("rule")
            .map(|rule| RewriteRule {
                name: rule.label().to_string(),
                span: rule.span,
                sequence: self.integer(rule, "sequence").map_or(100, |s| s.value),
                conditions: rule
                    .children_named("condition")
                    .map(|c| RewriteCondition {
                        span: c.span,
                        variable: self.string_or(c, "variable", ""),
                        pattern: self.string_or(c, "pattern", ""),
                        ignore_case: self.flag_or(c, "ignore_case", false).value,
                        negate: self.flag_or(c, "negate", false).value,
                    })
                    .collect(),
                request_headers: headers(self, rule, "set_request_header"),
                response_headers: headers(self, rule, "set_response_header"),
            })
            .collect();
        rules.sort_by_key(|r| (r.sequence, r.name.clone()));
        let set = RewriteRuleSet {
            decl: self.decl(node),
            app_gateway,
            rules,
        };
        self.model.rewrite_rule_sets.push(set);
    }
}
