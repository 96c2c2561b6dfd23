//! The typed model built from real topologies: references resolve to the right entities, module
//! blocks attach where they should, defaults are Azure's, policies have one shape.

mod support;

use gatehouse::model::*;

fn example(name: &str) -> gatehouse::load::Loaded {
    let loaded = support::load_dir(&support::workspace().join("examples").join(name));
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    loaded
}

#[test]
fn flagship_listener_routes_to_the_apim_gateway_hostname_through_the_rewrite() {
    let loaded = example("appgw-apim-keyvault");
    let m = &loaded.model;
    assert_eq!(m.app_gateways.len(), 1);
    let listener = &m.listeners[0];
    assert_eq!(listener.decl.address, "app_gateway.edge.listener.api");
    assert_eq!(listener.host_names[0].value, "api.contoso.com");
    assert_eq!(listener.port.value, 443, "Https listeners default to 443");
    let profile = &m[listener.ssl_profile.expect("ssl profile").id];
    assert_eq!(profile.decl.name, "partners");
    assert!(profile.verify_client_revocation_ocsp.value);
    let ca = &m[profile.trusted_client_cas[0].id];
    assert!(
        matches!(&ca.source, Some(CertSource::CaChain(f)) if f.value == "certs/partner-ca-chain.pem")
    );
    let route = &listener.routes[0];
    let Some(RouteTarget::Hostname(h)) = route.to else {
        panic!("route to a hostname")
    };
    let hostname = &m[h.id];
    assert_eq!(
        hostname.decl.address,
        "api_management.main.hostname.gateway"
    );
    assert_eq!(
        hostname.host_name.value, "gw-prod.contoso.internal",
        "interpolated from var and local"
    );
    let rewrite = &m[route.rewrite_rule_set.expect("rewrite").id];
    assert_eq!(
        rewrite.rules[0].request_headers[0].header.value,
        "X-ARR-ClientCert"
    );
    assert_eq!(
        rewrite.rules[0].request_headers[0].value.value,
        "{var_client_certificate}"
    );
}

#[test]
fn flagship_module_api_attaches_to_the_root_instance() {
    let loaded = example("appgw-apim-keyvault");
    let m = &loaded.model;
    let apim = &m.api_managements[0];
    assert_eq!(apim.apis.len(), 1);
    let api = &m[apim.apis[0]];
    assert_eq!(api.decl.address, "module.orders.api.partner");
    assert_eq!(api.path.value, "orders");
    assert_eq!(
        m[api.backend.expect("backend").id].decl.address,
        "api_management.main.backend.orders"
    );
    assert_eq!(m[api.hostnames[0].id].decl.name, "gateway");
    assert_eq!(api.operations.len(), 3);
    assert_eq!(
        m[api.operations[2]].max_body_size.as_ref().map(|s| s.value),
        Some(1_048_576)
    );
    // The module's trace points at the module block in the root.
    assert_eq!(api.decl.trace.len(), 1);
    assert_eq!(
        loaded.sources.get(api.decl.trace[0].span.file).path,
        "api_management.hcl"
    );
    let policy = &m.policies[api.policy.expect("policy").index()];
    let kinds: Vec<&str> = policy
        .inbound
        .statements
        .iter()
        .map(|s| statement_name(&s.kind))
        .collect();
    assert_eq!(
        kinds,
        ["base", "check-header", "rate-limit-by-key"],
        "base first by default"
    );
    let StatementKind::CheckHeader(check) = &policy.inbound.statements[1].kind else {
        unreachable!()
    };
    assert_eq!(
        check.name.value, "X-ARR-ClientCert",
        "the caller's local reached the module input"
    );
    assert_eq!(
        m.outputs[0].value.as_str(),
        Some("https://api.contoso.com/orders")
    );
}

#[test]
fn key_vault_identities_and_network_resolve() {
    let loaded = example("appgw-apim-keyvault");
    let m = &loaded.model;
    let vault = &m.key_vaults[0];
    let rules = vault.network_rules.as_ref().expect("firewall");
    assert!(rules.deny_by_default.value && rules.bypass_azure_services.value);
    let subnets: Vec<&str> = rules
        .allowed_subnets
        .iter()
        .map(|s| m[s.id].decl.address.as_str())
        .collect();
    assert_eq!(
        subnets,
        [
            "virtual_network.edge.subnet.appgw",
            "virtual_network.edge.subnet.apim"
        ]
    );
    let appgw_identity = &m[m.app_gateways[0].identity.expect("identity").id];
    assert_eq!(appgw_identity.kind.value, IdentityType::UserAssigned);
    assert_eq!(
        m[appgw_identity.role_assignments[0].scope.expect("scope").id]
            .decl
            .name,
        "edge"
    );
    let nsg = &m[m.subnets[1].network_security_group.expect("nsg").id];
    let outbound: Vec<&str> = nsg
        .rules
        .iter()
        .filter(|r| r.direction == Direction::Outbound)
        .map(|r| r.destination_address_prefix.value.as_str())
        .collect();
    assert_eq!(
        outbound,
        ["AzureKeyVault", "AzureActiveDirectory", "Storage"],
        "priority order"
    );
    let Some(CertSource::KeyVault(kv)) = &m.certificates[1].source else {
        panic!("key vault cert")
    };
    assert_eq!(kv.secret_name.value, "edge-tls");
    assert!(kv.secret_version.is_none());
}

#[test]
fn negotiate_example_has_typed_hostnames_ca_store_and_validation() {
    let loaded = example("apim-negotiate-client-cert");
    let m = &loaded.model;
    let apim = &m.api_managements[0];
    assert_eq!(apim.sku.value, Sku::Premium);
    let types: Vec<HostnameType> = apim.hostnames.iter().map(|h| m[*h].kind.value).collect();
    assert_eq!(types, [HostnameType::Proxy, HostnameType::DeveloperPortal]);
    assert!(m[apim.hostnames[0]].negotiate_client_certificate.value);
    assert!(
        !m[apim.hostnames[1]].negotiate_client_certificate.value,
        "defaults to off"
    );
    let stores: Vec<CaStore> = apim
        .ca_certificates
        .iter()
        .map(|c| m[*c].store.value)
        .collect();
    assert_eq!(stores, [CaStore::Root, CaStore::CertificateAuthority]);
    let api = &m.apis[0];
    let policy = &m.policies[api.policy.unwrap().index()];
    let StatementKind::ValidateClientCertificate(v) = &policy.inbound.statements[1].kind else {
        panic!()
    };
    assert!(v.validate_trust.value && v.validate_revocation.value && !v.ignore_error.value);
    assert_eq!(
        v.identities[0].issuer_subject.as_ref().unwrap().value,
        "CN=Contoso Partner Issuing CA"
    );
    assert_eq!(policy.on_error.statements.len(), 2, "base + set-header");
}

#[test]
fn backend_mtls_example_sends_the_client_certificate_and_parses_raw_xml() {
    let loaded = example("apim-backend-mtls");
    let m = &loaded.model;
    let backend = &m.backends[0];
    let client = backend.client_certificate.expect("client cert").id;
    // Declared by `modules/backend-mtls`, named by its `name` input.
    assert_eq!(backend.decl.address, "module.ledger.backend.mtls");
    assert_eq!(backend.azure_name.value, "ledger");
    assert_eq!(
        m[client].decl.address,
        "module.ledger.certificate.mtls_client"
    );
    assert_eq!(m[client].apim_name(), "ledger_client");
    let api = &m.apis[0];
    let policy = &m.policies[api.policy.unwrap().index()];
    let sent = policy
        .inbound
        .statements
        .iter()
        .find_map(|s| match &s.kind {
            StatementKind::AuthenticationCertificate(AuthenticationCertificate::Certificate(
                CertificateName::Certificate(r),
            )) => Some(r.id),
            _ => None,
        });
    assert_eq!(sent, Some(client));
    let vault = &m.key_vaults[0];
    assert_eq!(vault.permission_model.value, PermissionModel::AccessPolicy);
    let perms: Vec<&str> = vault.access_policies[0]
        .secret_permissions
        .iter()
        .map(|p| p.value.as_str())
        .collect();
    assert_eq!(perms, ["Get", "List"]);
    let xml_policy = &m.policies[m[api.operations[1]].policy.unwrap().index()];
    assert_eq!(
        xml_policy.xml_file,
        Some(Some("policies/post-entry.xml".to_string()))
    );
    let StatementKind::SetHeader(h) = &xml_policy.inbound.statements[1].kind else {
        panic!()
    };
    assert_eq!(h.exists_action, "skip");
    // Spans of raw XML from a file point into that file.
    let path = &loaded.sources.get(h.name.span.file).path;
    assert_eq!(path, "policies/post-entry.xml");
    assert_eq!(loaded.sources.snippet(h.name.span), "Idempotency-Key");
}

#[test]
fn typed_sections_with_inherit_false_get_no_base() {
    let world = gatehouse::syntax::MemoryWorld::new().with_file(
        "main.hcl",
        r#"api_management "m" {
  sku             = "Developer"
  publisher_name  = "C"
  publisher_email = "c@contoso.com"

  api "a" {
    path = "a"

    policy {
      inbound {
        inherit = false

        ip_filter {
          action    = "allow"
          addresses = ["10.0.0.1"]
        }
      }

      outbound {
        set_header {
          name   = "X-A"
          values = ["1"]
        }

        base {}
      }
    }
  }
}
"#,
    );
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    let p = &loaded.model.policies[0];
    let names = |s: &Section| {
        s.statements
            .iter()
            .map(|s| statement_name(&s.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&p.inbound), ["ip-filter"]);
    assert_eq!(
        names(&p.outbound),
        ["set-header", "base"],
        "explicit base stays where written"
    );
    assert_eq!(names(&p.backend), ["base"]);
}

fn statement_name(kind: &StatementKind) -> &'static str {
    match kind {
        StatementKind::Base => "base",
        StatementKind::ValidateClientCertificate(_) => "validate-client-certificate",
        StatementKind::AuthenticationCertificate(_) => "authentication-certificate",
        StatementKind::CheckHeader(_) => "check-header",
        StatementKind::SetHeader(_) => "set-header",
        StatementKind::SetBackendService(_) => "set-backend-service",
        StatementKind::IpFilter(_) => "ip-filter",
        StatementKind::RateLimit { .. } => "rate-limit",
        StatementKind::RateLimitByKey(_) => "rate-limit-by-key",
        StatementKind::ReturnResponse(_) => "return-response",
        StatementKind::Cors(_) => "cors",
        StatementKind::ValidateJwt(_) => "validate-jwt",
        StatementKind::Choose(_) => "choose",
        StatementKind::IncludeFragment(_) => "include-fragment",
        StatementKind::Other(_) => "other",
    }
}

#[test]
fn two_instances_of_a_module_have_their_own_addresses_and_references() {
    let module = r#"variable "host" {
  type = string
}

certificate "tls" {
  key_vault   = var.vault
  secret_name = var.host
}

variable "vault" {
  type = key_vault
}

variable "apim" {
  type = api_management
}

backend "svc" {
  api_management = var.apim
  url            = "https://${var.host}"
  server_certificate = certificate.tls
}
"#;
    let root = r#"key_vault "kv" {
  name = "kv-x"
}

api_management "main" {
  sku             = "Developer"
  publisher_name  = "C"
  publisher_email = "c@contoso.com"
}

module "a" {
  source = "./svc"
  host   = "a.contoso.internal"
  vault  = key_vault.kv
  apim   = api_management.main
}

module "b" {
  source = "./svc"
  host   = "b.contoso.internal"
  vault  = key_vault.kv
  apim   = api_management.main
}
"#;
    let world = gatehouse::syntax::MemoryWorld::new()
        .with_file("main.hcl", root)
        .with_file("svc/main.hcl", module);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    let m = &loaded.model;
    let backends: Vec<(&str, &str)> = m
        .backends
        .iter()
        .map(|b| {
            (
                b.decl.address.as_str(),
                m[b.server_certificate.unwrap().id].decl.address.as_str(),
            )
        })
        .collect();
    assert_eq!(
        backends,
        [
            ("module.a.backend.svc", "module.a.certificate.tls"),
            ("module.b.backend.svc", "module.b.certificate.tls")
        ]
    );
    assert_eq!(m.api_managements[0].backends.len(), 2);
}

#[test]
fn an_error_inside_a_module_points_at_the_module_file_and_the_call() {
    let world = gatehouse::syntax::MemoryWorld::new()
        .with_file("main.hcl", "module \"edge\" {\n  source = \"./edge\"\n}\n")
        .with_file(
            "edge/main.hcl",
            "certificate \"ca\" {\n  ca_chain = file(\"missing.pem\")\n}\n",
        );
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code.code, "GH007");
    assert_eq!(
        loaded.sources.get(d.primary.span.file).path,
        "edge/main.hcl"
    );
    assert!(
        d.message.contains("edge/missing.pem"),
        "paths are relative to the topology root: {}",
        d.message
    );
    assert_eq!(loaded.sources.snippet(d.trace[0].span), "module \"edge\"");
    let text = support::render(&loaded);
    assert!(
        text.contains("--> edge/main.hcl:2:19") && text.contains("in module `edge`"),
        "{text}"
    );
}

#[test]
fn a_root_reference_variable_can_be_set_on_the_command_line() {
    let world = gatehouse::syntax::MemoryWorld::new().with_file("ca.pem", "x").with_file(
        "main.hcl",
        "variable \"ca\" {\n  type = certificate\n}\n\ncertificate \"partner\" {\n  ca_chain = file(\"ca.pem\")\n}\n\napp_gateway \"gw\" {\n  sku = \"WAF_v2\"\n\n  ssl_profile \"p\" {\n    trusted_client_cas = [var.ca]\n  }\n}\n",
    );
    let mut options = gatehouse::eval::Options::default();
    options
        .vars
        .insert("ca".into(), "certificate.partner".into());
    let loaded = gatehouse::load::load(&world, "", &options);
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    assert_eq!(
        loaded.model.ssl_profiles[0].trusted_client_cas[0].id,
        CertificateId(0)
    );
}

#[test]
fn base_inside_choose_is_rejected() {
    let world = gatehouse::syntax::MemoryWorld::new().with_file(
        "main.hcl",
        r#"api_management "m" {
  sku             = "Developer"
  publisher_name  = "C"
  publisher_email = "c@contoso.com"

  policy {
    inbound {
      choose {
        when {
          condition = "@(true)"

          base {}
        }
      }
    }
  }
}
"#,
    );
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.code).collect();
    assert_eq!(codes, ["GH002"], "{}", support::render(&loaded));
}

#[test]
fn objects_compare_by_content() {
    let world = gatehouse::syntax::MemoryWorld::new().with_file(
        "main.hcl",
        "locals {\n  same = { a = 1, b = \"x\" } == { b = \"x\", a = 1 }\n  differ = { a = 1 } == { a = 2 }\n}\n\noutput \"same\" {\n  value = local.same\n}\n\noutput \"differ\" {\n  value = local.differ\n}\n",
    );
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        support::render(&loaded)
    );
    let value = |name: &str| {
        loaded
            .model
            .outputs
            .iter()
            .find(|o| o.name == name)
            .unwrap()
            .value
            .as_bool()
    };
    assert_eq!(value("same"), Some(true));
    assert_eq!(value("differ"), Some(false));
}

/// Loads `files` (path, text) from memory; they must load without a diagnostic.
fn load_memory(files: &[(&str, &str)]) -> gatehouse::load::Loaded {
    let world = files.iter().fold(
        gatehouse::syntax::MemoryWorld::new(),
        |world, (path, text)| world.with_file(path, *text),
    );
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded
}

const READER_MODULE: &str = "identity \"reader\" {\n  type = \"UserAssigned\"\n}\n";

/// A finding in the root with a second label on `module.<call>.identity.reader`.
fn finding_labelling_reader(
    loaded: &gatehouse::load::Loaded,
    address: &str,
) -> gatehouse::diagnostics::Diagnostic {
    let m = &loaded.model;
    let root = m
        .identities
        .iter()
        .find(|i| i.decl.address == "identity.root")
        .unwrap();
    let reader = m
        .identities
        .iter()
        .find(|i| i.decl.address == address)
        .unwrap();
    gatehouse::diagnostics::Diagnostic::new(
        &gatehouse::diagnostics::codes::WRONG_TYPE,
        root.decl.name_span,
        "a finding in the root",
    )
    .with_label(reader.decl.name_span, "a block in a module")
}

#[test]
fn a_label_in_a_module_called_once_names_the_call() {
    let loaded = load_memory(&[
        ("main.hcl", "identity \"root\" {\n  type = \"UserAssigned\"\n}\n\nmodule \"readers\" {\n  source = \"./reader\"\n}\n"),
        ("reader/main.hcl", READER_MODULE),
    ]);
    let mut found = vec![finding_labelling_reader(
        &loaded,
        "module.readers.identity.reader",
    )];
    gatehouse::model::complete_traces(&loaded.model, &mut found);
    let calls: Vec<&str> = found[0].trace.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(calls, ["in module `readers`"]);
    // Already named: not added twice.
    gatehouse::model::complete_traces(&loaded.model, &mut found);
    assert_eq!(found[0].trace.len(), 1);
}

#[test]
fn a_label_in_a_module_called_twice_is_left_to_the_check() {
    let loaded = load_memory(&[
        ("main.hcl", "identity \"root\" {\n  type = \"UserAssigned\"\n}\n\nmodule \"a\" {\n  source = \"./reader\"\n}\n\nmodule \"b\" {\n  source = \"./reader\"\n}\n"),
        ("reader/main.hcl", READER_MODULE),
    ]);
    let m = &loaded.model;
    let mut found = vec![finding_labelling_reader(
        &loaded,
        "module.b.identity.reader",
    )];
    gatehouse::model::complete_traces(m, &mut found);
    assert!(
        found[0].trace.is_empty(),
        "the span alone does not say which call"
    );
    // The check knows the instance and names its call; the pass keeps it as it is.
    let b = m
        .identities
        .iter()
        .find(|i| i.decl.address == "module.b.identity.reader")
        .unwrap();
    let mut found = vec![
        finding_labelling_reader(&loaded, "module.b.identity.reader")
            .with_secondary_trace(&b.decl.trace),
    ];
    gatehouse::model::complete_traces(m, &mut found);
    let calls: Vec<&str> = found[0].trace.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(calls, ["in module `b`"]);
}
