//! A loaded config: every file read, every TLS config built, every expression parsed. One
//! `Snapshot` serves requests until a reload swaps in the next one.
//!
//! Building a snapshot is all-or-nothing: any unreadable file, mismatched key or bad reference is
//! a `LoadError` and nothing is swapped. A snapshot never binds sockets (ports are bound once, at
//! start) and holds its own TLS session caches and connection pools, so a reload starts both fresh.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gatehouse_runtime_config as cfg;
use gatehouse_runtime_config::{Expr, RuntimeConfig, Step};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

use crate::clientauth::{CaStore, ClientTrust};
use crate::error::LoadError;
use crate::outbound::{self, HttpClient, Upstream};
use crate::pki::{self, CertFacts};
use crate::tls::{self, BackendTrust, RequestClientCert};
use crate::Clock;

pub struct Snapshot {
    pub generation: u64,
    pub limits: cfg::Limits,
    /// Sites per bind string, in selection order.
    pub ports: BTreeMap<String, Vec<Arc<Site>>>,
    /// Every file the snapshot read (for the watcher).
    pub files: BTreeSet<PathBuf>,
    pub clock: Clock,
}

/// A host name (or set of them) on one port: an AppGW listener or an APIM gateway hostname.
pub struct Site {
    /// HCL-style address for logs and messages: `application_gateway.main.listener.public`.
    pub address: String,
    pub host_names: Vec<String>,
    pub server_config: Arc<ServerConfig>,
    pub kind: SiteKind,
}

pub enum SiteKind {
    AppGw(AppGwSite),
    Apim(ApimSite),
}

pub struct AppGwSite {
    pub trust: Option<ClientTrust>,
    /// Rules bound to this listener, by priority.
    pub rules: Vec<Rule>,
}

pub struct Rule {
    pub name: String,
    pub path_rules: Vec<(Vec<String>, Arc<Upstream>)>,
    pub default: Arc<Upstream>,
    pub request_headers: Vec<cfg::HeaderRewrite>,
}

pub struct ApimSite {
    pub instance: Arc<ApimInstance>,
    pub hostname: String,
    /// Negotiates a client certificate (or the instance's enable_client_certificate).
    pub requests_cert: bool,
}

/// (backend entity id, authentication certificate id).
pub type ClientKey = (Option<String>, Option<String>);

pub struct ApimInstance {
    pub name: String,
    pub apis: Vec<(String, cfg::Api)>,
    pub ca: CaStore,
    pub backends: BTreeMap<String, cfg::Backend>,
    pub certificates: BTreeMap<String, Arc<CertifiedKey>>,
    /// Leaf thumbprints of `certificates`, for `context.Deployment.Certificates`.
    pub certificate_thumbprints: Vec<String>,
    pub expressions: HashMap<String, Arc<Expr>>,
    /// Outbound clients by (backend trust key, authentication certificate id), built on first use.
    pub clients: Mutex<HashMap<ClientKey, HttpClient>>,
    /// How each backend entity's certificate is checked.
    pub backend_trust: HashMap<String, BackendTrust>,
    /// Trust for a `service_url` or `base-url` without a backend entity: the uploaded CAs.
    pub default_trust: BackendTrust,
    pub provider: Arc<rustls::crypto::CryptoProvider>,
    pub clock: Clock,
    pub backend_timeout: std::time::Duration,
    pub resolve: outbound::ResolveMap,
}

impl ApimInstance {
    /// The pooled client for a backend entity (or none) presenting an uploaded certificate (or
    /// none), built on first use and kept for the snapshot's life.
    pub fn client(
        &self,
        backend_id: Option<&str>,
        cert_id: Option<&str>,
    ) -> Result<HttpClient, LoadError> {
        let key = (backend_id.map(str::to_string), cert_id.map(str::to_string));
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let address = format!(
            "api_management.{}.backend.{}",
            self.name,
            backend_id.unwrap_or("(service_url)")
        );
        let trust = match backend_id {
            Some(id) => self
                .backend_trust
                .get(id)
                .cloned()
                .unwrap_or_else(|| self.default_trust.clone()),
            None => self.default_trust.clone(),
        };
        let cert = match cert_id {
            Some(id) => match self.certificates.get(id) {
                Some(cert) => Some(cert.clone()),
                None => {
                    return Err(invalid(
                        &address,
                        format!("certificate `{id}` is not defined"),
                    ))
                }
            },
            None => None,
        };
        let client = outbound::client(
            &address,
            trust,
            cert,
            None,
            &outbound::Settings {
                clock: &self.clock,
                timeout: self.backend_timeout,
                provider: self.provider.clone(),
                resolve: &self.resolve,
            },
        )?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

impl Snapshot {
    /// The site for an SNI name on a bind: an exact or wildcard match, else the port's basic
    /// listener, else its first site (AppGW's default certificate).
    pub fn site(&self, bind: &str, sni: Option<&str>) -> Option<&Arc<Site>> {
        let sites = self.ports.get(bind)?;
        if let Some(name) = sni {
            if let Some(site) = sites
                .iter()
                .find(|s| s.host_names.iter().any(|p| host_matches(p, name)))
            {
                return Some(site);
            }
        }
        sites
            .iter()
            .find(|s| s.host_names.is_empty())
            .or_else(|| sites.first())
    }
}

/// AppGW host-name wildcards: `*` any run of characters (dots included), `?` one character.
pub fn host_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// Reads and validates the config file.
pub fn read_config(path: &Path) -> Result<RuntimeConfig, LoadError> {
    let bytes = pki::read(path)?;
    RuntimeConfig::from_json(&bytes).map_err(|source| LoadError::Config {
        path: path.to_path_buf(),
        source,
    })
}

/// Every bind string in the config with the address of its first user.
pub fn binds(config: &RuntimeConfig) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (gw_name, gw) in &config.application_gateways {
        for (name, listener) in &gw.listeners {
            out.entry(listener.bind.clone())
                .or_insert_with(|| format!("application_gateway.{gw_name}.listener.{name}"));
        }
    }
    for (apim_name, apim) in &config.api_managements {
        for (host, hostname) in &apim.hostnames {
            out.entry(hostname.bind.clone())
                .or_insert_with(|| format!("api_management.{apim_name}.hostname.{host}"));
        }
    }
    out
}

/// `runtime.resolve` parsed (the config's validation has checked every address).
fn resolve_map(resolve: &BTreeMap<String, String>) -> outbound::ResolveMap {
    Arc::new(
        resolve
            .iter()
            .filter_map(|(host, addr)| Some((host.to_ascii_lowercase(), addr.parse().ok()?)))
            .collect(),
    )
}

/// Builds a snapshot; `bound` maps each bind string to the address actually listening.
pub fn build(
    config: &RuntimeConfig,
    config_path: &Path,
    bound: &BTreeMap<String, SocketAddr>,
    clock: &Clock,
    generation: u64,
) -> Result<Snapshot, LoadError> {
    let base = config_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut cx = Cx {
        base,
        files: BTreeSet::from([config_path.to_path_buf()]),
        provider: tls::provider(),
        clock: clock.clone(),
        limits: config.runtime.limits.clone(),
        resolve: resolve_map(&config.runtime.resolve),
        public_anchors: Vec::new(),
        session_resumption: config.runtime.session_resumption,
    };
    for file in &config.runtime.public_ca_files {
        let path = cx.path(file);
        cx.note_files(std::iter::once(file));
        let anchors = anchors_from(&path)?;
        cx.public_anchors.extend(anchors);
    }
    let mut ports: BTreeMap<String, Vec<(SortKey, Arc<Site>)>> = BTreeMap::new();

    // APIM first: AppGW targets pin the certificates of APIM hostnames.
    let mut apim_hosts: HashMap<String, (SocketAddr, Arc<CertifiedKey>)> = HashMap::new();
    for (name, apim) in &config.api_managements {
        let instance = Arc::new(cx.apim_instance(name, apim)?);
        for (host, hostname) in &apim.hostnames {
            let address = format!("api_management.{name}.hostname.{host}");
            let key = cx.certified_key(&hostname.certificate)?;
            let requests_cert =
                hostname.negotiate_client_certificate || apim.enable_client_certificate;
            let verifier = requests_cert.then(|| RequestClientCert {
                provider: cx.provider.clone(),
                hints: Vec::new(),
            });
            let server_config =
                cx.server_config(&address, key.clone(), verifier, hostname.http2)?;
            if let Some(addr) = bound.get(&hostname.bind) {
                apim_hosts.insert(host.to_ascii_lowercase(), (*addr, key));
            }
            let site = Site {
                address,
                host_names: vec![host.clone()],
                server_config,
                kind: SiteKind::Apim(ApimSite {
                    instance: instance.clone(),
                    hostname: host.clone(),
                    requests_cert,
                }),
            };
            ports
                .entry(hostname.bind.clone())
                .or_default()
                .push(((0, 0, host.clone()), Arc::new(site)));
        }
    }

    for (gw_name, gw) in &config.application_gateways {
        for (name, listener) in &gw.listeners {
            let address = format!("application_gateway.{gw_name}.listener.{name}");
            let key = cx.certified_key(&listener.certificate)?;
            let trust = match &listener.ssl_profile {
                Some(profile) => {
                    let Some(profile) = gw.ssl_profiles.get(profile) else {
                        return Err(invalid(
                            &address,
                            format!("ssl_profile `{profile}` is not defined"),
                        ));
                    };
                    cx.note_files(
                        profile
                            .trusted_client_ca_files
                            .iter()
                            .chain(&profile.crl_files),
                    );
                    Some(ClientTrust::load(profile, &cx.base)?)
                }
                None => None,
            };
            let verifier = trust.as_ref().map(|t| RequestClientCert {
                provider: cx.provider.clone(),
                hints: t.hints.clone(),
            });
            let server_config = cx.server_config(&address, key, verifier, listener.http2)?;
            let mut rules = Vec::new();
            let mut bound_rules: Vec<_> = gw
                .routing_rules
                .iter()
                .filter(|(_, r)| r.listener == *name)
                .collect();
            bound_rules.sort_by_key(|(n, r)| (r.priority, (*n).clone()));
            let priority = bound_rules.first().map_or(u32::MAX, |(_, r)| r.priority);
            for (rule_name, rule) in bound_rules {
                let rule_address =
                    format!("application_gateway.{gw_name}.routing_rule.{rule_name}");
                let mut path_rules = Vec::new();
                for path_rule in &rule.path_rules {
                    let upstream =
                        cx.route_target(&rule_address, &path_rule.target, &apim_hosts)?;
                    path_rules.push((path_rule.paths.clone(), upstream));
                }
                rules.push(Rule {
                    name: rule_name.clone(),
                    path_rules,
                    default: cx.route_target(&rule_address, &rule.default_target, &apim_hosts)?,
                    request_headers: rule.request_headers.clone(),
                });
            }
            let site = Site {
                address,
                host_names: listener.host_names.clone(),
                server_config,
                kind: SiteKind::AppGw(AppGwSite { trust, rules }),
            };
            // Multi-site listeners are tried before basic ones, then by rule priority.
            let basic = u32::from(listener.host_names.is_empty());
            ports
                .entry(listener.bind.clone())
                .or_default()
                .push(((basic, priority, name.clone()), Arc::new(site)));
        }
    }

    let ports = ports
        .into_iter()
        .map(|(bind, mut sites)| {
            sites.sort_by(|a, b| a.0.cmp(&b.0));
            (bind, sites.into_iter().map(|(_, s)| s).collect::<Vec<_>>())
        })
        .collect::<BTreeMap<_, _>>();
    for (bind, sites) in &ports {
        check_unique_hosts(bind, sites)?;
    }
    Ok(Snapshot {
        generation,
        limits: cx.limits,
        ports,
        files: cx.files,
        clock: clock.clone(),
    })
}

type SortKey = (u32, u32, String);

/// SNI cannot choose between two sites on one port claiming the same host name.
fn check_unique_hosts(bind: &str, sites: &[Arc<Site>]) -> Result<(), LoadError> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for site in sites {
        for host in &site.host_names {
            if let Some(first) = seen.insert(host.to_ascii_lowercase(), &site.address) {
                return Err(invalid(
                    &site.address,
                    format!("host name `{host}` on {bind} is also served by {first}; SNI cannot tell them apart"),
                ));
            }
        }
    }
    Ok(())
}

fn invalid(address: &str, message: String) -> LoadError {
    LoadError::Invalid {
        address: address.to_string(),
        message,
    }
}

struct Cx {
    base: PathBuf,
    files: BTreeSet<PathBuf>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    clock: Clock,
    limits: cfg::Limits,
    resolve: outbound::ResolveMap,
    /// `runtime.public_ca_files`: what stands for the well-known roots.
    public_anchors: Vec<rustls::pki_types::TrustAnchor<'static>>,
    /// `runtime.session_resumption`.
    session_resumption: bool,
}

impl Cx {
    fn path(&mut self, file: &str) -> PathBuf {
        let path = pki::resolve(&self.base, file);
        self.files.insert(path.clone());
        path
    }

    fn note_files<'a>(&mut self, files: impl Iterator<Item = &'a String>) {
        for file in files {
            self.path(file);
        }
    }

    fn certified_key(
        &mut self,
        files: &cfg::CertificateFiles,
    ) -> Result<Arc<CertifiedKey>, LoadError> {
        let cert = self.path(&files.cert_file);
        let key = self.path(&files.key_file);
        pki::load_certified_key(&cert, &key, &self.provider)
    }

    fn server_config(
        &self,
        address: &str,
        key: Arc<CertifiedKey>,
        verifier: Option<RequestClientCert>,
        http2: bool,
    ) -> Result<Arc<ServerConfig>, LoadError> {
        let builder = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|source| LoadError::Tls {
                address: address.to_string(),
                source,
            })?;
        let builder = match verifier {
            Some(v) => builder.with_client_cert_verifier(Arc::new(v)),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder.with_cert_resolver(Arc::new(FixedCert(key)));
        config.alpn_protocols = tls::alpn(http2);
        if self.session_resumption {
            config.session_storage = ServerSessionMemoryCache::new(4096);
        } else {
            config.session_storage = Arc::new(NoServerSessionStorage {});
            config.send_tls13_tickets = 0;
        }
        Ok(Arc::new(config))
    }

    fn route_target(
        &mut self,
        address: &str,
        target: &cfg::RouteTarget,
        apim_hosts: &HashMap<String, (SocketAddr, Arc<CertifiedKey>)>,
    ) -> Result<Arc<Upstream>, LoadError> {
        let timeout = std::time::Duration::from_millis(self.limits.backend_timeout_ms);
        match target {
            cfg::RouteTarget::Apim(apim) => {
                let Some((addr, key)) = apim_hosts.get(&apim.hostname.to_ascii_lowercase()) else {
                    return Err(invalid(
                        address,
                        format!("no APIM hostname `{}` in this config", apim.hostname),
                    ));
                };
                let Some(leaf) = key.cert.first().cloned() else {
                    return Err(invalid(
                        address,
                        "APIM hostname has an empty certificate chain".into(),
                    ));
                };
                // The runtime trusts its own hostname's certificate; in Azure the compiler checks
                // that the HTTP settings trust its root.
                let trust = BackendTrust::Pinned(leaf);
                let client = outbound::client(
                    address,
                    trust,
                    None,
                    Some(&apim.hostname),
                    &outbound::Settings {
                        clock: &self.clock,
                        timeout,
                        provider: self.provider.clone(),
                        resolve: &self.resolve,
                    },
                )?;
                let url = format!("https://{addr}");
                Ok(Arc::new(Upstream::new(
                    address,
                    &url,
                    Some(apim.hostname.clone()),
                    client,
                )?))
            }
            cfg::RouteTarget::Backend(backend) => {
                let mut anchors = self.public_anchors.clone();
                for file in &backend.trusted_root_files {
                    let path = self.path(file);
                    anchors.extend(anchors_from(&path)?);
                }
                let trust = BackendTrust::Roots {
                    anchors,
                    validate_name: true,
                };
                let sni = backend.host_name.as_deref();
                let client = outbound::client(
                    address,
                    trust,
                    None,
                    sni,
                    &outbound::Settings {
                        clock: &self.clock,
                        timeout,
                        provider: self.provider.clone(),
                        resolve: &self.resolve,
                    },
                )?;
                Ok(Arc::new(Upstream::new(
                    address,
                    &backend.url,
                    backend.host_name.clone(),
                    client,
                )?))
            }
        }
    }

    fn apim_instance(
        &mut self,
        name: &str,
        apim: &cfg::ApiManagement,
    ) -> Result<ApimInstance, LoadError> {
        let mut ca = CaStore::default();
        for (id, ca_cert) in &apim.ca_certificates {
            let path = self.path(&ca_cert.file);
            for der in pki::load_certs(&path)? {
                let Some(facts) = CertFacts::parse(&der) else {
                    continue;
                };
                if facts.is_self_issued() {
                    let anchor = webpki::anchor_from_trusted_cert(&der)
                        .map(|a| a.to_owned())
                        .map_err(|e| LoadError::Pem {
                            path: path.clone(),
                            message: format!("not usable as a trust anchor: {e:?}"),
                        })?;
                    ca.anchors.push(anchor);
                } else {
                    ca.intermediates.push(der.clone());
                }
                ca.by_id.push((id.clone(), facts));
            }
        }
        for file in &apim.crl_files {
            let path = self.path(file);
            ca.crls.extend(pki::load_crls(&path)?);
        }
        let mut certificates = BTreeMap::new();
        for (id, files) in &apim.certificates {
            certificates.insert(id.clone(), self.certified_key(files)?);
        }
        let mut backend_trust = HashMap::new();
        for (id, backend) in &apim.backends {
            let validate_name = backend.tls.validate_certificate_name;
            let trust = if backend.tls.validate_certificate_chain {
                let mut anchors = ca.anchors.clone();
                anchors.extend(self.public_anchors.iter().cloned());
                for file in &backend.trusted_ca_files {
                    let path = self.path(file);
                    anchors.extend(anchors_from(&path)?);
                }
                BackendTrust::Roots {
                    anchors,
                    validate_name,
                }
            } else {
                BackendTrust::AnyChain { validate_name }
            };
            backend_trust.insert(id.clone(), trust);
        }
        let mut default_anchors = ca.anchors.clone();
        default_anchors.extend(self.public_anchors.iter().cloned());
        let default_trust = BackendTrust::Roots {
            anchors: default_anchors,
            validate_name: true,
        };
        let mut expressions = HashMap::new();
        for api in apim.apis.values() {
            for op in api.operations.values() {
                let p = &op.policy;
                for step in p
                    .inbound
                    .iter()
                    .chain(&p.backend)
                    .chain(&p.outbound)
                    .chain(&p.on_error)
                {
                    collect_expressions(step, &mut expressions);
                }
            }
        }
        Ok(ApimInstance {
            name: name.to_string(),
            apis: apim
                .apis
                .iter()
                .map(|(n, a)| (n.clone(), a.clone()))
                .collect(),
            ca,
            backends: apim.backends.clone(),
            certificate_thumbprints: certificates
                .values()
                .filter_map(|key| key.cert.first())
                .map(|der| pki::thumbprint(der))
                .collect(),
            certificates,
            expressions,
            clients: Mutex::new(HashMap::new()),
            backend_trust,
            default_trust,
            provider: self.provider.clone(),
            clock: self.clock.clone(),
            backend_timeout: std::time::Duration::from_millis(self.limits.backend_timeout_ms),
            resolve: self.resolve.clone(),
        })
    }
}

/// Every certificate in a PEM file as a trust anchor.
pub fn anchors_from(
    path: &Path,
) -> Result<Vec<rustls::pki_types::TrustAnchor<'static>>, LoadError> {
    pki::load_certs(path)?
        .iter()
        .map(|der| {
            webpki::anchor_from_trusted_cert(der)
                .map(|a| a.to_owned())
                .map_err(|e| LoadError::Pem {
                    path: path.to_path_buf(),
                    message: format!("not a usable CA: {e:?}"),
                })
        })
        .collect()
}

fn collect_expressions(step: &Step, out: &mut HashMap<String, Arc<Expr>>) {
    let mut add = |source: &str| {
        if let Ok(expr) = gatehouse_runtime_config::parse_expression(source) {
            out.insert(source.to_string(), Arc::new(expr));
        }
    };
    match step {
        Step::Choose(choose) => {
            for when in &choose.when {
                add(&when.condition);
            }
            for when in &choose.when {
                for s in &when.steps {
                    collect_expressions(s, out);
                }
            }
            for s in &choose.otherwise {
                collect_expressions(s, out);
            }
        }
        Step::RateLimitByKey(limit) => {
            add(&limit.counter_key);
            if let Some(c) = &limit.increment_condition {
                add(c);
            }
        }
        Step::SetHeader(set) => {
            for v in set.values.iter().filter(|v| v.starts_with('@')) {
                add(v);
            }
        }
        _ => {}
    }
}

/// Serves one certificate whatever the ClientHello says (the site was already chosen by SNI).
#[derive(Debug)]
struct FixedCert(Arc<CertifiedKey>);

impl rustls::server::ResolvesServerCert for FixedCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::host_matches;

    #[test]
    fn appgw_wildcards() {
        assert!(host_matches("api.contoso.com", "API.contoso.com"));
        assert!(host_matches("*.contoso.com", "shop.contoso.com"));
        // AppGW's `*` also spans dots.
        assert!(host_matches("*.contoso.com", "a.b.contoso.com"));
        assert!(!host_matches("*.contoso.com", "contoso.com"));
        assert!(host_matches("shop?.contoso.com", "shop1.contoso.com"));
        assert!(!host_matches("shop?.contoso.com", "shop12.contoso.com"));
    }
}
