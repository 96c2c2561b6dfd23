//! Listeners: accept, read the ClientHello, pick the site by SNI, finish the handshake with that
//! site's TLS config, then serve HTTP/1.1 or HTTP/2 (by ALPN) and dispatch each request to the
//! AppGW or APIM semantics. Also the admin endpoint.
//!
//! Every request reads the current snapshot, so a reload applies to open connections at their
//! next request while requests already running finish on the snapshot they started with. Limits
//! (handshake time, header size and time, body size) are enforced here.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use http::{header, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::pki_types::CertificateDer;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

use crate::apim::{self, RateLimits};
use crate::clientauth::Verification;
use crate::drain;
use crate::log::{AccessRecord, Logger};
use crate::outbound::ProxyBody;
use crate::pki::CertFacts;
use crate::respond;
use crate::snapshot::{SiteKind, Snapshot};
use crate::{appgw, Clock};

/// What the runtime shares across listeners and reloads.
pub struct Shared {
    pub snapshot: ArcSwap<Snapshot>,
    pub logger: Logger,
    pub rates: RateLimits,
    pub config_path: PathBuf,
    pub bound: BTreeMap<String, SocketAddr>,
    pub clock: Clock,
    pub generation: watch::Sender<u64>,
    pub reload_lock: tokio::sync::Mutex<()>,
    pub active: AtomicUsize,
    pub idle: Notify,
}

/// One accepted TLS connection, as requests on it see it.
pub struct Conn {
    pub bind: String,
    pub sni: Option<String>,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// The client's chain, leaf first, if it sent one.
    pub chain: Option<Arc<Vec<CertificateDer<'static>>>>,
    pub facts: Option<Arc<CertFacts>>,
    /// AppGW verdict and the snapshot generation it was computed for.
    pub verdict: Mutex<Option<(u64, Verification)>>,
}

pub async fn accept_loop(
    shared: Arc<Shared>,
    bind: String,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let Ok((tcp, peer)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let shared = shared.clone();
        let bind = bind.clone();
        let shutdown = shutdown.clone();
        shared.active.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            connection(&shared, bind, tcp, peer, shutdown).await;
            if shared.active.fetch_sub(1, Ordering::SeqCst) == 1 {
                shared.idle.notify_waiters();
            }
        });
    }
}

async fn connection(
    shared: &Arc<Shared>,
    bind: String,
    tcp: TcpStream,
    peer: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) {
    let Ok(local) = tcp.local_addr() else { return };
    let limits = shared.snapshot.load().limits.clone();
    let handshake = async {
        let start = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp)
            .await
            .ok()?;
        let sni = start
            .client_hello()
            .server_name()
            .map(str::to_ascii_lowercase);
        let config = {
            let snapshot = shared.snapshot.load();
            snapshot.site(&bind, sni.as_deref())?.server_config.clone()
        };
        let tls = start.into_stream(config).await.ok()?;
        Some((tls, sni))
    };
    let handshake_timeout = Duration::from_millis(limits.handshake_timeout_ms);
    let Ok(Some((tls, sni))) = tokio::time::timeout(handshake_timeout, handshake).await else {
        return;
    };
    let (_, session) = tls.get_ref();
    let chain = session
        .peer_certificates()
        .filter(|c| !c.is_empty())
        .map(|c| Arc::new(c.iter().map(|d| d.clone().into_owned()).collect::<Vec<_>>()));
    let facts = chain
        .as_ref()
        .and_then(|c| c.first())
        .and_then(|d| CertFacts::parse(d))
        .map(Arc::new);
    let h2 = session.alpn_protocol() == Some(b"h2".as_slice());
    let conn = Arc::new(Conn {
        bind,
        sni,
        peer,
        local,
        chain,
        facts,
        verdict: Mutex::new(None),
    });

    let service_shared = shared.clone();
    let service = service_fn(move |request: Request<Incoming>| {
        let shared = service_shared.clone();
        let conn = conn.clone();
        async move { Ok::<_, Infallible>(dispatch(&shared, &conn, request).await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder = if h2 {
        builder.http2_only()
    } else {
        builder.http1_only()
    };
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms))
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    let serving = builder.serve_connection(TokioIo::new(tls), service);
    tokio::pin!(serving);
    tokio::select! {
        _ = serving.as_mut() => {}
        _ = shutdown.changed() => {
            serving.as_mut().graceful_shutdown();
            let _ = serving.await;
        }
    }
}

async fn dispatch(shared: &Shared, conn: &Conn, request: Request<Incoming>) -> Response<ProxyBody> {
    let started = Instant::now();
    let snapshot = shared.snapshot.load_full();
    let host = request_host(&request, conn);
    let mut log = AccessRecord {
        // Formatting the time costs more than the rest of the record: only for a written line.
        time: if shared.logger.access {
            crate::time::iso8601(crate::time::unix(std::time::SystemTime::now()))
        } else {
            String::new()
        },
        host: host.clone(),
        method: request.method().to_string(),
        path: request.uri().path().to_string(),
        client_cert_subject: conn.facts.as_ref().map(|f| f.subject.clone()),
        client_cert_thumbprint: conn.facts.as_ref().map(|f| f.thumbprint.clone()),
        ..AccessRecord::default()
    };
    let response = match snapshot.site(&conn.bind, conn.sni.as_deref()) {
        None => {
            log.decision = "rejected".into();
            log.reason = Some("no site for this host name any more".into());
            respond::apim_json(StatusCode::MISDIRECTED_REQUEST, "Misdirected Request")
        }
        Some(site) => {
            log.site = site.address.clone();
            let max = snapshot.limits.max_body_bytes;
            let declared = request
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|len| len > max) {
                log.decision = "rejected".into();
                log.reason = Some("request body over max_body_bytes".into());
                too_large(&site.kind)
            } else {
                let limit = usize::try_from(max).unwrap_or(usize::MAX);
                let (parts, body) = request.into_parts();
                let (body, leftover) = if parts.version == http::Version::HTTP_2 {
                    (Limited::new(body, limit).boxed(), None)
                } else {
                    let (tracked, leftover) = drain::track(body);
                    (Limited::new(tracked, limit).boxed(), Some(leftover))
                };
                let request = Request::from_parts(parts, body);
                let response = match &site.kind {
                    SiteKind::AppGw(appgw) => {
                        appgw::handle(&snapshot, appgw, conn, request, &host, &mut log).await
                    }
                    SiteKind::Apim(apim) => {
                        apim::handle(apim, &shared.rates, conn, request, &mut log).await
                    }
                };
                if let Some(leftover) = leftover {
                    let time = Duration::from_millis(snapshot.limits.header_read_timeout_ms);
                    leftover.discard(max, time).await;
                }
                response
            }
        }
    };
    log.status = response.status().as_u16();
    log.duration_ms = (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    shared.logger.access(&log);
    response
}

fn too_large(kind: &SiteKind) -> Response<ProxyBody> {
    match kind {
        SiteKind::AppGw(_) => {
            respond::appgw_html(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
        }
        SiteKind::Apim(_) => respond::apim_json(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body is larger than the limit.",
        ),
    }
}

fn request_host(request: &Request<Incoming>, conn: &Conn) -> String {
    let from_header = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let from_uri = request.uri().authority().map(|a| a.to_string());
    from_header
        .or(from_uri)
        .or_else(|| conn.sni.clone())
        .unwrap_or_default()
}

/// `GET /.gatehouse/health` on plain HTTP.
pub async fn admin_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(admin(&shared, &request)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}

fn admin(shared: &Shared, request: &Request<Incoming>) -> Response<ProxyBody> {
    if request.uri().path() != "/.gatehouse/health" {
        let mut response = Response::new(respond::body("not found\n"));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    }
    let snapshot = shared.snapshot.load();
    let body = serde_json::json!({
        "status": "ok",
        "generation": snapshot.generation,
        "sites": snapshot.ports.values().flatten().map(|s| s.address.clone()).collect::<Vec<_>>(),
    });
    let mut response = Response::new(respond::body(format!("{body}\n")));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
