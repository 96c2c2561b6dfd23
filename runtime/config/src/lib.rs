//! The runtime config: what `gatehouse compile --target runtime` writes to `OUT/runtime/runtime.json`
//! and what `gatehouse-runtime` reads, plus the APIM policy-expression subset both must agree on.
//!
//! This crate is the stability boundary between the compiler and the runtime: the types are plain
//! data (public fields, `Vec`/`BTreeMap`, no lifetimes) so the compiler can build them directly, every
//! struct denies unknown fields, and [`RuntimeConfig::format_version`] is checked on load. It does no
//! IO beyond [`RuntimeConfig::from_json`] on bytes handed in, and it must never depend on tokio,
//! rustls or the compiler. The schema is documented in `docs/runtime.md`.
#![forbid(unsafe_code)]

pub mod expr;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use expr::{parse_condition, parse_expression, Expr, ExprError, Ty};

/// The only `format_version` this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The file name the compiler writes inside `OUT/runtime/`.
pub const CONFIG_FILE_NAME: &str = "runtime.json";

/// Why a runtime config could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("runtime config is not valid JSON for this schema: {0}")]
    Json(#[from] serde_json::Error),
    #[error("runtime config has format_version {found}, this runtime reads {expected}")]
    FormatVersion { found: u32, expected: u32 },
    #[error("runtime config: {address}: {message}")]
    Invalid { address: String, message: String },
    #[error("runtime config: {address}: expression `{expression}`: {source}")]
    Expression {
        address: String,
        expression: String,
        source: ExprError,
    },
}

/// The whole compiled topology, already flattened: no scopes left to merge, no HCL.
///
/// Paths (certificates, keys, CRLs, CA bundles) are relative to the directory holding the config
/// file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    pub format_version: u32,
    #[serde(default)]
    pub runtime: RuntimeSettings,
    #[serde(default)]
    pub application_gateways: BTreeMap<String, ApplicationGateway>,
    #[serde(default)]
    pub api_managements: BTreeMap<String, ApiManagement>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            format_version: FORMAT_VERSION,
            runtime: RuntimeSettings::default(),
            application_gateways: BTreeMap::new(),
            api_managements: BTreeMap::new(),
        }
    }
}

impl RuntimeConfig {
    /// Parses and validates a config: format version, references between entities, and every
    /// policy expression (with [`parse_expression`]).
    pub fn from_json(bytes: &[u8]) -> Result<RuntimeConfig, ConfigError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        // Read the version first so a future format fails on the version, not on a field name.
        let version: Version = serde_json::from_slice(bytes)?;
        if version.format_version != FORMAT_VERSION {
            return Err(ConfigError::FormatVersion {
                found: version.format_version,
                expected: FORMAT_VERSION,
            });
        }
        let config: RuntimeConfig = serde_json::from_slice(bytes)?;
        config.validate()?;
        Ok(config)
    }

    /// Pretty JSON with a trailing newline; deterministic because every map is a `BTreeMap`.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Every file the config references (relative to the config's directory), sorted: what the
    /// compiler must write beside `runtime.json`.
    pub fn referenced_files(&self) -> std::collections::BTreeSet<String> {
        let mut files = std::collections::BTreeSet::new();
        let mut pair = |c: &CertificateFiles| {
            files.insert(c.cert_file.clone());
            files.insert(c.key_file.clone());
        };
        for gw in self.application_gateways.values() {
            gw.listeners.values().for_each(|l| pair(&l.certificate));
        }
        for apim in self.api_managements.values() {
            apim.hostnames.values().for_each(|h| pair(&h.certificate));
            apim.certificates.values().for_each(&mut pair);
        }
        for gw in self.application_gateways.values() {
            for profile in gw.ssl_profiles.values() {
                files.extend(profile.trusted_client_ca_files.iter().cloned());
                files.extend(profile.crl_files.iter().cloned());
            }
            for rule in gw.routing_rules.values() {
                let targets = rule
                    .path_rules
                    .iter()
                    .map(|p| &p.target)
                    .chain([&rule.default_target]);
                for target in targets {
                    if let RouteTarget::Backend(b) = target {
                        files.extend(b.trusted_root_files.iter().cloned());
                    }
                }
            }
        }
        files.extend(self.runtime.public_ca_files.iter().cloned());
        for apim in self.api_managements.values() {
            files.extend(apim.ca_certificates.values().map(|c| c.file.clone()));
            files.extend(apim.crl_files.iter().cloned());
            for backend in apim.backends.values() {
                files.extend(backend.trusted_ca_files.iter().cloned());
            }
        }
        files
    }

    /// Checks what serde cannot: references resolve and expressions parse.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (host, addr) in &self.runtime.resolve {
            if addr.parse::<std::net::SocketAddr>().is_err() {
                return Err(invalid(
                    format!("runtime.resolve.{host}"),
                    format!("`{addr}` is not an ip:port address"),
                ));
            }
        }
        for (gw_name, gw) in &self.application_gateways {
            for (name, listener) in &gw.listeners {
                if let Some(profile) = &listener.ssl_profile {
                    if !gw.ssl_profiles.contains_key(profile) {
                        return Err(invalid(
                            format!("application_gateway.{gw_name}.listener.{name}"),
                            format!("ssl_profile `{profile}` is not defined"),
                        ));
                    }
                }
            }
            for (name, rule) in &gw.routing_rules {
                if !gw.listeners.contains_key(&rule.listener) {
                    return Err(invalid(
                        format!("application_gateway.{gw_name}.routing_rule.{name}"),
                        format!("listener `{}` is not defined", rule.listener),
                    ));
                }
            }
        }
        for (apim_name, apim) in &self.api_managements {
            for (api_name, api) in &apim.apis {
                let address = format!("api_management.{apim_name}.api.{api_name}");
                for host in &api.hostnames {
                    if !apim.hostnames.contains_key(host) {
                        return Err(invalid(
                            address,
                            format!("hostname `{host}` is not defined"),
                        ));
                    }
                }
                for (op_name, op) in &api.operations {
                    let address = format!("{address}.operation.{op_name}");
                    op.policy.validate(&address, apim)?;
                }
            }
        }
        Ok(())
    }
}

fn invalid(address: String, message: String) -> ConfigError {
    ConfigError::Invalid { address, message }
}

/// Settings of the runtime process itself (nothing Azure has).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeSettings {
    /// Plain-HTTP admin address serving `/.gatehouse/health`, e.g. `127.0.0.1:9900`.
    #[serde(default)]
    pub admin: Option<String>,
    #[serde(default)]
    pub limits: Limits,
    /// Where next hops are reached on this machine: host name → local `ip:port`, like curl's
    /// `--resolve`. The connection goes there; the host name stays in SNI, `Host` and the
    /// certificate name check. `gatehouse up` points backend host names at its echo backends.
    #[serde(default)]
    pub resolve: BTreeMap<String, String>,
    /// PEM roots standing for the well-known CAs Azure trusts for backends (a server
    /// certificate chaining to one passes without any uploaded CA): locally, the dev PKI's
    /// server CA.
    #[serde(default)]
    pub public_ca_files: Vec<String>,
    /// Whether listeners and APIM hostnames resume TLS sessions (stateful session ids and
    /// TLS 1.3 tickets). On by default, as in Azure; `false` makes every connection a full
    /// handshake, which is what a handshake benchmark or a test of first contact needs.
    #[serde(default = "default_true")]
    pub session_resumption: bool,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        RuntimeSettings {
            admin: None,
            limits: Limits::default(),
            resolve: BTreeMap::new(),
            public_ca_files: Vec::new(),
            session_resumption: true,
        }
    }
}

fn default_true() -> bool {
    true
}

/// Bounds against slow or malicious clients and slow backends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request head (request line + headers) accepted; larger → 431 (HTTP/1.1) or a stream
    /// reset (HTTP/2).
    pub max_header_bytes: usize,
    /// Largest request body accepted; larger → 413.
    pub max_body_bytes: u64,
    /// Time a client has to finish the TLS handshake.
    pub handshake_timeout_ms: u64,
    /// Time a client has to send the request head (slowloris bound).
    pub header_read_timeout_ms: u64,
    /// Time a backend has to answer, from the first byte sent (APIM's forward-request timeout);
    /// it also bounds a client slowly streaming its body, which is forwarded as it arrives.
    pub backend_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 64 * 1024,
            max_body_bytes: 100 * 1024 * 1024,
            handshake_timeout_ms: 10_000,
            header_read_timeout_ms: 10_000,
            backend_timeout_ms: 60_000,
        }
    }
}

/// A certificate chain (leaf first) and its private key, both PEM files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFiles {
    pub cert_file: String,
    pub key_file: String,
}

// ---------------------------------------------------------------------------------------------
// Application Gateway

/// One Application Gateway v2.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationGateway {
    #[serde(default)]
    pub listeners: BTreeMap<String, Listener>,
    #[serde(default)]
    pub ssl_profiles: BTreeMap<String, SslProfile>,
    #[serde(default)]
    pub routing_rules: BTreeMap<String, RoutingRule>,
}

/// An HTTPS listener: a local address, the host names it answers (SNI), its certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// Local address standing for the frontend port, e.g. `127.0.0.1:8443` (`:0` picks a port).
    pub bind: String,
    /// Host names (`*` and `?` wildcards as AppGW allows); empty = a basic listener taking any.
    #[serde(default)]
    pub host_names: Vec<String>,
    pub certificate: CertificateFiles,
    #[serde(default)]
    pub ssl_profile: Option<String>,
    /// Offer `h2` in ALPN (AppGW's `enableHttp2`).
    #[serde(default)]
    pub http2: bool,
}

/// `clientAuthConfiguration` + `trustedClientCertificates` of an SSL profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SslProfile {
    /// PEM files, each one root plus any intermediates (a leaf in a file is ignored).
    pub trusted_client_ca_files: Vec<String>,
    /// PEM or DER CRLs checked for the client certificate and its chain.
    #[serde(default)]
    pub crl_files: Vec<String>,
    #[serde(default)]
    pub verify_client_cert_issuer_dn: bool,
    #[serde(default)]
    pub mode: VerifyClientAuthMode,
}

/// `verifyClientAuthMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyClientAuthMode {
    /// A valid certificate is required; failures are HTTP 400.
    #[default]
    Strict,
    /// A certificate is requested, never enforced; the request is always forwarded.
    Passthrough,
}

/// A request routing rule bound to one listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// 1 (first) … 20000.
    pub priority: u32,
    pub listener: String,
    /// Path-based rules, first match wins; paths end in `*` for a prefix.
    #[serde(default)]
    pub path_rules: Vec<PathRule>,
    pub default_target: RouteTarget,
    /// The rule's rewrite set: request headers to set. `{var_client_certificate}` and the other
    /// `client_certificate*` server variables are substituted; an empty result deletes the header.
    #[serde(default)]
    pub request_headers: Vec<HeaderRewrite>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRule {
    pub paths: Vec<String>,
    pub target: RouteTarget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderRewrite {
    pub header: String,
    pub value: String,
}

/// Where AppGW sends a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteTarget {
    /// A hostname of an APIM instance in this config, reached over TLS with that SNI.
    Apim(ApimTarget),
    /// Any other backend.
    Backend(AppGwBackend),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApimTarget {
    pub hostname: String,
}

/// A backend pool member with its HTTP settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppGwBackend {
    /// `http://…` or `https://…`, with the path prefix to forward to.
    pub url: String,
    /// Host header and SNI; the URL's host when absent.
    #[serde(default)]
    pub host_name: Option<String>,
    /// The HTTP settings' trusted root certificates (PEM) for an `https` backend.
    #[serde(default)]
    pub trusted_root_files: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// API Management

/// One API Management instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiManagement {
    /// Gateway hostnames by host name.
    #[serde(default)]
    pub hostnames: BTreeMap<String, GatewayHostname>,
    /// Consumption tier's "request client certificate": every hostname asks for a certificate.
    #[serde(default)]
    pub enable_client_certificate: bool,
    /// Uploaded CA certificates by id (validate-client-certificate's trust store).
    #[serde(default)]
    pub ca_certificates: BTreeMap<String, CaCertificate>,
    /// CRLs used by `validate-revocation`.
    #[serde(default)]
    pub crl_files: Vec<String>,
    /// Uploaded client certificates by id (authentication-certificate).
    #[serde(default)]
    pub certificates: BTreeMap<String, CertificateFiles>,
    #[serde(default)]
    pub backends: BTreeMap<String, Backend>,
    #[serde(default)]
    pub apis: BTreeMap<String, Api>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayHostname {
    pub bind: String,
    pub certificate: CertificateFiles,
    #[serde(default)]
    pub negotiate_client_certificate: bool,
    #[serde(default)]
    pub http2: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaCertificate {
    pub file: String,
}

/// A backend entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    pub url: String,
    #[serde(default)]
    pub tls: BackendTls,
    /// CA certificates trusted for this backend's server certificate (PEM).
    #[serde(default)]
    pub trusted_ca_files: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendTls {
    pub validate_certificate_chain: bool,
    pub validate_certificate_name: bool,
}

impl Default for BackendTls {
    fn default() -> Self {
        BackendTls {
            validate_certificate_chain: true,
            validate_certificate_name: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Path prefix without leading slash (`orders`); empty = the root.
    pub path: String,
    /// Hostnames serving the API; empty = all of the instance's hostnames.
    #[serde(default)]
    pub hostnames: Vec<String>,
    #[serde(default)]
    pub service_url: Option<String>,
    /// Present when calls need a subscription key (`subscription_required`).
    #[serde(default)]
    pub subscription: Option<SubscriptionRequirement>,
    #[serde(default)]
    pub operations: BTreeMap<String, Operation>,
}

/// Which subscription keys an API accepts. The keys are local ones the compiler makes up for the
/// runtime (Azure's never leave Azure), so `gatehouse up` can print a working curl command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequirement {
    #[serde(default = "default_subscription_header")]
    pub header_name: String,
    #[serde(default = "default_subscription_query")]
    pub query_name: String,
    /// Accepted keys, by subscription name (rate limits count per subscription).
    pub keys: BTreeMap<String, String>,
}

fn default_subscription_header() -> String {
    "Ocp-Apim-Subscription-Key".into()
}

fn default_subscription_query() -> String {
    "subscription-key".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// `GET`, `POST`, … or `*`.
    pub method: String,
    /// `/items/{id}`; a `{name}` segment matches one path segment, `/*` at the end any rest.
    pub url_template: String,
    /// The effective policy: global → product → API → operation already merged at `<base/>`.
    #[serde(default)]
    pub policy: Policy,
}

/// The flattened policy of one operation, by section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub inbound: Vec<Step>,
    #[serde(default)]
    pub backend: Vec<Step>,
    #[serde(default)]
    pub outbound: Vec<Step>,
    #[serde(default)]
    pub on_error: Vec<Step>,
}

impl Policy {
    fn validate(&self, address: &str, apim: &ApiManagement) -> Result<(), ConfigError> {
        let sections = [
            ("inbound", &self.inbound),
            ("backend", &self.backend),
            ("outbound", &self.outbound),
            ("on_error", &self.on_error),
        ];
        for (section, steps) in sections {
            validate_steps(&format!("{address}.policy.{section}"), steps, apim)?;
        }
        Ok(())
    }
}

fn validate_steps(address: &str, steps: &[Step], apim: &ApiManagement) -> Result<(), ConfigError> {
    for step in steps {
        let address = format!("{address}.{}", step.name());
        match step {
            Step::Choose(choose) => {
                for when in &choose.when {
                    check_expression(&address, &when.condition, Some(Ty::Bool))?;
                    validate_steps(&address, &when.steps, apim)?;
                }
                validate_steps(&address, &choose.otherwise, apim)?;
            }
            Step::RateLimitByKey(limit) => {
                check_expression(&address, &limit.counter_key, None)?;
                if let Some(condition) = &limit.increment_condition {
                    check_expression(&address, condition, Some(Ty::Bool))?;
                }
            }
            Step::SetHeader(set) => {
                for value in &set.values {
                    if value.starts_with('@') {
                        check_expression(&address, value, None)?;
                    }
                }
            }
            Step::SetBackendService(BackendTarget::BackendId(id))
                if !apim.backends.contains_key(id) =>
            {
                return Err(invalid(address, format!("backend `{id}` is not defined")));
            }
            Step::AuthenticationCertificate(auth)
                if !apim.certificates.contains_key(&auth.certificate_id) =>
            {
                return Err(invalid(
                    address,
                    format!("certificate `{}` is not defined", auth.certificate_id),
                ));
            }
            Step::ValidateClientCertificate(validate) => {
                for identity in &validate.identities {
                    if let Some(id) = &identity.issuer_certificate_id {
                        if !apim.ca_certificates.contains_key(id) {
                            return Err(invalid(
                                address,
                                format!("ca_certificate `{id}` is not defined"),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_expression(address: &str, source: &str, want: Option<Ty>) -> Result<(), ConfigError> {
    let result = match want {
        Some(Ty::Bool) => parse_condition(source),
        _ => parse_expression(source),
    };
    result
        .map(|_| ())
        .map_err(|source_err| ConfigError::Expression {
            address: address.to_string(),
            expression: source.to_string(),
            source: source_err,
        })
}

/// One policy statement. Serialized as `{"set-header": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    ValidateClientCertificate(ValidateClientCertificate),
    CheckHeader(CheckHeader),
    SetHeader(SetHeader),
    IpFilter(IpFilter),
    RateLimit(RateLimit),
    RateLimitByKey(RateLimitByKey),
    Cors(Cors),
    ReturnResponse(ReturnResponse),
    SetBackendService(BackendTarget),
    Choose(Choose),
    AuthenticationCertificate(AuthenticationCertificate),
}

impl Step {
    /// The policy's element name, for messages and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Step::ValidateClientCertificate(_) => "validate-client-certificate",
            Step::CheckHeader(_) => "check-header",
            Step::SetHeader(_) => "set-header",
            Step::IpFilter(_) => "ip-filter",
            Step::RateLimit(_) => "rate-limit",
            Step::RateLimitByKey(_) => "rate-limit-by-key",
            Step::Cors(_) => "cors",
            Step::ReturnResponse(_) => "return-response",
            Step::SetBackendService(_) => "set-backend-service",
            Step::Choose(_) => "choose",
            Step::AuthenticationCertificate(_) => "authentication-certificate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidateClientCertificate {
    pub validate_revocation: bool,
    pub validate_trust: bool,
    pub validate_not_before: bool,
    pub validate_not_after: bool,
    pub ignore_error: bool,
    /// The certificate must match all attributes of at least one identity (if any are given).
    pub identities: Vec<CertificateIdentity>,
}

impl Default for ValidateClientCertificate {
    fn default() -> Self {
        ValidateClientCertificate {
            validate_revocation: true,
            validate_trust: true,
            validate_not_before: true,
            validate_not_after: true,
            ignore_error: false,
            identities: Vec::new(),
        }
    }
}

/// `<identity>`: every attribute given must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CertificateIdentity {
    pub thumbprint: Option<String>,
    pub serial_number: Option<String>,
    pub common_name: Option<String>,
    pub subject: Option<String>,
    pub dns_name: Option<String>,
    pub issuer_subject: Option<String>,
    pub issuer_thumbprint: Option<String>,
    pub issuer_certificate_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckHeader {
    pub name: String,
    pub failed_check_httpcode: u16,
    pub failed_check_error_message: String,
    #[serde(default)]
    pub ignore_case: bool,
    /// Allowed values; empty = the header only has to be present.
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetHeader {
    pub name: String,
    #[serde(default)]
    pub exists_action: ExistsAction,
    /// Literal values, or `@(…)` expressions in the documented subset.
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExistsAction {
    #[default]
    Override,
    Skip,
    Append,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpFilter {
    pub action: IpFilterAction,
    #[serde(default)]
    pub addresses: Vec<String>,
    #[serde(default)]
    pub address_ranges: Vec<AddressRange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpFilterAction {
    Allow,
    Forbid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressRange {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub calls: u64,
    pub renewal_period_s: u64,
    #[serde(default)]
    pub retry_after_header_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitByKey {
    pub calls: u64,
    pub renewal_period_s: u64,
    /// An expression whose value names the counter.
    pub counter_key: String,
    #[serde(default)]
    pub increment_condition: Option<String>,
    #[serde(default)]
    pub retry_after_header_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cors {
    pub allow_credentials: bool,
    /// `*` or exact origins.
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub preflight_result_max_age: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnResponse {
    pub status_code: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendTarget {
    BackendId(String),
    BaseUrl(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choose {
    pub when: Vec<When>,
    #[serde(default)]
    pub otherwise: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub condition: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthenticationCertificate {
    pub certificate_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_other_format_version() {
        let err = RuntimeConfig::from_json(br#"{"format_version": 2}"#).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::FormatVersion {
                found: 2,
                expected: 1
            }
        ));
    }

    #[test]
    fn rejects_unknown_field() {
        let err = RuntimeConfig::from_json(br#"{"format_version": 1, "extra": 1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `extra`"), "{err}");
    }

    #[test]
    fn rejects_unparsable_condition_naming_it() {
        let mut config = RuntimeConfig::default();
        let mut apim = ApiManagement::default();
        let mut api = Api {
            path: "a".into(),
            hostnames: vec![],
            service_url: None,
            subscription: None,
            operations: BTreeMap::new(),
        };
        let choose = Step::Choose(Choose {
            when: vec![When {
                condition: "context.Request.Body.As<string>() == \"x\"".into(),
                steps: vec![],
            }],
            otherwise: vec![],
        });
        api.operations.insert(
            "get".into(),
            Operation {
                method: "GET".into(),
                url_template: "/".into(),
                policy: Policy {
                    inbound: vec![choose],
                    ..Policy::default()
                },
            },
        );
        apim.apis.insert("a".into(), api);
        config.api_managements.insert("main".into(), apim);
        let json = config.to_json();
        let err = RuntimeConfig::from_json(json.as_bytes()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("api_management.main.api.a.operation.get.policy.inbound.choose"),
            "{text}"
        );
        assert!(text.contains("context.Request.Body"), "{text}");
    }

    #[test]
    fn lists_referenced_files_once_each() {
        let certificate = |name: &str| CertificateFiles {
            cert_file: format!("{name}.crt"),
            key_file: format!("{name}.key"),
        };
        let mut gw = ApplicationGateway::default();
        gw.listeners.insert(
            "l".into(),
            Listener {
                bind: "127.0.0.1:0".into(),
                host_names: vec![],
                certificate: certificate("gw"),
                ssl_profile: None,
                http2: false,
            },
        );
        gw.ssl_profiles.insert(
            "p".into(),
            SslProfile {
                trusted_client_ca_files: vec!["ca.pem".into()],
                crl_files: vec!["ca.crl".into()],
                verify_client_cert_issuer_dn: false,
                mode: VerifyClientAuthMode::Strict,
            },
        );
        let mut apim = ApiManagement::default();
        apim.ca_certificates.insert(
            "root".into(),
            CaCertificate {
                file: "ca.pem".into(),
            },
        );
        apim.certificates.insert("c".into(), certificate("client"));
        let mut config = RuntimeConfig::default();
        config.application_gateways.insert("g".into(), gw);
        config.api_managements.insert("m".into(), apim);
        let files: Vec<_> = config.referenced_files().into_iter().collect();
        assert_eq!(
            files,
            [
                "ca.crl",
                "ca.pem",
                "client.crt",
                "client.key",
                "gw.crt",
                "gw.key"
            ]
        );
    }

    #[test]
    fn round_trips_a_step() {
        let step = Step::SetBackendService(BackendTarget::BackendId("b".into()));
        let json = serde_json::to_string(&step).unwrap();
        assert_eq!(json, r#"{"set-backend-service":{"backend_id":"b"}}"#);
        assert_eq!(serde_json::from_str::<Step>(&json).unwrap(), step);
    }
}
