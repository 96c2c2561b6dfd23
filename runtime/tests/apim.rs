//! API Management hostname and policy behaviour: negotiate on/off, validate-client-certificate
//! with each identity kind, the other policies, backends with their TLS flags and the
//! authentication certificate, and AppGW in front of APIM.

mod support;

use gatehouse_runtime::config as cfg;
use support::*;

const CERT_IS_NULL: &str = "@(context.Request.Certificate == null)";

/// Starts `config`, sends one request from `client`, and returns the reply.
async fn call(
    world: &World,
    config: &cfg::RuntimeConfig,
    client: &TlsClient,
    req: Req<'_>,
) -> Reply {
    let rt = world.start(config).await;
    let reply = client
        .send(apim_addr(&rt), APIM_HOST, req)
        .await
        .expect("reply");
    rt.shutdown().await;
    reply
}

fn with_cert(world: &World, cert: &support::Issued, h2: bool) -> TlsClient {
    world.tls_client(Some((cert.chain(), cert)), h2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiate_off_policy_sees_null_even_when_the_client_has_a_certificate() {
    bounded(async {
        let world = World::new();
        let config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![probe(CERT_IS_NULL)],
        );
        let cert = world.client("alice");
        let reply = call(
            &world,
            &config,
            &with_cert(&world, &cert, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!((reply.status, reply.text().as_str()), (200, "yes"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiate_on_policy_sees_the_certificate() {
    bounded(async {
        let world = World::new();
        let config = one_api(
            &world,
            true,
            "http://127.0.0.1:9",
            vec![probe(CERT_IS_NULL)],
        );
        let cert = world.client("alice");
        let reply = call(
            &world,
            &config,
            &with_cert(&world, &cert, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!((reply.status, reply.text().as_str()), (200, "no"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiate_on_without_a_client_certificate_still_completes_the_handshake() {
    bounded(async {
        let world = World::new();
        let config = one_api(
            &world,
            true,
            "http://127.0.0.1:9",
            vec![probe(CERT_IS_NULL)],
        );
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!((reply.status, reply.text().as_str()), (200, "yes"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_negotiate_on_sees_the_certificate() {
    bounded(async {
        let world = World::new();
        let thumbprint_probe = probe("@(context.Request.Certificate != null && context.Request.Certificate.SubjectName.Name == \"CN=alice, O=Contoso\")");
        let config = one_api(&world, true, "http://127.0.0.1:9", vec![thumbprint_probe]);
        let cert = world.client("alice");
        let rt = world.start(&config).await;
        let reply = with_cert(&world, &cert, true).get(apim_addr(&rt), APIM_HOST, "/echo").await;
        assert!(reply.alpn_h2);
        assert_eq!((reply.status, reply.text().as_str()), (200, "yes"));
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_negotiate_off_sees_null() {
    bounded(async {
        let world = World::new();
        let config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![probe(CERT_IS_NULL)],
        );
        let cert = world.client("alice");
        let rt = world.start(&config).await;
        let reply = with_cert(&world, &cert, true)
            .get(apim_addr(&rt), APIM_HOST, "/echo")
            .await;
        assert!(reply.alpn_h2);
        assert_eq!((reply.status, reply.text().as_str()), (200, "yes"));
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumption_enable_client_certificate_requests_a_certificate() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![probe(CERT_IS_NULL)],
        );
        apim_mut(&mut config).enable_client_certificate = true;
        let cert = world.client("alice");
        let reply = call(
            &world,
            &config,
            &with_cert(&world, &cert, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.text(), "no");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_property_of_a_null_certificate_is_a_500() {
    bounded(async {
        let world = World::new();
        let config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![probe("@(context.Request.Certificate.Thumbprint == \"AB\")")],
        );
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 500);
        assert_eq!(reply.json()["statusCode"], 500);
    })
    .await;
}

// --- validate-client-certificate -----------------------------------------------------------

fn validate(identity: Option<cfg::CertificateIdentity>) -> cfg::ValidateClientCertificate {
    cfg::ValidateClientCertificate {
        validate_revocation: true,
        validate_trust: true,
        validate_not_before: true,
        validate_not_after: true,
        ignore_error: false,
        identities: identity.into_iter().collect(),
    }
}

/// Sends `cert` to a hostname validating with `v`; expects `status` and, on the backend, the
/// request when 200.
async fn vcc_case(
    v: cfg::ValidateClientCertificate,
    cert: Option<&support::Issued>,
    world: &World,
    status: u16,
) {
    let echo = Echo::plain().await;
    let config = one_api(
        world,
        true,
        &echo.url,
        vec![cfg::Step::ValidateClientCertificate(v)],
    );
    let client = world.tls_client(cert.map(|c| (c.chain(), c)), false);
    let reply = call(world, &config, &client, Req::get("/echo/x")).await;
    assert_eq!(reply.status, status, "{}", reply.text());
    if status == 200 {
        assert_eq!(echo.last()["path"], "/x");
    } else {
        assert!(
            echo.requests().is_empty(),
            "a rejected request reached the backend"
        );
        assert_eq!(reply.json()["statusCode"], status);
    }
}

/// Each identity attribute, once matching and once not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_kinds_match_and_mismatch() {
    bounded(async {
        let world = World::new();
        let cert = world.client_int.leaf(Leaf::client("alice").serial(0x1234));
        let int_thumbprint = sha1_smol_like::sha1_hex(world.client_int.cert.der());
        type Set = fn(&mut cfg::CertificateIdentity, String);
        let kinds: Vec<(&str, Set, String, String)> = vec![
            (
                "thumbprint",
                |i, v| i.thumbprint = Some(v),
                cert.thumbprint().to_lowercase(),
                "00".repeat(20),
            ),
            (
                "serial-number",
                |i, v| i.serial_number = Some(v),
                "1234".into(),
                "4321".into(),
            ),
            (
                "common-name",
                |i, v| i.common_name = Some(v),
                "alice".into(),
                "bob".into(),
            ),
            (
                "subject",
                |i, v| i.subject = Some(v),
                "CN=alice, O=Contoso".into(),
                "CN=bob, O=Contoso".into(),
            ),
            (
                "dns-name",
                |i, v| i.dns_name = Some(v),
                "alice.clients.contoso.com".into(),
                "bob.clients.contoso.com".into(),
            ),
            (
                "issuer-subject",
                |i, v| i.issuer_subject = Some(v),
                "CN=Contoso Client Issuing,O=Contoso".into(),
                "CN=Fabrikam".into(),
            ),
            (
                "issuer-thumbprint",
                |i, v| i.issuer_thumbprint = Some(v),
                int_thumbprint.clone(),
                "11".repeat(20),
            ),
            (
                "issuer-certificate-id",
                |i, v| i.issuer_certificate_id = Some(v),
                "client-int".into(),
                "client-root".into(),
            ),
        ];
        for (kind, set, good, bad) in kinds {
            for (value, status) in [(good, 200), (bad, 401)] {
                let mut identity = cfg::CertificateIdentity::default();
                set(&mut identity, value.clone());
                eprintln!("case: {kind} = {value} → {status}");
                vcc_case(validate(Some(identity)), Some(&cert), &world, status).await;
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_needs_every_attribute_of_one_identity() {
    bounded(async {
        let world = World::new();
        let cert = world.client("alice");
        let mixed = cfg::CertificateIdentity {
            common_name: Some("alice".into()),
            dns_name: Some("nope".into()),
            ..Default::default()
        };
        vcc_case(validate(Some(mixed)), Some(&cert), &world, 401).await;
        let mut two = validate(Some(cfg::CertificateIdentity {
            common_name: Some("bob".into()),
            ..Default::default()
        }));
        two.identities.push(cfg::CertificateIdentity {
            common_name: Some("alice".into()),
            ..Default::default()
        });
        vcc_case(two, Some(&cert), &world, 200).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_without_certificate_is_401_not_found() {
    bounded(async {
        let world = World::new();
        vcc_case(validate(None), None, &world, 401).await;
        let echo = Echo::plain().await;
        let config = one_api(
            &world,
            true,
            &echo.url,
            vec![cfg::Step::ValidateClientCertificate(validate(None))],
        );
        let rt = world.start(&config).await;
        world
            .tls_client(None, false)
            .get(apim_addr(&rt), APIM_HOST, "/echo")
            .await;
        rt.shutdown().await;
        assert!(
            world
                .log_lines()
                .iter()
                .any(|l| l.contains("\"reason\":\"ClientCertificateNotFound\"")),
            "{:?}",
            world.log_lines()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_trust_rejects_an_untrusted_certificate() {
    bounded(async {
        let world = World::new();
        let cert = Ca::root("Fabrikam Root").leaf(Leaf::client("mallory"));
        vcc_case(validate(None), Some(&cert), &world, 401).await;
        let mut lenient = validate(None);
        lenient.validate_trust = false;
        vcc_case(lenient, Some(&cert), &world, 200).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_dates_follow_their_flags() {
    bounded(async {
        let world = World::new();
        let expired = world
            .client_int
            .leaf(Leaf::client("old").valid(at(2029, 1, 1), at(2030, 1, 1)));
        vcc_case(validate(None), Some(&expired), &world, 401).await;
        let mut no_after = validate(None);
        no_after.validate_not_after = false;
        vcc_case(no_after, Some(&expired), &world, 200).await;
        let early = world
            .client_int
            .leaf(Leaf::client("early").valid(at(2031, 1, 1), at(2032, 1, 1)));
        vcc_case(validate(None), Some(&early), &world, 401).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_revocation_uses_the_crl() {
    bounded(async {
        let world = World::new();
        let cert = world.client_int.leaf(Leaf::client("revoked").serial(99));
        let echo = Echo::plain().await;
        let mut config = one_api(
            &world,
            true,
            &echo.url,
            vec![cfg::Step::ValidateClientCertificate(validate(None))],
        );
        apim_mut(&mut config).crl_files =
            vec![world.write("apim.crl", &world.client_int.crl(&[99]))];
        let reply = call(
            &world,
            &config,
            &with_cert(&world, &cert, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 401);
        let mut no_revocation = validate(None);
        no_revocation.validate_revocation = false;
        let mut config = one_api(
            &world,
            true,
            &echo.url,
            vec![cfg::Step::ValidateClientCertificate(no_revocation)],
        );
        apim_mut(&mut config).crl_files = vec!["apim.crl".into()];
        let reply = call(
            &world,
            &config,
            &with_cert(&world, &cert, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_error_lets_the_request_through() {
    bounded(async {
        let world = World::new();
        let mut v = validate(None);
        v.ignore_error = true;
        vcc_case(v, None, &world, 200).await;
    })
    .await;
}

// --- other policies ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_header_fails_with_the_configured_code_and_message() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let check = cfg::Step::CheckHeader(cfg::CheckHeader {
            name: "X-Tenant".into(),
            failed_check_httpcode: 403,
            failed_check_error_message: "Tenant missing".into(),
            ignore_case: true,
            values: vec!["contoso".into()],
        });
        let config = one_api(&world, false, &echo.url, vec![check]);
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let missing = client.get(apim_addr(&rt), APIM_HOST, "/echo").await;
        assert_eq!(missing.status, 403);
        assert_eq!(missing.json()["message"], "Tenant missing");
        let wrong = client
            .send(
                apim_addr(&rt),
                APIM_HOST,
                Req::get("/echo").header("x-tenant", "fabrikam"),
            )
            .await
            .expect("reply");
        assert_eq!(wrong.status, 403);
        let right = client
            .send(
                apim_addr(&rt),
                APIM_HOST,
                Req::get("/echo").header("x-tenant", "CONTOSO"),
            )
            .await
            .expect("reply");
        assert_eq!(right.status, 200);
        assert_eq!(echo.requests().len(), 1);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_filter_forbids_the_caller() {
    bounded(async {
        let world = World::new();
        let filter = cfg::Step::IpFilter(cfg::IpFilter {
            action: cfg::IpFilterAction::Forbid,
            addresses: vec![],
            address_ranges: vec![cfg::AddressRange {
                from: "127.0.0.0".into(),
                to: "127.255.255.255".into(),
            }],
        });
        let config = one_api(&world, false, "http://127.0.0.1:9", vec![filter]);
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 403);
        assert_eq!(
            reply.json()["message"],
            "Caller IP address 127.0.0.1 is not allowed. Access denied."
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_retry_after() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let limit = cfg::Step::RateLimit(cfg::RateLimit {
            calls: 2,
            renewal_period_s: 60,
            retry_after_header_name: None,
        });
        let config = one_api(&world, false, &echo.url, vec![limit]);
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let statuses: Vec<u16> = {
            let mut v = Vec::new();
            for _ in 0..3 {
                v.push(client.get(apim_addr(&rt), APIM_HOST, "/echo").await.status);
            }
            v
        };
        assert_eq!(statuses, [200, 200, 429]);
        let reply = client.get(apim_addr(&rt), APIM_HOST, "/echo").await;
        let retry: u64 = reply.headers["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&retry));
        assert_eq!(
            reply.json()["message"],
            format!("Rate limit is exceeded. Try again in {retry} seconds.")
        );
        assert_eq!(echo.requests().len(), 2);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_by_key_counts_per_key() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let limit = cfg::Step::RateLimitByKey(cfg::RateLimitByKey {
            calls: 1,
            renewal_period_s: 60,
            counter_key: "@(context.Request.Headers.GetValueOrDefault(\"x-user\", \"anon\"))"
                .into(),
            increment_condition: None,
            retry_after_header_name: None,
        });
        let config = one_api(&world, false, &echo.url, vec![limit]);
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let mut statuses = Vec::new();
        for user in ["a", "a", "b"] {
            let reply = client
                .send(
                    apim_addr(&rt),
                    APIM_HOST,
                    Req::get("/echo").header("x-user", user),
                )
                .await
                .expect("reply");
            statuses.push(reply.status);
        }
        assert_eq!(statuses, [200, 429, 200]);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_header_reaches_the_backend_and_the_client() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let inbound = cfg::Step::SetHeader(cfg::SetHeader {
            name: "X-Cert-Thumbprint".into(),
            exists_action: cfg::ExistsAction::Override,
            values: vec!["@(context.Request.Certificate.Thumbprint)".into()],
        });
        let mut config = one_api(&world, true, &echo.url, vec![inbound]);
        let op = apim_mut(&mut config)
            .apis
            .get_mut("echo")
            .expect("api")
            .operations
            .get_mut("any")
            .expect("op");
        op.policy
            .outbound
            .push(cfg::Step::SetHeader(cfg::SetHeader {
                name: "X-Powered-By".into(),
                exists_action: cfg::ExistsAction::Override,
                values: vec!["gatehouse".into()],
            }));
        let cert = world.client("alice");
        let reply = call(
            &world,
            &config,
            &with_cert(&world, &cert, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.seen_header("x-cert-thumbprint"),
            Some(cert.thumbprint())
        );
        assert_eq!(reply.headers["x-powered-by"], "gatehouse");
        assert_eq!(reply.headers["x-echo"], "1");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_is_answered_by_the_gateway() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let cors = cfg::Step::Cors(cfg::Cors {
            allowed_origins: vec!["https://app.contoso.com".into()],
            allowed_methods: vec!["GET".into(), "POST".into()],
            allowed_headers: vec!["content-type".into()],
            ..Default::default()
        });
        let config = one_api(&world, false, &echo.url, vec![cors]);
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let preflight = Req {
            method: "OPTIONS",
            path: "/echo",
            headers: vec![],
            body: vec![],
        }
        .header("origin", "https://app.contoso.com")
        .header("access-control-request-method", "POST");
        let reply = client
            .send(apim_addr(&rt), APIM_HOST, preflight)
            .await
            .expect("reply");
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.headers["access-control-allow-origin"],
            "https://app.contoso.com"
        );
        assert_eq!(reply.headers["access-control-allow-methods"], "GET,POST");
        assert!(echo.requests().is_empty());
        let simple = client
            .send(
                apim_addr(&rt),
                APIM_HOST,
                Req::get("/echo").header("origin", "https://app.contoso.com"),
            )
            .await
            .expect("reply");
        assert_eq!(
            simple.headers["access-control-allow-origin"],
            "https://app.contoso.com"
        );
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_operation_and_api_are_404() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(&world, false, "http://127.0.0.1:9", vec![]);
        let op = apim_mut(&mut config)
            .apis
            .get_mut("echo")
            .expect("api")
            .operations
            .get_mut("any")
            .expect("op");
        op.method = "GET".into();
        op.url_template = "/items/{id}".into();
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let op_missing = client.get(apim_addr(&rt), APIM_HOST, "/echo/other").await;
        assert_eq!(op_missing.status, 404);
        assert_eq!(
            op_missing.json()["message"],
            "Unable to match incoming request to an operation."
        );
        let api_missing = client.get(apim_addr(&rt), APIM_HOST, "/nothing").await;
        assert_eq!(api_missing.status, 404);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_error_return_response_replaces_the_error() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(
            &world,
            true,
            "http://127.0.0.1:9",
            vec![cfg::Step::ValidateClientCertificate(validate(None))],
        );
        let op = apim_mut(&mut config)
            .apis
            .get_mut("echo")
            .expect("api")
            .operations
            .get_mut("any")
            .expect("op");
        op.policy.on_error.push(return_text(418, "custom"));
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!((reply.status, reply.text().as_str()), (418, "custom"));
    })
    .await;
}

// --- backends ------------------------------------------------------------------------------

fn backend_entity(world: &World, echo: &Echo, chain: bool, name: bool) -> cfg::Backend {
    cfg::Backend {
        url: echo.url.clone(),
        tls: cfg::BackendTls {
            validate_certificate_chain: chain,
            validate_certificate_name: name,
        },
        trusted_ca_files: vec![world.write("backend-ca.pem", &world.backend_ca.pem())],
    }
}

/// An API whose operation sets backend `b` (and optionally an authentication certificate).
fn via_backend(
    world: &World,
    backend: cfg::Backend,
    auth_cert: Option<&support::Issued>,
) -> cfg::RuntimeConfig {
    let mut steps = vec![cfg::Step::SetBackendService(cfg::BackendTarget::BackendId(
        "b".into(),
    ))];
    let mut config = one_api(world, false, "http://127.0.0.1:9", vec![]);
    let apim = apim_mut(&mut config);
    apim.backends.insert("b".into(), backend);
    if let Some(cert) = auth_cert {
        apim.certificates.insert(
            "backend-client".into(),
            world.cert_files("backend-client", cert),
        );
        steps.push(cfg::Step::AuthenticationCertificate(
            cfg::AuthenticationCertificate {
                certificate_id: "backend-client".into(),
            },
        ));
    }
    apim.apis
        .get_mut("echo")
        .expect("api")
        .operations
        .get_mut("any")
        .expect("op")
        .policy
        .inbound = steps;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_mtls_presents_the_authentication_certificate() {
    bounded(async {
        let world = World::new();
        let backend_clients = Ca::root("Backend Client Root");
        let echo = Echo::tls(&world, Some(backend_clients.der())).await;
        let cert = backend_clients.leaf(Leaf::client("apim"));
        let config = via_backend(
            &world,
            backend_entity(&world, &echo, true, true),
            Some(&cert),
        );
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo/a"),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(echo.last()["client_cert_thumbprint"], cert.thumbprint());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_mtls_without_authentication_certificate_is_500() {
    bounded(async {
        let world = World::new();
        let backend_clients = Ca::root("Backend Client Root");
        let echo = Echo::tls(&world, Some(backend_clients.der())).await;
        let config = via_backend(&world, backend_entity(&world, &echo, true, true), None);
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo/a"),
        )
        .await;
        assert_eq!(reply.status, 500, "{}", reply.text());
        assert!(echo.requests().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_backend_fails_with_chain_validation() {
    bounded(async {
        let world = World::new();
        let echo = Echo::self_signed().await;
        let config = via_backend(&world, backend_entity(&world, &echo, true, true), None);
        let reply = call(&world, &config, &world.tls_client(None, false), Req::get("/echo")).await;
        assert_eq!(reply.status, 500);
        assert_eq!(
            reply.json()["message"],
            "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."
        );
        assert!(echo.requests().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_backend_works_without_chain_validation() {
    bounded(async {
        let world = World::new();
        let echo = Echo::self_signed().await;
        let config = via_backend(&world, backend_entity(&world, &echo, false, false), None);
        let reply = call(
            &world,
            &config,
            &world.tls_client(None, false),
            Req::get("/echo/z"),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(echo.last()["path"], "/z");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_name_validation_follows_its_flag() {
    bounded(async {
        let world = World::new();
        // The certificate names only backend.internal; the URL reaches it as 127.0.0.1.
        let mut leaf = Leaf::server(&["backend.internal"]);
        leaf.ips.clear();
        let echo = Echo::tls_for(&world, leaf, None).await;
        let mut backend = backend_entity(&world, &echo, true, true);
        let reply = call(
            &world,
            &via_backend(&world, backend.clone(), None),
            &world.tls_client(None, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 500, "{}", reply.text());
        backend.tls.validate_certificate_name = false;
        let reply = call(
            &world,
            &via_backend(&world, backend, None),
            &world.tls_client(None, false),
            Req::get("/echo"),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_megabyte_post_reaches_the_backend_through_apim() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let config = one_api(&world, true, &echo.url, vec![]);
        let cert = world.client("alice");
        for h2 in [false, true] {
            let reply = call(
                &world,
                &config,
                &with_cert(&world, &cert, h2),
                Req::post("/echo/up", vec![7; 10 * 1024 * 1024]),
            )
            .await;
            assert_eq!(reply.status, 200);
            assert_eq!(reply.json()["body_len"], 10 * 1024 * 1024);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_answer_leaves_the_connection_usable_for_the_next_request() {
    bounded(async {
        // return-response answers before the 4 MB body is read; the client sends its next
        // requests on the same HTTP/1.1 connection.
        let world = World::new();
        let config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![return_text(401, "no")],
        );
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let body = || vec![3; 4 * 1024 * 1024];
        let statuses = client
            .sequential(
                apim_addr(&rt),
                APIM_HOST,
                vec![
                    Req::post("/echo/a", body()),
                    Req::post("/echo/b", body()),
                    Req::get("/echo/c"),
                ],
            )
            .await
            .expect("one connection carries all three requests");
        assert_eq!(statuses, vec![401, 401, 401]);
        rt.shutdown().await;
    })
    .await;
}

// --- AppGW in front of APIM ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appgw_forwards_the_verified_certificate_to_apim() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        // APIM behind AppGW never sees the client certificate; the policy reads the header.
        let header_probe = probe("@(context.Request.Certificate == null && context.Request.Headers.GetValueOrDefault(\"X-ARR-ClientCert\", \"\").StartsWith(\"-----BEGIN%20CERTIFICATE-----\"))");
        let mut config = one_api(&world, true, &echo.url, vec![header_probe]);
        let appgw = one_listener(&world, Some(strict_profile(&world.client_bundle())), cfg::RouteTarget::Apim(cfg::ApimTarget { hostname: APIM_HOST.into() }));
        config.application_gateways = appgw.application_gateways;
        let rt = world.start(&config).await;
        assert_ne!(appgw_addr(&rt), apim_addr(&rt));
        let cert = world.client("alice");
        let reply = with_cert(&world, &cert, false).get(appgw_addr(&rt), "app.contoso.com", "/echo").await;
        assert_eq!((reply.status, reply.text().as_str()), (200, "yes"));
        let no_cert = world.tls_client(None, false).get(appgw_addr(&rt), "app.contoso.com", "/echo").await;
        assert_eq!(no_cert.status, 400);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_hostnames_restrict_where_an_api_is_served() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![return_text(200, "ok")],
        );
        let apim = apim_mut(&mut config);
        apim.hostnames.insert(
            "internal.contoso.com".into(),
            cfg::GatewayHostname {
                bind: "127.0.0.2:0".into(),
                certificate: world.server_cert("internal", &["internal.contoso.com"]),
                negotiate_client_certificate: false,
                http2: false,
            },
        );
        apim.apis.get_mut("echo").expect("api").hostnames = vec!["internal.contoso.com".into()];
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        assert_eq!(
            client
                .get(apim_addr(&rt), "internal.contoso.com", "/echo")
                .await
                .status,
            200
        );
        assert_eq!(
            client.get(apim_addr(&rt), APIM_HOST, "/echo").await.status,
            404
        );
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_verify_checks_chain_dates_and_revocation() {
    bounded(async {
        let world = World::new();
        let verify =
            probe("@(context.Request.Certificate != null && context.Request.Certificate.Verify())");
        let no_revocation = probe("@(context.Request.Certificate.VerifyNoRevocation())");
        let good = world.client("alice");
        let revoked = world.client_int.leaf(Leaf::client("gone").serial(55));
        let expired = world
            .client_int
            .leaf(Leaf::client("old").valid(at(2029, 1, 1), at(2030, 1, 1)));
        let foreign = Ca::root("Fabrikam Root").leaf(Leaf::client("mallory"));
        let cases: Vec<(&cfg::Step, &support::Issued, &str)> = vec![
            (&verify, &good, "yes"),
            (&verify, &revoked, "no"),
            (&no_revocation, &revoked, "yes"),
            (&verify, &expired, "no"),
            (&verify, &foreign, "no"),
        ];
        for (step, cert, expect) in cases {
            let mut config = one_api(&world, true, "http://127.0.0.1:9", vec![step.clone()]);
            apim_mut(&mut config).crl_files =
                vec![world.write("apim.crl", &world.client_int.crl(&[55]))];
            let reply = call(
                &world,
                &config,
                &with_cert(&world, cert, false),
                Req::get("/echo"),
            )
            .await;
            assert_eq!(reply.text(), expect, "{step:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_appgw_validate_client_certificate_finds_no_certificate() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        // As in Azure: AppGW does not present the client's certificate to APIM, so a policy
        // that validates `context.Request.Certificate` answers 401 even for a good client.
        let mut config = one_api(
            &world,
            true,
            &echo.url,
            vec![cfg::Step::ValidateClientCertificate(validate(None))],
        );
        let appgw = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            cfg::RouteTarget::Apim(cfg::ApimTarget {
                hostname: APIM_HOST.into(),
            }),
        );
        config.application_gateways = appgw.application_gateways;
        let rt = world.start(&config).await;
        let cert = world.client("alice");
        let reply = with_cert(&world, &cert, false)
            .get(appgw_addr(&rt), "app.contoso.com", "/echo")
            .await;
        assert_eq!(reply.status, 401, "{}", reply.text());
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_certificates_any_matches_an_uploaded_thumbprint() {
    bounded(async {
        let world = World::new();
        let known = world.client("known");
        let stranger = world.client("stranger");
        let lookup = probe(
            "@(context.Request.Certificate != null && context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))",
        );
        let mut config = one_api(&world, true, "http://127.0.0.1:9", vec![lookup]);
        apim_mut(&mut config).certificates.insert("known".into(), world.cert_files("known", &known));
        let rt = world.start(&config).await;
        let yes = with_cert(&world, &known, false).get(apim_addr(&rt), APIM_HOST, "/echo").await;
        let no = with_cert(&world, &stranger, false).get(apim_addr(&rt), APIM_HOST, "/echo").await;
        assert_eq!((yes.text().as_str(), no.text().as_str()), ("yes", "no"));
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_keys_are_required_checked_and_not_forwarded() {
    bounded(async {
        let world = World::new();
        let echo = Echo::plain().await;
        let mut config = one_api(&world, false, &echo.url, vec![]);
        let api = apim_mut(&mut config).apis.get_mut("echo").expect("api");
        api.subscription = Some(cfg::SubscriptionRequirement {
            header_name: "Ocp-Apim-Subscription-Key".into(),
            query_name: "subscription-key".into(),
            keys: [("dev".to_string(), "local-key-1".to_string())].into(),
        });
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        let missing = client.get(apim_addr(&rt), APIM_HOST, "/echo").await;
        assert_eq!(missing.status, 401);
        assert_eq!(
            missing.json()["message"],
            "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."
        );
        let wrong = client
            .send(apim_addr(&rt), APIM_HOST, Req::get("/echo").header("ocp-apim-subscription-key", "nope"))
            .await
            .expect("reply");
        assert_eq!(wrong.status, 401);
        assert!(wrong.json()["message"].as_str().is_some_and(|m| m.contains("invalid subscription key")));
        assert!(echo.requests().is_empty());
        let by_header = client
            .send(apim_addr(&rt), APIM_HOST, Req::get("/echo/h").header("Ocp-Apim-Subscription-Key", "local-key-1"))
            .await
            .expect("reply");
        assert_eq!(by_header.status, 200);
        assert_eq!(by_header.seen_header("ocp-apim-subscription-key"), None);
        let by_query = client.get(apim_addr(&rt), APIM_HOST, "/echo/q?a=1&subscription-key=local-key-1").await;
        assert_eq!(by_query.status, 200);
        assert_eq!(echo.last()["query"], "a=1");
        rt.shutdown().await;
    })
    .await;
}
