//! A small echo backend: an HTTPS server (optionally asking for a client certificate) that
//! answers every request with a JSON description of what it received: method, path, headers
//! and the client certificate's subject. `gatehouse up` starts one per backend host name so
//! a topology runs without any other server, and tests use it to see what a backend gets.
//!
//! **Invariant:** loopback only, bounded: it answers what it is sent and nothing else.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::error::{LoadError, StartError};

/// What the echo backend presents and whom it trusts.
pub struct EchoConfig<'a> {
    /// Loopback address to bind, e.g. `127.0.0.1:0`.
    pub bind: &'a str,
    pub cert_file: &'a Path,
    pub key_file: &'a Path,
    /// When set, a client certificate is requested and, if sent, must chain to this CA.
    pub client_ca_file: Option<&'a Path>,
}

/// A running echo backend; dropping it stops it.
pub struct EchoServer {
    pub local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds and serves until dropped.
pub async fn start(config: EchoConfig<'_>) -> Result<EchoServer, StartError> {
    let address = "echo backend";
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = crate::pki::load_certs(config.cert_file)?;
    let key = crate::pki::load_key(config.key_file)?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|source| LoadError::Tls {
            address: address.to_string(),
            source,
        })?;
    let builder = match config.client_ca_file {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in crate::pki::load_certs(ca)? {
                let _ = roots.add(cert);
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| LoadError::Invalid {
                    address: address.to_string(),
                    message: e.to_string(),
                })?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut tls = builder
        .with_single_cert(chain, key)
        .map_err(|source| LoadError::Tls {
            address: address.to_string(),
            source,
        })?;
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind {
            bind: config.bind.to_string(),
            address: address.to_string(),
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
        bind: config.bind.to_string(),
        address: address.to_string(),
        source,
    })?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(Ok(tls)) = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    acceptor.accept(stream),
                )
                .await
                else {
                    return;
                };
                let subject = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .and_then(|c| {
                        x509_parser::parse_x509_certificate(c.as_ref())
                            .ok()
                            .map(|(_, x)| x.subject().to_string())
                    });
                let service = hyper::service::service_fn(move |req| {
                    let subject = subject.clone();
                    async move { Ok::<_, std::convert::Infallible>(echo(req, subject).await) }
                });
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Ok(EchoServer { local_addr, task })
}

/// The JSON description of a request; the body is read (up to 1 MiB counted, the rest
/// drained) so large uploads complete.
async fn echo(req: Request<Incoming>, client_subject: Option<String>) -> Response<Full<Bytes>> {
    let (parts, mut body) = req.into_parts();
    let mut body_bytes: u64 = 0;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    body_bytes += data.len() as u64;
                }
            }
            Err(_) => break,
        }
    }
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        headers.insert(
            name.as_str().to_string(),
            serde_json::Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
    }
    let json = serde_json::json!({
        "echo": "gatehouse",
        "method": parts.method.as_str(),
        "path": parts.uri.path_and_query().map_or("/", |p| p.as_str()),
        "headers": headers,
        "body_bytes": body_bytes,
        "client_certificate": client_subject,
    });
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(text)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
