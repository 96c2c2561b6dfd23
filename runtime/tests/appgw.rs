//! Application Gateway listener behaviour: the SSL profile (Strict and Passthrough), the
//! forwarded-certificate rewrite, SNI selection, path routing, and re-encryption to backends.
//! Each case asserts what the client got and what the backend received.

mod support;

use gatehouse_runtime::config as cfg;
use rcgen::ExtendedKeyUsagePurpose;
use support::*;

const HOST: &str = "app.contoso.com";

/// What a Strict listener should do with one client presentation.
enum Expect {
    /// Forwarded; the backend saw this certificate (DER) in `X-ARR-ClientCert`.
    Forwarded,
    /// 400 with this sentence in the HTML body; the backend saw nothing.
    Rejected(&'static str),
}

/// One Strict-listener case: the bundle is root + intermediate unless `profile` changes it.
async fn strict_case(
    world: &World,
    profile: cfg::SslProfile,
    presented: Option<(
        Vec<rustls::pki_types::CertificateDer<'static>>,
        &support::Issued,
    )>,
    expect: Expect,
) {
    let echo = Echo::tls(world, None).await;
    let config = one_listener(world, Some(profile), backend_target(&echo, world));
    let rt = world.start(&config).await;
    let leaf = presented.as_ref().map(|(_, issued)| issued.der());
    let reply = world
        .tls_client(presented, false)
        .get(appgw_addr(&rt), HOST, "/hello")
        .await;
    match expect {
        Expect::Forwarded => {
            assert_eq!(reply.status, 200, "{}", reply.text());
            let forwarded = reply
                .seen_header("x-arr-clientcert")
                .expect("forwarded certificate header");
            let leaf = leaf.expect("a forwarded case presents a certificate");
            assert_eq!(forwarded, url_encoded_pem(&leaf));
        }
        Expect::Rejected(sentence) => {
            assert_eq!(reply.status, 400, "{}", reply.text());
            assert_eq!(
                reply.headers["server"],
                "Microsoft-Azure-Application-Gateway/v2"
            );
            let body = reply.text();
            assert!(
                body.contains(&format!("<title>400 {sentence}</title>")),
                "{body}"
            );
            assert!(body.contains("<h1>400 Bad Request</h1>"), "{body}");
            assert!(
                echo.requests().is_empty(),
                "a rejected request reached the backend"
            );
        }
    }
    rt.shutdown().await;
}

/// `-----BEGIN%20CERTIFICATE-----%0A…%0A-----END%20CERTIFICATE-----%0A`, as AppGW forwards it.
fn url_encoded_pem(der: &[u8]) -> String {
    let pem = pem_of(der);
    let mut out = String::new();
    for b in pem.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 64-column PEM with LF line ends.
fn pem_of(der: &[u8]) -> String {
    let b64 = base64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("ascii"));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_forwards_a_valid_chain() {
    bounded(async {
        let world = World::new();
        let client = world.client("alice");
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Forwarded,
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_no_certificate_with_400() {
    bounded(async {
        let world = World::new();
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            None,
            Expect::Rejected("No required SSL certificate was sent"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_untrusted_ca() {
    bounded(async {
        let world = World::new();
        let other = Ca::root("Fabrikam Root");
        let client = other.leaf(Leaf::client("mallory"));
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_expired() {
    bounded(async {
        let world = World::new();
        let client = world
            .client_int
            .leaf(Leaf::client("old").valid(at(2029, 1, 1), at(2030, 1, 1)));
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_not_yet_valid() {
    bounded(async {
        let world = World::new();
        let client = world
            .client_int
            .leaf(Leaf::client("early").valid(at(2031, 1, 1), at(2032, 1, 1)));
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_revoked_via_crl() {
    bounded(async {
        let world = World::new();
        let client = world.client_int.leaf(Leaf::client("revoked").serial(4242));
        let mut profile = strict_profile(&world.client_bundle());
        profile.crl_files = vec![world.write("int.crl", &world.client_int.crl(&[4242]))];
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_forwards_a_certificate_the_crl_does_not_list() {
    bounded(async {
        let world = World::new();
        let client = world.client_int.leaf(Leaf::client("fine").serial(7));
        let mut profile = strict_profile(&world.client_bundle());
        profile.crl_files = vec![world.write("int.crl", &world.client_int.crl(&[4242]))];
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Forwarded,
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_accepts_leaf_without_intermediate_when_bundle_has_the_chain() {
    bounded(async {
        let world = World::new();
        let client = world.client("alice");
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.leaf_only(), &client)),
            Expect::Forwarded,
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_leaf_without_intermediate_when_bundle_has_root_only() {
    bounded(async {
        let world = World::new();
        let client = world.client("alice");
        let profile = strict_profile(&world.write("root-only.pem", &world.client_root.pem()));
        strict_case(
            &world,
            profile,
            Some((client.leaf_only(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_rejects_certificate_without_client_auth_eku() {
    bounded(async {
        let world = World::new();
        let client = world
            .client_int
            .leaf(Leaf::client("srv").eku(vec![ExtendedKeyUsagePurpose::ServerAuth]));
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuer_dn_check_rejects_a_sibling_intermediate() {
    bounded(async {
        let world = World::new();
        let sibling = world.client_root.intermediate("Contoso Other Issuing");
        let client = sibling.leaf(Leaf::client("cousin"));
        let mut profile = strict_profile(&world.client_bundle());
        profile.verify_client_cert_issuer_dn = true;
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Rejected("The SSL certificate error"),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_issuer_dn_check_a_sibling_intermediate_passes() {
    bounded(async {
        let world = World::new();
        let sibling = world.client_root.intermediate("Contoso Other Issuing");
        let client = sibling.leaf(Leaf::client("cousin"));
        let profile = strict_profile(&world.client_bundle());
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Forwarded,
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuer_dn_check_accepts_the_uploaded_intermediate() {
    bounded(async {
        let world = World::new();
        let client = world.client("alice");
        let mut profile = strict_profile(&world.client_bundle());
        profile.verify_client_cert_issuer_dn = true;
        strict_case(
            &world,
            profile,
            Some((client.chain(), &client)),
            Expect::Forwarded,
        )
        .await;
    })
    .await;
}

/// Passthrough: requests are always forwarded; the verification variable tells the backend.
async fn passthrough_case(
    world: &World,
    presented: Option<&support::Issued>,
    expect_verification: &str,
) {
    let echo = Echo::tls(world, None).await;
    let mut profile = strict_profile(&world.client_bundle());
    profile.mode = cfg::VerifyClientAuthMode::Passthrough;
    let mut config = one_listener(world, Some(profile), backend_target(&echo, world));
    let gw = config.application_gateways.get_mut("main").expect("gw");
    gw.routing_rules
        .get_mut("r1")
        .expect("rule")
        .request_headers
        .push(cfg::HeaderRewrite {
            header: "X-Client-Verify".into(),
            value: "{var_client_certificate_verification}".into(),
        });
    let rt = world.start(&config).await;
    let reply = world
        .tls_client(presented.map(|c| (c.chain(), c)), false)
        .get(appgw_addr(&rt), HOST, "/")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.seen_header("x-client-verify").as_deref(),
        Some(expect_verification)
    );
    rt.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_forwards_without_certificate() {
    bounded(async {
        let world = World::new();
        passthrough_case(&world, None, "NONE").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_forwards_untrusted_with_failed_verification() {
    bounded(async {
        let world = World::new();
        let client = Ca::root("Fabrikam Root").leaf(Leaf::client("x"));
        passthrough_case(
            &world,
            Some(&client),
            "FAILED:unable to get local issuer certificate",
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_reports_success_for_a_trusted_certificate() {
    bounded(async {
        let world = World::new();
        let client = world.client("alice");
        passthrough_case(&world, Some(&client), "SUCCESS").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoofed_forwarded_certificate_is_replaced_on_the_mtls_listener() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let rt = world.start(&config).await;
        let client = world.client("alice");
        let req = Req::get("/")
            .header("X-ARR-ClientCert", "forged")
            .header("x-arr-clientcert", "forged-again");
        let reply = world
            .tls_client(Some((client.chain(), &client)), false)
            .send(appgw_addr(&rt), HOST, req)
            .await
            .expect("reply");
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.seen_header("x-arr-clientcert"),
            Some(url_encoded_pem(&client.der()))
        );
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoofed_forwarded_certificate_is_stripped_on_a_listener_without_mtls() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(&world, None, backend_target(&echo, &world));
        let rt = world.start(&config).await;
        let req = Req::get("/").header("X-ARR-ClientCert", "forged");
        let reply = world
            .tls_client(None, false)
            .send(appgw_addr(&rt), HOST, req)
            .await
            .expect("reply");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.seen_header("x-arr-clientcert"), None);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sni_selects_the_listener_on_a_shared_port() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let mut config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let gw = config.application_gateways.get_mut("main").expect("gw");
        let open_cert = world.server_cert("open", &["open.contoso.com"]);
        gw.listeners.insert(
            "open".into(),
            appgw_listener("127.0.0.1:0", &["open.contoso.com"], open_cert, None),
        );
        gw.routing_rules
            .insert("r2".into(), rule("open", backend_target(&echo, &world)));
        let rt = world.start(&config).await;
        let addr = appgw_addr(&rt);
        assert_eq!(
            rt.site_addr("application_gateway.main.listener.open"),
            Some(addr),
            "one port, two listeners"
        );
        let client = world.tls_client(None, false);
        assert_eq!(client.get(addr, "open.contoso.com", "/").await.status, 200);
        assert_eq!(client.get(addr, HOST, "/").await.status, 400);
        assert_eq!(echo.requests().len(), 1);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_rules_pick_the_backend() {
    bounded(async {
        let world = World::new();
        let api = Echo::tls(&world, None).await;
        let web = Echo::tls(&world, None).await;
        let mut config = one_listener(&world, None, backend_target(&web, &world));
        let rule = config
            .application_gateways
            .get_mut("main")
            .expect("gw")
            .routing_rules
            .get_mut("r1")
            .expect("rule");
        rule.path_rules.push(cfg::PathRule {
            paths: vec!["/api/*".into()],
            target: backend_target(&api, &world),
        });
        let rt = world.start(&config).await;
        let client = world.tls_client(None, false);
        assert_eq!(
            client
                .get(appgw_addr(&rt), HOST, "/api/orders")
                .await
                .status,
            200
        );
        assert_eq!(
            client
                .get(appgw_addr(&rt), HOST, "/index.html")
                .await
                .status,
            200
        );
        assert_eq!(api.last()["path"], "/api/orders");
        assert_eq!(web.last()["path"], "/index.html");
        assert_eq!(api.requests().len(), 1);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_with_an_untrusted_certificate_gives_502() {
    bounded(async {
        let world = World::new();
        let echo = Echo::self_signed().await;
        let config = one_listener(&world, None, backend_target(&echo, &world));
        let rt = world.start(&config).await;
        let reply = world
            .tls_client(None, false)
            .get(appgw_addr(&rt), HOST, "/")
            .await;
        assert_eq!(reply.status, 502);
        assert!(reply.text().contains("502 Bad Gateway"), "{}", reply.text());
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_a_client_certificate_is_forwarded() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let rt = world.start(&config).await;
        let client = world.client("alice");
        let reply = world
            .tls_client(Some((client.chain(), &client)), true)
            .get(appgw_addr(&rt), HOST, "/h2")
            .await;
        assert!(reply.alpn_h2, "ALPN should pick h2");
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.seen_header("x-arr-clientcert"),
            Some(url_encoded_pem(&client.der()))
        );
        rt.shutdown().await;
    })
    .await;
}

async fn large_post(h2: bool) {
    let world = World::new();
    let echo = Echo::tls(&world, None).await;
    let config = one_listener(
        &world,
        Some(strict_profile(&world.client_bundle())),
        backend_target(&echo, &world),
    );
    let rt = world.start(&config).await;
    let client = world.client("alice");
    let body = vec![b'x'; 10 * 1024 * 1024];
    let reply = world
        .tls_client(Some((client.chain(), &client)), h2)
        .send(appgw_addr(&rt), HOST, Req::post("/upload", body))
        .await
        .expect("reply");
    assert_eq!(reply.alpn_h2, h2);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["body_len"], 10 * 1024 * 1024);
    rt.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_megabyte_post_with_client_certificate_over_http1() {
    bounded(large_post(false)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_megabyte_post_with_client_certificate_over_http2() {
    bounded(large_post(true)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_the_limit_is_413() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let mut config = one_listener(&world, None, backend_target(&echo, &world));
        config.runtime.limits.max_body_bytes = 1024;
        let rt = world.start(&config).await;
        let reply = world
            .tls_client(None, false)
            .send(appgw_addr(&rt), HOST, Req::post("/", vec![0; 4096]))
            .await
            .expect("reply");
        assert_eq!(reply.status, 413);
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_request_headers_are_refused() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let mut config = one_listener(&world, None, backend_target(&echo, &world));
        config.runtime.limits.max_header_bytes = 8192;
        let rt = world.start(&config).await;
        let req = Req::get("/").header("x-big", "a".repeat(20_000));
        let result = world
            .tls_client(None, false)
            .send(appgw_addr(&rt), HOST, req)
            .await;
        let reply = result.expect("hyper answers an oversized head itself");
        assert_eq!(reply.status, 431);
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_log_records_the_decision_as_json() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let rt = world.start(&config).await;
        let client = world.client("alice");
        world
            .tls_client(Some((client.chain(), &client)), false)
            .get(appgw_addr(&rt), HOST, "/a")
            .await;
        world
            .tls_client(None, false)
            .get(appgw_addr(&rt), HOST, "/b")
            .await;
        let records: Vec<serde_json::Value> = world
            .log_lines()
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v.get("status").is_some())
            .collect();
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(
            records[0]["site"],
            "application_gateway.main.listener.public"
        );
        assert_eq!(records[0]["status"], 200);
        assert_eq!(records[0]["decision"], "forwarded");
        assert_eq!(records[0]["ssl_client_verify"], "SUCCESS");
        assert_eq!(records[0]["client_cert_subject"], "CN=alice, O=Contoso");
        assert_eq!(records[0]["client_cert_thumbprint"], client.thumbprint());
        assert_eq!(records[1]["status"], 400);
        assert_eq!(records[1]["decision"], "rejected");
        assert_eq!(records[1]["ssl_client_verify"], "NONE");
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_reports_the_openssl_reason_for_a_wrong_purpose() {
    bounded(async {
        let world = World::new();
        let client = world
            .client_int
            .leaf(Leaf::client("srv").eku(vec![ExtendedKeyUsagePurpose::ServerAuth]));
        passthrough_case(
            &world,
            Some(&client),
            "FAILED:unsupported certificate purpose",
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passthrough_reports_expiry() {
    bounded(async {
        let world = World::new();
        let client = world
            .client_int
            .leaf(Leaf::client("old").valid(at(2029, 1, 1), at(2030, 1, 1)));
        passthrough_case(&world, Some(&client), "FAILED:certificate has expired").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_request_headers_over_http2_are_refused() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let mut config = one_listener(&world, None, backend_target(&echo, &world));
        config.runtime.limits.max_header_bytes = 8192;
        let rt = world.start(&config).await;
        let req = Req::get("/").header("x-big", "a".repeat(20_000));
        let result = world
            .tls_client(None, true)
            .send(appgw_addr(&rt), HOST, req)
            .await;
        let reply = result.expect("h2 answers an oversized head with a response");
        assert_eq!(reply.status, 431);
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}
