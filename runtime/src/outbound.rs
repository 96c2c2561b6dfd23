//! Connections to the next hop: pooled hyper clients over rustls, one per trust setting and
//! client certificate, and the request forwarding both AppGW and APIM use.
//!
//! A pooled connection is driven by a task on the thread that opened it. So each serving
//! thread keeps its own pools ([`HttpClient`] holds one per thread): a request never hands its
//! bytes to another thread, which would cost a cross-thread wake-up per request.
//!
//! Failures are classified by side (connect/TLS, timeout, a client body over the limit) so the
//! caller can answer the way Azure does: AppGW 502, APIM 500 BackendConnectionFailure, 413.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderName, Request, Response, Uri};
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::ServerName;
use rustls::sign::CertifiedKey;

use crate::error::LoadError;
use crate::tls::{BackendTrust, BackendVerifier};
use crate::Clock;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type ProxyBody = BoxBody<Bytes, BoxError>;
type Pool = Client<hyper_rustls::HttpsConnector<Resolving>, ProxyBody>;

/// A next hop's connection pools, one per serving thread, sharing one TLS config.
#[derive(Clone)]
pub struct HttpClient {
    pools: Arc<[Pool]>,
}

impl HttpClient {
    /// The pool of the calling serving thread.
    fn here(&self) -> &Pool {
        let index = SERVING_THREAD.with(std::cell::Cell::get);
        &self.pools[index % self.pools.len()]
    }
}

/// How many serving threads pools are made for: the most any runtime in this process asked
/// for ([`expect_serving_threads`]).
static SERVING_THREADS: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// This thread's index among the serving threads (0: the caller's runtime).
    static SERVING_THREAD: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Called before a runtime loads its config: it will serve on `threads` threads.
pub fn expect_serving_threads(threads: usize) {
    SERVING_THREADS.fetch_max(threads.max(1), Ordering::Relaxed);
}

/// Called on a serving thread before it serves: its index, 1 and up.
pub fn enter_serving_thread(index: usize) {
    SERVING_THREAD.with(|cell| cell.set(index));
}

/// Host name → local address overrides (`runtime.resolve`), lower-case.
pub type ResolveMap = Arc<std::collections::BTreeMap<String, std::net::SocketAddr>>;

/// The TCP connector behind TLS, sending connections for the host names of a [`ResolveMap`]
/// to their local address. It sits under the TLS layer, which has already taken SNI and the
/// name to check from the original URL: only where the bytes go changes.
#[derive(Clone)]
pub struct Resolving {
    inner: HttpConnector,
    map: ResolveMap,
}

impl tower_service::Service<Uri> for Resolving {
    type Response = <HttpConnector as tower_service::Service<Uri>>::Response;
    type Error = <HttpConnector as tower_service::Service<Uri>>::Error;
    type Future = <HttpConnector as tower_service::Service<Uri>>::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let local = dst.host().and_then(|h| {
            self.map
                .get(&h.trim_matches(['[', ']']).to_ascii_lowercase())
        });
        let dst = match local {
            Some(addr) => {
                let mut parts = dst.clone().into_parts();
                match addr.to_string().parse::<Authority>() {
                    Ok(authority) => {
                        parts.authority = Some(authority);
                        Uri::from_parts(parts).unwrap_or(dst)
                    }
                    Err(_) => dst,
                }
            }
            None => dst,
        };
        self.inner.call(dst)
    }
}

/// What every outbound client of one snapshot shares.
pub struct Settings<'a> {
    pub clock: &'a Clock,
    /// Connect timeout (and the backend timeout callers apply).
    pub timeout: Duration,
    pub provider: Arc<rustls::crypto::CryptoProvider>,
    pub resolve: &'a ResolveMap,
}

/// Builds a pooled client. `sni` overrides the name sent and checked (else the URL's host).
pub fn client(
    address: &str,
    trust: BackendTrust,
    client_cert: Option<Arc<CertifiedKey>>,
    sni: Option<&str>,
    settings: &Settings,
) -> Result<HttpClient, LoadError> {
    let (clock, timeout, provider, resolve) = (
        settings.clock,
        settings.timeout,
        settings.provider.clone(),
        settings.resolve,
    );
    let verifier = BackendVerifier {
        trust,
        provider: provider.clone(),
        clock: clock.clone(),
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| LoadError::Tls {
            address: address.to_string(),
            source,
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let config = match client_cert {
        Some(key) => builder.with_client_cert_resolver(Arc::new(FixedClientCert(key))),
        None => builder.with_no_client_auth(),
    };
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(timeout));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http();
    let https = match sni {
        Some(name) => {
            let name = ServerName::try_from(name.to_string()).map_err(|e| LoadError::Invalid {
                address: address.to_string(),
                message: format!("host name `{name}`: {e}"),
            })?;
            https.with_server_name_resolver(move |_: &Uri| Ok::<_, BoxError>(name.clone()))
        }
        None => https,
    };
    let http = Resolving {
        inner: http,
        map: resolve.clone(),
    };
    let connector = https.enable_http1().enable_http2().wrap_connector(http);
    let mut builder = Client::builder(TokioExecutor::new());
    builder
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new());
    let threads = SERVING_THREADS.load(Ordering::Relaxed);
    Ok(HttpClient {
        pools: (0..threads)
            .map(|_| builder.build(connector.clone()))
            .collect(),
    })
}

#[derive(Debug)]
struct FixedClientCert(Arc<CertifiedKey>);

impl rustls::client::ResolvesClientCert for FixedClientCert {
    fn resolve(
        &self,
        _hints: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A fixed next hop (AppGW backend pool member or APIM hostname).
pub struct Upstream {
    pub base: BaseUrl,
    /// Host header to send; the client's own when absent.
    pub host_header: Option<String>,
    pub client: HttpClient,
}

impl Upstream {
    pub fn new(
        address: &str,
        url: &str,
        host_header: Option<String>,
        client: HttpClient,
    ) -> Result<Upstream, LoadError> {
        let base = BaseUrl::parse(url).map_err(|message| LoadError::Invalid {
            address: address.to_string(),
            message,
        })?;
        Ok(Upstream {
            base,
            host_header,
            client,
        })
    }
}

/// `scheme://authority/prefix` with the prefix kept without a trailing slash.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    pub scheme: Scheme,
    pub authority: Authority,
    pub prefix: String,
}

impl BaseUrl {
    pub fn parse(url: &str) -> Result<BaseUrl, String> {
        let uri: Uri = url.parse().map_err(|e| format!("URL `{url}`: {e}"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme().cloned(), uri.authority().cloned())
        else {
            return Err(format!("URL `{url}` needs a scheme and a host"));
        };
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(format!(
                "URL `{url}`: only http and https backends are supported"
            ));
        }
        let prefix = uri.path().trim_end_matches('/').to_string();
        Ok(BaseUrl {
            scheme,
            authority,
            prefix,
        })
    }

    /// The URI for a path (starting with `/` or empty) and an optional query.
    pub fn join(&self, path: &str, query: Option<&str>) -> Result<Uri, http::Error> {
        let mut pq = format!("{}{}", self.prefix, path);
        if pq.is_empty() {
            pq.push('/');
        }
        if let Some(q) = query {
            pq.push('?');
            pq.push_str(q);
        }
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(PathAndQuery::try_from(pq)?)
            .build()
    }
}

/// How forwarding failed.
#[derive(Debug)]
pub enum ForwardError {
    /// TCP connect, TLS handshake (trust, name, missing client certificate) or the connection
    /// dropping before a response: the backend's side.
    Connection(String),
    Timeout,
    /// The client's body went over `max_body_bytes` while streaming: the client's side.
    BodyTooLarge,
}

impl ForwardError {
    pub fn describe(&self) -> String {
        match self {
            ForwardError::Connection(m) => m.clone(),
            ForwardError::Timeout => "backend timed out".into(),
            ForwardError::BodyTooLarge => "request body over the limit".into(),
        }
    }
}

pub async fn send(
    client: &HttpClient,
    request: Request<ProxyBody>,
    timeout: Duration,
) -> Result<Response<Incoming>, ForwardError> {
    match tokio::time::timeout(timeout, client.here().request(request)).await {
        Err(_) => Err(ForwardError::Timeout),
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => Err(classify(&e)),
    }
}

fn classify(e: &(dyn std::error::Error + 'static)) -> ForwardError {
    let mut messages = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        if s.downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            return ForwardError::BodyTooLarge;
        }
        messages.push(s.to_string());
        source = s.source();
    }
    ForwardError::Connection(messages.join(": "))
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) never forwarded.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::try_from(name.trim()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authorization",
        "proxy-authenticate",
    ] {
        headers.remove(name);
    }
}
