//! Hostile and slow clients: a copied certificate without its key, a client that never
//! finishes its request head (slowloris), one that never starts the handshake, and ALPN
//! offers the hostname does not allow. Each waits for the runtime's reaction, never a clock.

mod support;

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HOST: &str = "app.contoso.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_without_its_key_fails_the_handshake() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let rt = world.start(&config).await;
        let victim = world.client("alice");
        let thief = world.client("mallory");
        let result = world
            .tls_client_stolen(&victim, &thief)
            .send(appgw_addr(&rt), HOST, Req::get("/"))
            .await;
        // CertificateVerify does not verify: the handshake is refused with an alert, not a 400.
        let error = result.expect_err("a forged CertificateVerify must not be served");
        assert!(error.contains("DecryptError"), "{error}");
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfinished_request_head_is_cut_off() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let mut config = one_listener(&world, None, backend_target(&echo, &world));
        config.runtime.limits.header_read_timeout_ms = 200;
        let rt = world.start(&config).await;
        let mut tls = world
            .tls_client(None, false)
            .connect(appgw_addr(&rt), HOST)
            .await;
        tls.write_all(b"GET / HTTP/1.1\r\nHost: app.contoso.com\r\nX-Slow: ")
            .await
            .expect("write");
        let mut rest = Vec::new();
        // The runtime closes the connection (possibly after a 408); reading ends either way.
        let _ = tls.read_to_end(&mut rest).await;
        let text = String::from_utf8_lossy(&rest);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_says_hello_is_dropped() {
    bounded(async {
        let world = World::new();
        let mut config = one_listener(&world, None, backend_target(&Echo::plain().await, &world));
        config.runtime.limits.handshake_timeout_ms = 200;
        let rt = world.start(&config).await;
        let mut tcp = tokio::net::TcpStream::connect(appgw_addr(&rt))
            .await
            .expect("connect");
        let mut buf = [0u8; 16];
        let n = tcp.read(&mut buf).await.unwrap_or(0);
        assert_eq!(n, 0, "the runtime should close the silent connection");
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_negotiated_only_where_allowed() {
    bounded(async {
        let world = World::new();
        let mut config = one_api(
            &world,
            false,
            "http://127.0.0.1:9",
            vec![return_text(200, "ok")],
        );
        apim_mut(&mut config)
            .hostnames
            .get_mut(APIM_HOST)
            .expect("hostname")
            .http2 = false;
        let rt = world.start(&config).await;
        let reply = world
            .tls_client_alpn(&["h2", "http/1.1"])
            .send(apim_addr(&rt), APIM_HOST, Req::get("/echo"))
            .await
            .expect("reply");
        assert!(
            !reply.alpn_h2,
            "h2 was negotiated on a hostname that does not allow it"
        );
        assert_eq!(reply.status, 200);
        rt.shutdown().await;
    })
    .await;
}
