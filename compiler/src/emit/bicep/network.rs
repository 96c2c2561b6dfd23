//! Network security groups, virtual networks and Application Gateways in ARM's spelling.
//!
//! Subnets are written inside their virtual network (a redeployed network whose subnets are
//! separate child resources tries to delete them, and fails while they are in use) and
//! declared again as `existing` children under their own symbols, so other resources refer to
//! `snet_<...>.id` as in Terraform. Gateway blocks refer to each other by
//! `<gateway id>/<collection>/<name>`, with the names the plan gives them.

use super::syntax::{expr, id_ref, strings, Obj, Resource, Value};
use super::{Emitter, NETWORK, PRIVATE_DNS};
use crate::emit::plan::{self, AppGatewayPlan, RouteTargetPlan};
use crate::graph::NodeRef;
use crate::model::*;

impl Emitter<'_, '_> {
    pub(super) fn network_security_groups(&mut self) {
        let ids =
            (0..self.model.network_security_groups.len()).map(|i| NetworkSecurityGroupId(i as u32));
        for id in self.sorted(ids, NodeRef::NetworkSecurityGroup) {
            let nsg = &self.model[id];
            let rules = nsg
                .rules
                .iter()
                .map(|r| {
                    let mut p = Obj::new()
                        .opt("description", r.description.as_ref())
                        .set("priority", r.priority.value)
                        .set(
                            "direction",
                            match r.direction {
                                Direction::Inbound => "Inbound",
                                Direction::Outbound => "Outbound",
                            },
                        )
                        .set("access", if r.allow.value { "Allow" } else { "Deny" })
                        .set("protocol", &r.protocol)
                        .set("sourceAddressPrefix", &r.source_address_prefix)
                        .set("sourcePortRange", &r.source_port_range)
                        .set(
                            "destinationAddressPrefix",
                            &r.destination_address_prefix.value,
                        );
                    match r.destination_port_ranges.as_slice() {
                        [one] => p.push("destinationPortRange", one),
                        many => p.push("destinationPortRanges", Value::Array(strings(many))),
                    }
                    Obj::new()
                        .set("name", r.name.replace('_', "-"))
                        .set("properties", p)
                        .into()
                })
                .collect();
            let body = self
                .located(Obj::new().set("name", &nsg.azure_name.value))
                .set(
                    "properties",
                    Obj::new().set("securityRules", Value::Array(rules)),
                );
            self.push(Resource {
                comment: Some(nsg.decl.address.clone()),
                symbol: self.symbol(NodeRef::NetworkSecurityGroup(id)),
                type_version: format!("Microsoft.Network/networkSecurityGroups@{NETWORK}"),
                existing: false,
                body,
            });
        }
    }

    pub(super) fn virtual_networks(&mut self) {
        let ids = (0..self.model.virtual_networks.len()).map(|i| VirtualNetworkId(i as u32));
        for id in self.sorted(ids, NodeRef::VirtualNetwork) {
            let vnet = &self.model[id];
            let symbol = self.symbol(NodeRef::VirtualNetwork(id));
            let external = plan::external_group(&self.plan.deployment, &vnet.resource_group);
            let body = match external {
                Some(rg) => Obj::new().set("name", &vnet.azure_name.value).set(
                    "scope",
                    expr(format!("resourceGroup({})", super::quote(rg))),
                ),
                None => {
                    let subnets = self
                        .sorted_subnets(&vnet.subnets)
                        .into_iter()
                        .map(|s| self.subnet(s).into())
                        .collect();
                    self.located(Obj::new().set("name", &vnet.azure_name.value))
                        .set(
                            "properties",
                            Obj::new()
                                .set(
                                    "addressSpace",
                                    Obj::new().set(
                                        "addressPrefixes",
                                        Value::Array(
                                            vnet.address_space
                                                .iter()
                                                .map(|a| Value::Str(a.value.clone()))
                                                .collect(),
                                        ),
                                    ),
                                )
                                .set("subnets", Value::Array(subnets)),
                        )
                }
            };
            self.push(Resource {
                comment: Some(vnet.decl.address.clone()),
                symbol: symbol.clone(),
                type_version: format!("Microsoft.Network/virtualNetworks@{NETWORK}"),
                existing: external.is_some(),
                body,
            });
            for s in self.sorted_subnets(&vnet.subnets) {
                let subnet = &self.model[s];
                self.push(Resource {
                    comment: Some(format!(
                        "{} (declared inside its virtual network)",
                        subnet.decl.address
                    )),
                    symbol: self.symbol(NodeRef::Subnet(s)),
                    type_version: format!("Microsoft.Network/virtualNetworks/subnets@{NETWORK}"),
                    existing: true,
                    body: Obj::new()
                        .set("parent", expr(symbol.clone()))
                        .set("name", &subnet.decl.name),
                });
            }
        }
    }

    /// Private DNS zones (a global resource), their A record sets and network links.
    pub(super) fn private_dns_zones(&mut self) {
        for zone in &self.plan.private_dns_zones {
            if let Some(rg) =
                plan::external_group(&self.plan.deployment, &self.model[zone.id].resource_group)
            {
                self.external_private_dns_zone(zone, rg.to_string());
                continue;
            }
            let mut body = Obj::new().set("name", &zone.name).set("location", "global");
            if !self.plan.deployment.tags.is_empty() {
                body = body.set("tags", expr("tags"));
            }
            self.push(Resource {
                comment: Some(self.model[zone.id].decl.address.clone()),
                symbol: zone.symbol.clone(),
                type_version: format!("Microsoft.Network/privateDnsZones@{PRIVATE_DNS}"),
                existing: false,
                body,
            });
            for record in &zone.a_records {
                let addresses = record
                    .addresses
                    .iter()
                    .map(|a| Obj::new().set("ipv4Address", a).into())
                    .collect();
                self.push(Resource {
                    comment: None,
                    symbol: record.symbol.clone(),
                    type_version: format!("Microsoft.Network/privateDnsZones/A@{PRIVATE_DNS}"),
                    existing: false,
                    body: Obj::new()
                        .set("parent", expr(zone.symbol.clone()))
                        .set("name", &record.name)
                        .set(
                            "properties",
                            Obj::new()
                                .set("ttl", plan::DNS_TTL)
                                .set("aRecords", Value::Array(addresses)),
                        ),
                });
            }
            for link in &zone.links {
                let vnet = self.symbol(NodeRef::VirtualNetwork(link.virtual_network));
                let mut body = Obj::new()
                    .set("parent", expr(zone.symbol.clone()))
                    .set("name", &link.name)
                    .set("location", "global");
                if !self.plan.deployment.tags.is_empty() {
                    body = body.set("tags", expr("tags"));
                }
                // Gateways and APIM get static records; automatic registration would add
                // every VM of the network to the zone.
                body = body.set(
                    "properties",
                    Obj::new()
                        .set(
                            "virtualNetwork",
                            Obj::new().set("id", expr(format!("{vnet}.id"))),
                        )
                        .set("registrationEnabled", false),
                );
                self.push(Resource {
                    comment: None,
                    symbol: link.symbol.clone(),
                    type_version: format!(
                        "Microsoft.Network/privateDnsZones/virtualNetworkLinks@{PRIVATE_DNS}"
                    ),
                    existing: false,
                    body,
                });
            }
        }
    }

    /// A zone owned in another resource group: its record sets and links are deployed there
    /// by a module, as a resource group deployment cannot create children elsewhere.
    fn external_private_dns_zone(&mut self, zone: &plan::PrivateDnsZonePlan, rg: String) {
        let records = zone
            .a_records
            .iter()
            .map(|r| {
                Obj::new()
                    .set("name", &r.name)
                    .set("ttl", plan::DNS_TTL)
                    .set("addresses", Value::Array(strings(&r.addresses)))
                    .into()
            })
            .collect();
        let links = zone
            .links
            .iter()
            .map(|l| {
                let vnet = self.symbol(NodeRef::VirtualNetwork(l.virtual_network));
                Obj::new()
                    .set("name", &l.name)
                    .set("virtualNetworkId", expr(format!("{vnet}.id")))
                    .into()
            })
            .collect();
        self.use_module(super::EXTERNAL_DNS_MODULE, super::EXTERNAL_DNS_MODULE_TEXT);
        self.modules.push(super::syntax::Module {
            comment: Some(format!(
                "{} (existing, in resource group {rg}): its records and links",
                self.model[zone.id].decl.address
            )),
            symbol: zone.symbol.clone(),
            path: super::EXTERNAL_DNS_MODULE.into(),
            body: Obj::new()
                .set(
                    "name",
                    format!(
                        "{}-{}",
                        self.plan.deployment.name,
                        zone.symbol.replace('_', "-")
                    ),
                )
                .set(
                    "scope",
                    expr(format!("resourceGroup({})", super::quote(&rg))),
                )
                .set(
                    "params",
                    Obj::new()
                        .set("zoneName", &zone.name)
                        .set("records", Value::Array(records))
                        .set("links", Value::Array(links)),
                ),
        });
    }

    /// Subnets by name, as Azure keys them.
    fn sorted_subnets(&self, ids: &[SubnetId]) -> Vec<SubnetId> {
        let mut v = ids.to_vec();
        v.sort_by(|a, b| self.model[*a].decl.name.cmp(&self.model[*b].decl.name));
        v
    }

    fn subnet(&self, id: SubnetId) -> Obj {
        let s = &self.model[id];
        let endpoints = s
            .service_endpoints
            .iter()
            .map(|e| Obj::new().set("service", &e.value).into())
            .collect();
        let delegations = s
            .delegation
            .iter()
            .map(|d| {
                Obj::new()
                    .set("name", "delegation")
                    .set("properties", Obj::new().set("serviceName", &d.value))
                    .into()
            })
            .collect();
        let properties = Obj::new()
            .set("addressPrefix", &s.address_prefix.value)
            .opt(
                "networkSecurityGroup",
                s.network_security_group.map(|n| {
                    id_ref(format!(
                        "{}.id",
                        self.symbol(NodeRef::NetworkSecurityGroup(n.id))
                    ))
                }),
            )
            .list("serviceEndpoints", endpoints)
            .list("delegations", delegations);
        Obj::new()
            .set("name", &s.decl.name)
            .set("properties", properties)
    }

    pub(super) fn app_gateways(&mut self) {
        let mut gateways: Vec<&AppGatewayPlan> = self.plan.app_gateways.iter().collect();
        gateways.sort_by(|a, b| a.symbol.cmp(&b.symbol));
        for gw in gateways {
            self.app_gateway(gw);
        }
    }

    fn app_gateway(&mut self, p: &AppGatewayPlan) {
        let gw = &self.model[p.id];
        let symbol = p.symbol.clone();
        let id_var = format!("{symbol}_id");
        self.vars.push((
            id_var.clone(),
            expr(format!(
                "resourceId('Microsoft.Network/applicationGateways', {})",
                super::quote(&gw.azure_name.value)
            )),
        ));
        let sub = |collection: &str, name: &str| {
            id_ref(format!(
                "'${{{id_var}}}/{collection}/{}'",
                name.replace('\\', "\\\\").replace('\'', "\\'")
            ))
        };

        if let Some((pip, name)) = &p.public_ip {
            let body = self
                .located(Obj::new().set("name", name))
                .set(
                    "sku",
                    Obj::new().set("name", "Standard").set("tier", "Regional"),
                )
                .list("zones", strings(&gw.zones))
                .set(
                    "properties",
                    Obj::new()
                        .set("publicIPAllocationMethod", "Static")
                        .set("publicIPAddressVersion", "IPv4"),
                );
            self.push(Resource {
                comment: Some(format!("{}: public frontend", gw.decl.address)),
                symbol: pip.clone(),
                type_version: format!("Microsoft.Network/publicIPAddresses@{NETWORK}"),
                existing: false,
                body,
            });
        }
        if let Some((waf, name)) = &p.waf_policy {
            let mode = gw
                .waf_mode
                .as_ref()
                .map_or("Prevention", |m| m.value.as_str());
            let body = self.located(Obj::new().set("name", name)).set(
                "properties",
                Obj::new()
                    .set(
                        "policySettings",
                        Obj::new()
                            .set("state", "Enabled")
                            .set("mode", mode)
                            .set("requestBodyCheck", true),
                    )
                    .set(
                        "managedRules",
                        Obj::new().set(
                            "managedRuleSets",
                            vec![Obj::new()
                                .set("ruleSetType", "OWASP")
                                .set("ruleSetVersion", "3.2")
                                .into()],
                        ),
                    ),
            );
            self.push(Resource {
                comment: Some(format!("{}: WAF policy", gw.decl.address)),
                symbol: waf.clone(),
                type_version: format!(
                    "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies@{NETWORK}"
                ),
                existing: false,
                body,
            });
        }

        // The identity the gateway reads Key Vault certificates with, and what grants it.
        let reader = gw.identity.map(|i| match self.model[i.id].kind.value {
            IdentityType::UserAssigned => plan::Principal::UserAssigned(i.id),
            IdentityType::SystemAssigned => plan::Principal::AppGateway(p.id),
        });
        let mut depends: Vec<String> = Vec::new();

        let mut ssl_certificates = Vec::new();
        for n in &p.ssl_certificates {
            let Some(props) =
                self.pfx_or_key_vault(n.certificate, "keyVaultSecretId", "data", "password")
            else {
                continue;
            };
            if let (Some(r), plan::CertificateData::KeyVault { vault, .. }) =
                (reader, &self.plan.certificates[n.certificate.index()])
            {
                depends.extend(self.grants(r, *vault));
            }
            ssl_certificates.push(
                Obj::new()
                    .set("name", &n.name)
                    .set("properties", props)
                    .into(),
            );
        }
        let trusted_client = p
            .trusted_client_certificates
            .iter()
            .filter_map(|n| {
                let data = self.public_data(n.certificate)?;
                Some(
                    Obj::new()
                        .set("name", &n.name)
                        .set("properties", Obj::new().set("data", data))
                        .into(),
                )
            })
            .collect();
        let mut trusted_root = Vec::new();
        for n in &p.trusted_root_certificates {
            let props = match &self.plan.certificates[n.certificate.index()] {
                plan::CertificateData::KeyVault {
                    secret_id, vault, ..
                } => {
                    if let Some(r) = reader {
                        depends.extend(self.grants(r, *vault));
                    }
                    Obj::new().set("keyVaultSecretId", secret_id)
                }
                _ => match self.public_data(n.certificate) {
                    Some(data) => Obj::new().set("data", data),
                    None => continue,
                },
            };
            trusted_root.push(
                Obj::new()
                    .set("name", &n.name)
                    .set("properties", props)
                    .into(),
            );
        }

        let ssl_profiles = p
            .ssl_profiles
            .iter()
            .map(|sp| {
                let profile = &self.model[sp.id];
                let mut client_auth = Obj::new()
                    .set(
                        "verifyClientCertIssuerDN",
                        profile.verify_client_cert_issuer_dn.value,
                    )
                    .set(
                        "verifyClientRevocation",
                        if profile.verify_client_revocation_ocsp.value {
                            "OCSP"
                        } else {
                            "None"
                        },
                    );
                // `verifyClientAuthMode` exists from Network API 2025-03-01 on (pinned here:
                // 2025-05-01); Passthrough asks for a certificate without requiring one.
                client_auth.push(
                    "verifyClientAuthMode",
                    match profile.client_auth_mode.value {
                        ClientAuthMode::Strict => "Strict",
                        ClientAuthMode::Passthrough => "Passthrough",
                    },
                );
                let trusted = sp
                    .trusted_client_certificate_names
                    .iter()
                    .map(|n| sub("trustedClientCertificates", n))
                    .collect();
                let props = Obj::new()
                    .list("trustedClientCertificates", trusted)
                    .set("clientAuthConfiguration", client_auth)
                    .opt("sslPolicy", profile.ssl_policy.as_ref().map(ssl_policy));
                Obj::new()
                    .set("name", &sp.name)
                    .set("properties", props)
                    .into()
            })
            .collect();

        let mut frontends = Vec::new();
        if let Some((pip, _)) = &p.public_ip {
            frontends.push(
                Obj::new()
                    .set("name", "public")
                    .set(
                        "properties",
                        Obj::new().set("publicIPAddress", id_ref(format!("{pip}.id"))),
                    )
                    .into(),
            );
        }
        let subnet_id = match (gw.subnet, &p.subnet_input) {
            (Some(s), _) => Some(expr(format!("{}.id", self.symbol(NodeRef::Subnet(s.id))))),
            (None, Some(input)) => Some(self.param(input)),
            (None, None) => None,
        };
        let uses_private = p
            .listeners
            .iter()
            .any(|l| l.frontend_ip_configuration == "private");
        if uses_private || gw.private_ip_address.is_some() {
            let mut props = Obj::new();
            match &gw.private_ip_address {
                Some(ip) => {
                    props.push("privateIPAddress", &ip.value);
                    props.push("privateIPAllocationMethod", "Static");
                }
                None => props.push("privateIPAllocationMethod", "Dynamic"),
            }
            if let Some(s) = &subnet_id {
                props.push("subnet", Obj::new().set("id", s.clone()));
            }
            frontends.push(
                Obj::new()
                    .set("name", "private")
                    .set("properties", props)
                    .into(),
            );
        }
        let gateway_ip = subnet_id
            .iter()
            .map(|s| {
                Obj::new()
                    .set("name", "gateway-ip")
                    .set(
                        "properties",
                        Obj::new().set("subnet", Obj::new().set("id", s.clone())),
                    )
                    .into()
            })
            .collect();
        let ports = p
            .frontend_ports
            .iter()
            .map(|(name, port)| {
                Obj::new()
                    .set("name", name)
                    .set("properties", Obj::new().set("port", *port))
                    .into()
            })
            .collect();

        let listeners = p
            .listeners
            .iter()
            .map(|l| {
                let listener = &self.model[l.id];
                let https = listener.protocol.value == ListenerProtocol::Https;
                let props = Obj::new()
                    .set(
                        "frontendIPConfiguration",
                        sub("frontendIPConfigurations", l.frontend_ip_configuration),
                    )
                    .set("frontendPort", sub("frontendPorts", &l.frontend_port))
                    .set("protocol", if https { "Https" } else { "Http" })
                    .opt(
                        "sslCertificate",
                        l.ssl_certificate
                            .as_ref()
                            .map(|c| sub("sslCertificates", c)),
                    )
                    .opt(
                        "sslProfile",
                        l.ssl_profile.as_ref().map(|s| sub("sslProfiles", s)),
                    )
                    .list("hostNames", strings(&l.host_names));
                Obj::new()
                    .set("name", &l.name)
                    .set("properties", props)
                    .into()
            })
            .collect();

        let pools = p
            .backend_pools
            .iter()
            .map(|pool| {
                let addresses = pool
                    .fqdns
                    .iter()
                    .map(|f| Obj::new().set("fqdn", f).into())
                    .chain(
                        pool.ip_addresses
                            .iter()
                            .map(|a| Obj::new().set("ipAddress", a).into()),
                    )
                    .collect();
                Obj::new()
                    .set("name", &pool.name)
                    .set("properties", Obj::new().list("backendAddresses", addresses))
                    .into()
            })
            .collect();

        let mut probes = Vec::new();
        let mut settings = Vec::new();
        for s in &p.backend_settings {
            let bs = &self.model[s.id];
            let protocol = if bs.https.value { "Https" } else { "Http" };
            let trusted = s
                .trusted_root_certificate_names
                .iter()
                .map(|n| sub("trustedRootCertificates", n))
                .collect();
            let mut props = Obj::new()
                .set("port", bs.port.value)
                .set("protocol", protocol)
                .set("cookieBasedAffinity", "Disabled")
                .set("requestTimeout", bs.request_timeout);
            match &bs.host_name {
                Some(h) => props.push("hostName", &h.value),
                None => props.push(
                    "pickHostNameFromBackendAddress",
                    bs.pick_host_name_from_backend.value,
                ),
            }
            props = props
                .opt("probe", s.probe.as_ref().map(|n| sub("probes", n)))
                .list("trustedRootCertificates", trusted);
            settings.push(
                Obj::new()
                    .set("name", &s.name)
                    .set("properties", props)
                    .into(),
            );
            if let (Some(name), Some(probe)) = (&s.probe, &bs.probe) {
                let mut pp = Obj::new().set("protocol", protocol);
                match &probe.host {
                    Some(h) => pp.push("host", &h.value),
                    None => pp.push("pickHostNameFromBackendHttpSettings", true),
                }
                pp = pp
                    .set("path", &probe.path.value)
                    .set("interval", probe.interval)
                    .set("timeout", probe.timeout)
                    .set("unhealthyThreshold", probe.unhealthy_threshold);
                let codes = if probe.match_status_codes.is_empty() {
                    vec!["200-399".to_string()]
                } else {
                    probe.match_status_codes.clone()
                };
                pp.push(
                    "match",
                    Obj::new().set("statusCodes", Value::Array(strings(&codes))),
                );
                probes.push(Obj::new().set("name", name).set("properties", pp).into());
            }
        }
        for d in &p.derived_settings {
            let mut props = Obj::new()
                .set("port", d.port)
                .set("protocol", "Https")
                .set("cookieBasedAffinity", "Disabled")
                .set("requestTimeout", 30u32);
            match &d.host_name {
                Some(h) => props.push("hostName", h),
                None => props.push("pickHostNameFromBackendAddress", true),
            }
            props = props.opt("probe", d.probe.as_ref().map(|n| sub("probes", n)));
            if let (Some(name), Some(host)) = (&d.probe, &d.host_name) {
                probes.push(derived_probe(name, host));
            }
            settings.push(
                Obj::new()
                    .set("name", &d.name)
                    .set("properties", props)
                    .into(),
            );
        }

        let rewrite_sets = p
            .rewrite_rule_sets
            .iter()
            .map(|id| {
                let set = &self.model[*id];
                let rules = set
                    .rules
                    .iter()
                    .map(|r| {
                        let conditions = r
                            .conditions
                            .iter()
                            .map(|c| {
                                Obj::new()
                                    .set("variable", &c.variable.value)
                                    .set("pattern", &c.pattern.value)
                                    .set("ignoreCase", c.ignore_case)
                                    .set("negate", c.negate)
                                    .into()
                            })
                            .collect();
                        let headers = |list: &[HeaderRewrite]| -> Vec<Value> {
                            list.iter()
                                .map(|h| {
                                    Obj::new()
                                        .set("headerName", &h.header.value)
                                        .set("headerValue", &h.value.value)
                                        .into()
                                })
                                .collect()
                        };
                        let actions = Obj::new()
                            .list("requestHeaderConfigurations", headers(&r.request_headers))
                            .list("responseHeaderConfigurations", headers(&r.response_headers));
                        Obj::new()
                            .set("name", r.name.replace('_', "-"))
                            .set("ruleSequence", r.sequence)
                            .list("conditions", conditions)
                            .set("actionSet", actions)
                            .into()
                    })
                    .collect();
                Obj::new()
                    .set("name", set.decl.name.replace('_', "-"))
                    .set(
                        "properties",
                        Obj::new().set("rewriteRules", Value::Array(rules)),
                    )
                    .into()
            })
            .collect();

        let target = |o: Obj, t: &RouteTargetPlan, prefix: &str| -> Obj {
            let key = |k: &str| {
                if prefix.is_empty() {
                    k.to_string()
                } else {
                    let mut c = k.chars();
                    let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('x');
                    format!("{prefix}{first}{}", c.as_str())
                }
            };
            o.set(
                &key("backendAddressPool"),
                sub("backendAddressPools", &t.backend_pool),
            )
            .set(
                &key("backendHttpSettings"),
                sub("backendHttpSettingsCollection", &t.settings_name()),
            )
            .opt(
                &key("rewriteRuleSet"),
                t.rewrite_rule_set
                    .as_ref()
                    .map(|r| sub("rewriteRuleSets", r)),
            )
        };
        let rules = p
            .rules
            .iter()
            .map(|r| {
                let props = Obj::new()
                    .set(
                        "ruleType",
                        match r.kind {
                            plan::RuleKind::Basic(_) => "Basic",
                            plan::RuleKind::PathBased { .. } => "PathBasedRouting",
                        },
                    )
                    .set("priority", r.priority)
                    .set("httpListener", sub("httpListeners", &r.listener));
                let props = match &r.kind {
                    plan::RuleKind::Basic(t) => target(props, t, ""),
                    plan::RuleKind::PathBased { url_path_map } => {
                        props.set("urlPathMap", sub("urlPathMaps", url_path_map))
                    }
                };
                Obj::new()
                    .set("name", &r.name)
                    .set("properties", props)
                    .into()
            })
            .collect();
        let path_maps = p
            .url_path_maps
            .iter()
            .map(|m| {
                // Azure requires a default target; without a default route the first path
                // rule's target serves unmatched paths.
                let default = m
                    .default
                    .as_ref()
                    .or_else(|| m.paths.first().map(|r| &r.target));
                let mut props = Obj::new();
                if let Some(d) = default {
                    props = target(props, d, "default");
                }
                let paths = m
                    .paths
                    .iter()
                    .map(|r| {
                        let pp = Obj::new().set("paths", Value::Array(strings(&r.paths)));
                        Obj::new()
                            .set("name", &r.name)
                            .set("properties", target(pp, &r.target, ""))
                            .into()
                    })
                    .collect();
                Obj::new()
                    .set("name", &m.name)
                    .set("properties", props.set("pathRules", Value::Array(paths)))
                    .into()
            })
            .collect();

        let tier = gw.sku.value.clone();
        let mut sku = Obj::new().set("name", &gw.sku.value).set("tier", tier);
        if gw.min_capacity.is_none() {
            if let Some(c) = &gw.capacity {
                sku.push("capacity", c.value);
            }
        }
        let mut props = Obj::new().set("sku", sku);
        if let Some(min) = &gw.min_capacity {
            props.push(
                "autoscaleConfiguration",
                Obj::new()
                    .set("minCapacity", min.value)
                    .opt("maxCapacity", gw.max_capacity.as_ref().map(|m| m.value)),
            );
        }
        props = props
            .set("enableHttp2", gw.http2_enabled.value)
            .opt("sslPolicy", gw.ssl_policy.as_ref().map(ssl_policy))
            .opt(
                "firewallPolicy",
                p.waf_policy
                    .as_ref()
                    .map(|(w, _)| id_ref(format!("{w}.id"))),
            )
            .list("gatewayIPConfigurations", gateway_ip)
            .list("frontendIPConfigurations", frontends)
            .list("frontendPorts", ports)
            .list("sslCertificates", ssl_certificates)
            .list("trustedClientCertificates", trusted_client)
            .list("trustedRootCertificates", trusted_root)
            .list("sslProfiles", ssl_profiles)
            .list("httpListeners", listeners)
            .list("backendAddressPools", pools)
            .list("probes", probes)
            .list("backendHttpSettingsCollection", settings)
            .list("rewriteRuleSets", rewrite_sets)
            .list("urlPathMaps", path_maps)
            .list("requestRoutingRules", rules);

        let mut body = self
            .located(Obj::new().set("name", &gw.azure_name.value))
            .list("zones", strings(&gw.zones));
        if let Some(i) = gw.identity {
            if self.model[i.id].kind.value == IdentityType::UserAssigned {
                let sym = self.symbol(NodeRef::Identity(i.id));
                body.push(
                    "identity",
                    Obj::new().set("type", "UserAssigned").set(
                        "userAssignedIdentities",
                        Obj::new().set_expr_key(super::id_key(&sym), Obj::new()),
                    ),
                );
            }
        }
        body.push("properties", props);
        depends.sort();
        depends.dedup();
        let body = body.list("dependsOn", depends.into_iter().map(expr).collect());
        self.push(Resource {
            comment: Some(gw.decl.address.clone()),
            symbol,
            type_version: format!("Microsoft.Network/applicationGateways@{NETWORK}"),
            existing: false,
            body,
        });
    }
}

fn ssl_policy(p: &SslPolicy) -> Obj {
    Obj::new()
        .opt("policyType", p.policy_type.as_ref().map(|s| &s.value))
        .opt("policyName", p.policy_name.as_ref().map(|s| &s.value))
        .opt(
            "minProtocolVersion",
            p.min_protocol_version.as_ref().map(|s| &s.value),
        )
        .list(
            "cipherSuites",
            p.cipher_suites
                .iter()
                .map(|c| Value::Str(c.value.clone()))
                .collect(),
        )
}

/// The probe of settings derived for an API Management hostname: its status path, which
/// answers 200 without a subscription key (the default probe's `/` gets a 404, GH803).
fn derived_probe(name: &str, host: &str) -> Value {
    let properties = Obj::new()
        .set("protocol", "Https")
        .set("host", host)
        .set("path", plan::APIM_STATUS_PATH)
        .set("interval", 30u32)
        .set("timeout", 30u32)
        .set("unhealthyThreshold", 3u32)
        .set(
            "match",
            Obj::new().set(
                "statusCodes",
                Value::Array(strings(&["200-399".to_string()])),
            ),
        );
    Obj::new()
        .set("name", name)
        .set("properties", properties)
        .into()
}
