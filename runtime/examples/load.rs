//! A small mTLS load generator for comparing the runtime with another proxy on one machine:
//! keep-alive requests per second, or full handshakes per second (`--new-conn`), with p50/p99.
//!
//! ```text
//! cargo run --release -p gatehouse-runtime --example load -- \
//!   --addr 127.0.0.1:8443 --host app.contoso.com --cacert ca.pem --cert c.pem --key c.key \
//!   --conns 16 --seconds 5 [--new-conn] [--body-bytes 10485760]
//! ```
//!
//! It only talks to the address it is given. It stops by itself after `--seconds`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

struct Args {
    addr: SocketAddr,
    host: String,
    cacert: String,
    cert: Option<String>,
    key: Option<String>,
    conns: usize,
    seconds: u64,
    new_conn: bool,
    body_bytes: usize,
    path: String,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        addr: "127.0.0.1:8443".parse().map_err(|e| format!("{e}"))?,
        host: "localhost".into(),
        cacert: String::new(),
        cert: None,
        key: None,
        conns: 16,
        seconds: 5,
        new_conn: false,
        body_bytes: 0,
        path: "/".into(),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => a.addr = value()?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--host" => a.host = value()?,
            "--cacert" => a.cacert = value()?,
            "--cert" => a.cert = Some(value()?),
            "--key" => a.key = Some(value()?),
            "--conns" => a.conns = value()?.parse().map_err(|e| format!("--conns: {e}"))?,
            "--seconds" => a.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--body-bytes" => {
                a.body_bytes = value()?.parse().map_err(|e| format!("--body-bytes: {e}"))?
            }
            "--path" => a.path = value()?,
            "--new-conn" => a.new_conn = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn config(a: &Args) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in
        CertificateDer::pem_file_iter(&a.cacert).map_err(|e| format!("{}: {e}", a.cacert))?
    {
        roots
            .add(cert.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    let mut config = match (&a.cert, &a.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .map_err(|e| format!("{cert}: {e}"))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| e.to_string())?
        }
        _ => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // Full handshakes mean full handshakes: no resumption.
    if a.new_conn {
        config.resumption = rustls::client::Resumption::disabled();
    }
    Ok(Arc::new(config))
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(a: &Args, config: &Arc<rustls::ClientConfig>) -> Result<Sender, String> {
    let tcp = tokio::net::TcpStream::connect(a.addr)
        .await
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let name = ServerName::try_from(a.host.clone()).map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn one(a: &Args, sender: &mut Sender, body: &Bytes) -> Result<(), String> {
    let method = if body.is_empty() { "GET" } else { "POST" };
    let request = hyper::Request::builder()
        .method(method)
        .uri(&a.path)
        .header("host", &a.host)
        .body(Full::new(body.clone()))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("status {status}"));
    }
    Ok(())
}

async fn worker(
    a: Arc<Args>,
    config: Arc<rustls::ClientConfig>,
    until: Instant,
) -> (Vec<Duration>, usize) {
    let body = Bytes::from(vec![b'x'; a.body_bytes]);
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut sender = None;
    while Instant::now() < until {
        let started = Instant::now();
        if sender.is_none() || a.new_conn {
            match connect(&a, &config).await {
                Ok(s) => sender = Some(s),
                Err(_) => {
                    errors += 1;
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else { continue };
        match one(&a, s, &body).await {
            Ok(()) => latencies.push(started.elapsed()),
            Err(_) => {
                errors += 1;
                sender = None;
            }
        }
    }
    (latencies, errors)
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let config = match config(&a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let until = started + Duration::from_secs(a.seconds);
    let workers: Vec<_> = (0..a.conns)
        .map(|_| tokio::spawn(worker(a.clone(), config.clone(), until)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for w in workers {
        if let Ok((l, e)) = w.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{{\"requests\":{},\"errors\":{},\"rps\":{:.0},\"p50_ms\":{:.3},\"p99_ms\":{:.3}}}",
        latencies.len(),
        errors,
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99)
    );
}
