//! API Management in ARM's spelling: the instance (with its CA store and hostnames), its
//! certificate store, backends, named values, products, version sets, APIs, operations and
//! policies.
//!
//! Hostnames follow the plan's order, the default `<name>.azure-api.net` proxy entry first and
//! without certificate fields (D2, D3). A Key Vault certificate is a versionless secret id in
//! `keyVaultId`, read with the user-assigned identity in `identityClientId` or, without one,
//! the instance's system-assigned identity. With `two_phase_hostnames` (GH510) the instance is
//! deployed first without its custom hostnames, and `apim-hostnames.bicep` deploys the same
//! instance again with them once the system identity's grants exist. Policies are the plan's
//! XML, escaped as XML, so they are sent with `format: 'xml'`.

use super::syntax::{self, expr, interp, quote, Obj, Param, Piece, Resource, Value};
use super::{Emitter, API_MANAGEMENT, HOSTNAMES_MODULE};
use crate::emit::plan::{self, ApiManagementPlan, CertificateData, Principal};
use crate::graph::NodeRef;
use crate::model::*;

/// How the instance's body refers to things outside it: directly in `main.bicep`, through
/// params in the hostname module.
struct Refs {
    module: Option<Vec<(Param, Value)>>,
}

impl Refs {
    fn main() -> Refs {
        Refs { module: None }
    }

    fn module() -> Refs {
        Refs {
            module: Some(Vec::new()),
        }
    }

    /// `main_expr` in main.bicep; in the module a param `name` the call passes it in.
    fn get(&mut self, name: &str, main_expr: String, ty: &'static str, secure: bool) -> Value {
        let Some(params) = &mut self.module else {
            return expr(main_expr);
        };
        if !params.iter().any(|(p, _)| p.name == name) {
            params.push((
                Param {
                    name: name.to_string(),
                    ty,
                    description: format!("`{main_expr}` of main.bicep."),
                    secure,
                    default: None,
                },
                expr(main_expr),
            ));
        }
        expr(name)
    }
}

/// Which hostnames a body carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hostnames {
    All,
    /// Two-phase, first step: only once `bound` says the second step has run before.
    UnlessBound,
}

impl Emitter<'_, '_> {
    pub(super) fn api_managements(&mut self) {
        let mut instances: Vec<&ApiManagementPlan> = self.plan.api_managements.iter().collect();
        instances.sort_by(|a, b| a.symbol.cmp(&b.symbol));
        for a in instances {
            self.api_management(a);
        }
    }

    fn api_management(&mut self, a: &ApiManagementPlan) {
        let apim = &self.model[a.id];
        let symbol = a.symbol.clone();
        let mut refs = Refs::main();
        let (hostnames, hostname_grants) = if a.two_phase_hostnames {
            (Hostnames::UnlessBound, Vec::new())
        } else {
            let grants = self.hostname_grants(a);
            (Hostnames::All, grants)
        };
        let body = self.service_body(a, &mut refs, hostnames);
        let body = body.list("dependsOn", hostname_grants.into_iter().map(expr).collect());
        self.push(Resource {
            comment: Some(apim.decl.address.clone()),
            symbol: symbol.clone(),
            type_version: format!("Microsoft.ApiManagement/service@{API_MANAGEMENT}"),
            existing: false,
            body,
        });
        if a.two_phase_hostnames {
            self.hostname_module(a);
        }
        self.apim_certificates(a);
        self.backends(a);
        self.named_values(a);
        self.products(a);
        self.version_sets(a);
        self.apis(a);
        self.fragments(a);
        self.policies(a);
    }

    /// Policy fragments, which policies name in `<include-fragment>`: they must exist first.
    fn fragments(&mut self, a: &ApiManagementPlan) {
        for f in &a.fragments {
            let symbol = self.symbol(NodeRef::PolicyFragment(f.id));
            let path = format!("fragments/{symbol}.xml");
            self.files.insert(path.clone(), f.xml.clone().into_bytes());
            let mut props = Obj::new()
                .set("format", "xml")
                .set("value", expr(format!("loadTextContent({})", quote(&path))));
            if let Some(d) = &self.model[f.id].description {
                props.push("description", d.as_str());
            }
            let resource = self.child(
                self.model[f.id].decl.address.clone(),
                symbol,
                "policyFragments",
                &a.symbol,
                &f.name,
                Obj::new().set("properties", props),
            );
            self.push(resource);
        }
    }

    /// The principal reading a hostname's Key Vault certificate.
    fn hostname_reader(&self, a: &ApiManagementPlan, identity: Option<IdentityId>) -> Principal {
        self.reader(identity, Principal::ApiManagement(a.id))
    }

    /// The grants the custom hostnames need before the instance can read their certificates.
    fn hostname_grants(&self, a: &ApiManagementPlan) -> Vec<String> {
        let mut out = Vec::new();
        for h in &a.hostnames {
            let Some(c) = h.certificate else { continue };
            if let CertificateData::KeyVault { vault, .. } = &self.plan.certificates[c.index()] {
                for g in self.grants(self.hostname_reader(a, h.identity), *vault) {
                    if !out.contains(&g) {
                        out.push(g);
                    }
                }
            }
        }
        out.sort();
        out
    }

    fn bound_param(a: &ApiManagementPlan) -> String {
        format!("{}_hostnames_bound", a.symbol)
    }

    /// The body of the `Microsoft.ApiManagement/service` resource.
    fn service_body(
        &mut self,
        a: &ApiManagementPlan,
        refs: &mut Refs,
        hostnames: Hostnames,
    ) -> Obj {
        let apim = &self.model[a.id];
        let mut body = Obj::new().set("name", &apim.azure_name.value).set(
            "location",
            refs.get("location", "location".into(), "string", false),
        );
        if !self.plan.deployment.tags.is_empty() {
            body.push("tags", refs.get("tags", "tags".into(), "object", false));
        }
        body.push(
            "sku",
            Obj::new()
                .set("name", apim.sku.value.as_str())
                .set("capacity", apim.capacity),
        );
        if let Some(kind) = a.identity_type {
            let mut identity = Obj::new().set("type", kind);
            if !a.user_identities.is_empty() {
                let mut users = Obj::new();
                for i in &a.user_identities {
                    let sym = self.symbol(NodeRef::Identity(*i));
                    let id = refs.get(&format!("{sym}_id"), format!("{sym}.id"), "string", false);
                    let key = match id {
                        Value::Expr(e) if refs.module.is_some() => {
                            match interp(&[Piece::Expr(&e)]) {
                                Value::Expr(k) => k,
                                _ => String::new(),
                            }
                        }
                        _ => super::id_key(&sym),
                    };
                    users = users.set_expr_key(key, Obj::new());
                }
                identity.push("userAssignedIdentities", users);
            }
            body.push("identity", identity);
        }

        let mut props = Obj::new()
            .set("publisherEmail", &apim.publisher_email)
            .set("publisherName", &apim.publisher_name)
            .set(
                "virtualNetworkType",
                match apim.virtual_network_type.value {
                    VirtualNetworkType::None => "None",
                    VirtualNetworkType::External => "External",
                    VirtualNetworkType::Internal => "Internal",
                },
            );
        if let Some(s) = apim.subnet {
            let sym = self.symbol(NodeRef::Subnet(s.id));
            let id = refs.get(&format!("{sym}_id"), format!("{sym}.id"), "string", false);
            props.push(
                "virtualNetworkConfiguration",
                Obj::new().set("subnetResourceId", id),
            );
        }
        props.push(
            "publicNetworkAccess",
            if apim.public_network_access.value {
                "Enabled"
            } else {
                "Disabled"
            },
        );
        if apim.sku.value == Sku::Consumption {
            // Consumption has no TLS handshake setting per hostname: it asks for client
            // certificates instance-wide, and only there does this property exist.
            props.push(
                "enableClientCertificate",
                apim.enable_client_certificate.value,
            );
        } else {
            props.push("customProperties", custom_properties(apim));
        }
        if let Some(v) = &apim.min_api_version {
            props.push("apiVersionConstraint", Obj::new().set("minApiVersion", v));
        }
        let cas = self.ca_certificates(a, refs);
        props = props.list("certificates", cas);
        let entries = self.hostname_entries(a, refs);
        match hostnames {
            Hostnames::All => props = props.list("hostnameConfigurations", entries),
            Hostnames::UnlessBound if !entries.is_empty() => {
                let bound = Self::bound_param(a);
                self.declare(super::ParamSpec {
                    param: Param {
                        name: bound.clone(),
                        ty: "bool",
                        description: format!(
                            "Whether `{}` has run once: from then on the first step keeps the custom hostnames instead of removing them until the second step restores them.",
                            HOSTNAMES_MODULE
                        ),
                        secure: false,
                        default: Some(Value::Bool(false)),
                    },
                    value: Some("false".into()),
                    note: Some(format!(
                        "Set to true once a deployment has bound the hostnames of {} (two-phase hostnames, GH510).",
                        apim.decl.address
                    )),
                });
                let cond = self.param(&bound);
                props.push(
                    "hostnameConfigurations",
                    Value::Cond(
                        Box::new(cond),
                        Box::new(Value::Array(entries)),
                        Box::new(Value::Array(Vec::new())),
                    ),
                );
            }
            Hostnames::UnlessBound => {}
        }
        body.set("properties", props)
    }

    /// The CA store (`properties.certificates`). API Management takes the certificate bytes
    /// only inline, in a property the ARM types mark secure: a public file goes through an
    /// `@secure()` param that main.bicepparam loads from `certs/`.
    fn ca_certificates(&mut self, a: &ApiManagementPlan, refs: &mut Refs) -> Vec<Value> {
        let mut out = Vec::new();
        for ca_id in &a.ca_certificates {
            let ca = &self.model[*ca_id];
            let Some(cert) = ca.certificate else { continue };
            let store = match ca.store.value {
                CaStore::Root => "Root",
                CaStore::CertificateAuthority => "CertificateAuthority",
            };
            let mut entry = Obj::new();
            match &self.plan.certificates[cert.id.index()] {
                CertificateData::Public { path } => {
                    let name = format!("{}_data", self.symbol(NodeRef::CaCertificate(*ca_id)));
                    self.declare(super::ParamSpec {
                        param: Param {
                            name: name.clone(),
                            ty: "string",
                            description: format!(
                                "Base64 of CA certificate `{}` ({path}).",
                                ca.decl.address
                            ),
                            secure: true,
                            default: None,
                        },
                        value: Some(format!("loadFileAsBase64({})", quote(path))),
                        note: None,
                    });
                    self.param(&name);
                    entry.push(
                        "encodedCertificate",
                        refs.get(&name, name.clone(), "string", true),
                    );
                }
                CertificateData::Pfx {
                    data_param,
                    password_param,
                } => {
                    self.param(data_param);
                    entry.push(
                        "encodedCertificate",
                        refs.get(data_param, data_param.clone(), "string", true),
                    );
                    if let Some(p) = password_param {
                        self.param(p);
                        entry.push(
                            "certificatePassword",
                            refs.get(p, p.clone(), "string", true),
                        );
                    }
                }
                // The CA store takes no Key Vault reference.
                CertificateData::KeyVault { .. } | CertificateData::Missing => continue,
            }
            entry.push("storeName", store);
            out.push(entry.into());
        }
        out
    }

    fn hostname_entries(&mut self, a: &ApiManagementPlan, refs: &mut Refs) -> Vec<Value> {
        let mut out = Vec::new();
        for h in &a.hostnames {
            let mut entry = Obj::new()
                .set("type", h.kind.as_str())
                .set("hostName", &h.host_name);
            if let Some(c) = h.certificate {
                match &self.plan.certificates[c.index()] {
                    CertificateData::KeyVault { secret_id, .. } => {
                        entry.push("keyVaultId", secret_id);
                        if let Some(i) = h.identity {
                            let sym = self.symbol(NodeRef::Identity(i));
                            entry.push(
                                "identityClientId",
                                refs.get(
                                    &format!("{sym}_client_id"),
                                    format!("{sym}.properties.clientId"),
                                    "string",
                                    false,
                                ),
                            );
                        }
                    }
                    CertificateData::Pfx {
                        data_param,
                        password_param,
                    } => {
                        self.param(data_param);
                        entry.push(
                            "encodedCertificate",
                            refs.get(data_param, data_param.clone(), "string", true),
                        );
                        if let Some(p) = password_param {
                            self.param(p);
                            entry.push(
                                "certificatePassword",
                                refs.get(p, p.clone(), "string", true),
                            );
                        }
                    }
                    CertificateData::Public { .. } | CertificateData::Missing => {}
                }
            }
            if h.kind == HostnameType::Proxy {
                entry.push("negotiateClientCertificate", h.negotiate_client_certificate);
                entry.push("defaultSslBinding", h.default_ssl_binding);
            }
            out.push(entry.into());
        }
        out
    }

    /// `apim-hostnames.bicep`: the instance again, with its custom hostnames, after the grants
    /// of the identities that read their certificates.
    fn hostname_module(&mut self, a: &ApiManagementPlan) {
        let apim = &self.model[a.id];
        let mut refs = Refs::module();
        let body = self.service_body(a, &mut refs, Hostnames::All);
        let params = refs.module.take().unwrap_or_default();
        let mut file = syntax::File {
            header: vec![
                format!(
                    "Second step of {} (two_phase_hostnames, GH510), generated by gatehouse: do not edit.",
                    apim.decl.address
                ),
                "The same instance as in main.bicep, now with its custom hostnames: the identity".into(),
                "that reads their Key Vault certificates exists and has its grants by now.".into(),
            ],
            target_scope: Some("resourceGroup"),
            ..Default::default()
        };
        let mut call_params = Obj::new();
        for (param, value) in params {
            call_params.push(&param.name, value);
            file.params.push(param);
        }
        file.resources.push(Resource {
            comment: Some(apim.decl.address.clone()),
            symbol: a.symbol.clone(),
            type_version: format!("Microsoft.ApiManagement/service@{API_MANAGEMENT}"),
            existing: false,
            body,
        });
        let path = if self
            .plan
            .api_managements
            .iter()
            .filter(|x| x.two_phase_hostnames)
            .count()
            > 1
        {
            format!("{}-hostnames.bicep", a.symbol.replace('_', "-"))
        } else {
            HOSTNAMES_MODULE.to_string()
        };
        self.files.insert(path.clone(), file.render().into_bytes());
        let mut depends = vec![a.symbol.clone()];
        depends.extend(self.hostname_grants(a));
        depends.sort();
        depends.dedup();
        self.modules.push(syntax::Module {
            comment: Some(format!(
                "{}: custom hostnames, after the grants (two_phase_hostnames)",
                apim.decl.address
            )),
            symbol: format!("{}_hostnames", a.symbol),
            path,
            body: Obj::new()
                .set(
                    "name",
                    format!(
                        "{}-{}-hostnames",
                        self.plan.deployment.name,
                        apim.decl.name.replace('_', "-")
                    ),
                )
                .set("params", call_params)
                .list("dependsOn", depends.into_iter().map(expr).collect()),
        });
    }

    /// Pushes a child resource of the instance whose body is its `properties`.
    fn push_properties(
        &mut self,
        comment: String,
        symbol: String,
        kind: &str,
        parent: &str,
        name: &str,
        props: Obj,
    ) {
        let resource = self.child(
            comment,
            symbol,
            kind,
            parent,
            name,
            Obj::new().set("properties", props),
        );
        self.push(resource);
    }

    fn child(
        &self,
        comment: String,
        symbol: String,
        kind: &str,
        parent: &str,
        name: &str,
        rest: Obj,
    ) -> Resource {
        let mut body = Obj::new().set("parent", expr(parent)).set("name", name);
        body.0.extend(rest.0);
        Resource {
            comment: Some(comment),
            symbol,
            type_version: format!("Microsoft.ApiManagement/service/{kind}@{API_MANAGEMENT}"),
            existing: false,
            body,
        }
    }

    /// The certificate store (`certificate-id`s of backends and `authentication-certificate`).
    fn apim_certificates(&mut self, a: &ApiManagementPlan) {
        for n in &a.certificates {
            let cert = &self.model[n.certificate];
            let symbol = plan::apim_certificate_symbol(
                &a.symbol,
                &self.symbol(NodeRef::Certificate(n.certificate)),
            );
            let mut depends = Vec::new();
            let props = match &self.plan.certificates[n.certificate.index()] {
                CertificateData::KeyVault {
                    secret_id,
                    vault,
                    identity,
                } => {
                    let reader = self.reader(*identity, Principal::ApiManagement(a.id));
                    depends = self.grants(reader, *vault);
                    let mut kv = Obj::new().set("secretIdentifier", secret_id);
                    if let Principal::UserAssigned(i) = reader {
                        kv.push(
                            "identityClientId",
                            expr(format!(
                                "{}.properties.clientId",
                                self.symbol(NodeRef::Identity(i))
                            )),
                        );
                    }
                    Obj::new().set("keyVault", kv)
                }
                CertificateData::Pfx {
                    data_param,
                    password_param,
                } => {
                    let data = self.param(data_param);
                    let mut o = Obj::new().set("data", data);
                    if let Some(p) = password_param {
                        let password = self.param(p);
                        o.push("password", password);
                    }
                    o
                }
                CertificateData::Public { .. } | CertificateData::Missing => continue,
            };
            let rest = Obj::new()
                .set("properties", props)
                .list("dependsOn", depends.into_iter().map(expr).collect());
            let r = self.child(
                format!(
                    "{}: in the certificate store of {}",
                    cert.decl.address, self.model[a.id].decl.address
                ),
                symbol,
                "certificates",
                &a.symbol,
                &n.name,
                rest,
            );
            self.push(r);
        }
    }

    fn backends(&mut self, a: &ApiManagementPlan) {
        for id in &a.backends {
            let b = &self.model[*id];
            let mut props = Obj::new()
                .set("url", &b.url.value)
                .set("protocol", b.protocol.as_str())
                .opt("description", b.description.as_ref());
            if let Some(c) = b.client_certificate {
                let cert = plan::apim_certificate_symbol(
                    &a.symbol,
                    &self.symbol(NodeRef::Certificate(c.id)),
                );
                props.push(
                    "credentials",
                    Obj::new().set("certificateIds", vec![expr(format!("{cert}.id"))]),
                );
            }
            props.push(
                "tls",
                Obj::new()
                    .set(
                        "validateCertificateChain",
                        b.validate_certificate_chain.value,
                    )
                    .set("validateCertificateName", b.validate_certificate_name.value),
            );
            self.push_properties(
                b.decl.address.clone(),
                self.symbol(NodeRef::Backend(*id)),
                "backends",
                &a.symbol,
                &b.azure_name.value,
                props,
            );
        }
    }

    fn named_values(&mut self, a: &ApiManagementPlan) {
        for id in &a.named_values {
            let nv = &self.model[*id];
            let symbol = self.symbol(NodeRef::NamedValue(*id));
            let mut props = Obj::new().set("displayName", &nv.display_name);
            let mut depends = Vec::new();
            match &nv.source {
                Some(NamedValueSource::Value(v)) => match &v.value {
                    SecretText::Secret(_) => {
                        let p = self.param(&format!("{symbol}_value"));
                        props.push("value", p);
                    }
                    SecretText::Literal(text) => props.push("value", text),
                },
                Some(NamedValueSource::KeyVault { vault, secret_name }) => {
                    let secret_id = plan::secret_id(
                        self.model,
                        &KeyVaultSecret {
                            vault: *vault,
                            secret_name: secret_name.clone(),
                            secret_version: None,
                            content_type: None,
                        },
                    );
                    let reader =
                        self.reader(nv.identity.map(|i| i.id), Principal::ApiManagement(a.id));
                    depends = self.grants(reader, vault.id);
                    let mut kv = Obj::new().set("secretIdentifier", secret_id);
                    if let Principal::UserAssigned(i) = reader {
                        kv.push(
                            "identityClientId",
                            expr(format!(
                                "{}.properties.clientId",
                                self.symbol(NodeRef::Identity(i))
                            )),
                        );
                    }
                    props.push("keyVault", kv);
                }
                None => {}
            }
            props.push("secret", nv.secret.value);
            let rest = Obj::new()
                .set("properties", props)
                .list("dependsOn", depends.into_iter().map(expr).collect());
            let r = self.child(
                nv.decl.address.clone(),
                symbol,
                "namedValues",
                &a.symbol,
                &nv.decl.name,
                rest,
            );
            self.push(r);
        }
    }

    fn products(&mut self, a: &ApiManagementPlan) {
        for id in &a.products {
            let p = &self.model[*id];
            let mut props = Obj::new()
                .set("displayName", &p.display_name)
                .opt("description", p.description.as_ref())
                .set("subscriptionRequired", p.subscription_required.value);
            // Approval applies to subscriptions only; Azure rejects it on a product without.
            if p.subscription_required.value {
                props.push("approvalRequired", p.approval_required);
            }
            props.push(
                "state",
                if p.published {
                    "published"
                } else {
                    "notPublished"
                },
            );
            self.push_properties(
                p.decl.address.clone(),
                self.symbol(NodeRef::Product(*id)),
                "products",
                &a.symbol,
                &p.decl.name,
                props,
            );
        }
    }

    fn version_sets(&mut self, a: &ApiManagementPlan) {
        for id in &a.api_version_sets {
            let v = &self.model[*id];
            let props = Obj::new()
                .set("displayName", &v.display_name)
                .set("versioningScheme", &v.versioning_scheme.value)
                .opt("versionHeaderName", v.version_header_name.as_ref())
                .opt("versionQueryName", v.version_query_name.as_ref());
            self.push_properties(
                v.decl.address.clone(),
                self.symbol(NodeRef::ApiVersionSet(*id)),
                "apiVersionSets",
                &a.symbol,
                &v.decl.name,
                props,
            );
        }
    }

    fn apis(&mut self, a: &ApiManagementPlan) {
        for api_plan in &a.apis {
            let api = &self.model[api_plan.id];
            let protocols = api
                .protocols
                .iter()
                .map(|p| Value::Str(p.value.clone()))
                .collect();
            let props = Obj::new()
                .set("displayName", &api.display_name)
                .set("path", &api.path.value)
                .set("protocols", Value::Array(protocols))
                .opt(
                    "serviceUrl",
                    api.backend.map(|b| self.model[b.id].url.value.clone()),
                )
                .set("subscriptionRequired", api.subscription_required.value)
                .set("apiRevision", &api.revision)
                .opt("apiVersion", api.version.as_ref().map(|v| &v.value))
                .opt(
                    "apiVersionSetId",
                    api.version_set
                        .map(|v| expr(format!("{}.id", self.symbol(NodeRef::ApiVersionSet(v.id))))),
                );
            self.push_properties(
                api.decl.address.clone(),
                api_plan.symbol.clone(),
                "apis",
                &a.symbol,
                &api.azure_name.value,
                props,
            );
            for op_id in &api_plan.operations {
                let op = &self.model[*op_id];
                let params = plan::template_parameters(&op.url_template.value)
                    .into_iter()
                    .map(|name| {
                        Obj::new()
                            .set("name", name)
                            .set("type", "string")
                            .set("required", true)
                            .into()
                    })
                    .collect();
                let props = Obj::new()
                    .set("displayName", &op.display_name)
                    .set("method", &op.method.value)
                    .set("urlTemplate", &op.url_template.value)
                    .list("templateParameters", params);
                let r = Resource {
                    comment: Some(op.decl.address.clone()),
                    symbol: self.symbol(NodeRef::Operation(*op_id)),
                    type_version: format!(
                        "Microsoft.ApiManagement/service/apis/operations@{API_MANAGEMENT}"
                    ),
                    existing: false,
                    body: Obj::new()
                        .set("parent", expr(api_plan.symbol.clone()))
                        .set("name", &op.decl.name)
                        .set("properties", props),
                };
                self.push(r);
            }
            for product in &api.products {
                let product_symbol = self.symbol(NodeRef::Product(product.id));
                let r = Resource {
                    comment: Some(format!(
                        "{} in {}",
                        api.decl.address, self.model[product.id].decl.address
                    )),
                    symbol: plan::product_api_symbol(&product_symbol, &api_plan.symbol),
                    type_version: format!(
                        "Microsoft.ApiManagement/service/products/apis@{API_MANAGEMENT}"
                    ),
                    existing: false,
                    body: Obj::new()
                        .set("parent", expr(product_symbol))
                        .set("name", expr(format!("{}.name", api_plan.symbol))),
                };
                self.push(r);
            }
        }
    }

    /// Every policy document, in `policies/<symbol>.xml`.
    fn policies(&mut self, a: &ApiManagementPlan) {
        // A policy's `<include-fragment>` names the fragment by id: Bicep cannot see it.
        let fragments: Vec<Value> = a
            .fragments
            .iter()
            .map(|f| expr(self.symbol(NodeRef::PolicyFragment(f.id))))
            .collect();
        for p in &a.policies {
            let symbol = self.symbol(NodeRef::Policy(p.id));
            let path = format!("policies/{symbol}.xml");
            self.files.insert(path.clone(), p.xml.clone().into_bytes());
            let (kind, parent, owner) = match p.scope {
                PolicyScope::Global(_) => (
                    "service/policies",
                    a.symbol.clone(),
                    self.model[a.id].decl.address.clone(),
                ),
                PolicyScope::Product(id) => (
                    "service/products/policies",
                    self.symbol(NodeRef::Product(id)),
                    self.model[id].decl.address.clone(),
                ),
                PolicyScope::Api(id) => (
                    "service/apis/policies",
                    self.symbol(NodeRef::Api(id)),
                    self.model[id].decl.address.clone(),
                ),
                PolicyScope::Operation(id) => (
                    "service/apis/operations/policies",
                    self.symbol(NodeRef::Operation(id)),
                    self.model[id].decl.address.clone(),
                ),
            };
            self.push(Resource {
                comment: Some(format!("{owner}.policy")),
                symbol,
                type_version: format!("Microsoft.ApiManagement/{kind}@{API_MANAGEMENT}"),
                existing: false,
                body: Obj::new()
                    .set("parent", expr(parent))
                    .set("name", "policy")
                    .set(
                        "properties",
                        Obj::new()
                            .set("format", "xml")
                            .set("value", expr(format!("loadTextContent({})", quote(&path)))),
                    )
                    .list("dependsOn", fragments.clone()),
            });
        }
    }
}

/// The instance-wide TLS and protocol settings, each written out (Azure returns them all, so
/// leaving one out shows as a change on every what-if, D12).
fn custom_properties(apim: &ApiManagement) -> Obj {
    let flag = |b: bool| if b { "True" } else { "False" };
    let s = apim.security.as_ref();
    let get = |f: fn(&Security) -> bool| flag(s.is_some_and(f));
    const PREFIX: &str = "Microsoft.WindowsAzure.ApiManagement.Gateway";
    Obj::new()
        .set(
            &format!("{PREFIX}.Security.Protocols.Tls10"),
            get(|s| s.frontend_tls10_enabled),
        )
        .set(
            &format!("{PREFIX}.Security.Protocols.Tls11"),
            get(|s| s.frontend_tls11_enabled),
        )
        .set(
            &format!("{PREFIX}.Security.Backend.Protocols.Tls10"),
            get(|s| s.backend_tls10_enabled),
        )
        .set(
            &format!("{PREFIX}.Security.Backend.Protocols.Tls11"),
            get(|s| s.backend_tls11_enabled),
        )
        .set(
            &format!("{PREFIX}.Security.Ciphers.TripleDes168"),
            get(|s| s.triple_des_ciphers_enabled),
        )
        .set(
            &format!("{PREFIX}.Protocols.Server.Http2"),
            flag(apim.http2_enabled.value),
        )
}
