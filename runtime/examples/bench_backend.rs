//! The backend of `bench/compare-nginx.sh`: plain HTTP/1.1 on a loopback address, reads each
//! request body to its end, then answers `200 ok`. Reading the whole body first makes a large
//! POST measure the transfer through the proxy, not a backend that answers early.
//!
//! ```text
//! cargo run --release -p gatehouse-runtime --example bench_backend -- 127.0.0.1:18080
//! ```
//!
//! It binds only the address it is given (loopback is enforced) and runs until killed.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let addr: SocketAddr = match std::env::args().nth(1).map(|a| a.parse()) {
        Some(Ok(addr)) => addr,
        _ => {
            eprintln!("usage: bench_backend 127.0.0.1:PORT");
            std::process::exit(2);
        }
    };
    if !addr.ip().is_loopback() {
        eprintln!("bench_backend: {addr} is not a loopback address");
        std::process::exit(2);
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("bench_backend: cannot bind {addr}: {e}");
            std::process::exit(2);
        }
    };
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(async move {
            let service = service_fn(|request: hyper::Request<Incoming>| async move {
                // The whole body is read before the answer.
                let mut body = request.into_body();
                while let Some(Ok(_frame)) = body.frame().await {}
                Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(b"ok\n"))))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}
