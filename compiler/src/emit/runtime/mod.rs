//! `runtime/runtime.json`: the topology as the bundled runtime runs it on a laptop or in CI,
//! with the types of `gatehouse-runtime-config` (the schema, docs/runtime.md).
//!
//! Decisions made here, once:
//! - **Local addresses.** Every Azure frontend port of gateway number `g` (in name order)
//!   becomes `127.0.0.1:<base + port + 100·g>` (base 8000: 443 → 8443); every gateway
//!   hostname of API Management instance number `i` is served on
//!   `127.0.0.1:<base + 1443 + 100·i>` (9443). Host names stay
//!   Azure's: SNI and `Host` select the listener or hostname, as in Azure.
//! - **Certificates.** Public certificates (trusted client CAs, trusted roots, CA store
//!   entries) are written as PEM under `certs/`, from the bytes the checks read, whatever
//!   their format. A certificate the runtime must present (listener, hostname, client
//!   certificate of a backend) needs its private key, which is never copied: the config
//!   references the topology's `pem` + `private_key` files, or for a Key Vault or PFX
//!   certificate the local stand-in `.gatehouse/pki/<label>.pem` / `.key` (dev PKI), by a path
//!   relative to `runtime/`. Without one, GH721.
//! - **Policies.** Each operation carries its effective policy, scopes merged and fragments
//!   inlined (`policy.rs`); what the runtime cannot execute is GH720.
//!
//! **Invariant:** no private key, password or secret value is written: keys are file
//! references, and named values are not part of the config.

mod policy;

use super::plan::Plan;
use super::Files;
use crate::certs::Inventory;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::Graph;
use crate::model::*;
use crate::syntax::World;
use gatehouse_runtime_config as rc;
use std::collections::BTreeMap;

crate::declare_code! {
    /// ## What it checks
    /// The runtime target is compiled and a policy statement or expression in effect for an
    /// operation is one the bundled runtime cannot execute (for example `validate-jwt`,
    /// `set-variable`, or an expression outside the documented subset).
    /// ## Why
    /// The runtime exists to show locally the accept and reject decisions Azure makes. A
    /// policy it skipped would let requests through that Azure rejects (or the reverse), so
    /// every local test would prove nothing. gatehouse stops instead.
    /// ## Example
    /// ```hcl
    /// policy {
    ///   inbound {
    ///     validate_jwt { header_name = "Authorization" }
    ///   }
    /// }
    /// ```
    /// ## Fix
    /// Keep the policy to what docs/runtime.md lists, or compile the deployment targets only
    /// (`gatehouse compile --target terraform,bicep`).
    pub static RUNTIME_CANNOT_EXECUTE = "GH720", "runtime-cannot-execute", Severity::Error;
}

crate::declare_code! {
    /// ## What it checks
    /// The runtime target is compiled and a certificate the runtime must present (a
    /// listener's or hostname's server certificate, a backend client certificate) has no
    /// local private key: it is in Key Vault, or a PFX, and the dev PKI has no stand-in.
    /// ## Why
    /// Locally there is no Key Vault, and gatehouse never copies a private key into
    /// generated files: the runtime config can only reference a key file that exists.
    /// ## Example
    /// ```hcl
    /// certificate "gateway_tls" {
    ///   key_vault = { vault = key_vault.edge, secret_name = "gateway-tls" }
    /// }
    /// ```
    /// ## Fix
    /// Run `gatehouse pki init` to create `.gatehouse/pki/gateway_tls.pem` and `.key`, or
    /// give the certificate `pem` and `private_key` files.
    pub static RUNTIME_NEEDS_LOCAL_KEY = "GH721", "runtime-needs-local-key", Severity::Error;
}

/// Where the dev PKI keeps local stand-ins, relative to the topology root.
pub const PKI_DIR: &str = ".gatehouse/pki";

/// The default base of local ports: a gateway's frontend port 443 is served on 8443.
pub const PORT_BASE: u16 = 8000;
/// API Management hostnames are served on `base + APIM_PORT_OFFSET` (9443 by default).
pub const APIM_PORT_OFFSET: u16 = 1443;

/// How the runtime target reaches the topology's own files, and where it listens.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// The topology root as seen from `OUT/runtime/` (`../../examples/x`), for the key files
    /// the config references.
    pub root: String,
    /// The base of the local ports ([`PORT_BASE`] by default).
    pub port_base: u16,
    /// `runtime.resolve`: backend host name → local address (`gatehouse up`'s echo backends).
    pub resolve: BTreeMap<String, String>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            root: String::from("../.."),
            port_base: PORT_BASE,
            resolve: BTreeMap::new(),
        }
    }
}

/// The runtime target's files and the diagnostics that stop it.
pub fn emit(
    plan: &Plan,
    graph: &Graph,
    world: &dyn World,
    options: &RuntimeOptions,
) -> (Files, Vec<Diagnostic>) {
    let inventory = crate::certs::inspect(plan.model, world);
    let mut e = Emitter {
        model: plan.model,
        graph,
        world,
        inventory: &inventory,
        options,
        files: Files::new(),
        diagnostics: Vec::new(),
    };
    let config = e.config();
    let Emitter {
        mut files,
        diagnostics,
        ..
    } = e;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (Files::new(), diagnostics);
    }
    files.insert(
        rc::CONFIG_FILE_NAME.to_string(),
        config.to_json().into_bytes(),
    );
    (files, diagnostics)
}

struct Emitter<'a, 'g> {
    model: &'a Model,
    graph: &'a Graph<'g>,
    world: &'a dyn World,
    inventory: &'a Inventory,
    options: &'a RuntimeOptions,
    files: Files,
    diagnostics: Vec<Diagnostic>,
}

impl Emitter<'_, '_> {
    fn config(&mut self) -> rc::RuntimeConfig {
        let mut config = rc::RuntimeConfig::default();
        config.runtime.resolve = self.options.resolve.clone();
        // Azure trusts well-known CAs for backends; locally the dev PKI's server CA, which
        // issues the echo backends' certificates, stands for them.
        let server_ca = format!("{PKI_DIR}/server-ca.pem");
        if self.world.read(&server_ca).is_ok() {
            config.runtime.public_ca_files = vec![self.topology_path(&server_ca)];
        }
        let mut gateways: Vec<AppGatewayId> = (0..self.model.app_gateways.len())
            .map(|i| AppGatewayId(i as u32))
            .collect();
        gateways.sort_by(|a, b| self.model[*a].decl.name.cmp(&self.model[*b].decl.name));
        for (index, id) in gateways.into_iter().enumerate() {
            let gateway = self.app_gateway(id, index);
            config
                .application_gateways
                .insert(self.model[id].decl.name.clone(), gateway);
        }
        let mut instances: Vec<ApiManagementId> = (0..self.model.api_managements.len())
            .map(|i| ApiManagementId(i as u32))
            .collect();
        instances.sort_by(|a, b| self.model[*a].decl.name.cmp(&self.model[*b].decl.name));
        for (index, id) in instances.into_iter().enumerate() {
            let instance = self.api_management(id, index);
            config
                .api_managements
                .insert(self.model[id].decl.name.clone(), instance);
        }
        config
    }

    // -- Application Gateway ----------------------------------------------------------------

    fn app_gateway(&mut self, id: AppGatewayId, index: usize) -> rc::ApplicationGateway {
        let m = self.model;
        let gw = &m[id];
        let mut out = rc::ApplicationGateway::default();
        for p in &gw.ssl_profiles {
            let profile = &m[*p];
            let trusted_client_ca_files = profile
                .trusted_client_cas
                .iter()
                .filter_map(|c| self.public_pem(c.id))
                .collect();
            out.ssl_profiles.insert(
                profile.decl.name.clone(),
                rc::SslProfile {
                    trusted_client_ca_files,
                    crl_files: self.client_crls(profile),
                    verify_client_cert_issuer_dn: profile.verify_client_cert_issuer_dn.value,
                    mode: match profile.client_auth_mode.value {
                        ClientAuthMode::Passthrough => rc::VerifyClientAuthMode::Passthrough,
                        _ => rc::VerifyClientAuthMode::Strict,
                    },
                },
            );
        }
        let mut listeners = gw.listeners.clone();
        listeners.sort_by(|a, b| m[*a].decl.name.cmp(&m[*b].decl.name));
        for (rule_index, l) in listeners.iter().enumerate() {
            let listener = &m[*l];
            if listener.protocol.value != ListenerProtocol::Https {
                // Plain-HTTP listeners carry no certificate decisions; the runtime serves
                // the HTTPS ones (docs/runtime.md).
                continue;
            }
            let Some(cert) = listener.certificate else {
                continue;
            };
            let Some(certificate) = self.key_pair(cert.id, cert.span) else {
                continue;
            };
            let port = self
                .options
                .port_base
                .saturating_add(listener.port.value)
                .saturating_add(100 * index as u16);
            out.listeners.insert(
                listener.decl.name.clone(),
                rc::Listener {
                    bind: format!("127.0.0.1:{port}"),
                    host_names: listener
                        .host_names
                        .iter()
                        .map(|h| h.value.clone())
                        .collect(),
                    certificate,
                    ssl_profile: listener.ssl_profile.map(|p| m[p.id].decl.name.clone()),
                    http2: gw.http2_enabled.value,
                },
            );
            if let Some(rule) = self.routing_rule(listener, 100 + 10 * rule_index as u32) {
                out.routing_rules.insert(listener.decl.name.clone(), rule);
            }
        }
        out
    }

    /// Azure checks client revocation with OCSP; the runtime has no responder and checks the
    /// dev PKI's CRL instead, when the profile asks for revocation checks and there is one.
    fn client_crls(&self, profile: &SslProfile) -> Vec<String> {
        let crl = format!("{PKI_DIR}/clients.crl");
        if profile.verify_client_revocation_ocsp.value && self.world.read(&crl).is_ok() {
            vec![self.topology_path(&crl)]
        } else {
            Vec::new()
        }
    }

    fn routing_rule(&mut self, listener: &Listener, priority: u32) -> Option<rc::RoutingRule> {
        let default = listener
            .routes
            .iter()
            .find(|r| r.paths.is_empty())
            .or_else(|| listener.routes.first())?;
        let default_target = self.route_target(default)?;
        let mut path_rules = Vec::new();
        for route in listener.routes.iter().filter(|r| !r.paths.is_empty()) {
            if let Some(target) = self.route_target(route) {
                path_rules.push(rc::PathRule {
                    paths: route.paths.iter().map(|p| p.value.clone()).collect(),
                    target,
                });
            }
        }
        Some(rc::RoutingRule {
            priority,
            listener: listener.decl.name.clone(),
            path_rules,
            default_target,
            request_headers: self.rewrites(listener),
        })
    }

    /// The request headers the listener's rewrite sets set. The runtime has one rewrite set
    /// per rule; routes that name different sets, or rules with conditions, are GH720.
    fn rewrites(&mut self, listener: &Listener) -> Vec<rc::HeaderRewrite> {
        let m = self.model;
        let mut sets: Vec<RewriteRuleSetId> = listener
            .routes
            .iter()
            .filter_map(|r| r.rewrite_rule_set.map(|s| s.id))
            .collect();
        sets.sort_by_key(|s| s.index());
        sets.dedup();
        let Some(first) = sets.first() else {
            return Vec::new();
        };
        if sets.len() > 1 {
            self.diagnostics.push(
                Diagnostic::new(
                    &RUNTIME_CANNOT_EXECUTE,
                    listener.decl.span,
                    format!(
                        "the runtime cannot execute different rewrite rule sets on the paths of listener `{}`",
                        listener.decl.name
                    ),
                )
                .with_help("use one rewrite rule set for every route of the listener"),
            );
        }
        let mut out = Vec::new();
        for rule in &m[*first].rules {
            if let Some(condition) = rule.conditions.first() {
                self.diagnostics.push(
                    Diagnostic::new(
                        &RUNTIME_CANNOT_EXECUTE,
                        condition.span,
                        format!(
                            "the runtime cannot execute the conditions of rewrite rule `{}`",
                            rule.name
                        ),
                    )
                    .with_help("the runtime applies a rewrite rule to every request: drop the condition, or compile without `--target runtime`"),
                );
                continue;
            }
            out.extend(rule.request_headers.iter().map(|h| rc::HeaderRewrite {
                header: h.header.value.clone(),
                value: h.value.value.clone(),
            }));
        }
        out
    }

    fn route_target(&mut self, route: &Route) -> Option<rc::RouteTarget> {
        let m = self.model;
        match route.to? {
            RouteTarget::Hostname(h) => Some(rc::RouteTarget::Apim(rc::ApimTarget {
                hostname: m[h.id].host_name.value.clone(),
            })),
            RouteTarget::BackendPool(p) => {
                let pool = &m[p.id];
                let member = pool
                    .fqdns
                    .first()
                    .or_else(|| pool.ip_addresses.first())?
                    .value
                    .clone();
                let settings = route.backend_settings.map(|s| &m[s.id]);
                let (https, port) = settings.map_or((true, 443), |s| (s.https.value, s.port.value));
                let trusted_root_files = settings
                    .map(|s| {
                        s.trusted_root_certificates
                            .iter()
                            .filter_map(|c| self.public_pem(c.id))
                            .collect()
                    })
                    .unwrap_or_default();
                Some(rc::RouteTarget::Backend(rc::AppGwBackend {
                    url: format!("{}://{member}:{port}", if https { "https" } else { "http" }),
                    host_name: settings.and_then(|s| s.host_name.as_ref().map(|h| h.value.clone())),
                    trusted_root_files,
                }))
            }
        }
    }

    // -- API Management ---------------------------------------------------------------------

    fn api_management(&mut self, id: ApiManagementId, index: usize) -> rc::ApiManagement {
        let m = self.model;
        let apim = &m[id];
        let mut out = rc::ApiManagement {
            enable_client_certificate: apim.enable_client_certificate.value,
            ..rc::ApiManagement::default()
        };
        let port = self
            .options
            .port_base
            .saturating_add(APIM_PORT_OFFSET)
            .saturating_add(100 * index as u16);
        for h in &apim.hostnames {
            let hostname = &m[*h];
            if hostname.kind.value != HostnameType::Proxy {
                continue;
            }
            let Some(cert) = hostname.certificate else {
                continue;
            };
            let Some(certificate) = self.key_pair(cert.id, cert.span) else {
                continue;
            };
            out.hostnames.insert(
                hostname.host_name.value.clone(),
                rc::GatewayHostname {
                    bind: format!("127.0.0.1:{port}"),
                    certificate,
                    negotiate_client_certificate: hostname.negotiate_client_certificate.value,
                    http2: apim.http2_enabled.value,
                },
            );
        }
        for c in &apim.ca_certificates {
            let ca = &m[*c];
            if let Some(file) = ca.certificate.and_then(|r| self.public_pem(r.id)) {
                out.ca_certificates
                    .insert(ca.decl.name.clone(), rc::CaCertificate { file });
            }
        }
        for b in &apim.backends {
            let backend = &m[*b];
            out.backends.insert(
                backend.azure_name.value.clone(),
                rc::Backend {
                    url: backend.url.value.clone(),
                    tls: rc::BackendTls {
                        validate_certificate_chain: backend.validate_certificate_chain.value,
                        validate_certificate_name: backend.validate_certificate_name.value,
                    },
                    trusted_ca_files: backend
                        .server_certificate
                        .and_then(|c| self.public_pem(c.id))
                        .into_iter()
                        .collect(),
                },
            );
        }
        for a in &apim.apis {
            let api = self.api(id, *a);
            out.apis.insert(m[*a].azure_name.value.clone(), api);
        }
        // Client certificates the runtime presents to backends: those the policies name, by
        // their name in the instance's certificate store.
        let store = m.apim_certificates(id);
        let named: Vec<String> = out
            .apis
            .values()
            .flat_map(|api| api.operations.values())
            .flat_map(|op| authentication_certificates(&op.policy))
            .collect();
        for name in named {
            if out.certificates.contains_key(&name) {
                continue;
            }
            let Some(&(cert, _)) = store.iter().find(|(c, _)| m[*c].apim_name() == name) else {
                continue;
            };
            if let Some(files) = self.key_pair(cert, m[cert].decl.span) {
                out.certificates.insert(name, files);
            }
        }
        out
    }

    fn api(&mut self, instance: ApiManagementId, id: ApiId) -> rc::Api {
        let m = self.model;
        let api = &m[id];
        let mut hostnames: Vec<String> = self
            .graph
            .hostnames_serving(id)
            .into_iter()
            .map(|h| m[h].host_name.value.clone())
            .collect();
        hostnames.sort();
        hostnames.dedup();
        let mut operations = BTreeMap::new();
        let graph = self.graph;
        for (op, effective) in graph.effective_policies(id) {
            let mut converter = policy::Converter {
                model: m,
                instance,
                out: &mut self.diagnostics,
            };
            let policy = converter.policy(effective);
            match op {
                Some(op) => {
                    let operation = &m[*op];
                    operations.insert(
                        operation.decl.name.clone(),
                        rc::Operation {
                            method: operation.method.value.to_ascii_uppercase(),
                            url_template: operation.url_template.value.clone(),
                            policy,
                        },
                    );
                }
                // An API without operations answers every request with its policies, as
                // a wildcard operation does in Azure.
                None => {
                    operations.insert(
                        String::from("all"),
                        rc::Operation {
                            method: String::from("*"),
                            url_template: String::from("/*"),
                            policy,
                        },
                    );
                }
            }
        }
        rc::Api {
            path: api.path.value.trim_matches('/').to_string(),
            hostnames,
            service_url: api.backend.map(|b| m[b.id].url.value.clone()),
            subscription: api
                .subscription_required
                .value
                .then(|| rc::SubscriptionRequirement {
                    header_name: String::from("Ocp-Apim-Subscription-Key"),
                    query_name: String::from("subscription-key"),
                    keys: BTreeMap::from([(String::from("local"), local_subscription_key(m, id))]),
                }),
            operations,
        }
    }

    // -- certificates -----------------------------------------------------------------------

    /// The certificate for a trust store: the dev PKI's stand-in when there is one, else a
    /// PEM file under `certs/` written from the chain as read.
    fn public_pem(&mut self, id: CertificateId) -> Option<String> {
        let stand_in = format!("{PKI_DIR}/{}.pem", stand_in_name(self.model, id));
        if self.world.read(&stand_in).is_ok() {
            return Some(self.topology_path(&stand_in));
        }
        let facts = self.inventory.get(id);
        if !facts.inspected() {
            self.no_local(id, self.model[id].decl.span, "a local copy of it");
            return None;
        }
        // Named by address labels, as the stand-ins are: two module instances' certificates
        // with one label get two files.
        let path = format!("certs/{}.pem", stand_in_name(self.model, id));
        let text: String = facts
            .chain
            .iter()
            .map(|c| pem::encode(&pem::Pem::new("CERTIFICATE", c.der.clone())))
            .collect();
        self.files.insert(path.clone(), text.into_bytes());
        Some(path)
    }

    /// The certificate and private key files the runtime presents: the dev PKI's stand-in
    /// when there is one (so every certificate is issued by the dev CAs curl trusts), else
    /// the topology's `pem` and `private_key` files.
    fn key_pair(
        &mut self,
        id: CertificateId,
        used_at: crate::source::Span,
    ) -> Option<rc::CertificateFiles> {
        let cert = &self.model[id];
        let name = stand_in_name(self.model, id);
        let (pem, key) = (
            format!("{PKI_DIR}/{name}.pem"),
            format!("{PKI_DIR}/{name}.key"),
        );
        if self.world.read(&pem).is_ok() && self.world.read(&key).is_ok() {
            return Some(rc::CertificateFiles {
                cert_file: self.topology_path(&pem),
                key_file: self.topology_path(&key),
            });
        }
        if let (Some(CertSource::Pem(pem)), Some(key)) = (&cert.source, &cert.private_key) {
            return Some(rc::CertificateFiles {
                cert_file: self.topology_path(&pem.value),
                key_file: self.topology_path(&key.value),
            });
        }
        self.no_local(id, used_at, "its private key");
        None
    }

    fn no_local(&mut self, id: CertificateId, used_at: crate::source::Span, what: &str) {
        let cert = &self.model[id];
        let diagnostic = Diagnostic::new(
            &RUNTIME_NEEDS_LOCAL_KEY,
            used_at,
            format!(
                "the runtime needs {what} for certificate `{}`, and there is none on this machine",
                cert.decl.address
            ),
        )
        .with_label(cert.decl.span, "declared here")
        .with_help(format!(
            "run `gatehouse pki init` to create the stand-ins `{PKI_DIR}/{0}.pem` and `{PKI_DIR}/{0}.key`, or give the certificate `pem` and `private_key` files",
            stand_in_name(self.model, id)
        ))
        .with_address(cert.decl.address.clone());
        self.diagnostics.push(diagnostic);
    }

    /// A topology-relative path as seen from `OUT/runtime/`.
    fn topology_path(&self, path: &str) -> String {
        let root = self.options.root.trim_end_matches('/');
        if root.is_empty() || root == "." {
            path.to_string()
        } else {
            format!("{root}/{path}")
        }
    }
}

/// The key an API that requires a subscription accepts locally. Azure's keys never leave
/// Azure; this one is made up from the API's address, is the same on every compile, and only
/// opens the loopback runtime (`gatehouse up` prints it in its curl commands).
pub fn local_subscription_key(model: &Model, api: ApiId) -> String {
    let a = &model[api];
    format!(
        "local-{}-{}",
        model[a.api_management].decl.name, a.decl.name
    )
}

/// The file name (without extension) of a certificate's dev PKI stand-in: the labels of its
/// address (`edge_tls`; `edge_tls_this` for `module.edge_tls.certificate.this`), so that
/// module instances never share one.
pub fn stand_in_name(model: &Model, id: CertificateId) -> String {
    crate::emit::symbols::labels(&model[id].decl.address)
}

/// The certificate ids `authentication-certificate` steps name, anywhere in a policy.
fn authentication_certificates(policy: &rc::Policy) -> Vec<String> {
    fn walk(steps: &[rc::Step], out: &mut Vec<String>) {
        for step in steps {
            match step {
                rc::Step::AuthenticationCertificate(a) => out.push(a.certificate_id.clone()),
                rc::Step::Choose(c) => {
                    for w in &c.when {
                        walk(&w.steps, out);
                    }
                    walk(&c.otherwise, out);
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for section in [
        &policy.inbound,
        &policy.backend,
        &policy.outbound,
        &policy.on_error,
    ] {
        walk(section, &mut out);
    }
    out
}
