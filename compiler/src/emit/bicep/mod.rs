//! The Bicep target: a [`Plan`] spelled as ARM resources at resource-group scope.
//!
//! Output (paths relative to `OUT/bicep/`): `main.bicep` with every resource, `main.bicepparam`
//! assigning the non-secret params and reading each secret with `readEnvironmentVariable`,
//! `policies/<symbol>.xml` (one document per policy scope, loaded with `loadTextContent`),
//! `apim-hostnames.bicep` when an instance deploys its hostnames in a second step (GH510), and
//! the public certificate files the plan copies to `certs/` (added by [`super::emit`]).
//!
//! The file's shape lives in [`syntax`] (a value tree with one renderer, which escapes every
//! string); the Azure decisions shared with Terraform come from the plan, and the ARM spelling
//! of each is made once here: `network.rs` for the network and Application Gateway,
//! `apim.rs` for API Management, this file for identities, Key Vault and grants. API versions
//! are pinned (field report D12) and every property is one the ARM types of
//! `shared/schemas/arm/` list as writable: no read-only field is ever sent (D11).
//!
//! **Invariant:** pure: a function of the plan; no secret value is ever written, only the
//! names of `@secure()` params.

mod apim;
mod network;
pub mod syntax;

use super::plan::{self, CertificateData, Plan, Principal};
use super::Files;
use crate::graph::NodeRef;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use syntax::{expr, id_ref, interp, quote, Obj, Param, Piece, Resource, Value};

/// Pinned API versions, one per resource provider (D12).
pub const NETWORK: &str = "2025-05-01";
/// Private DNS zones have API versions of their own; the schemas hold their names and
/// versions but not their properties, so `validate-bicep` reports them as not covered.
pub const PRIVATE_DNS: &str = "2024-06-01";
pub const API_MANAGEMENT: &str = "2024-05-01";
pub const KEY_VAULT: &str = "2024-11-01";
pub const MANAGED_IDENTITY: &str = "2024-11-30";
pub const AUTHORIZATION: &str = "2022-04-01";

/// The file of the second hostname deployment (GH510).
pub const HOSTNAMES_MODULE: &str = "apim-hostnames.bicep";

/// Emits the Bicep files of a plan.
pub fn emit(plan: &Plan) -> Files {
    let mut e = Emitter::new(plan);
    e.identities();
    e.key_vaults();
    e.role_assignments();
    e.network_security_groups();
    e.virtual_networks();
    e.private_dns_zones();
    e.app_gateways();
    e.api_managements();
    e.finish()
}

/// A param and how `main.bicepparam` gives it a value.
#[derive(Debug, Clone)]
struct ParamSpec {
    param: Param,
    /// The right-hand side in `main.bicepparam`, `None` to leave it to the default.
    value: Option<String>,
    /// A note written above the assignment.
    note: Option<String>,
}

struct Emitter<'p, 'm> {
    plan: &'p Plan<'m>,
    model: &'m Model,
    resources: Vec<Resource>,
    modules: Vec<syntax::Module>,
    vars: Vec<(String, Value)>,
    /// Params by name; only those the resources use are declared.
    params: BTreeMap<String, ParamSpec>,
    used: BTreeSet<String>,
    /// Extra files: policies, modules.
    files: Files,
}

impl<'p, 'm> Emitter<'p, 'm> {
    fn new(plan: &'p Plan<'m>) -> Emitter<'p, 'm> {
        let mut e = Emitter {
            plan,
            model: plan.model,
            resources: Vec::new(),
            modules: Vec::new(),
            vars: Vec::new(),
            params: BTreeMap::new(),
            used: BTreeSet::new(),
            files: Files::new(),
        };
        for secret in plan.secrets.values() {
            e.declare(ParamSpec {
                param: Param {
                    name: secret.name.clone(),
                    ty: "string",
                    description: secret.description.clone(),
                    secure: true,
                    default: None,
                },
                value: Some(format!(
                    "readEnvironmentVariable({})",
                    quote(&secret.env_var())
                )),
                note: None,
            });
        }
        for input in plan.inputs.values() {
            e.declare(ParamSpec {
                param: Param {
                    name: input.name.clone(),
                    ty: "string",
                    description: input.description.clone(),
                    secure: false,
                    default: None,
                },
                value: Some(format!(
                    "readEnvironmentVariable({})",
                    quote(&input.env_var())
                )),
                note: None,
            });
        }
        if !plan.deployment.tags.is_empty() {
            let tags = plan
                .deployment
                .tags
                .iter()
                .fold(Obj::new(), |o, (k, v)| o.set(k, v));
            e.vars.push(("tags".into(), tags.into()));
        }
        e
    }

    fn declare(&mut self, spec: ParamSpec) {
        self.params.insert(spec.param.name.clone(), spec);
    }

    /// A reference to param `name`, marking it used.
    fn param(&mut self, name: &str) -> Value {
        self.used.insert(name.to_string());
        expr(name)
    }

    /// Writes a fixed module file next to `main.bicep`.
    fn use_module(&mut self, path: &str, text: &str) {
        self.files.insert(path.into(), text.as_bytes().to_vec());
    }

    fn push(&mut self, r: Resource) {
        self.resources.push(r);
    }

    fn symbol(&self, node: NodeRef) -> String {
        self.plan.symbol(node).to_string()
    }

    /// `ids` in symbol order: output order never depends on the order of the input files.
    fn sorted<T: Copy>(&self, ids: impl Iterator<Item = T>, node: fn(T) -> NodeRef) -> Vec<T> {
        let mut v: Vec<T> = ids.collect();
        v.sort_by_cached_key(|id| self.symbol(node(*id)));
        v
    }

    /// `location` and, when the deployment has tags, `tags`.
    fn located(&self, body: Obj) -> Obj {
        let body = body.set("location", expr("location"));
        if self.plan.deployment.tags.is_empty() {
            body
        } else {
            body.set("tags", expr("tags"))
        }
    }

    fn finish(mut self) -> Files {
        let mut file = syntax::File {
            header: vec![
                format!(
                    "Deployment `{}`, generated by gatehouse from the topology: do not edit; change the .hcl and compile again.",
                    self.plan.deployment.name
                ),
                "Secrets are @secure() params; main.bicepparam reads them from environment variables.".into(),
            ],
            target_scope: Some("resourceGroup"),
            ..Default::default()
        };
        // A topology of certificates only deploys nothing, and a param nothing uses is noise.
        let location_used = self.resources.iter().any(|r| {
            r.body
                .0
                .iter()
                .any(|(k, _)| *k == syntax::Key::Name("location".into()))
        }) || self.modules.iter().any(|m| module_passes(m, "location"));
        if location_used {
            file.params.push(Param {
                name: "location".into(),
                ty: "string",
                description: "Azure region of every resource.".into(),
                secure: false,
                default: Some(Value::Str(self.plan.deployment.location.clone())),
            });
        }
        let mut bicepparam = String::from("// Values of main.bicep's params; secrets come from the environment of the deployment.\n");
        bicepparam.push_str("using './main.bicep'\n\n");
        if location_used {
            bicepparam.push_str(&format!(
                "param location = {}\n",
                quote(&self.plan.deployment.location)
            ));
        }
        for (name, spec) in &self.params {
            if !self.used.contains(name) {
                continue;
            }
            file.params.push(spec.param.clone());
            if let Some(value) = &spec.value {
                if let Some(note) = &spec.note {
                    bicepparam.push_str(&format!("// {note}\n"));
                }
                bicepparam.push_str(&format!("param {name} = {value}\n"));
            }
        }
        file.vars = std::mem::take(&mut self.vars);
        file.resources = std::mem::take(&mut self.resources);
        file.modules = std::mem::take(&mut self.modules);
        let mut files = std::mem::take(&mut self.files);
        files.insert("main.bicep".into(), file.render().into_bytes());
        files.insert("main.bicepparam".into(), bicepparam.into_bytes());
        files
    }

    // -- identities, Key Vault, grants ----------------------------------------------------------

    fn identities(&mut self) {
        for id in self.sorted(
            (0..self.model.identities.len()).map(|i| IdentityId(i as u32)),
            NodeRef::Identity,
        ) {
            let identity = &self.model[id];
            if identity.kind.value != IdentityType::UserAssigned {
                continue;
            }
            let name = plan::identity_name(self.model, id);
            let external = plan::external_group(&self.plan.deployment, &identity.resource_group);
            let body = Obj::new().set("name", name);
            let (body, existing) = match external {
                Some(rg) => (
                    body.set("scope", expr(format!("resourceGroup({})", quote(rg)))),
                    true,
                ),
                None => (self.located(body), false),
            };
            self.push(Resource {
                comment: Some(identity.decl.address.clone()),
                symbol: self.symbol(NodeRef::Identity(id)),
                type_version: format!(
                    "Microsoft.ManagedIdentity/userAssignedIdentities@{MANAGED_IDENTITY}"
                ),
                existing,
                body,
            });
        }
    }

    /// Whether the vault lives elsewhere (referenced, never created).
    fn vault_is_external(&self, id: KeyVaultId) -> bool {
        plan::external_group(&self.plan.deployment, &self.model[id].resource_group).is_some()
    }

    /// The principal id expression of a grant's principal.
    fn principal_id(&self, principal: Principal) -> Option<String> {
        Some(match principal {
            Principal::UserAssigned(i) => {
                format!(
                    "{}.properties.principalId",
                    self.symbol(NodeRef::Identity(i))
                )
            }
            Principal::ApiManagement(a) => {
                format!(
                    "{}.identity.principalId",
                    self.symbol(NodeRef::ApiManagement(a))
                )
            }
            Principal::AppGateway(g) => {
                format!(
                    "{}.identity.principalId",
                    self.symbol(NodeRef::AppGateway(g))
                )
            }
            Principal::Unattached => return None,
        })
    }

    /// The resource whose id seeds a grant's deterministic name.
    fn principal_owner(&self, principal: Principal) -> Option<String> {
        Some(match principal {
            Principal::UserAssigned(i) => self.symbol(NodeRef::Identity(i)),
            Principal::ApiManagement(a) => self.symbol(NodeRef::ApiManagement(a)),
            Principal::AppGateway(g) => self.symbol(NodeRef::AppGateway(g)),
            Principal::Unattached => return None,
        })
    }

    /// The principal that an identity reference stands for when `owner` reads a secret.
    fn reader(&self, identity: Option<IdentityId>, owner: Principal) -> Principal {
        match identity {
            Some(i) if self.model[i].kind.value == IdentityType::UserAssigned => {
                Principal::UserAssigned(i)
            }
            _ => owner,
        }
    }

    /// The symbols of the resources that give `principal` read access to `vault`: its role
    /// assignments there and the access policy entries that name it. A resource reading a
    /// secret depends on them, as Azure checks access when the resource is created.
    fn grants(&self, principal: Principal, vault: KeyVaultId) -> Vec<String> {
        let mut out: Vec<String> = self
            .plan
            .role_assignments
            .iter()
            .filter(|r| r.principal == principal && r.vault == vault)
            .filter(|_| self.principal_id(principal).is_some())
            .map(|r| r.symbol.clone())
            .collect();
        let kv = &self.model[vault];
        if kv.permission_model.value == PermissionModel::AccessPolicy {
            for p in &kv.access_policies {
                let Some(identity) = p.identity else { continue };
                let who = self.access_principal(identity.id);
                if who != principal {
                    continue;
                }
                let symbol = match who {
                    // Inline entries of the vault itself.
                    Principal::UserAssigned(_) => self.symbol(NodeRef::KeyVault(vault)),
                    _ => access_add_symbol(&self.symbol(NodeRef::KeyVault(vault))),
                };
                if !out.contains(&symbol) {
                    out.push(symbol);
                }
            }
        }
        out
    }

    fn access_principal(&self, identity: IdentityId) -> Principal {
        match self.model[identity].kind.value {
            IdentityType::UserAssigned => Principal::UserAssigned(identity),
            IdentityType::SystemAssigned => plan::system_owner(self.model, identity),
        }
    }

    fn key_vaults(&mut self) {
        for id in self.sorted(
            (0..self.model.key_vaults.len()).map(|i| KeyVaultId(i as u32)),
            NodeRef::KeyVault,
        ) {
            let kv = &self.model[id];
            let symbol = self.symbol(NodeRef::KeyVault(id));
            if let Some(rg) = plan::external_group(&self.plan.deployment, &kv.resource_group) {
                self.push(Resource {
                    comment: Some(format!(
                        "{} (existing, in resource group {rg})",
                        kv.decl.address
                    )),
                    symbol,
                    type_version: format!("Microsoft.KeyVault/vaults@{KEY_VAULT}"),
                    existing: true,
                    body: Obj::new()
                        .set("name", &kv.azure_name.value)
                        .set("scope", expr(format!("resourceGroup({})", quote(rg)))),
                });
                continue;
            }
            let access_policy = kv.permission_model.value == PermissionModel::AccessPolicy;
            let mut inline = Vec::new();
            let mut added = Vec::new();
            if access_policy {
                for p in &kv.access_policies {
                    let Some(identity) = p.identity else { continue };
                    let who = self.access_principal(identity.id);
                    let Some(object_id) = self.principal_id(who) else {
                        continue;
                    };
                    let entry = access_entry(&object_id, p);
                    match who {
                        Principal::UserAssigned(_) => inline.push(entry),
                        _ => added.push(entry),
                    }
                }
            }
            let mut properties = Obj::new()
                .set("tenantId", expr("subscription().tenantId"))
                .set(
                    "sku",
                    Obj::new().set("family", "A").set("name", kv.sku.as_str()),
                )
                .set("enableRbacAuthorization", !access_policy);
            if access_policy {
                properties.push("accessPolicies", Value::Array(inline));
            }
            properties = properties
                .set("enableSoftDelete", true)
                .set("softDeleteRetentionInDays", kv.soft_delete_retention_days);
            // Azure refuses `enablePurgeProtection: false`: purge protection cannot be turned
            // off, and leaving it out is how it stays off.
            if kv.purge_protection.value {
                properties.push("enablePurgeProtection", true);
            }
            properties.push(
                "publicNetworkAccess",
                if kv.public_network_access.value {
                    "Enabled"
                } else {
                    "Disabled"
                },
            );
            if let Some(rules) = &kv.network_rules {
                let subnets = rules
                    .allowed_subnets
                    .iter()
                    .map(|s| id_ref(format!("{}.id", self.symbol(NodeRef::Subnet(s.id)))))
                    .collect();
                let ips = rules
                    .ip_rules
                    .iter()
                    .map(|ip| Obj::new().set("value", &ip.value).into())
                    .collect();
                let acls = Obj::new()
                    .set(
                        "bypass",
                        if rules.bypass_azure_services.value {
                            "AzureServices"
                        } else {
                            "None"
                        },
                    )
                    .set(
                        "defaultAction",
                        if rules.deny_by_default.value {
                            "Deny"
                        } else {
                            "Allow"
                        },
                    )
                    .list("virtualNetworkRules", subnets)
                    .list("ipRules", ips);
                properties.push("networkAcls", acls);
            }
            let body = self
                .located(Obj::new().set("name", &kv.azure_name.value))
                .set("properties", properties);
            self.push(Resource {
                comment: Some(kv.decl.address.clone()),
                symbol: symbol.clone(),
                type_version: format!("Microsoft.KeyVault/vaults@{KEY_VAULT}"),
                existing: false,
                body,
            });
            if !added.is_empty() {
                // System-assigned principals exist only once their resource does, and the
                // resource may need the vault first: their entries are added after both.
                self.push(Resource {
                    comment: Some(format!(
                        "{}: access policies of system-assigned identities",
                        kv.decl.address
                    )),
                    symbol: access_add_symbol(&symbol),
                    type_version: format!("Microsoft.KeyVault/vaults/accessPolicies@{KEY_VAULT}"),
                    existing: false,
                    body: Obj::new()
                        .set("parent", expr(symbol.clone()))
                        .set("name", "add")
                        .set(
                            "properties",
                            Obj::new().set("accessPolicies", Value::Array(added)),
                        ),
                });
            }
        }
    }

    fn role_assignments(&mut self) {
        let mut grants: Vec<&plan::RoleAssignmentPlan> =
            self.plan.role_assignments.iter().collect();
        grants.sort_by(|a, b| a.symbol.cmp(&b.symbol));
        for ra in grants {
            let (Some(principal_id), Some(owner)) = (
                self.principal_id(ra.principal),
                self.principal_owner(ra.principal),
            ) else {
                continue;
            };
            let Some(role_id) = plan::role_definition_id(&ra.role) else {
                continue;
            };
            let vault = self.symbol(NodeRef::KeyVault(ra.vault));
            let role = format!(
                "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', {})",
                quote(role_id)
            );
            let body = Obj::new()
                .set(
                    "name",
                    expr(format!("guid({vault}.id, {owner}.id, {})", quote(role_id))),
                )
                .set("scope", expr(vault.clone()))
                .set(
                    "properties",
                    Obj::new()
                        .set("roleDefinitionId", expr(role))
                        .set("principalId", expr(principal_id))
                        .set("principalType", "ServicePrincipal")
                        .set(
                            "description",
                            format!("{} for {}", ra.role, self.model[ra.identity].decl.address),
                        ),
                );
            if self.vault_is_external(ra.vault) {
                self.external_role_assignment(ra, &owner, role_id);
                continue;
            }
            self.push(Resource {
                comment: Some(format!(
                    "{}: {} on {}",
                    self.model[ra.identity].decl.address,
                    ra.role,
                    self.model[ra.vault].decl.address
                )),
                symbol: ra.symbol.clone(),
                type_version: format!("Microsoft.Authorization/roleAssignments@{AUTHORIZATION}"),
                existing: false,
                body,
            });
        }
    }

    /// A grant on a vault in another resource group: a role assignment must be deployed at
    /// the vault's scope, so it goes through a small module deployed there.
    fn external_role_assignment(
        &mut self,
        ra: &plan::RoleAssignmentPlan,
        owner: &str,
        role_id: &str,
    ) {
        let Some(principal_id) = self.principal_id(ra.principal) else {
            return;
        };
        let kv = &self.model[ra.vault];
        let rg = kv.resource_group.clone().unwrap_or_default();
        let vault = self.symbol(NodeRef::KeyVault(ra.vault));
        self.use_module(EXTERNAL_ROLE_MODULE, EXTERNAL_ROLE_MODULE_TEXT);
        self.modules.push(syntax::Module {
            comment: Some(format!(
                "{}: {} on {} (resource group {rg})",
                self.model[ra.identity].decl.address, ra.role, kv.decl.address
            )),
            symbol: ra.symbol.clone(),
            path: EXTERNAL_ROLE_MODULE.into(),
            body: Obj::new()
                .set(
                    "name",
                    format!(
                        "{}-{}",
                        self.plan.deployment.name,
                        ra.symbol.replace('_', "-")
                    ),
                )
                .set("scope", expr(format!("resourceGroup({})", quote(&rg))))
                .set(
                    "params",
                    Obj::new()
                        .set("vaultName", &kv.azure_name.value)
                        .set(
                            "assignmentName",
                            expr(format!("guid({vault}.id, {owner}.id, {})", quote(role_id))),
                        )
                        .set("roleDefinitionId", role_id)
                        .set("principalId", expr(principal_id))
                        .set(
                            "description",
                            format!("{} for {}", ra.role, self.model[ra.identity].decl.address),
                        ),
                ),
        });
    }

    /// Certificate data as `(property, value)` pairs of an Application Gateway or API
    /// Management block: the Key Vault secret id, or the PFX params.
    fn pfx_or_key_vault(
        &mut self,
        c: CertificateId,
        key_vault_key: &str,
        data_key: &str,
        password_key: &str,
    ) -> Option<Obj> {
        match &self.plan.certificates[c.index()] {
            CertificateData::KeyVault { secret_id, .. } => {
                Some(Obj::new().set(key_vault_key, secret_id))
            }
            CertificateData::Pfx {
                data_param,
                password_param,
            } => {
                let data = self.param(data_param);
                let mut o = Obj::new().set(data_key, data);
                if let Some(p) = password_param {
                    let password = self.param(p);
                    o.push(password_key, password);
                }
                Some(o)
            }
            CertificateData::Public { .. } | CertificateData::Missing => None,
        }
    }

    /// `loadFileAsBase64('certs/...')` for a public certificate.
    fn public_data(&self, c: CertificateId) -> Option<Value> {
        match &self.plan.certificates[c.index()] {
            CertificateData::Public { path } => {
                Some(expr(format!("loadFileAsBase64({})", quote(path))))
            }
            _ => None,
        }
    }
}

/// Whether a module call passes the expression `name` as one of its params.
fn module_passes(m: &syntax::Module, name: &str) -> bool {
    m.body.0.iter().any(|(k, v)| {
        *k == syntax::Key::Name("params".into())
            && matches!(v, Value::Object(o) if o.0.iter().any(|(_, v)| *v == expr(name)))
    })
}

fn access_add_symbol(vault_symbol: &str) -> String {
    format!("{vault_symbol}_access_add")
}

/// An access policy entry; ARM spells permissions in lower case.
fn access_entry(object_id: &str, p: &AccessPolicy) -> Value {
    let lower = |v: &[Spanned<String>]| -> Vec<Value> {
        v.iter()
            .map(|s| Value::Str(s.value.to_ascii_lowercase()))
            .collect()
    };
    let permissions = Obj::new()
        .list("secrets", lower(&p.secret_permissions))
        .list("certificates", lower(&p.certificate_permissions));
    Obj::new()
        .set("tenantId", expr("subscription().tenantId"))
        .set("objectId", expr(object_id))
        .set("permissions", permissions)
        .into()
}

/// A `'${symbol.id}'` key.
fn id_key(symbol: &str) -> String {
    match interp(&[Piece::Expr(&format!("{symbol}.id"))]) {
        Value::Expr(e) => e,
        _ => String::new(),
    }
}

const EXTERNAL_ROLE_MODULE: &str = "modules/key-vault-role.bicep";
const EXTERNAL_DNS_MODULE: &str = "modules/private-dns-zone.bicep";
const EXTERNAL_DNS_MODULE_TEXT: &str = include_str!("templates/private-dns-zone.bicep");
const EXTERNAL_ROLE_MODULE_TEXT: &str = include_str!("templates/key-vault-role.bicep");
