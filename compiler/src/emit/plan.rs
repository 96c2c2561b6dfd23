//! The deployment plan: every decision the Terraform and Bicep emitters share, made once.
//!
//! The emitters only spell a plan in their own syntax. What is decided here: the symbol of
//! each resource, which secrets become parameters, which public certificate files are copied
//! into the output, how each certificate reaches Azure (Key Vault id, public file, PFX
//! parameter), the canonical order of every list Azure returns in its own order (field report
//! D4, D13), the Application Gateway's derived blocks (frontend ports, pools and settings
//! towards API Management hostnames, routing rules and their priorities, path maps), the API
//! Management hostnames with the default `*.azure-api.net` proxy entry first (D2, D3), and the
//! policy XML of every scope.
//!
//! **Invariant:** a pure function of the model; the same model gives the same plan, and a
//! reordered input gives the same plan (everything Azure keys by name is sorted by name).

use super::policy_xml;
use super::symbols::Symbols;
use crate::graph::NodeRef;
use crate::model::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The plan of a whole topology.
#[derive(Debug)]
pub struct Plan<'m> {
    pub model: &'m Model,
    pub symbols: Symbols,
    pub deployment: DeploymentPlan,
    /// Secret inputs (Terraform sensitive variables, Bicep `@secure()` params), by name.
    pub secrets: BTreeMap<String, SecretParam>,
    /// Public certificate files copied next to the emitted code: output-relative path → bytes.
    pub files: BTreeMap<String, FileCopy>,
    /// How each certificate reaches Azure, indexed by [`CertificateId`].
    pub certificates: Vec<CertificateData>,
    pub app_gateways: Vec<AppGatewayPlan>,
    pub api_managements: Vec<ApiManagementPlan>,
    /// Role assignments of identities on Key Vaults, in model order.
    pub role_assignments: Vec<RoleAssignmentPlan>,
    /// Key Vault access policies (vaults with `permission_model = "access_policy"`), in model
    /// order.
    pub access_policies: Vec<AccessPolicyPlan>,
    /// Non-secret inputs the topology leaves to the pipeline (e.g. the subnet of a gateway
    /// that names none), by name. Terraform variables, Bicep params without a default.
    pub inputs: BTreeMap<String, InputParam>,
    /// Private DNS zones, by symbol.
    pub private_dns_zones: Vec<PrivateDnsZonePlan>,
}

/// A private DNS zone with its A record sets and virtual network links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateDnsZonePlan {
    pub id: PrivateDnsZoneId,
    pub symbol: String,
    /// The zone's DNS name.
    pub name: String,
    /// Sorted by name.
    pub a_records: Vec<ARecordPlan>,
    /// Sorted by name.
    pub links: Vec<DnsLinkPlan>,
}

/// The TTL of the A record sets gatehouse writes: Azure's portal default.
pub const DNS_TTL: u32 = 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ARecordPlan {
    /// `<zone symbol>_<name>`, `apex` for `@` and `wildcard` for `*`.
    pub symbol: String,
    /// Relative name as Azure keys it: `@` for the apex.
    pub name: String,
    /// IPv4 addresses, sorted.
    pub addresses: Vec<String>,
}

/// The link that makes a zone resolvable from a virtual network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsLinkPlan {
    /// `<zone symbol>_<network symbol>`.
    pub symbol: String,
    /// `link-<network name>`.
    pub name: String,
    pub virtual_network: VirtualNetworkId,
}

/// A non-secret value the pipeline provides at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputParam {
    pub name: String,
    pub description: String,
}

impl InputParam {
    /// The environment variable a pipeline sets for it: the name in upper case.
    pub fn env_var(&self) -> String {
        self.name.to_ascii_uppercase()
    }
}

#[derive(Debug, Clone)]
pub struct DeploymentPlan {
    pub name: String,
    pub location: String,
    pub resource_group: String,
    /// Sorted by key.
    pub tags: BTreeMap<String, String>,
}

/// A secret the pipeline provides at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretParam {
    pub name: String,
    pub description: String,
    /// The environment variable or `secret()` name the topology read it from, for docs.
    pub source: Option<String>,
}

impl SecretParam {
    /// The environment variable a pipeline sets for this secret: the one the topology read it
    /// from (`secret("PFX_PASSWORD")` → `PFX_PASSWORD`), else the parameter name in upper case
    /// (`cert_edge_tls_pfx` → `CERT_EDGE_TLS_PFX`, holding the base64 of the PFX file).
    pub fn env_var(&self) -> String {
        self.source
            .as_deref()
            .and_then(|s| s.strip_prefix("secret(\""))
            .and_then(|s| s.strip_suffix("\")"))
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map_or_else(|| self.name.to_ascii_uppercase(), str::to_string)
    }
}

/// A certificate file copied into the output.
#[derive(Debug, Clone)]
pub struct FileCopy {
    /// The file in the topology (relative to its root), read by the CLI.
    pub from: String,
    /// The attribute that named the file.
    pub span: crate::source::Span,
    /// What the emitted code needs from it.
    pub encoding: FileEncoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEncoding {
    /// DER (`.cer`) bytes, base64 in the template (`filebase64`/`loadFileAsBase64`).
    Der,
    /// PEM text as written.
    Pem,
}

/// How a certificate's bytes reach Azure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateData {
    /// A Key Vault secret id: versionless unless the topology pins a version (GH501).
    KeyVault {
        vault: KeyVaultId,
        secret_id: String,
        identity: Option<IdentityId>,
    },
    /// A public certificate (no private key), copied to `path` in the output.
    Public { path: String },
    /// A PFX with its private key: base64 data and password are secret parameters.
    Pfx {
        data_param: String,
        password_param: Option<String>,
    },
    /// Nothing usable (already reported by the checks).
    Missing,
}

#[derive(Debug, Clone)]
pub struct AppGatewayPlan {
    pub id: AppGatewayId,
    pub symbol: String,
    /// The public IP, when the gateway has a public frontend: (symbol, Azure name).
    pub public_ip: Option<(String, String)>,
    /// `port-443` → 443, sorted by port.
    pub frontend_ports: Vec<(String, u16)>,
    pub ssl_certificates: Vec<NamedCertificate>,
    pub trusted_client_certificates: Vec<NamedCertificate>,
    pub trusted_root_certificates: Vec<NamedCertificate>,
    pub ssl_profiles: Vec<SslProfilePlan>,
    pub listeners: Vec<ListenerPlan>,
    pub backend_pools: Vec<PoolPlan>,
    pub backend_settings: Vec<SettingsPlan>,
    pub rewrite_rule_sets: Vec<RewriteRuleSetId>,
    pub rules: Vec<RulePlan>,
    pub url_path_maps: Vec<PathMapPlan>,
    /// The WAF policy of a WAF SKU gateway: (symbol, Azure name). Azure no longer creates
    /// gateways with the legacy inline WAF configuration; a policy resource replaces it.
    pub waf_policy: Option<(String, String)>,
    /// Backend settings for routes that name none (Azure requires settings on every rule),
    /// named by [`RouteTargetPlan::settings_name`], sorted by name.
    pub derived_settings: Vec<DerivedSettingsPlan>,
    /// The input holding the gateway's subnet id when the topology names no subnet.
    pub subnet_input: Option<String>,
}

/// A certificate under the name a gateway block knows it by (sorted by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCertificate {
    pub name: String,
    pub certificate: CertificateId,
}

#[derive(Debug, Clone)]
pub struct SslProfilePlan {
    pub id: SslProfileId,
    pub name: String,
    /// Sorted.
    pub trusted_client_certificate_names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ListenerPlan {
    pub id: ListenerId,
    pub name: String,
    pub frontend_ip_configuration: &'static str,
    pub frontend_port: String,
    pub ssl_certificate: Option<String>,
    pub ssl_profile: Option<String>,
    /// Sorted.
    pub host_names: Vec<String>,
}

/// A backend pool: declared, or derived for a route to an API Management hostname.
#[derive(Debug, Clone)]
pub struct PoolPlan {
    pub name: String,
    pub fqdns: Vec<String>,
    pub ip_addresses: Vec<String>,
}

/// Backend settings: declared ones (the only kind today), with their probe.
#[derive(Debug, Clone)]
pub struct SettingsPlan {
    pub id: BackendSettingsId,
    pub name: String,
    pub probe: Option<String>,
    /// Sorted.
    pub trusted_root_certificate_names: Vec<String>,
}

/// The path API Management answers with 200 on every gateway hostname, without a
/// subscription key: what a probe towards API Management must request (the default probe's
/// `/` gets a 404 and marks the backend unhealthy, GH803).
pub const APIM_STATUS_PATH: &str = "/status-0123456789abcdef";

/// Settings derived for a route without `backend_settings` (Azure requires settings on every
/// rule): HTTPS on 443. A route to an API Management hostname gets the hostname as host name
/// (so SNI and `Host` match its certificate, GH803) and a probe of [`APIM_STATUS_PATH`] on
/// it; a route to another pool picks the host name from the pool member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedSettingsPlan {
    /// [`RouteTargetPlan::settings_name`]: `<pool>-settings`.
    pub name: String,
    pub port: u16,
    /// `Some` for a route to an API Management hostname; `None`: pick from the pool member.
    pub host_name: Option<String>,
    /// `<pool>-probe`, for a route to an API Management hostname.
    pub probe: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RulePlan {
    pub name: String,
    /// 100, 110, ... in listener-name order: stable for a given set of listeners.
    pub priority: u32,
    pub listener: String,
    pub kind: RuleKind,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    /// One route without paths: `Basic`.
    Basic(RouteTargetPlan),
    /// Path-based: the url path map of this name.
    PathBased { url_path_map: String },
}

/// Where a route sends requests: pool, settings and rewrite set names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTargetPlan {
    pub backend_pool: String,
    pub backend_settings: Option<String>,
    pub rewrite_rule_set: Option<String>,
}

impl RouteTargetPlan {
    /// The backend settings the route uses: its own, else the derived `<pool>-settings`.
    pub fn settings_name(&self) -> String {
        self.backend_settings
            .clone()
            .unwrap_or_else(|| format!("{}-settings", self.backend_pool))
    }
}

#[derive(Debug, Clone)]
pub struct PathMapPlan {
    pub name: String,
    pub default: Option<RouteTargetPlan>,
    /// Sorted by name.
    pub paths: Vec<PathRulePlan>,
}

#[derive(Debug, Clone)]
pub struct PathRulePlan {
    pub name: String,
    pub paths: Vec<String>,
    pub target: RouteTargetPlan,
}

#[derive(Debug, Clone)]
pub struct ApiManagementPlan {
    pub id: ApiManagementId,
    pub symbol: String,
    /// `SystemAssigned`, `UserAssigned` or `SystemAssigned, UserAssigned`; `None` without.
    pub identity_type: Option<&'static str>,
    /// User-assigned identities, in model order.
    pub user_identities: Vec<IdentityId>,
    /// Custom hostnames by type, the default proxy entry first, then by host name.
    pub hostnames: Vec<HostnamePlan>,
    /// Whether hostnames are a separate step after the identity's grants (GH510).
    pub two_phase_hostnames: bool,
    /// The APIM certificate store entries (`certificate-id`s) backends and policies use.
    pub certificates: Vec<NamedCertificate>,
    /// Sorted by name.
    pub ca_certificates: Vec<CaCertificateId>,
    pub backends: Vec<BackendId>,
    pub named_values: Vec<NamedValueId>,
    pub products: Vec<ProductId>,
    pub api_version_sets: Vec<ApiVersionSetId>,
    pub apis: Vec<ApiPlan>,
    /// Policy XML per scope, global first.
    pub policies: Vec<PolicyPlan>,
    /// Policy fragments (`<fragment>` XML), sorted by name.
    pub fragments: Vec<FragmentPlan>,
}

#[derive(Debug, Clone)]
pub struct FragmentPlan {
    pub id: PolicyFragmentId,
    /// The fragment id policies name in `fragment-id`: the block's label.
    pub name: String,
    pub xml: String,
    /// What the fragment names (fragments it includes among them).
    pub references: PolicyReferences,
}

/// One custom hostname entry, as Azure lists it.
#[derive(Debug, Clone)]
pub struct HostnamePlan {
    pub kind: HostnameType,
    pub host_name: String,
    /// `None` for the default `<name>.azure-api.net` entry, which never carries certificate
    /// fields (D3).
    pub hostname: Option<HostnameId>,
    pub certificate: Option<CertificateId>,
    pub negotiate_client_certificate: bool,
    pub default_ssl_binding: bool,
    /// The user-assigned identity that reads the Key Vault certificate, if any.
    pub identity: Option<IdentityId>,
}

#[derive(Debug, Clone)]
pub struct ApiPlan {
    pub id: ApiId,
    pub symbol: String,
    /// Sorted by name.
    pub operations: Vec<OperationId>,
}

#[derive(Debug, Clone)]
pub struct PolicyPlan {
    pub id: PolicyId,
    pub scope: PolicyScope,
    pub xml: String,
    /// What the document names and API Management resolves when the policy is saved (it
    /// rejects a policy naming a named value, certificate or backend that does not exist
    /// yet): the emitters deploy these first.
    pub references: PolicyReferences,
}

/// Entities of the instance a policy document names, each sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyReferences {
    /// `{{display name}}` references.
    pub named_values: Vec<NamedValueId>,
    /// `certificate-id="..."`: names in [`ApiManagementPlan::certificates`].
    pub certificates: Vec<String>,
    /// `backend-id="..."`.
    pub backends: Vec<BackendId>,
    /// `fragment-id="..."`: names in [`ApiManagementPlan::fragments`].
    pub fragments: Vec<String>,
}

/// An identity's role on a vault; `principal` says whose principal id it is.
#[derive(Debug, Clone)]
pub struct RoleAssignmentPlan {
    pub symbol: String,
    pub identity: IdentityId,
    pub principal: Principal,
    pub vault: KeyVaultId,
    pub role: String,
}

/// A Key Vault access policy granting an identity permissions on a vault.
#[derive(Debug, Clone)]
pub struct AccessPolicyPlan {
    /// `<vault symbol>_<identity symbol>`, with `_2`, ... for a second policy of the pair.
    pub symbol: String,
    pub vault: KeyVaultId,
    pub identity: IdentityId,
    pub principal: Principal,
    /// As written.
    pub secret_permissions: Vec<String>,
    pub certificate_permissions: Vec<String>,
}

/// Whose principal id a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    UserAssigned(IdentityId),
    /// The system-assigned identity of an API Management instance.
    ApiManagement(ApiManagementId),
    /// The system-assigned identity of an Application Gateway (Azure has none usable for Key
    /// Vault; GH508 reports it, the grant is emitted as written).
    AppGateway(AppGatewayId),
    /// A system-assigned identity that no resource lists: nothing to grant.
    Unattached,
}

/// Builds the plan of a model.
pub fn plan<'m>(model: &'m Model, graph: &crate::graph::Graph) -> Plan<'m> {
    let symbols = Symbols::of(graph);
    let mut secrets = BTreeMap::new();
    let mut files = BTreeMap::new();
    let certificates = model
        .certificates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            certificate_data(
                model,
                &symbols,
                CertificateId(i as u32),
                c,
                &mut secrets,
                &mut files,
            )
        })
        .collect();
    let deployment = deployment(model);
    let app_gateways: Vec<AppGatewayPlan> = (0..model.app_gateways.len())
        .map(|i| app_gateway(model, &symbols, AppGatewayId(i as u32)))
        .collect();
    let api_managements = (0..model.api_managements.len())
        .map(|i| api_management(model, &symbols, ApiManagementId(i as u32)))
        .collect();
    for (i, nv) in model.named_values.iter().enumerate() {
        if let Some(NamedValueSource::Value(v)) = &nv.source {
            if let SecretText::Secret(s) = &v.value {
                let name = format!(
                    "{}_value",
                    symbols.get(NodeRef::NamedValue(NamedValueId(i as u32)))
                );
                secrets.insert(
                    name.clone(),
                    SecretParam {
                        name,
                        description: format!("Value of named value `{}`.", nv.decl.name),
                        source: Some(s.origin.clone()),
                    },
                );
            }
        }
    }
    let role_assignments = role_assignments(model, &symbols);
    let private_dns_zones = private_dns_zones(model, &symbols);
    let access_policies = access_policies(model, &symbols);
    let mut inputs = BTreeMap::new();
    for gw in &app_gateways {
        let gw: &AppGatewayPlan = gw;
        if let Some(name) = &gw.subnet_input {
            inputs.insert(
                name.clone(),
                InputParam {
                    name: name.clone(),
                    description: format!(
                        "Resource id of the subnet of Application Gateway `{}` (the topology names none).",
                        model[gw.id].decl.name
                    ),
                },
            );
        }
    }
    Plan {
        model,
        symbols,
        deployment,
        secrets,
        files,
        certificates,
        app_gateways,
        api_managements,
        role_assignments,
        access_policies,
        inputs,
        private_dns_zones,
    }
}

fn private_dns_zones(model: &Model, symbols: &Symbols) -> Vec<PrivateDnsZonePlan> {
    let mut zones: Vec<PrivateDnsZonePlan> = (0..model.private_dns_zones.len())
        .map(|i| {
            let id = PrivateDnsZoneId(i as u32);
            let zone = &model[id];
            let symbol = symbols.get(NodeRef::PrivateDnsZone(id)).to_string();
            let mut a_records: Vec<ARecordPlan> = zone
                .a_records
                .iter()
                .map(|r| {
                    let name = match r.name.value.as_str() {
                        "" => "@".to_string(),
                        n => n.to_ascii_lowercase(),
                    };
                    let suffix = match name.as_str() {
                        "@" => "apex".to_string(),
                        n => n.replace('*', "wildcard").replace(['.', '-'], "_"),
                    };
                    let mut addresses: Vec<String> =
                        r.records.iter().map(|a| a.value.clone()).collect();
                    addresses.sort();
                    addresses.dedup();
                    ARecordPlan {
                        symbol: format!("{symbol}_{suffix}"),
                        name,
                        addresses,
                    }
                })
                .collect();
            a_records.sort_by(|a, b| a.name.cmp(&b.name));
            let mut links: Vec<DnsLinkPlan> = zone
                .virtual_networks
                .iter()
                .map(|v| DnsLinkPlan {
                    symbol: format!("{symbol}_{}", symbols.get(NodeRef::VirtualNetwork(v.id))),
                    name: format!("link-{}", model[v.id].azure_name.value),
                    virtual_network: v.id,
                })
                .collect();
            links.sort_by(|a, b| a.name.cmp(&b.name));
            links.dedup_by(|a, b| a.name == b.name);
            PrivateDnsZonePlan {
                id,
                symbol,
                name: zone.azure_name.value.clone(),
                a_records,
                links,
            }
        })
        .collect();
    zones.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    zones
}

impl Plan<'_> {
    /// The symbol of a node (see [`Symbols`]).
    pub fn symbol(&self, node: NodeRef) -> &str {
        self.symbols.get(node)
    }
}

fn deployment(model: &Model) -> DeploymentPlan {
    match &model.deployment {
        Some(d) => DeploymentPlan {
            name: d.name.value.clone(),
            location: d.location.value.clone(),
            resource_group: d.resource_group.value.clone(),
            tags: d.tags.iter().cloned().collect(),
        },
        None => DeploymentPlan {
            name: "gatehouse".into(),
            location: "westeurope".into(),
            resource_group: "rg-gatehouse".into(),
            tags: BTreeMap::new(),
        },
    }
}

/// The versionless (or pinned) id of a Key Vault secret.
pub fn secret_id(model: &Model, kv: &KeyVaultSecret) -> String {
    let vault = &model[kv.vault.id].azure_name.value;
    let base = format!(
        "https://{vault}.vault.azure.net/secrets/{}",
        kv.secret_name.value
    );
    match &kv.secret_version {
        Some(v) => format!("{base}/{}", v.value),
        None => base,
    }
}

fn certificate_data(
    model: &Model,
    symbols: &Symbols,
    id: CertificateId,
    cert: &Certificate,
    secrets: &mut BTreeMap<String, SecretParam>,
    files: &mut BTreeMap<String, FileCopy>,
) -> CertificateData {
    let symbol = symbols.get(NodeRef::Certificate(id));
    let mut public = |file: &Spanned<String>, encoding: FileEncoding| {
        let ext = match encoding {
            FileEncoding::Der => "cer",
            FileEncoding::Pem => "pem",
        };
        let path = format!("certs/{symbol}.{ext}");
        files.insert(
            path.clone(),
            FileCopy {
                from: file.value.clone(),
                span: file.span,
                encoding,
            },
        );
        CertificateData::Public { path }
    };
    match &cert.source {
        Some(CertSource::KeyVault(kv)) => CertificateData::KeyVault {
            vault: kv.vault.id,
            secret_id: secret_id(model, kv),
            identity: cert.identity.map(|r| r.id),
        },
        Some(CertSource::Der(f)) => public(f, FileEncoding::Der),
        Some(CertSource::Pem(f)) if cert.private_key.is_none() => public(f, FileEncoding::Pem),
        Some(CertSource::CaChain(f)) => public(f, FileEncoding::Pem),
        Some(CertSource::Pfx(_)) | Some(CertSource::Pem(_)) => {
            let data_param = format!("{symbol}_pfx");
            secrets.insert(
                data_param.clone(),
                SecretParam {
                    name: data_param.clone(),
                    description: format!(
                        "Base64 PFX of certificate `{}` (with its private key).",
                        cert.decl.name
                    ),
                    source: cert
                        .source
                        .as_ref()
                        .and_then(|s| s.file())
                        .map(|f| f.value.clone()),
                },
            );
            let password_param = cert.password.as_ref().map(|p| {
                let name = format!("{symbol}_password");
                secrets.insert(
                    name.clone(),
                    SecretParam {
                        name: name.clone(),
                        description: format!(
                            "Password of the PFX of certificate `{}`.",
                            cert.decl.name
                        ),
                        source: match &p.value {
                            SecretText::Secret(s) => Some(s.origin.clone()),
                            SecretText::Literal(_) => None,
                        },
                    },
                );
                name
            });
            CertificateData::Pfx {
                data_param,
                password_param,
            }
        }
        None => CertificateData::Missing,
    }
}

fn app_gateway(model: &Model, symbols: &Symbols, id: AppGatewayId) -> AppGatewayPlan {
    let gw = &model[id];
    let symbol = symbols.get(NodeRef::AppGateway(id)).to_string();
    let public_ip = gw.public_frontend.value.then(|| {
        (
            format!("{symbol}_pip"),
            format!("pip-{}", gw.azure_name.value),
        )
    });
    let cert_name = |c: CertificateId| model[c].gateway_name();

    let mut ports: Vec<u16> = gw.listeners.iter().map(|l| model[*l].port.value).collect();
    ports.sort_unstable();
    ports.dedup();
    let frontend_ports = ports.iter().map(|p| (format!("port-{p}"), *p)).collect();

    let mut ssl_certificates = Vec::new();
    let mut listeners = Vec::new();
    for l in &gw.listeners {
        let listener = &model[*l];
        let ssl_certificate = listener.certificate.map(|c| {
            push_named(&mut ssl_certificates, cert_name(c.id), c.id);
            cert_name(c.id)
        });
        let mut host_names: Vec<String> = listener
            .host_names
            .iter()
            .map(|h| h.value.clone())
            .collect();
        host_names.sort();
        listeners.push(ListenerPlan {
            id: *l,
            name: listener.decl.name.replace('_', "-"),
            frontend_ip_configuration: if listener.private_frontend || !gw.public_frontend.value {
                "private"
            } else {
                "public"
            },
            frontend_port: format!("port-{}", listener.port.value),
            ssl_certificate,
            ssl_profile: listener
                .ssl_profile
                .map(|p| model[p.id].decl.name.replace('_', "-")),
            host_names,
        });
    }
    listeners.sort_by(|a, b| a.name.cmp(&b.name));
    ssl_certificates.sort_by(|a, b| a.name.cmp(&b.name));

    let mut trusted_client_certificates = Vec::new();
    let mut ssl_profiles = Vec::new();
    for p in &gw.ssl_profiles {
        let profile = &model[*p];
        let mut names = Vec::new();
        for ca in &profile.trusted_client_cas {
            push_named(&mut trusted_client_certificates, cert_name(ca.id), ca.id);
            names.push(cert_name(ca.id));
        }
        names.sort();
        names.dedup();
        ssl_profiles.push(SslProfilePlan {
            id: *p,
            name: profile.decl.name.replace('_', "-"),
            trusted_client_certificate_names: names,
        });
    }
    ssl_profiles.sort_by(|a, b| a.name.cmp(&b.name));
    trusted_client_certificates.sort_by(|a, b| a.name.cmp(&b.name));

    let mut trusted_root_certificates = Vec::new();
    let mut backend_settings = Vec::new();
    for s in &gw.backend_settings {
        let settings = &model[*s];
        let mut names = Vec::new();
        for root in &settings.trusted_root_certificates {
            push_named(&mut trusted_root_certificates, cert_name(root.id), root.id);
            names.push(cert_name(root.id));
        }
        names.sort();
        names.dedup();
        let name = settings.decl.name.replace('_', "-");
        backend_settings.push(SettingsPlan {
            id: *s,
            probe: settings.probe.as_ref().map(|_| format!("{name}-probe")),
            name,
            trusted_root_certificate_names: names,
        });
    }
    backend_settings.sort_by(|a, b| a.name.cmp(&b.name));
    trusted_root_certificates.sort_by(|a, b| a.name.cmp(&b.name));

    let mut backend_pools: Vec<PoolPlan> = gw
        .backend_pools
        .iter()
        .map(|p| {
            let pool = &model[*p];
            PoolPlan {
                name: pool.decl.name.replace('_', "-"),
                fqdns: pool.fqdns.iter().map(|f| f.value.clone()).collect(),
                ip_addresses: pool.ip_addresses.iter().map(|f| f.value.clone()).collect(),
            }
        })
        .collect();

    let mut rules = Vec::new();
    let mut url_path_maps = Vec::new();
    let mut derived_settings: Vec<DerivedSettingsPlan> = Vec::new();
    let mut ordered: Vec<ListenerId> = gw.listeners.clone();
    ordered.sort_by(|a, b| model[*a].decl.name.cmp(&model[*b].decl.name));
    for (index, l) in ordered.iter().enumerate() {
        let listener = &model[*l];
        let name = listener.decl.name.replace('_', "-");
        let mut target =
            |route: &Route| route_target(model, route, &mut backend_pools, &mut derived_settings);
        let kind = match listener.routes.as_slice() {
            [only] if only.paths.is_empty() => RuleKind::Basic(target(only)),
            routes => {
                let map = format!("{name}-paths");
                let mut paths: Vec<PathRulePlan> = routes
                    .iter()
                    .filter(|r| !r.paths.is_empty())
                    .map(|r| PathRulePlan {
                        name: r.name.replace('_', "-"),
                        paths: r.paths.iter().map(|p| p.value.clone()).collect(),
                        target: target(r),
                    })
                    .collect();
                paths.sort_by(|a, b| a.name.cmp(&b.name));
                let default = routes.iter().find(|r| r.paths.is_empty()).map(&mut target);
                url_path_maps.push(PathMapPlan {
                    name: map.clone(),
                    default,
                    paths,
                });
                RuleKind::PathBased { url_path_map: map }
            }
        };
        rules.push(RulePlan {
            name: format!("{name}-rule"),
            priority: 100 + 10 * index as u32,
            listener: name,
            kind,
        });
    }
    backend_pools.sort_by(|a, b| a.name.cmp(&b.name));
    backend_pools.dedup_by(|a, b| a.name == b.name);

    derived_settings.sort_by(|a, b| a.name.cmp(&b.name));
    derived_settings.dedup_by(|a, b| a.name == b.name);
    let waf_policy = gw.sku.value.starts_with("WAF").then(|| {
        (
            format!("{symbol}_waf"),
            format!("waf-{}", gw.azure_name.value),
        )
    });
    let subnet_input = gw.subnet.is_none().then(|| format!("{symbol}_subnet_id"));

    let mut rewrite_rule_sets = gw.rewrite_rule_sets.clone();
    rewrite_rule_sets.sort_by(|a, b| model[*a].decl.name.cmp(&model[*b].decl.name));

    AppGatewayPlan {
        id,
        symbol,
        public_ip,
        frontend_ports,
        ssl_certificates,
        trusted_client_certificates,
        trusted_root_certificates,
        ssl_profiles,
        listeners,
        backend_pools,
        backend_settings,
        rewrite_rule_sets,
        rules,
        url_path_maps,
        waf_policy,
        derived_settings,
        subnet_input,
    }
}

fn push_named(list: &mut Vec<NamedCertificate>, name: String, certificate: CertificateId) {
    if !list.iter().any(|n| n.name == name) {
        list.push(NamedCertificate { name, certificate });
    }
}

/// The pool, settings and rewrite set of a route; a route to an API Management hostname gets a
/// pool of its own holding the hostname's FQDN. A route without `backend_settings` gets derived
/// ones (Application Gateway rejects a rule without settings), see [`DerivedSettingsPlan`].
fn route_target(
    model: &Model,
    route: &Route,
    pools: &mut Vec<PoolPlan>,
    derived: &mut Vec<DerivedSettingsPlan>,
) -> RouteTargetPlan {
    let mut apim_host = None;
    let backend_pool = match route.to {
        Some(RouteTarget::BackendPool(p)) => gateway_name(&model[p.id].decl.name),
        Some(RouteTarget::Hostname(h)) => {
            let hostname = &model[h.id];
            apim_host = Some(hostname.host_name.value.clone());
            let name = format!(
                "apim-{}-{}",
                gateway_name(&model[hostname.api_management].decl.name),
                gateway_name(&hostname.decl.name)
            );
            if !pools.iter().any(|p| p.name == name) {
                pools.push(PoolPlan {
                    name: name.clone(),
                    fqdns: vec![hostname.host_name.value.clone()],
                    ip_addresses: Vec::new(),
                });
            }
            name
        }
        None => String::from("default"),
    };
    let target = RouteTargetPlan {
        backend_pool,
        backend_settings: route
            .backend_settings
            .map(|s| gateway_name(&model[s.id].decl.name)),
        rewrite_rule_set: route
            .rewrite_rule_set
            .map(|s| gateway_name(&model[s.id].decl.name)),
    };
    if target.backend_settings.is_none() {
        derived.push(DerivedSettingsPlan {
            name: target.settings_name(),
            port: 443,
            probe: apim_host
                .is_some()
                .then(|| format!("{}-probe", target.backend_pool)),
            host_name: apim_host,
        });
    }
    target
}

/// The name of an Application Gateway child block (listener, pool, settings, rule, rewrite
/// set or rule, certificate without `name`): the label with `_` as `-`.
pub use crate::model::gateway_name;

fn api_management(model: &Model, symbols: &Symbols, id: ApiManagementId) -> ApiManagementPlan {
    let apim = &model[id];
    let system = apim
        .identities
        .iter()
        .any(|i| model[i.id].kind.value == IdentityType::SystemAssigned);
    let user_identities: Vec<IdentityId> = apim
        .identities
        .iter()
        .map(|i| i.id)
        .filter(|i| model[*i].kind.value == IdentityType::UserAssigned)
        .collect();
    let identity_type = match (system, user_identities.is_empty()) {
        (true, true) => Some("SystemAssigned"),
        (true, false) => Some("SystemAssigned, UserAssigned"),
        (false, false) => Some("UserAssigned"),
        (false, true) => None,
    };

    let mut hostnames: Vec<HostnamePlan> = apim
        .hostnames
        .iter()
        .map(|h| {
            let hostname = &model[*h];
            let certificate = hostname.certificate.map(|c| c.id);
            let identity = hostname
                .identity
                .map(|i| i.id)
                .or_else(|| certificate.and_then(|c| model[c].identity.map(|i| i.id)))
                .filter(|i| model[*i].kind.value == IdentityType::UserAssigned);
            HostnamePlan {
                kind: hostname.kind.value,
                host_name: hostname.host_name.value.clone(),
                hostname: Some(*h),
                certificate,
                negotiate_client_certificate: hostname.negotiate_client_certificate.value,
                default_ssl_binding: hostname.default_ssl_binding.value,
                identity,
            }
        })
        .collect();
    let has_custom_proxy = hostnames.iter().any(|h| h.kind == HostnameType::Proxy);
    if has_custom_proxy {
        // Azure lists the default proxy hostname among the custom ones; leaving it out plans a
        // change on every run (D2), and certificate fields on it are rejected (D3).
        hostnames.push(HostnamePlan {
            kind: HostnameType::Proxy,
            host_name: format!("{}.azure-api.net", apim.azure_name.value),
            hostname: None,
            certificate: None,
            negotiate_client_certificate: false,
            default_ssl_binding: false,
            identity: None,
        });
    }
    hostnames.sort_by(|a, b| {
        (a.kind, a.hostname.is_some(), &a.host_name).cmp(&(
            b.kind,
            b.hostname.is_some(),
            &b.host_name,
        ))
    });

    // The certificate store entries: every certificate a backend or policy of the instance
    // names, under its API Management name (two under one name are GH104).
    let mut certificates = Vec::new();
    for (c, _) in model.apim_certificates(id) {
        push_named(&mut certificates, model[c].apim_name().to_string(), c);
    }
    let mut policy_ids: Vec<PolicyId> = Vec::new();
    if let Some(p) = apim.policy {
        policy_ids.push(p);
    }
    let products = sorted_by_name(&apim.products, |p| &model[p].decl.name);
    policy_ids.extend(products.iter().filter_map(|p| model[*p].policy));
    let mut apis: Vec<ApiPlan> = apim
        .apis
        .iter()
        .map(|a| {
            let mut operations = model[*a].operations.clone();
            operations.sort_by(|x, y| model[*x].decl.name.cmp(&model[*y].decl.name));
            ApiPlan {
                id: *a,
                symbol: symbols.get(NodeRef::Api(*a)).to_string(),
                operations,
            }
        })
        .collect();
    apis.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    for api in &apis {
        policy_ids.extend(model[api.id].policy);
        policy_ids.extend(api.operations.iter().filter_map(|o| model[*o].policy));
    }
    certificates.sort_by(|a, b| a.name.cmp(&b.name));
    let referable = Referable::new(model, apim, &certificates);
    let policies = policy_ids
        .iter()
        .map(|p| {
            let xml = policy_xml::render(model, &model[*p]);
            PolicyPlan {
                id: *p,
                scope: model[*p].scope,
                references: referable.references(model, &xml),
                xml,
            }
        })
        .collect();

    let fragments = sorted_by_name(&apim.policy_fragments, |f| &model[f].decl.name)
        .into_iter()
        .map(|f| FragmentPlan {
            id: f,
            name: model[f].decl.name.clone(),
            xml: policy_xml::render_fragment(model, &model[f]),
            references: PolicyReferences::default(),
        })
        .map(|mut f: FragmentPlan| {
            f.references = referable.references(model, &f.xml);
            f
        })
        .collect();
    let ca_certificates = sorted_by_name(&apim.ca_certificates, |c| &model[c].decl.name);
    let backends = sorted_by_name(&apim.backends, |b| &model[b].azure_name.value);
    let named_values = sorted_by_name(&apim.named_values, |n| &model[n].decl.name);
    let api_version_sets = sorted_by_name(&apim.api_version_sets, |v| &model[v].decl.name);

    ApiManagementPlan {
        id,
        symbol: symbols.get(NodeRef::ApiManagement(id)).to_string(),
        identity_type,
        user_identities,
        hostnames,
        two_phase_hostnames: apim.two_phase_hostnames.value,
        certificates,
        ca_certificates,
        backends,
        named_values,
        products,
        api_version_sets,
        apis,
        policies,
        fragments,
    }
}

/// The entities of an instance a policy document can name, by the name it uses.
struct Referable<'a> {
    named_values: HashMap<&'a str, NamedValueId>,
    certificates: HashSet<&'a str>,
    backends: HashMap<&'a str, BackendId>,
    fragments: HashSet<&'a str>,
}

impl<'a> Referable<'a> {
    fn new(model: &'a Model, apim: &ApiManagement, certificates: &'a [NamedCertificate]) -> Self {
        Referable {
            named_values: apim
                .named_values
                .iter()
                .map(|n| (model[*n].display_name.as_str(), *n))
                .collect(),
            certificates: certificates.iter().map(|c| c.name.as_str()).collect(),
            backends: apim
                .backends
                .iter()
                .map(|b| (model[*b].azure_name.value.as_str(), *b))
                .collect(),
            fragments: apim
                .policy_fragments
                .iter()
                .map(|f| model[*f].decl.name.as_str())
                .collect(),
        }
    }

    /// What a rendered policy or fragment document names: one pass over the document for
    /// each kind of reference, looked up by name.
    fn references(&self, model: &Model, xml: &str) -> PolicyReferences {
        let mut named_values: Vec<NamedValueId> = delimited(xml, "{{", "}}")
            .filter_map(|name| self.named_values.get(name).copied())
            .collect();
        named_values.sort_by(|a, b| model[*a].decl.name.cmp(&model[*b].decl.name));
        named_values.dedup();
        let mut certificates: Vec<String> = delimited(xml, "certificate-id=\"", "\"")
            .filter(|name| self.certificates.contains(name))
            .map(str::to_string)
            .collect();
        certificates.sort();
        certificates.dedup();
        let mut backends: Vec<BackendId> = delimited(xml, "backend-id=\"", "\"")
            .filter_map(|name| self.backends.get(name).copied())
            .collect();
        backends.sort_by(|a, b| model[*a].azure_name.value.cmp(&model[*b].azure_name.value));
        backends.dedup();
        let mut fragments: Vec<String> = delimited(xml, "fragment-id=\"", "\"")
            .filter(|name| self.fragments.contains(name))
            .map(str::to_string)
            .collect();
        fragments.sort();
        fragments.dedup();
        PolicyReferences {
            named_values,
            certificates,
            backends,
            fragments,
        }
    }
}

/// Every text between `open` and the next `close` in `text`.
fn delimited<'t>(text: &'t str, open: &'t str, close: &'t str) -> impl Iterator<Item = &'t str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(open)? + open.len();
        let len = rest[start..].find(close)?;
        let found = &rest[start..start + len];
        rest = &rest[start + len + close.len()..];
        Some(found)
    })
}

/// `ids` sorted by the name `name` gives each.
fn sorted_by_name<'a, T: Copy>(ids: &[T], name: impl Fn(T) -> &'a str) -> Vec<T> {
    let mut v = ids.to_vec();
    v.sort_by(|a, b| name(*a).cmp(name(*b)));
    v
}

fn role_assignments(model: &Model, symbols: &Symbols) -> Vec<RoleAssignmentPlan> {
    let mut out = Vec::new();
    for (i, identity) in model.identities.iter().enumerate() {
        let id = IdentityId(i as u32);
        let principal = match identity.kind.value {
            IdentityType::UserAssigned => Principal::UserAssigned(id),
            IdentityType::SystemAssigned => system_owner(model, id),
        };
        for (n, ra) in identity.role_assignments.iter().enumerate() {
            let Some(scope) = ra.scope else { continue };
            out.push(RoleAssignmentPlan {
                symbol: format!("{}_role_{n}", symbols.get(NodeRef::Identity(id))),
                identity: id,
                principal,
                vault: scope.id,
                role: ra.role.value.clone(),
            });
        }
    }
    out
}

fn access_policies(model: &Model, symbols: &Symbols) -> Vec<AccessPolicyPlan> {
    let mut out: Vec<AccessPolicyPlan> = Vec::new();
    for (v, vault) in model.key_vaults.iter().enumerate() {
        let vault_id = KeyVaultId(v as u32);
        for policy in &vault.access_policies {
            let Some(identity) = policy.identity else {
                continue;
            };
            let principal = match model[identity.id].kind.value {
                IdentityType::UserAssigned => Principal::UserAssigned(identity.id),
                IdentityType::SystemAssigned => system_owner(model, identity.id),
            };
            let base = format!(
                "{}_{}",
                symbols.get(NodeRef::KeyVault(vault_id)),
                symbols.get(NodeRef::Identity(identity.id))
            );
            let mut symbol = base.clone();
            let mut n = 2;
            while out.iter().any(|p| p.symbol == symbol) {
                symbol = format!("{base}_{n}");
                n += 1;
            }
            let values = |v: &[Spanned<String>]| v.iter().map(|s| s.value.clone()).collect();
            out.push(AccessPolicyPlan {
                symbol,
                vault: vault_id,
                identity: identity.id,
                principal,
                secret_permissions: values(&policy.secret_permissions),
                certificate_permissions: values(&policy.certificate_permissions),
            });
        }
    }
    out
}

/// The resource whose system-assigned identity `identity` stands for.
pub fn system_owner(model: &Model, identity: IdentityId) -> Principal {
    if let Some(i) = model
        .api_managements
        .iter()
        .position(|a| a.identities.iter().any(|r| r.id == identity))
    {
        return Principal::ApiManagement(ApiManagementId(i as u32));
    }
    if let Some(i) = model
        .app_gateways
        .iter()
        .position(|g| g.identity.is_some_and(|r| r.id == identity))
    {
        return Principal::AppGateway(AppGatewayId(i as u32));
    }
    Principal::Unattached
}

/// The id of an Azure built-in Key Vault role (`roleDefinitions/<id>`), by its name.
pub fn role_definition_id(role: &str) -> Option<&'static str> {
    Some(match role {
        "Key Vault Secrets User" => "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Certificate User" => "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
        "Key Vault Reader" => "21090545-7ca7-4776-b22c-e363652d74d2",
        "Key Vault Secrets Officer" => "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Key Vault Certificates Officer" => "a4417e6f-fecd-4de8-b567-7b0420556985",
        "Key Vault Administrator" => "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        _ => return None,
    })
}

/// The template parameters of an operation's URL template (`/orders/{id}` → `id`), in order,
/// without repeats. API Management rejects an operation whose template uses a parameter it
/// does not declare.
pub fn template_parameters(url_template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = url_template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim_start_matches('*').to_string();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 1..];
    }
    out
}

/// The Azure name of an identity: its `name`, else `id-<label>`.
pub fn identity_name(model: &Model, id: IdentityId) -> String {
    let identity = &model[id];
    identity.azure_name.as_ref().map_or_else(
        || format!("id-{}", identity.decl.name.replace('_', "-")),
        |n| n.value.clone(),
    )
}

/// The symbol of an API Management certificate-store entry (`service/certificates`): the
/// instance's symbol and the certificate's, as a certificate may be uploaded to two instances.
pub fn apim_certificate_symbol(apim_symbol: &str, certificate_symbol: &str) -> String {
    format!("{apim_symbol}_{certificate_symbol}")
}

/// The symbol of the link of an API to a product (`products/apis`).
pub fn product_api_symbol(product_symbol: &str, api_symbol: &str) -> String {
    format!("{product_symbol}_{api_symbol}")
}

/// Where an entity lives when its `resource_group` differs from the deployment's: `Some(rg)`
/// means it is an existing resource there, referenced and never created (Terraform `data`,
/// Bicep `existing`).
pub fn external_group<'a>(
    plan: &DeploymentPlan,
    resource_group: &'a Option<String>,
) -> Option<&'a str> {
    resource_group
        .as_deref()
        .filter(|rg| *rg != plan.resource_group)
}

#[cfg(test)]
mod additions_tests {
    use super::*;

    #[test]
    fn template_parameters_in_order_without_repeats() {
        assert_eq!(
            template_parameters("/orders/{id}/lines/{line}/{id}"),
            ["id", "line"]
        );
        assert!(template_parameters("/").is_empty());
        assert_eq!(template_parameters("/{unclosed"), Vec::<String>::new());
    }

    #[test]
    fn gateway_names_use_dashes() {
        assert_eq!(gateway_name("forward_client_cert"), "forward-client-cert");
    }

    #[test]
    fn secret_env_var_prefers_the_topology_name() {
        let p = |source: Option<&str>| SecretParam {
            name: "cert_edge_tls_password".into(),
            description: String::new(),
            source: source.map(str::to_string),
        };
        assert_eq!(
            p(Some("secret(\"PFX_PASSWORD\")")).env_var(),
            "PFX_PASSWORD"
        );
        assert_eq!(p(Some("var.password")).env_var(), "CERT_EDGE_TLS_PASSWORD");
        assert_eq!(p(None).env_var(), "CERT_EDGE_TLS_PASSWORD");
    }
}

#[cfg(test)]
mod delimited_tests {
    use super::delimited;

    #[test]
    fn delimited_finds_every_enclosed_text() {
        let xml = r#"<a backend-id="one" /><b backend-id="two" />{{nv}}"#;
        assert_eq!(
            delimited(xml, "backend-id=\"", "\"").collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert_eq!(delimited(xml, "{{", "}}").collect::<Vec<_>>(), ["nv"]);
        assert_eq!(delimited("{{open", "{{", "}}").count(), 0);
    }
}
