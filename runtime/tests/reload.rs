//! Hot reload, the admin endpoint and shutdown: a new server certificate under steady load
//! with no failed request, revocation that a resumed TLS session cannot bypass, resumption
//! switched off, a broken config that is refused while the old one keeps serving, and the file
//! watcher.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gatehouse_runtime::config as cfg;
use support::*;
use tokio::sync::mpsc;

const HOST: &str = "app.contoso.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_certificate_reload_under_load_fails_no_request() {
    bounded(reload_under_load(0)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_under_load_with_serving_threads_fails_no_request() {
    bounded(reload_under_load(2)).await;
}

/// Steady load on new connections while the listener certificate is rotated.
async fn reload_under_load(extra_threads: usize) {
    let world = World::new();
    let echo = Echo::tls(&world, None).await;
    let config = one_listener(&world, None, backend_target(&echo, &world));
    let path = world.write_config(&config);
    let mut options = world.options();
    options.extra_threads = extra_threads;
    let rt = Arc::new(
        gatehouse_runtime::serve(&path, options)
            .await
            .expect("start"),
    );
    let addr = appgw_addr(&rt);
    let old_cert = world
        .tls_client(None, false)
        .get(addr, HOST, "/")
        .await
        .server_cert;

    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let mut workers = Vec::new();
    for _ in 0..4 {
        let client = world.tls_client(None, false);
        let (stop, failures, done_tx) = (stop.clone(), failures.clone(), done_tx.clone());
        workers.push(tokio::spawn(async move {
            // Bounded in count as well as by the stop flag.
            for _ in 0..2000 {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                match client.send(addr, HOST, Req::get("/load")).await {
                    Ok(reply) if reply.status == 200 => {
                        let _ = done_tx.send(reply.server_cert);
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }));
    }
    for _ in 0..20 {
        done_rx.recv().await.expect("load running");
    }
    // Rotate the listener certificate (same names, new key) and reload.
    let rotated = world.server_ca.leaf(Leaf::server(&[HOST]).serial(2));
    world.cert_files("app", &rotated);
    assert_eq!(rt.reload().await.expect("reload"), 2);
    // Requests finishing after the reload must reach handshakes with the new certificate.
    let mut new_seen = 0;
    for _ in 0..2000 {
        let cert = done_rx.recv().await.expect("load running");
        if cert == rotated.der().to_vec() {
            new_seen += 1;
            if new_seen == 20 {
                break;
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.expect("worker");
    }
    assert_eq!(
        failures.load(Ordering::SeqCst),
        0,
        "requests failed during the reload"
    );
    assert_eq!(
        new_seen, 20,
        "new handshakes did not get the rotated certificate"
    );
    assert_ne!(old_cert, rotated.der().to_vec());
    Arc::try_unwrap(rt)
        .ok()
        .expect("only handle")
        .shutdown()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_after_reload_applies_to_resumed_sessions() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let cert = world.client_int.leaf(Leaf::client("alice").serial(77));
        let mut profile = strict_profile(&world.client_bundle());
        profile.crl_files = vec![world.write("int.crl", &world.client_int.crl(&[]))];
        let config = one_listener(&world, Some(profile), backend_target(&echo, &world));
        let rt = world.start(&config).await;
        let client = world.tls_client(Some((cert.chain(), &cert)), false);
        let first = client.get(appgw_addr(&rt), HOST, "/").await;
        assert_eq!((first.status, first.resumed), (200, false));
        let second = client.get(appgw_addr(&rt), HOST, "/").await;
        assert_eq!(
            (second.status, second.resumed),
            (200, true),
            "the second connection should resume"
        );

        // A resumed session carries the certificate; the verdict is re-computed per config.
        world.write("int.crl", &world.client_int.crl(&[77]));
        rt.reload().await.expect("reload");
        let third = client.get(appgw_addr(&rt), HOST, "/").await;
        assert_eq!(third.status, 400, "{}", third.text());
        assert!(third.text().contains("The SSL certificate error"));
        assert_eq!(echo.requests().len(), 2);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumed_session_is_checked_against_the_crl() {
    bounded(async {
        // Without a reload: the CRL already lists the certificate, and resumption changes nothing.
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let cert = world.client_int.leaf(Leaf::client("alice").serial(78));
        let mut profile = strict_profile(&world.client_bundle());
        profile.crl_files = vec![world.write("int.crl", &world.client_int.crl(&[78]))];
        let rt = world
            .start(&one_listener(
                &world,
                Some(profile),
                backend_target(&echo, &world),
            ))
            .await;
        let client = world.tls_client(Some((cert.chain(), &cert)), false);
        let first = client.get(appgw_addr(&rt), HOST, "/").await;
        let second = client.get(appgw_addr(&rt), HOST, "/").await;
        assert_eq!(
            (first.status, second.status, second.resumed),
            (400, 400, true)
        );
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_resumption_off_makes_every_handshake_full() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let cert = world.client_int.leaf(Leaf::client("alice"));
        let profile = strict_profile(&world.client_bundle());
        let mut config = one_listener(&world, Some(profile), backend_target(&echo, &world));
        config.runtime.session_resumption = false;
        let rt = world.start(&config).await;
        // The client keeps its sessions and offers them; the server must not take them.
        let client = world.tls_client(Some((cert.chain(), &cert)), false);
        let first = client.get(appgw_addr(&rt), HOST, "/").await;
        let second = client.get(appgw_addr(&rt), HOST, "/").await;
        assert_eq!(
            (first.status, first.resumed, second.status, second.resumed),
            (200, false, 200, false)
        );
        assert_eq!(echo.requests().len(), 2);
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_reload_is_refused_and_the_old_config_keeps_serving() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(&world, None, backend_target(&echo, &world));
        let rt = world.start(&config).await;
        // A key that no longer matches the certificate.
        let other = world.server_ca.leaf(Leaf::server(&[HOST]));
        world.write("app.key", &other.key.serialize_pem());
        let err = rt
            .reload()
            .await
            .expect_err("mismatched key must be refused");
        assert!(err.to_string().contains("app.key"), "{err}");
        assert_eq!(rt.generation(), 1);
        assert_eq!(
            world
                .tls_client(None, false)
                .get(appgw_addr(&rt), HOST, "/")
                .await
                .status,
            200
        );
        // Broken JSON is refused the same way.
        std::fs::write(world.path("runtime.json"), "{ not json").expect("write");
        assert!(rt.reload().await.is_err());
        assert_eq!(
            world
                .tls_client(None, false)
                .get(appgw_addr(&rt), HOST, "/")
                .await
                .status,
            200
        );
        let rejected = world
            .log_lines()
            .iter()
            .filter(|l| l.contains("\"event\":\"reload_rejected\""))
            .count();
        assert_eq!(rejected, 2, "{:?}", world.log_lines());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_a_watched_file_reloads() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(&world, None, backend_target(&echo, &world));
        let path = world.write_config(&config);
        let mut options = world.options();
        options.watch = true;
        let rt = gatehouse_runtime::serve(&path, options)
            .await
            .expect("start");
        let rotated = world.server_ca.leaf(Leaf::server(&[HOST]).serial(3));
        world.cert_files("app", &rotated);
        // The watcher settles for 100 ms after the last event; allow it ample time.
        tokio::time::timeout(Duration::from_secs(20), rt.wait_for_generation(2))
            .await
            .expect("watcher reload");
        let reply = world
            .tls_client(None, false)
            .get(appgw_addr(&rt), HOST, "/")
            .await;
        assert_eq!(reply.server_cert, rotated.der().to_vec());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoint_reports_the_generation() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(&world, false, "http://127.0.0.1:9", vec![]);
        config.runtime.admin = Some("127.0.0.1:0".into());
        let rt = world.start(&config).await;
        let admin = rt.admin_addr().expect("admin");
        let body = plain_get(admin, "/.gatehouse/health").await;
        let health: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(health["status"], "ok");
        assert_eq!(health["generation"], 1);
        rt.reload().await.expect("reload");
        let health: serde_json::Value =
            serde_json::from_str(&plain_get(admin, "/.gatehouse/health").await).expect("json");
        assert_eq!(health["generation"], 2);
        rt.shutdown().await;
    })
    .await;
}

async fn plain_get(addr: std::net::SocketAddr, path: &str) -> String {
    use http_body_util::BodyExt;
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .expect("handshake");
    tokio::spawn(conn);
    let request = hyper::Request::get(path)
        .header("host", "admin")
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    assert_eq!(response.status(), 200);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8(body.to_vec()).expect("utf8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_accepting() {
    bounded(async {
        let world = World::new();
        let config: cfg::RuntimeConfig = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![return_text(200, "ok")],
        );
        let rt = world.start(&config).await;
        let addr = apim_addr(&rt);
        assert_eq!(
            world
                .tls_client(None, false)
                .get(addr, APIM_HOST, "/echo")
                .await
                .status,
            200
        );
        rt.shutdown().await;
        let after = world
            .tls_client(None, false)
            .send(addr, APIM_HOST, Req::get("/echo"))
            .await;
        assert!(after.is_err(), "served after shutdown: {after:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_request_in_flight_finish() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(&world, None, backend_target(&echo, &world));
        let rt = world.start(&config).await;
        let addr = appgw_addr(&rt);
        let client = world.tls_client(None, false);
        let in_flight =
            tokio::spawn(async move { client.send(addr, HOST, Req::get("/hold")).await });
        echo.hold.arrived.notified().await;
        let stopping = tokio::spawn(rt.shutdown());
        echo.hold.release.notify_one();
        let reply = in_flight
            .await
            .expect("join")
            .expect("the request in flight was cut off");
        assert_eq!(reply.status, 200);
        stopping.await.expect("shutdown");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_lets_the_request_in_flight_finish_on_the_old_config() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(&world, None, backend_target(&echo, &world));
        let rt = world.start(&config).await;
        let addr = appgw_addr(&rt);
        let client = world.tls_client(None, false);
        let in_flight =
            tokio::spawn(async move { client.send(addr, HOST, Req::get("/hold")).await });
        echo.hold.arrived.notified().await;
        // The new config routes nowhere useful; the request already running must not care.
        let mut broken_route = config.clone();
        let rule = broken_route
            .application_gateways
            .get_mut("main")
            .expect("gw")
            .routing_rules
            .get_mut("r1")
            .expect("rule");
        rule.default_target = cfg::RouteTarget::Backend(cfg::AppGwBackend {
            url: "http://127.0.0.1:9".into(),
            host_name: None,
            trusted_root_files: vec![],
        });
        world.write_config(&broken_route);
        rt.reload().await.expect("reload");
        echo.hold.release.notify_one();
        let reply = in_flight.await.expect("join").expect("reply");
        assert_eq!(reply.status, 200);
        let after = world.tls_client(None, false).get(addr, HOST, "/").await;
        assert_eq!(after.status, 502, "new requests use the new config");
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_file_outside_the_config_directory_reloads() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let mut config = one_listener(&world, None, backend_target(&echo, &world));
        // Config in `out/`, certificates beside it, referenced as `../app.crt`.
        std::fs::create_dir(world.path("out")).expect("mkdir");
        let listener = config
            .application_gateways
            .get_mut("main")
            .expect("gw")
            .listeners
            .get_mut("public")
            .expect("listener");
        listener.certificate.cert_file = "../app.crt".into();
        listener.certificate.key_file = "../app.key".into();
        let gw = config.application_gateways.get_mut("main").expect("gw");
        for rule in gw.routing_rules.values_mut() {
            if let cfg::RouteTarget::Backend(b) = &mut rule.default_target {
                b.trusted_root_files = vec!["../backend-root.pem".into()];
            }
        }
        let path = world.path("out/runtime.json");
        std::fs::write(&path, config.to_json()).expect("write");
        let mut options = world.options();
        options.watch = true;
        let rt = gatehouse_runtime::serve(&path, options)
            .await
            .expect("start");
        let rotated = world.server_ca.leaf(Leaf::server(&[HOST]).serial(4));
        world.cert_files("app", &rotated);
        tokio::time::timeout(Duration::from_secs(20), rt.wait_for_generation(2))
            .await
            .expect("watcher reload");
        let reply = world
            .tls_client(None, false)
            .get(appgw_addr(&rt), HOST, "/")
            .await;
        assert_eq!(reply.server_cert, rotated.der().to_vec());
        rt.shutdown().await;
    })
    .await;
}
