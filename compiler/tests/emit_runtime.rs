//! The runtime target: `runtime.json` for a topology with local keys (the runtime fixture with
//! the test PKI) reads back as the runtime reads it, names every file by a path that resolves
//! from `OUT/runtime/`, holds no key material, and says what the topology says (local ports,
//! SNI host names, SSL profile, rewrite, negotiate, flattened policies); what the runtime
//! cannot run is GH720, a certificate without a local key GH721.

mod support;

use gatehouse::emit::runtime::RuntimeOptions;
use gatehouse::emit::{self, Emitted, Target};
use gatehouse_runtime_config as rc;
use std::path::{Path, PathBuf};
use support::pki;

/// The runtime fixture with the test PKI, copied to `<tmp>/topo`.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let topo = tmp.path().join("topo");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime/edge"),
        &topo,
    );
    pki::write(&topo);
    (tmp, topo)
}

fn compile(topo: &Path) -> Emitted {
    let world = support::FixtureWorld::new(topo);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let all = gatehouse::load::check(&loaded, &world, pki::NOW);
    let errors: Vec<_> = all.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{}",
        gatehouse::diagnostics::render::human::render(&all, &loaded.sources, false)
    );
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    // OUT is `<tmp>/out`: the topology is `../../topo` from `OUT/runtime/`.
    let options = RuntimeOptions {
        root: "../../topo".into(),
        ..RuntimeOptions::default()
    };
    emit::emit_with(&loaded.model, &graph, &world, &[Target::Runtime], &options)
}

fn config(emitted: &Emitted) -> rc::RuntimeConfig {
    assert!(emitted.diagnostics.is_empty(), "{:?}", emitted.diagnostics);
    let json = &emitted.files["runtime/runtime.json"];
    rc::RuntimeConfig::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn runtime_json_reads_back_and_every_file_resolves_from_its_directory() {
    let (tmp, topo) = fixture();
    let emitted = compile(&topo);
    let config = config(&emitted);
    let out = tmp.path().join("out");
    for (path, bytes) in &emitted.files {
        let target = out.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let runtime_dir = out.join("runtime");
    let mut files: Vec<String> = Vec::new();
    for gw in config.application_gateways.values() {
        for l in gw.listeners.values() {
            files.push(l.certificate.cert_file.clone());
            files.push(l.certificate.key_file.clone());
        }
        for p in gw.ssl_profiles.values() {
            files.extend(p.trusted_client_ca_files.iter().cloned());
        }
    }
    for apim in config.api_managements.values() {
        for h in apim.hostnames.values() {
            files.push(h.certificate.cert_file.clone());
            files.push(h.certificate.key_file.clone());
        }
        files.extend(apim.ca_certificates.values().map(|c| c.file.clone()));
        for c in apim.certificates.values() {
            files.push(c.cert_file.clone());
            files.push(c.key_file.clone());
        }
        for b in apim.backends.values() {
            files.extend(b.trusted_ca_files.iter().cloned());
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        assert!(!Path::new(&file).is_absolute(), "absolute path {file}");
        assert!(
            runtime_dir.join(&file).is_file(),
            "`{file}` does not resolve from OUT/runtime/"
        );
    }
    drop(tmp);
}

#[test]
fn no_private_key_reaches_the_output() {
    let (_tmp, topo) = fixture();
    let emitted = compile(&topo);
    for (path, bytes) in &emitted.files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("PRIVATE KEY"), "{path} holds a private key");
        assert!(
            !text.contains(pki::PFX_PASSWORD),
            "{path} holds the password"
        );
    }
}

#[test]
fn runtime_json_says_what_the_topology_says() {
    let (_tmp, topo) = fixture();
    let config = config(&compile(&topo));
    let edge = &config.application_gateways["edge"];
    let api = &edge.listeners["api"];
    // Frontend port 443 of the first gateway.
    assert_eq!(api.bind, "127.0.0.1:8443");
    assert_eq!(api.host_names, ["api.contoso.com"]);
    assert_eq!(api.ssl_profile.as_deref(), Some("partners"));
    let profile = &edge.ssl_profiles["partners"];
    assert_eq!(profile.trusted_client_ca_files, ["certs/partner_ca.pem"]);
    assert!(profile.verify_client_cert_issuer_dn);
    assert_eq!(profile.mode, rc::VerifyClientAuthMode::Strict);
    let rule = &edge.routing_rules["api"];
    assert_eq!(
        rule.default_target,
        rc::RouteTarget::Apim(rc::ApimTarget {
            hostname: "gw.contoso.internal".into()
        })
    );
    assert_eq!(
        rule.request_headers,
        [rc::HeaderRewrite {
            header: "X-ARR-ClientCert".into(),
            value: "{var_client_certificate}".into()
        }]
    );

    let main = &config.api_managements["main"];
    let gateway = &main.hostnames["gw.contoso.internal"];
    assert_eq!(gateway.bind, "127.0.0.1:9443");
    assert!(!gateway.negotiate_client_certificate);
    assert!(main.hostnames["portal.contoso.com"].negotiate_client_certificate);
    assert_eq!(
        main.certificates.keys().collect::<Vec<_>>(),
        ["ledger_client"],
        "only the certificate a policy presents"
    );
    let orders = &main.apis["orders"];
    assert_eq!(orders.path, "orders");
    assert_eq!(orders.hostnames, ["gw.contoso.internal"]);
    assert_eq!(
        orders.service_url.as_deref(),
        Some("https://orders.contoso.internal/api")
    );
    let create = &orders.operations["create"];
    assert_eq!(create.method, "POST");
    assert!(matches!(
        create.policy.inbound.as_slice(),
        [
            rc::Step::SetHeader(_),
            rc::Step::AuthenticationCertificate(rc::AuthenticationCertificate { certificate_id })
        ] if certificate_id == "ledger_client"
    ));
    let partners = &main.apis["partners"].operations["get"].policy.inbound;
    assert!(
        matches!(
            partners.as_slice(),
            [
                rc::Step::ValidateClientCertificate(v),
                rc::Step::Choose(c)
            ] if !v.validate_revocation
                && v.identities[0].common_name.as_deref() == Some("partner-client")
                && c.when[0].condition == "@(context.Request.Certificate == null)"
        ),
        "{partners:?}"
    );
}

#[test]
fn a_policy_the_runtime_cannot_run_is_gh720() {
    let (_tmp, topo) = fixture();
    let path = topo.join("api_management.hcl");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "        authentication_certificate {",
        "        validate_jwt {\n          header_name = \"Authorization\"\n          openid_config_urls = [\"https://login.example.com/.well-known/openid-configuration\"]\n        }\n\n        authentication_certificate {",
    );
    std::fs::write(&path, text).unwrap();
    let emitted = compile(&topo);
    assert!(!emitted.files.contains_key("runtime/runtime.json"));
    let codes: Vec<&str> = emitted.diagnostics.iter().map(|d| d.code.code).collect();
    assert_eq!(codes, ["GH720", "GH720"], "one per operation of the API");
    assert!(emitted.diagnostics[0].message.contains("`validate-jwt`"));
}

#[test]
fn a_certificate_without_a_local_key_is_gh721_with_the_stand_in_it_looks_for() {
    let (_tmp, topo) = fixture();
    let path = topo.join("main.hcl");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "certificate \"gateway_tls\" {\n  pem         = file(\"pki/server.pem\")\n  private_key = file(\"pki/server.key\")\n}",
        "certificate \"gateway_tls\" {\n  pfx      = file(\"pki/server.pfx\")\n  password = \"fixture-password\"\n}",
    );
    assert!(text.contains("server.pfx"));
    std::fs::write(&path, text).unwrap();
    let world = support::FixtureWorld::new(&topo);
    let loaded = gatehouse::load::load(&world, "", &Default::default());
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let emitted = emit::emit_with(
        &loaded.model,
        &graph,
        &world,
        &[Target::Runtime],
        &RuntimeOptions::default(),
    );
    let gh721: Vec<_> = emitted
        .diagnostics
        .iter()
        .filter(|d| d.code.code == "GH721")
        .collect();
    assert_eq!(gh721.len(), 2, "both hostnames present it: {gh721:?}");
    assert!(
        gh721[0]
            .message
            .contains("certificate `certificate.gateway_tls`"),
        "{}",
        gh721[0].message
    );
    assert!(gh721[0]
        .help
        .as_deref()
        .unwrap()
        .contains(".gatehouse/pki/gateway_tls.key"));

    // With the dev PKI's stand-in in place, it compiles.
    std::fs::create_dir_all(topo.join(".gatehouse/pki")).unwrap();
    std::fs::copy(
        topo.join("pki/server.pem"),
        topo.join(".gatehouse/pki/gateway_tls.pem"),
    )
    .unwrap();
    std::fs::copy(
        topo.join("pki/server.key"),
        topo.join(".gatehouse/pki/gateway_tls.key"),
    )
    .unwrap();
    let emitted = emit::emit_with(
        &loaded.model,
        &graph,
        &world,
        &[Target::Runtime],
        &RuntimeOptions::default(),
    );
    let config = config(&emitted);
    assert_eq!(
        config.api_managements["main"].hostnames["gw.contoso.internal"]
            .certificate
            .key_file,
        "../../.gatehouse/pki/gateway_tls.key"
    );
}
