//! Terraform and Bicep say the same thing about Azure: for every example, both targets are
//! emitted and their resource sets compared — the same symbols (Terraform resource names and
//! Bicep symbolic names are both the plan's symbols, `emit/symbols.rs`), with corresponding
//! types ([`TYPE_MAP`]) — and so are the settings mutual TLS hangs on: per API Management
//! instance its hostnames with their negotiate flag, per SSL profile its trusted client
//! certificate names, per listener its SSL profile.
//!
//! The outputs are read as text, the way a reviewer reads them: `resource "azurerm_X" "sym"`
//! blocks in `*.tf`, `resource sym 'Microsoft.X/y@version'` in `*.bicep`.

mod support;

use gatehouse::emit::{self, Files, Target};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::pki;

/// azurerm resource type ↔ ARM resource type, for resources both targets declare.
const TYPE_MAP: &[(&str, &str)] = &[
    (
        "azurerm_user_assigned_identity",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ),
    ("azurerm_key_vault", "Microsoft.KeyVault/vaults"),
    (
        "azurerm_role_assignment",
        "Microsoft.Authorization/roleAssignments",
    ),
    (
        "azurerm_network_security_group",
        "Microsoft.Network/networkSecurityGroups",
    ),
    (
        "azurerm_virtual_network",
        "Microsoft.Network/virtualNetworks",
    ),
    (
        "azurerm_subnet",
        "Microsoft.Network/virtualNetworks/subnets",
    ),
    ("azurerm_public_ip", "Microsoft.Network/publicIPAddresses"),
    (
        "azurerm_web_application_firewall_policy",
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
    ),
    (
        "azurerm_application_gateway",
        "Microsoft.Network/applicationGateways",
    ),
    ("azurerm_api_management", "Microsoft.ApiManagement/service"),
    (
        "azurerm_api_management_certificate",
        "Microsoft.ApiManagement/service/certificates",
    ),
    (
        "azurerm_api_management_backend",
        "Microsoft.ApiManagement/service/backends",
    ),
    (
        "azurerm_api_management_named_value",
        "Microsoft.ApiManagement/service/namedValues",
    ),
    (
        "azurerm_api_management_product",
        "Microsoft.ApiManagement/service/products",
    ),
    (
        "azurerm_api_management_product_api",
        "Microsoft.ApiManagement/service/products/apis",
    ),
    (
        "azurerm_api_management_api_version_set",
        "Microsoft.ApiManagement/service/apiVersionSets",
    ),
    (
        "azurerm_api_management_api",
        "Microsoft.ApiManagement/service/apis",
    ),
    (
        "azurerm_api_management_api_operation",
        "Microsoft.ApiManagement/service/apis/operations",
    ),
    (
        "azurerm_api_management_policy",
        "Microsoft.ApiManagement/service/policies",
    ),
    (
        "azurerm_api_management_product_policy",
        "Microsoft.ApiManagement/service/products/policies",
    ),
    (
        "azurerm_api_management_api_policy",
        "Microsoft.ApiManagement/service/apis/policies",
    ),
    (
        "azurerm_api_management_api_operation_policy",
        "Microsoft.ApiManagement/service/apis/operations/policies",
    ),
    (
        "azurerm_api_management_policy_fragment",
        "Microsoft.ApiManagement/service/policyFragments",
    ),
    (
        "azurerm_private_dns_zone",
        "Microsoft.Network/privateDnsZones",
    ),
    (
        "azurerm_private_dns_a_record",
        "Microsoft.Network/privateDnsZones/A",
    ),
    (
        "azurerm_private_dns_zone_virtual_network_link",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ),
];

/// Terraform resources that are properties of another resource in ARM: NSG rules (the group's
/// `securityRules`; separate resources in Terraform so that the group never fights inline
/// rules), subnet ↔ NSG links (a subnet's `networkSecurityGroup`), the custom domains of a two-phase instance (the
/// `hostnameConfigurations` of the instance's second deployment), vault access policies
/// (the vault's `accessPolicies`, or one `accessPolicies/add` child).
const TERRAFORM_ONLY: &[&str] = &[
    "azurerm_network_security_rule",
    "azurerm_subnet_network_security_group_association",
    "azurerm_api_management_custom_domain",
    "azurerm_key_vault_access_policy",
];

/// ARM resources without a Terraform resource of the same symbol (see [`TERRAFORM_ONLY`]).
const BICEP_ONLY: &[&str] = &["Microsoft.KeyVault/vaults/accessPolicies"];

const EXAMPLES: [&str; 3] = [
    "appgw-apim-keyvault",
    "apim-backend-mtls",
    "apim-negotiate-client-cert",
];

fn emit_example(name: &str) -> Files {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    let world = gatehouse::syntax::FsWorld::new(&dir);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    assert!(!loaded.has_errors(), "{name} does not load");
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    emit::emit(&loaded.model, &graph, &world, &Target::DEPLOY).files
}

/// The files under `prefix` ending in `ext`; for Bicep without the generic role-assignment
/// module (`bicep/modules/`), whose calls stand for the grants.
fn texts(files: &Files, prefix: &str, ext: &str) -> Vec<String> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with(prefix) && p.ends_with(ext))
        .filter(|(p, _)| !p.starts_with("bicep/modules/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect()
}

// -- Bicep ------------------------------------------------------------------------------------

/// `resource sym 'Type@version'` → symbol → type (without the version). A symbol declared in
/// two files (the instance redeployed by `apim-hostnames.bicep`) is one resource.
fn bicep_resources(sources: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for text in sources {
        for line in text.lines() {
            // A role assignment on a vault in another resource group is a module deployed
            // to that group.
            // A private DNS zone owned in another group is read there by a module, which
            // also deploys its records and links.
            if let Some(rest) = line.strip_prefix("module ") {
                if let Some((symbol, _)) = rest.split_once(" 'modules/key-vault-role.bicep'") {
                    out.insert(
                        symbol.to_string(),
                        "Microsoft.Authorization/roleAssignments".to_string(),
                    );
                }
                if let Some((symbol, _)) = rest.split_once(" 'modules/private-dns-zone.bicep'") {
                    out.insert(
                        symbol.to_string(),
                        "Microsoft.Network/privateDnsZones".to_string(),
                    );
                }
                continue;
            }
            let Some(rest) = line.strip_prefix("resource ") else {
                continue;
            };
            let mut parts = rest.split_whitespace();
            let (Some(symbol), Some(ty)) = (parts.next(), parts.next()) else {
                continue;
            };
            let ty = ty.trim_matches('\'');
            let ty = ty.split('@').next().unwrap_or(ty);
            out.insert(symbol.to_string(), ty.to_string());
        }
    }
    out
}

/// Symbols of the `existing` resources (read, not deployed), subnets left out: Bicep declares
/// every subnet inside its network and again as `existing` for references.
fn bicep_existing(sources: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in sources {
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("module ") {
                if let Some((symbol, _)) = rest.split_once(" 'modules/private-dns-zone.bicep'") {
                    out.insert(symbol.to_string());
                }
                continue;
            }
            let Some(rest) = line.strip_prefix("resource ") else {
                continue;
            };
            if rest.contains("/subnets@") || !rest.ends_with("' existing = {") {
                continue;
            }
            if let Some(symbol) = rest.split_whitespace().next() {
                out.insert(symbol.to_string());
            }
        }
    }
    out
}

/// The body of each top-level `resource` (lines up to the closing `}` in column 0).
fn bicep_bodies<'a>(text: &'a str, symbol: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    let head = format!("resource {symbol} ");
    for line in text.lines() {
        if line.starts_with(&head) {
            current = Some(Vec::new());
            continue;
        }
        if let Some(body) = &mut current {
            if line == "}" {
                out.push(current.take().unwrap_or_default());
            } else {
                body.push(line);
            }
        }
    }
    out
}

/// The entries of the list property `key` (at 4 spaces) of a resource body: each entry's lines.
fn bicep_entries<'a>(body: &[&'a str], key: &str) -> Vec<Vec<&'a str>> {
    let open = format!("    {key}: ");
    let mut out = Vec::new();
    let mut inside = false;
    let mut entry: Option<Vec<&str>> = None;
    for line in body {
        if !inside {
            inside = line.starts_with(&open) && line.ends_with('[');
            continue;
        }
        if line.starts_with("    ]") {
            break;
        }
        match *line {
            "      {" => entry = Some(Vec::new()),
            "      }" => out.extend(entry.take()),
            l => {
                if let Some(e) = &mut entry {
                    e.push(l);
                }
            }
        }
    }
    out
}

fn quoted_after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(key)?;
    let rest = rest.strip_prefix('\'')?;
    rest.strip_suffix('\'')
}

/// The last path segment of a sub-resource id: `'${agw_id}/sslProfiles/x'` → `x`.
fn sub_name(line: &str, collection: &str) -> Option<String> {
    let at = line.find(&format!("/{collection}/"))?;
    let rest = &line[at + collection.len() + 2..];
    Some(rest.trim_end_matches('\'').to_string())
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Settings {
    /// instance symbol → (host name, negotiates), sorted.
    hostnames: BTreeMap<String, BTreeSet<(String, bool)>>,
    /// (gateway symbol, profile) → trusted client certificate names, sorted.
    ssl_profiles: BTreeMap<(String, String), BTreeSet<String>>,
    /// (gateway symbol, listener) → its SSL profile.
    listeners: BTreeMap<(String, String), Option<String>>,
    /// APIM backend symbol → (validate certificate chain, validate certificate name) as
    /// written (`None`: left to Azure's default, which validates).
    backend_tls: BTreeMap<String, (Option<bool>, Option<bool>)>,
}

fn bicep_settings(sources: &[String]) -> Settings {
    let mut s = Settings::default();
    let resources = bicep_resources(sources);
    for (symbol, ty) in &resources {
        for text in sources {
            for body in bicep_bodies(text, symbol) {
                match ty.as_str() {
                    "Microsoft.ApiManagement/service" => {
                        let entries = bicep_entries(&body, "hostnameConfigurations");
                        let set = s.hostnames.entry(symbol.clone()).or_default();
                        for e in entries {
                            let host = e.iter().find_map(|l| quoted_after(l, "hostName: "));
                            let negotiate = e
                                .iter()
                                .any(|l| l.trim() == "negotiateClientCertificate: true");
                            if let Some(h) = host {
                                set.insert((h.to_string(), negotiate));
                            }
                        }
                    }
                    "Microsoft.ApiManagement/service/backends" => {
                        let flag = |key: &str| {
                            body.iter().find_map(|l| {
                                l.trim().strip_prefix(key).map(|v| v.trim() == "true")
                            })
                        };
                        s.backend_tls.insert(
                            symbol.clone(),
                            (
                                flag("validateCertificateChain:"),
                                flag("validateCertificateName:"),
                            ),
                        );
                    }
                    "Microsoft.Network/applicationGateways" => {
                        for e in bicep_entries(&body, "sslProfiles") {
                            let Some(name) = e.iter().find_map(|l| quoted_after(l, "name: "))
                            else {
                                continue;
                            };
                            let trusted = e
                                .iter()
                                .filter_map(|l| sub_name(l, "trustedClientCertificates"))
                                .collect();
                            s.ssl_profiles
                                .insert((symbol.clone(), name.to_string()), trusted);
                        }
                        for e in bicep_entries(&body, "httpListeners") {
                            let Some(name) = e.iter().find_map(|l| quoted_after(l, "name: "))
                            else {
                                continue;
                            };
                            let profile = e.iter().find_map(|l| sub_name(l, "sslProfiles"));
                            s.listeners
                                .insert((symbol.clone(), name.to_string()), profile);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    s
}

// -- Terraform --------------------------------------------------------------------------------

/// `resource "azurerm_X" "sym" {` → (type, symbol, body text).
fn terraform_resources(sources: &[String]) -> Vec<(String, String, String)> {
    terraform_blocks(sources, "resource")
}

/// `data "azurerm_X" "sym"` blocks of existing resources: the deployment's resource group and
/// client configuration, which Bicep takes from its scope, left out.
fn terraform_existing(sources: &[String]) -> BTreeSet<String> {
    terraform_blocks(sources, "data")
        .into_iter()
        .filter(|(ty, _, _)| {
            !matches!(
                ty.as_str(),
                "azurerm_resource_group" | "azurerm_client_config" | "azurerm_subnet"
            )
        })
        .map(|(_, symbol, _)| symbol)
        .collect()
}

fn terraform_blocks(sources: &[String], kind: &str) -> Vec<(String, String, String)> {
    let head = format!("{kind} \"");
    let mut out = Vec::new();
    for text in sources {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&head) {
            if at > 0 && !rest[..at].ends_with('\n') {
                rest = &rest[at + head.len()..];
                continue;
            }
            let after = &rest[at + head.len()..];
            let Some(end_ty) = after.find('"') else { break };
            let ty = &after[..end_ty];
            let after = &after[end_ty + 1..];
            let Some(start_sym) = after.find('"') else {
                break;
            };
            let after = &after[start_sym + 1..];
            let Some(end_sym) = after.find('"') else {
                break;
            };
            let symbol = &after[..end_sym];
            let after = &after[end_sym + 1..];
            let Some(open) = after.find('{') else { break };
            let body = block(&after[open..]);
            out.push((ty.to_string(), symbol.to_string(), body.to_string()));
            rest = &after[open + body.len()..];
        }
    }
    out
}

/// The text of the `{ ... }` block `text` starts with (braces inside strings ignored).
fn block(text: &str) -> &str {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[..=i];
                }
            }
            _ => {}
        }
    }
    text
}

/// The nested blocks `name { ... }` of a block body.
fn nested<'a>(body: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = body;
    let head = format!("{name} {{");
    while let Some(at) = rest.find(&head) {
        let before = rest[..at].chars().last();
        let after = &rest[at + name.len() + 1..];
        if before.is_some_and(|c| !c.is_whitespace()) {
            rest = after;
            continue;
        }
        let b = block(after);
        out.push(b);
        rest = &after[b.len()..];
    }
    out
}

fn attr_string(body: &str, key: &str) -> Option<String> {
    body.lines().find_map(|l| {
        let l = l.trim();
        let rest = l.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
        Some(rest.trim_matches('"').to_string())
    })
}

fn attr_list(body: &str, key: &str) -> BTreeSet<String> {
    let Some(at) = body.find(&format!("{key} ")) else {
        return BTreeSet::new();
    };
    let rest = &body[at..];
    let (Some(open), Some(close)) = (rest.find('['), rest.find(']')) else {
        return BTreeSet::new();
    };
    rest[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn terraform_settings(resources: &[(String, String, String)]) -> Settings {
    let mut s = Settings::default();
    let hostname_kinds = [
        "proxy",
        "developer_portal",
        "management",
        "portal",
        "scm",
        "gateway",
    ];
    for (ty, symbol, body) in resources {
        match ty.as_str() {
            "azurerm_api_management" | "azurerm_api_management_custom_domain" => {
                let owner = if ty == "azurerm_api_management" {
                    symbol.clone()
                } else {
                    attr_string(body, "api_management_id")
                        .and_then(|v| v.split('.').nth(1).map(str::to_string))
                        .unwrap_or_default()
                };
                let set = s.hostnames.entry(owner).or_default();
                for kind in hostname_kinds {
                    for b in nested(body, kind) {
                        if let Some(host) = attr_string(b, "host_name") {
                            let negotiate = attr_string(b, "negotiate_client_certificate")
                                .is_some_and(|v| v == "true");
                            set.insert((host, negotiate));
                        }
                    }
                }
            }
            "azurerm_api_management_backend" => {
                let flag = |key: &str| attr_string(body, key).map(|v| v == "true");
                s.backend_tls.insert(
                    symbol.clone(),
                    (
                        flag("validate_certificate_chain"),
                        flag("validate_certificate_name"),
                    ),
                );
            }
            "azurerm_application_gateway" => {
                for b in nested(body, "ssl_profile") {
                    if let Some(name) = attr_string(b, "name") {
                        s.ssl_profiles.insert(
                            (symbol.clone(), name),
                            attr_list(b, "trusted_client_certificate_names"),
                        );
                    }
                }
                for b in nested(body, "http_listener") {
                    if let Some(name) = attr_string(b, "name") {
                        s.listeners
                            .insert((symbol.clone(), name), attr_string(b, "ssl_profile_name"));
                    }
                }
            }
            _ => {}
        }
    }
    s
}

/// Bicep lists the default `<name>.azure-api.net` proxy hostname (an ARM PUT replaces the whole
/// list, so leaving it out would ask Azure to remove it); Terraform leaves it out, because
/// azurerm drops it when it reads the instance and would otherwise plan a change on every run
/// (field reports D2, D3). Neither negotiates on it.
fn without_default_hostnames(mut s: Settings) -> Settings {
    for set in s.hostnames.values_mut() {
        set.retain(|(host, negotiate)| *negotiate || !host.ends_with(".azure-api.net"));
    }
    s
}

// -- tests ------------------------------------------------------------------------------------

/// The Bicep side reads as expected on the flagship example (the reader the comparison uses).
#[test]
fn bicep_resource_set_and_settings_are_read() {
    let files = emit_example("appgw-apim-keyvault");
    let bicep = texts(&files, "bicep/", ".bicep");
    let resources = bicep_resources(&bicep);
    assert_eq!(
        resources.get("agw_edge").map(String::as_str),
        Some("Microsoft.Network/applicationGateways")
    );
    assert_eq!(
        resources.get("snet_edge_appgw").map(String::as_str),
        Some("Microsoft.Network/virtualNetworks/subnets")
    );
    for ty in resources.values() {
        assert!(
            TYPE_MAP.iter().any(|(_, arm)| arm == ty) || BICEP_ONLY.contains(&ty.as_str()),
            "ARM type {ty} has no entry in TYPE_MAP"
        );
    }
    let s = bicep_settings(&bicep);
    assert_eq!(
        s.hostnames["apim_main"],
        BTreeSet::from([
            ("gw-prod.contoso.internal".to_string(), false),
            ("main.azure-api.net".to_string(), false),
        ])
    );
    assert_eq!(
        s.ssl_profiles[&("agw_edge".to_string(), "partners".to_string())],
        BTreeSet::from(["partner-ca".to_string()])
    );
    assert_eq!(
        s.listeners[&("agw_edge".to_string(), "api".to_string())],
        Some("partners".to_string())
    );
    let negotiate = bicep_settings(&texts(
        &emit_example("apim-negotiate-client-cert"),
        "bicep/",
        ".bicep",
    ));
    assert!(
        negotiate.hostnames["apim_partners"].contains(&("partners.contoso.com".to_string(), true))
    );
}

/// Compares the two targets' resource sets and mutual-TLS settings in `files`.
fn assert_parity(what: &str, files: &Files) {
    let tf_texts = texts(files, "terraform/", ".tf");
    let tf = terraform_resources(&tf_texts);
    let tf_data: Vec<(String, String, String)> = terraform_blocks(&tf_texts, "data")
        .into_iter()
        .filter(|(ty, _, _)| {
            !matches!(
                ty.as_str(),
                "azurerm_resource_group" | "azurerm_client_config"
            )
        })
        .collect();
    let bicep_texts = texts(files, "bicep/", ".bicep");
    let bicep = bicep_resources(&bicep_texts);

    let mut tf_set: BTreeMap<String, String> = BTreeMap::new();
    for (ty, symbol, body) in tf.iter().chain(&tf_data) {
        if TERRAFORM_ONLY.contains(&ty.as_str()) {
            continue;
        }
        // Records and links in a zone owned elsewhere: Bicep deploys them inside the zone's
        // module (see `bicep_resources`).
        if body.contains("= data.azurerm_private_dns_zone.") {
            continue;
        }
        let arm = TYPE_MAP
            .iter()
            .find(|(az, _)| az == ty)
            .map(|(_, arm)| arm.to_string())
            .unwrap_or_else(|| panic!("{what}: azurerm type {ty} has no entry in TYPE_MAP"));
        let previous = tf_set.insert(symbol.clone(), arm);
        assert!(
            previous.is_none(),
            "{what}: two Terraform resources are named `{symbol}`; Bicep could not name both"
        );
    }
    let bicep_set: BTreeMap<String, String> = bicep
        .into_iter()
        .filter(|(_, ty)| !BICEP_ONLY.contains(&ty.as_str()))
        .collect();
    assert_eq!(
        tf_set, bicep_set,
        "{what}: Terraform (left) and Bicep (right) declare different resources"
    );
    assert_eq!(
        terraform_existing(&tf_texts),
        bicep_existing(&bicep_texts),
        "{what}: Terraform (left) and Bicep (right) read different existing resources"
    );
    assert_eq!(
        terraform_settings(&tf),
        without_default_hostnames(bicep_settings(&bicep_texts)),
        "{what}: Terraform (left) and Bicep (right) differ in mutual-TLS settings"
    );
}

/// Blocks in another resource group than the deployment's are existing resources in both
/// targets (Terraform `data`, Bicep `existing`), and grants on a vault there are made in
/// that group: the flagship example with its network, vault and gateway identity moved out.
#[test]
fn blocks_in_other_resource_groups_are_read_not_created_in_both_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&root.join("modules"), &tmp.path().join("modules"));
    let dir = tmp.path().join("examples/shared-groups");
    support::copy_dir(&root.join("examples/appgw-apim-keyvault"), &dir);
    let edit = |file: &str, block: &str, group: &str| {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let head = format!("{block} {{\n");
        assert!(text.contains(&head), "{file} has no `{block}`");
        let text = text.replacen(&head, &format!("{head}  resource_group = \"{group}\"\n"), 1);
        std::fs::write(path, text).unwrap();
    };
    edit("network.hcl", "virtual_network \"edge\"", "rg-hub-network");
    edit("identity.hcl", "key_vault \"edge\"", "rg-shared-vaults");
    edit("identity.hcl", "identity \"appgw\"", "rg-shared-identities");
    edit("network.hcl", "private_dns_zone \"internal\"", "rg-hub-dns");

    let world = gatehouse::syntax::FsWorld::new(&dir);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    assert!(!loaded.has_errors(), "the edited example does not load");
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let files = emit::emit(&loaded.model, &graph, &world, &Target::DEPLOY).files;
    assert_parity("shared resource groups", &files);
    assert_eq!(
        terraform_existing(&texts(&files, "terraform/", ".tf")),
        BTreeSet::from(["dns_internal", "id_appgw", "kv_edge", "vnet_edge"].map(String::from))
    );
    let out = tempfile::tempdir().unwrap();
    for (path, bytes) in &files {
        let target = out.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    support::validate("validate-terraform", &[], &out.path().join("terraform"));
    support::validate("validate-bicep", &[], &out.path().join("bicep"));
    let network = String::from_utf8_lossy(&files["terraform/network.tf"]).into_owned();
    assert!(
        !network.contains("azurerm_subnet_network_security_group_association"),
        "a subnet of a network owned elsewhere keeps its owner's security group:\n{network}"
    );
}

#[test]
fn terraform_and_bicep_declare_the_same_resources_and_settings() {
    for example in EXAMPLES {
        let files = emit_example(example);
        assert!(
            files.keys().any(|p| p.starts_with("terraform/")),
            "{example}: the Terraform target emitted nothing"
        );
        assert_parity(example, &files);
    }
}

/// The same comparison on every check's `pass/` topology (with the test PKI): they cover
/// shapes the examples do not (derived settings, fragments, access policies, own networks).
/// A fixture one target cannot express (GH711 stops Terraform on passthrough) is skipped.
#[test]
fn every_check_pass_fixture_compiles_to_the_same_resources_in_both_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/checks");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut compared = 0;
    for name in names {
        let tmp = tempfile::tempdir().unwrap();
        support::copy_dir(&root.join(&name).join("pass"), tmp.path());
        pki::write(tmp.path());
        let world = support::FixtureWorld::new(tmp.path());
        let loaded = gatehouse::load::load(&world, "", &Default::default());
        assert!(!loaded.has_errors(), "{name}/pass does not load");
        let graph = gatehouse::graph::Graph::new(&loaded.model);
        let emitted = emit::emit(&loaded.model, &graph, &world, &Target::DEPLOY);
        if !emitted.diagnostics.is_empty() {
            continue;
        }
        assert_parity(&format!("{name}/pass"), &emitted.files);
        compared += 1;
    }
    assert!(compared >= 70, "only {compared} fixtures were compared");
}

#[test]
fn terraform_reader_reads_hostnames_profiles_and_listeners() {
    let tf = r#"
resource "azurerm_application_gateway" "agw_edge" {
  name = "edge"
  ssl_profile {
    name                             = "partners"
    trusted_client_certificate_names = ["partner-ca"]
  }
  http_listener {
    name             = "api"
    ssl_profile_name = "partners"
  }
}

resource "azurerm_api_management" "apim_main" {
  hostname_configuration {
    proxy {
      host_name                    = "partners.contoso.com"
      negotiate_client_certificate = true
    }
  }
}
"#;
    let s = terraform_settings(&terraform_resources(&[tf.to_string()]));
    assert_eq!(
        s.ssl_profiles[&("agw_edge".to_string(), "partners".to_string())],
        BTreeSet::from(["partner-ca".to_string()])
    );
    assert_eq!(
        s.listeners[&("agw_edge".to_string(), "api".to_string())],
        Some("partners".to_string())
    );
    assert!(s.hostnames["apim_main"].contains(&("partners.contoso.com".to_string(), true)));
}
