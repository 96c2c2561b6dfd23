//! Bad input at start: each broken config fails `serve` with an error naming the file, the
//! address or the port to fix.

mod support;

use gatehouse_runtime::config as cfg;
use gatehouse_runtime::ClientCertificate;
use support::*;

const HOST: &str = "app.contoso.com";

/// Writes `config`, lets `mutate` break something on disk, and returns the start error text.
async fn start_error(world: &World, config: &cfg::RuntimeConfig) -> String {
    let path = world.write_config(config);
    match gatehouse_runtime::serve(&path, world.options()).await {
        Ok(rt) => {
            rt.shutdown().await;
            panic!("the runtime started with a broken config");
        }
        Err(e) => e.to_string(),
    }
}

fn basic(world: &World) -> cfg::RuntimeConfig {
    let target = cfg::RouteTarget::Backend(cfg::AppGwBackend {
        url: "http://127.0.0.1:9".into(),
        host_name: None,
        trusted_root_files: vec![],
    });
    one_listener(world, None, target)
}

fn listener(config: &mut cfg::RuntimeConfig) -> &mut cfg::Listener {
    config
        .application_gateways
        .get_mut("main")
        .expect("gw")
        .listeners
        .get_mut("public")
        .expect("listener")
}

/// (case name, how to break it, what the message must contain)
type Breaker = fn(&World, &mut cfg::RuntimeConfig);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_configs_name_what_to_fix() {
    bounded(async {
        let cases: Vec<(&str, Breaker, Vec<&str>)> = vec![
            (
                "missing certificate file",
                |_, c| listener(c).certificate.cert_file = "nope.crt".into(),
                vec!["cannot read", "nope.crt"],
            ),
            (
                "key that does not match its certificate",
                |w, c| {
                    let other = w.server_ca.leaf(Leaf::server(&[HOST]));
                    listener(c).certificate.key_file =
                        w.write("other.key", &other.key.serialize_pem());
                },
                vec!["private key", "other.key", "does not match", "app.crt"],
            ),
            (
                "key file without a key",
                |w, c| listener(c).certificate.key_file = w.write("empty.key", "nothing here\n"),
                vec!["empty.key", "no usable private key"],
            ),
            (
                "unreadable CRL",
                |w, c| {
                    let mut profile = strict_profile(&w.client_bundle());
                    profile.crl_files = vec![w.write(
                        "bad.crl",
                        "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
                    )];
                    set_profile(c, profile);
                },
                vec!["unreadable CRL", "bad.crl"],
            ),
            (
                "trusted client CA file holding a leaf only",
                |w, c| {
                    let leaf = w.client("alice");
                    set_profile(
                        c,
                        strict_profile(&w.write("leaf-only.pem", &leaf.cert.pem())),
                    );
                },
                vec!["leaf-only.pem", "no CA certificate"],
            ),
            (
                "trusted client CA file with two roots",
                |w, c| {
                    let other = Ca::root("Second Root");
                    let file = w.write(
                        "two-roots.pem",
                        &format!("{}{}", w.client_root.pem(), other.pem()),
                    );
                    set_profile(c, strict_profile(&file));
                },
                vec!["two-roots.pem", "more than one root"],
            ),
            (
                "ssl_profile that is not defined",
                |_, c| listener(c).ssl_profile = Some("ghost".into()),
                vec![
                    "application_gateway.main.listener.public",
                    "ssl_profile `ghost`",
                ],
            ),
            (
                "AppGW target naming an unknown APIM hostname",
                |_, c| {
                    let gw = c.application_gateways.get_mut("main").expect("gw");
                    gw.routing_rules.get_mut("r1").expect("rule").default_target =
                        cfg::RouteTarget::Apim(cfg::ApimTarget {
                            hostname: "ghost.contoso.com".into(),
                        });
                },
                vec![
                    "application_gateway.main.routing_rule.r1",
                    "ghost.contoso.com",
                ],
            ),
            (
                "two sites on one port with the same host name",
                |w, c| {
                    let gw = c.application_gateways.get_mut("main").expect("gw");
                    let cert = w.server_cert("twin", &[HOST]);
                    gw.listeners.insert(
                        "twin".into(),
                        appgw_listener("127.0.0.1:0", &[HOST], cert, None),
                    );
                },
                vec![
                    "application_gateway.main.listener",
                    "app.contoso.com",
                    "SNI cannot tell them apart",
                ],
            ),
        ];
        for (name, breaker, needles) in cases {
            let world = World::new();
            let mut config = basic(&world);
            breaker(&world, &mut config);
            let message = start_error(&world, &config).await;
            for needle in needles {
                assert!(
                    message.contains(needle),
                    "{name}: `{needle}` not in: {message}"
                );
            }
        }
    })
    .await;
}

fn set_profile(config: &mut cfg::RuntimeConfig, profile: cfg::SslProfile) {
    let gw = config.application_gateways.get_mut("main").expect("gw");
    gw.ssl_profiles.insert("mtls".into(), profile);
    gw.listeners
        .get_mut("public")
        .expect("listener")
        .ssl_profile = Some("mtls".into());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_in_use_names_the_port() {
    bounded(async {
        let world = World::new();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = taken.local_addr().expect("addr").port();
        let mut config = basic(&world);
        listener(&mut config).bind = format!("127.0.0.1:{port}");
        let message = start_error(&world, &config).await;
        assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
        assert!(
            message.contains("application_gateway.main.listener.public"),
            "{message}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_expression_is_refused_at_load() {
    bounded(async {
        let world = World::new();
        let config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![probe("@(context.Request.Body.As<string>() == \"\")")],
        );
        let message = start_error(&world, &config).await;
        assert!(
            message.contains("api_management.main.api.echo.operation.any.policy.inbound.choose"),
            "{message}"
        );
        assert!(message.contains("context.Request.Body"), "{message}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_format_version_is_refused() {
    bounded(async {
        let world = World::new();
        let path = world.path("runtime.json");
        std::fs::write(&path, "{\"format_version\": 7}").expect("write");
        let Err(e) = gatehouse_runtime::serve(&path, world.options()).await else {
            panic!("started")
        };
        let message = e.to_string();
        assert!(
            message.contains("format_version 7") && message.contains("runtime.json"),
            "{message}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_report_their_addresses_and_certificate_demands() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(&world, true, "http://127.0.0.1:9", vec![]);
        let appgw = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            basic_target(),
        );
        config.application_gateways = appgw.application_gateways;
        let rt = world.start(&config).await;
        let sites: Vec<_> = rt
            .sites()
            .iter()
            .map(|s| {
                (
                    s.address.as_str(),
                    s.host_names.clone(),
                    s.client_certificate,
                )
            })
            .collect();
        assert_eq!(
            sites,
            [
                (
                    "api_management.main.hostname.api.contoso.com",
                    vec![APIM_HOST.to_string()],
                    ClientCertificate::Requested
                ),
                (
                    "application_gateway.main.listener.public",
                    vec![HOST.to_string()],
                    ClientCertificate::Required
                ),
            ]
        );
        assert_eq!(rt.bind_addr("127.0.0.1:0"), Some(appgw_addr(&rt)));
        assert_ne!(appgw_addr(&rt).port(), 0);
        rt.shutdown().await;
    })
    .await;
}

fn basic_target() -> cfg::RouteTarget {
    cfg::RouteTarget::Backend(cfg::AppGwBackend {
        url: "http://127.0.0.1:9".into(),
        host_name: None,
        trusted_root_files: vec![],
    })
}
