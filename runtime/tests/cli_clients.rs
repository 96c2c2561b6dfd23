//! The same decisions seen by the everyday command-line clients, `curl` and `openssl s_client`,
//! run exactly as a user would against the AppGW listener.

mod support;

use std::process::{Command, Output};

use support::*;

const HOST: &str = "app.contoso.com";

async fn run(mut command: Command, stdin: &'static [u8]) -> Output {
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the client binary is installed");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin);
        }
        child.wait_with_output().expect("client output")
    })
    .await
    .expect("join")
}

fn curl(world: &World, port: u16, cert: Option<(&str, &str)>) -> Command {
    let mut command = Command::new("curl");
    command
        .args(["-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"])
        .arg("--resolve")
        .arg(format!("{HOST}:{port}:127.0.0.1"))
        .arg("--cacert")
        .arg(world.server_root_file());
    if let Some((cert, key)) = cert {
        command
            .arg("--cert")
            .arg(world.path(cert))
            .arg("--key")
            .arg(world.path(key));
    }
    command.arg(format!("https://{HOST}:{port}/from-curl"));
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_with_a_client_certificate_is_forwarded() {
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
        let files = world.cert_files("alice", &client);
        let output = run(
            curl(
                &world,
                appgw_addr(&rt).port(),
                Some((&files.cert_file, &files.key_file)),
            ),
            b"",
        )
        .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.ends_with("\n200"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(echo.last()["path"], "/from-curl");
        assert!(echo.last()["headers"]["x-arr-clientcert"]
            .as_str()
            .is_some_and(|v| v.starts_with("-----BEGIN%20CERTIFICATE-----%0A")));
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_without_a_certificate_gets_appgw_400_page() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let rt = world.start(&config).await;
        let output = run(curl(&world, appgw_addr(&rt).port(), None), b"").await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.ends_with("\n400"), "{stdout}");
        assert!(
            stdout.contains("<title>400 No required SSL certificate was sent</title>"),
            "{stdout}"
        );
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_s_client_completes_the_handshake_then_sees_400() {
    bounded(async {
        let world = World::new();
        let echo = Echo::tls(&world, None).await;
        let config = one_listener(
            &world,
            Some(strict_profile(&world.client_bundle())),
            backend_target(&echo, &world),
        );
        let rt = world.start(&config).await;
        let mut command = Command::new("openssl");
        command
            .args([
                "s_client",
                "-quiet",
                "-verify_return_error",
                "-servername",
                HOST,
            ])
            .arg("-connect")
            .arg(appgw_addr(&rt).to_string())
            .arg("-CAfile")
            .arg(world.server_root_file());
        let request = b"GET / HTTP/1.1\r\nHost: app.contoso.com\r\nConnection: close\r\n\r\n";
        let output = run(command, request).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.starts_with("HTTP/1.1 400"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("server: Microsoft-Azure-Application-Gateway/v2"),
            "{stdout}"
        );
        assert!(echo.requests().is_empty());
        rt.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_posts_ten_megabytes_with_expect_continue() {
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
        let files = world.cert_files("alice", &client);
        std::fs::write(world.path("big.bin"), vec![b'z'; 10 * 1024 * 1024]).expect("write");
        let mut command = curl(
            &world,
            appgw_addr(&rt).port(),
            Some((&files.cert_file, &files.key_file)),
        );
        // curl sends `Expect: 100-continue` for a body this large.
        command
            .arg("--data-binary")
            .arg(format!("@{}", world.path("big.bin").display()));
        let output = run(command, b"").await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.ends_with("\n200"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(echo.last()["body_len"], 10 * 1024 * 1024);
        assert_eq!(echo.last()["method"], "POST");
        rt.shutdown().await;
    })
    .await;
}
