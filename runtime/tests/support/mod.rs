//! Test support: per-test PKI (rcgen, fixed clock), a temporary topology directory, an echo
//! backend that reports what it received, and a TLS client that reports what it got.
//!
//! Nothing here sleeps to synchronise: servers are listening when their constructor returns, and
//! every test body runs under [`bounded`].
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use gatehouse_runtime::config as cfg;
use gatehouse_runtime::{Clock, LogFormat, LogSink, RunningRuntime, RuntimeOptions};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SerialNumber,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::Value;
use tokio::net::TcpListener;

/// The fixed "now" of every test: 2030-06-01T12:00:00Z.
pub const NOW: u64 = 1_906_545_600;

pub fn clock() -> Clock {
    Clock::Fixed(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW))
}

pub fn at(year: i32, month: u8, day: u8) -> time::OffsetDateTime {
    rcgen::date_time_ymd(year, month, day)
}

/// Runs a test body with a time bound, so a hang fails instead of blocking CI.
pub async fn bounded<F: Future<Output = T>, T>(body: F) -> T {
    match tokio::time::timeout(Duration::from_secs(60), body).await {
        Ok(v) => v,
        Err(_) => panic!("test did not finish within 60 s"),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

// ---------------------------------------------------------------------------------------------
// PKI

pub struct Ca {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub cert: rcgen::Certificate,
    /// This CA's certificate and its issuers' below the root, PEM (for a client to send).
    pub chain_pem: String,
}

impl Ca {
    pub fn root(cn: &str) -> Ca {
        let params = ca_params(cn);
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("root");
        Ca {
            params,
            key,
            cert,
            chain_pem: String::new(),
        }
    }

    pub fn intermediate(&self, cn: &str) -> Ca {
        let params = ca_params(cn);
        let key = KeyPair::generate().expect("key");
        let cert = params
            .signed_by(&key, &self.issuer())
            .expect("intermediate");
        let chain_pem = format!("{}{}", cert.pem(), self.chain_pem);
        Ca {
            params,
            key,
            cert,
            chain_pem,
        }
    }

    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    pub fn leaf(&self, spec: Leaf) -> Issued {
        let mut params = CertificateParams::new(spec.dns.clone()).expect("params");
        // Conventional DER order (O, then CN), so .NET shows `CN=…, O=Contoso`.
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Contoso");
        dn.push(DnType::CommonName, spec.cn.clone());
        params.distinguished_name = dn;
        params.extended_key_usages = spec.eku.clone();
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if let Some(t) = spec.not_before {
            params.not_before = t;
        }
        if let Some(t) = spec.not_after {
            params.not_after = t;
        }
        params.serial_number = Some(SerialNumber::from_slice(&spec.serial.to_be_bytes()));
        for ip in &spec.ips {
            params
                .subject_alt_names
                .push(rcgen::SanType::IpAddress(*ip));
        }
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer()).expect("leaf");
        let chain_pem = format!("{}{}", cert.pem(), self.chain_pem);
        Issued {
            cert,
            key,
            chain_pem,
        }
    }

    /// A CRL revoking these serials, current at [`NOW`].
    pub fn crl(&self, serials: &[u64]) -> String {
        let params = CertificateRevocationListParams {
            this_update: at(2030, 1, 1),
            next_update: at(2031, 1, 1),
            crl_number: SerialNumber::from_slice(&[1]),
            issuing_distribution_point: None,
            revoked_certs: serials
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&s.to_be_bytes()),
                    revocation_time: at(2030, 1, 2),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params
            .signed_by(&self.issuer())
            .expect("crl")
            .pem()
            .expect("crl pem")
    }
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Contoso");
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

#[derive(Clone)]
pub struct Leaf {
    pub cn: String,
    pub dns: Vec<String>,
    pub ips: Vec<std::net::IpAddr>,
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    pub not_before: Option<time::OffsetDateTime>,
    pub not_after: Option<time::OffsetDateTime>,
    pub serial: u64,
}

impl Leaf {
    pub fn client(cn: &str) -> Leaf {
        Leaf {
            cn: cn.into(),
            dns: vec![format!("{cn}.clients.contoso.com")],
            ips: vec![],
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            not_before: None,
            not_after: None,
            serial: 1000,
        }
    }

    pub fn server(hosts: &[&str]) -> Leaf {
        Leaf {
            cn: hosts.first().copied().unwrap_or("server").into(),
            dns: hosts.iter().map(|h| h.to_string()).collect(),
            ips: vec!["127.0.0.1".parse().expect("ip")],
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            not_before: None,
            not_after: None,
            serial: 1,
        }
    }

    pub fn serial(mut self, serial: u64) -> Leaf {
        self.serial = serial;
        self
    }

    pub fn valid(mut self, from: time::OffsetDateTime, to: time::OffsetDateTime) -> Leaf {
        self.not_before = Some(from);
        self.not_after = Some(to);
        self
    }

    pub fn eku(mut self, eku: Vec<ExtendedKeyUsagePurpose>) -> Leaf {
        self.eku = eku;
        self
    }
}

pub struct Issued {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
    /// Leaf then intermediates (not the root).
    pub chain_pem: String,
}

impl Issued {
    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    pub fn thumbprint(&self) -> String {
        use sha1_smol_like::sha1_hex;
        sha1_hex(self.cert.der())
    }

    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        use rustls::pki_types::pem::PemObject;
        CertificateDer::pem_slice_iter(self.chain_pem.as_bytes())
            .map(|c| c.expect("pem"))
            .collect()
    }

    pub fn leaf_only(&self) -> Vec<CertificateDer<'static>> {
        vec![self.der()]
    }

    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.serialize_der().into())
    }
}

/// SHA-1 through ring, upper-case hex (APIM's thumbprint form).
pub mod sha1_smol_like {
    pub fn sha1_hex(bytes: &[u8]) -> String {
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// A topology on disk

/// A temporary `OUT/runtime` directory with the CAs most tests need.
pub struct World {
    pub dir: tempfile::TempDir,
    /// Issues the runtime's own server certificates.
    pub server_ca: Ca,
    /// The client PKI: root → intermediate → clients.
    pub client_root: Ca,
    pub client_int: Ca,
    /// Issues backend server certificates.
    pub backend_ca: Ca,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl World {
    pub fn new() -> World {
        let client_root = Ca::root("Contoso Client Root");
        let client_int = client_root.intermediate("Contoso Client Issuing");
        World {
            dir: tempfile::tempdir().expect("tempdir"),
            server_ca: Ca::root("Contoso Server Root"),
            client_root,
            client_int,
            backend_ca: Ca::root("Contoso Backend Root"),
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Writes a file into the topology directory and returns its relative name.
    pub fn write(&self, name: &str, contents: &str) -> String {
        std::fs::write(self.dir.path().join(name), contents).expect("write");
        name.to_string()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A server certificate for these host names, issued by the server CA.
    pub fn server_cert(&self, name: &str, hosts: &[&str]) -> cfg::CertificateFiles {
        let issued = self.server_ca.leaf(Leaf::server(hosts));
        self.cert_files(name, &issued)
    }

    pub fn cert_files(&self, name: &str, issued: &Issued) -> cfg::CertificateFiles {
        cfg::CertificateFiles {
            cert_file: self.write(&format!("{name}.crt"), &issued.chain_pem),
            key_file: self.write(&format!("{name}.key"), &issued.key.serialize_pem()),
        }
    }

    /// The client CA bundle: root + intermediate in one file.
    pub fn client_bundle(&self) -> String {
        self.write(
            "client-ca.pem",
            &format!("{}{}", self.client_int.pem(), self.client_root.pem()),
        )
    }

    pub fn client(&self, cn: &str) -> Issued {
        self.client_int.leaf(Leaf::client(cn))
    }

    pub fn write_config(&self, config: &cfg::RuntimeConfig) -> PathBuf {
        let path = self.path("runtime.json");
        std::fs::write(&path, config.to_json()).expect("write config");
        path
    }

    pub async fn start(&self, config: &cfg::RuntimeConfig) -> RunningRuntime {
        let path = self.write_config(config);
        gatehouse_runtime::serve(&path, self.options())
            .await
            .unwrap_or_else(|e| panic!("start: {e}"))
    }

    pub fn options(&self) -> RuntimeOptions {
        RuntimeOptions {
            log_format: LogFormat::Json,
            log_sink: LogSink::Memory(self.log.clone()),
            access_log: true,
            clock: clock(),
            watch: false,
            admin: None,
            shutdown_grace: Duration::from_secs(5),
            extra_threads: 0,
        }
    }

    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// A client trusting the server CA, optionally presenting a chain.
    pub fn tls_client(
        &self,
        cert: Option<(Vec<CertificateDer<'static>>, &Issued)>,
        h2: bool,
    ) -> TlsClient {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.server_ca.der()).expect("root");
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots);
        let mut config = match cert {
            Some((chain, issued)) => builder
                .with_client_auth_cert(chain, issued.key_der())
                .expect("client cert"),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = if h2 {
            vec![b"h2".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        TlsClient {
            config: Arc::new(config),
            h2,
        }
    }
}

impl World {
    /// A client offering these ALPN protocols, without a client certificate.
    pub fn tls_client_alpn(&self, alpn: &[&str]) -> TlsClient {
        let mut client = self.tls_client(None, false);
        let mut config = (*client.config).clone();
        config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        client.config = Arc::new(config);
        client
    }

    /// A client presenting `victim`'s chain but signing with `thief`'s key: what someone
    /// holding only a copied certificate can do.
    pub fn tls_client_stolen(&self, victim: &Issued, thief: &Issued) -> TlsClient {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.server_ca.der()).expect("root");
        let key = provider()
            .key_provider
            .load_private_key(thief.key_der())
            .expect("key");
        let certified = rustls::sign::CertifiedKey::new(victim.chain(), key);
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_client_cert_resolver(Arc::new(FixedClientCert(Arc::new(certified))));
        TlsClient {
            config: Arc::new(config),
            h2: false,
        }
    }

    pub fn server_root_file(&self) -> PathBuf {
        self.write("server-root.pem", &self.server_ca.pem());
        self.path("server-root.pem")
    }
}

#[derive(Debug)]
struct FixedClientCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for FixedClientCert {
    fn resolve(
        &self,
        _: &[&[u8]],
        _: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

impl TlsClient {
    /// A bare TLS connection, for clients that misbehave at the HTTP level.
    pub async fn connect(
        &self,
        addr: SocketAddr,
        host: &str,
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        self.try_connect(addr, host)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A TLS connection to `addr` with SNI `host`, or why there is none.
    pub async fn try_connect(
        &self,
        addr: SocketAddr,
        host: &str,
    ) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
        tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| format!("tls: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------
// Config builders

pub fn appgw_listener(
    bind: &str,
    hosts: &[&str],
    certificate: cfg::CertificateFiles,
    profile: Option<&str>,
) -> cfg::Listener {
    cfg::Listener {
        bind: bind.into(),
        host_names: hosts.iter().map(|h| h.to_string()).collect(),
        certificate,
        ssl_profile: profile.map(str::to_string),
        http2: true,
    }
}

pub fn strict_profile(bundle: &str) -> cfg::SslProfile {
    cfg::SslProfile {
        trusted_client_ca_files: vec![bundle.into()],
        crl_files: vec![],
        verify_client_cert_issuer_dn: false,
        mode: cfg::VerifyClientAuthMode::Strict,
    }
}

pub fn rule(listener: &str, target: cfg::RouteTarget) -> cfg::RoutingRule {
    cfg::RoutingRule {
        priority: 100,
        listener: listener.into(),
        path_rules: vec![],
        default_target: target,
        request_headers: vec![cfg::HeaderRewrite {
            header: "X-ARR-ClientCert".into(),
            value: "{var_client_certificate}".into(),
        }],
    }
}

pub fn backend_target(echo: &Echo, world: &World) -> cfg::RouteTarget {
    cfg::RouteTarget::Backend(cfg::AppGwBackend {
        url: echo.url.clone(),
        host_name: Some("backend.internal".into()),
        trusted_root_files: vec![world.write("backend-root.pem", &world.backend_ca.pem())],
    })
}

/// An AppGW `main` with one listener `public` (host `app.contoso.com`) routed to `target`.
pub fn one_listener(
    world: &World,
    profile: Option<cfg::SslProfile>,
    target: cfg::RouteTarget,
) -> cfg::RuntimeConfig {
    let mut gw = cfg::ApplicationGateway::default();
    let cert = world.server_cert("app", &["app.contoso.com"]);
    gw.listeners.insert(
        "public".into(),
        appgw_listener(
            "127.0.0.1:0",
            &["app.contoso.com"],
            cert,
            profile.as_ref().map(|_| "mtls"),
        ),
    );
    if let Some(profile) = profile {
        gw.ssl_profiles.insert("mtls".into(), profile);
    }
    gw.routing_rules.insert("r1".into(), rule("public", target));
    let mut config = cfg::RuntimeConfig::default();
    config.application_gateways.insert("main".into(), gw);
    config
}

pub const APIM_HOST: &str = "api.contoso.com";

/// An APIM `main` with hostname `api.contoso.com` and one API `echo` at `/echo` with a
/// catch-all GET and POST operation carrying `inbound` steps.
pub fn one_api(
    world: &World,
    negotiate: bool,
    service_url: &str,
    inbound: Vec<cfg::Step>,
) -> cfg::RuntimeConfig {
    let mut apim = cfg::ApiManagement::default();
    apim.hostnames.insert(
        APIM_HOST.into(),
        cfg::GatewayHostname {
            bind: "127.0.0.2:0".into(),
            certificate: world.server_cert("apim", &[APIM_HOST]),
            negotiate_client_certificate: negotiate,
            http2: true,
        },
    );
    apim.ca_certificates.insert(
        "client-root".into(),
        cfg::CaCertificate {
            file: world.write("apim-root.pem", &world.client_root.pem()),
        },
    );
    apim.ca_certificates.insert(
        "client-int".into(),
        cfg::CaCertificate {
            file: world.write("apim-int.pem", &world.client_int.pem()),
        },
    );
    let mut operations = BTreeMap::new();
    operations.insert(
        "any".into(),
        cfg::Operation {
            method: "*".into(),
            url_template: "/*".into(),
            policy: cfg::Policy {
                inbound,
                ..cfg::Policy::default()
            },
        },
    );
    apim.apis.insert(
        "echo".into(),
        cfg::Api {
            path: "echo".into(),
            hostnames: vec![],
            service_url: Some(service_url.into()),
            subscription: None,
            operations,
        },
    );
    let mut config = cfg::RuntimeConfig::default();
    config.api_managements.insert("main".into(), apim);
    config
}

pub fn apim_mut(config: &mut cfg::RuntimeConfig) -> &mut cfg::ApiManagement {
    config.api_managements.get_mut("main").expect("apim main")
}

pub fn return_text(status: u16, body: &str) -> cfg::Step {
    cfg::Step::ReturnResponse(cfg::ReturnResponse {
        status_code: status,
        headers: BTreeMap::new(),
        body: Some(body.into()),
    })
}

/// `choose` returning 200 `yes` when the condition holds, else 200 `no`.
pub fn probe(condition: &str) -> cfg::Step {
    cfg::Step::Choose(cfg::Choose {
        when: vec![cfg::When {
            condition: condition.into(),
            steps: vec![return_text(200, "yes")],
        }],
        otherwise: vec![return_text(200, "no")],
    })
}

// ---------------------------------------------------------------------------------------------
// Echo backend

/// TLS settings of an echo backend.
pub struct EchoTls {
    pub cert: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    /// Require a client certificate chaining to this root.
    pub client_ca: Option<CertificateDer<'static>>,
}

pub struct Echo {
    pub addr: SocketAddr,
    pub url: String,
    pub seen: Arc<Mutex<Vec<Value>>>,
    /// Requests to `/hold…` signal `arrived` and wait for `release` before answering.
    pub hold: Arc<Hold>,
}

#[derive(Default)]
pub struct Hold {
    pub arrived: tokio::sync::Notify,
    pub release: tokio::sync::Notify,
}

impl Echo {
    pub async fn plain() -> Echo {
        Echo::start(None).await
    }

    /// HTTPS with a certificate from the world's backend CA (valid for `backend.internal`,
    /// `localhost` and 127.0.0.1).
    pub async fn tls(world: &World, client_ca: Option<CertificateDer<'static>>) -> Echo {
        Echo::tls_for(
            world,
            Leaf::server(&["backend.internal", "localhost"]),
            client_ca,
        )
        .await
    }

    /// HTTPS with a certificate from the world's backend CA for `leaf`.
    pub async fn tls_for(
        world: &World,
        leaf: Leaf,
        client_ca: Option<CertificateDer<'static>>,
    ) -> Echo {
        let issued = world.backend_ca.leaf(leaf);
        Echo::start(Some(EchoTls {
            cert: issued.chain(),
            key: issued.key_der(),
            client_ca,
        }))
        .await
    }

    /// HTTPS with a self-signed certificate.
    pub async fn self_signed() -> Echo {
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress("127.0.0.1".parse().expect("ip")));
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("self-signed");
        let key_der = PrivateKeyDer::Pkcs8(key.serialize_der().into());
        Echo::start(Some(EchoTls {
            cert: vec![cert.der().clone()],
            key: key_der,
            client_ca: None,
        }))
        .await
    }

    pub async fn start(tls: Option<EchoTls>) -> Echo {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind echo");
        let addr = listener.local_addr().expect("addr");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://127.0.0.1:{}", addr.port());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let acceptor = tls.map(|t| {
            let builder = rustls::ServerConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .expect("v");
            let builder = match t.client_ca {
                Some(ca) => {
                    let mut roots = rustls::RootCertStore::empty();
                    roots.add(ca).expect("ca");
                    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                        Arc::new(roots),
                        provider(),
                    )
                    .build()
                    .expect("verifier");
                    builder.with_client_cert_verifier(verifier)
                }
                None => builder.with_no_client_auth(),
            };
            let mut config = builder.with_single_cert(t.cert, t.key).expect("echo cert");
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            tokio_rustls::TlsAcceptor::from(Arc::new(config))
        });
        let seen_task = seen.clone();
        let hold = Arc::new(Hold::default());
        let hold_task = hold.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen_task.clone();
                let hold = hold_task.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor {
                        Some(acceptor) => {
                            let Ok(tls) = acceptor.accept(tcp).await else {
                                return;
                            };
                            let cert = tls
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first().cloned());
                            serve_echo(
                                TokioIo::new(tls),
                                seen,
                                hold,
                                cert.map(|c| sha1_smol_like::sha1_hex(&c)),
                            )
                            .await;
                        }
                        None => serve_echo(TokioIo::new(tcp), seen, hold, None).await,
                    }
                });
            }
        });
        Echo {
            addr,
            url,
            seen,
            hold,
        }
    }

    pub fn requests(&self) -> Vec<Value> {
        self.seen.lock().expect("seen").clone()
    }

    pub fn last(&self) -> Value {
        self.requests()
            .last()
            .cloned()
            .expect("the backend received no request")
    }
}

async fn serve_echo<I>(
    io: I,
    seen: Arc<Mutex<Vec<Value>>>,
    hold: Arc<Hold>,
    client_thumbprint: Option<String>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request: hyper::Request<Incoming>| {
        let seen = seen.clone();
        let hold = hold.clone();
        let thumbprint = client_thumbprint.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let headers: serde_json::Map<String, Value> = parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        Value::String(v.to_str().unwrap_or_default().to_string()),
                    )
                })
                .collect();
            let record = serde_json::json!({
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "query": parts.uri.query(),
                "headers": headers,
                "body_len": body.len(),
                "client_cert_thumbprint": thumbprint,
            });
            seen.lock().expect("seen").push(record.clone());
            if parts.uri.path().starts_with("/hold") {
                hold.arrived.notify_one();
                hold.release.notified().await;
            }
            let mut response = hyper::Response::new(Full::new(Bytes::from(record.to_string())));
            response
                .headers_mut()
                .insert("x-echo", "1".parse().expect("hv"));
            Ok::<_, Infallible>(response)
        }
    });
    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

// ---------------------------------------------------------------------------------------------
// Client

#[derive(Clone)]
pub struct TlsClient {
    pub config: Arc<rustls::ClientConfig>,
    pub h2: bool,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
    pub resumed: bool,
    pub alpn_h2: bool,
    /// The server certificate the handshake presented (DER).
    pub server_cert: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A header the backend received (the echo backend's JSON).
    pub fn seen_header(&self, name: &str) -> Option<String> {
        self.json()["headers"][name].as_str().map(str::to_string)
    }
}

pub struct Req<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: Vec<u8>,
}

impl<'a> Req<'a> {
    pub fn get(path: &'a str) -> Req<'a> {
        Req {
            method: "GET",
            path,
            headers: vec![],
            body: vec![],
        }
    }

    pub fn post(path: &'a str, body: Vec<u8>) -> Req<'a> {
        Req {
            method: "POST",
            path,
            headers: vec![],
            body,
        }
    }

    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Req<'a> {
        self.headers.push((name, value.into()));
        self
    }
}

impl TlsClient {
    /// One request on a new connection to `addr` with SNI `host`. `Err` is a TLS or connection
    /// failure, with its message.
    pub async fn send(&self, addr: SocketAddr, host: &str, req: Req<'_>) -> Result<Reply, String> {
        let tls = self.try_connect(addr, host).await?;
        let resumed = tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
        let alpn_h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
        let server_cert = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.to_vec())
            .unwrap_or_default();
        let mut builder = hyper::Request::builder().method(req.method);
        builder = if alpn_h2 {
            builder.uri(format!("https://{host}{}", req.path))
        } else {
            builder.uri(req.path).header("host", host)
        };
        for (name, value) in &req.headers {
            builder = builder.header(*name, value.as_str());
        }
        let request = builder
            .body(Full::new(Bytes::from(req.body)))
            .map_err(|e| e.to_string())?;
        let io = TokioIo::new(tls);
        let response = if alpn_h2 {
            let (mut sender, conn) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                    .await
                    .map_err(|e| e.to_string())?;
            let conn = tokio::spawn(conn);
            match sender.send_request(request).await {
                Ok(response) => response,
                Err(e) => return Err(format!("h2: {}{}", chain(&e), connection_error(conn).await)),
            }
        } else {
            let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
                .await
                .map_err(|e| e.to_string())?;
            let conn = tokio::spawn(conn);
            match sender.send_request(request).await {
                Ok(response) => response,
                Err(e) => {
                    return Err(format!(
                        "http1: {}{}",
                        chain(&e),
                        connection_error(conn).await
                    ))
                }
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes()
            .to_vec();
        Ok(Reply {
            status,
            headers,
            body,
            resumed,
            alpn_h2,
            server_cert,
        })
    }

    pub async fn get(&self, addr: SocketAddr, host: &str, path: &str) -> Reply {
        self.send(addr, host, Req::get(path))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `reqs` one after the other on one HTTP/1.1 connection; the statuses, or why the
    /// connection could not carry them all.
    pub async fn sequential(
        &self,
        addr: SocketAddr,
        host: &str,
        reqs: Vec<Req<'_>>,
    ) -> Result<Vec<u16>, String> {
        let tls = self.try_connect(addr, host).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        let mut conn = Some(tokio::spawn(conn));
        let mut statuses = Vec::new();
        for (i, req) in reqs.into_iter().enumerate() {
            if let Err(e) = sender.ready().await {
                let why = match conn.take() {
                    Some(conn) => connection_error(conn).await,
                    None => String::new(),
                };
                return Err(format!("request {i}: connection not reusable: {e}{why}"));
            }
            let mut builder = hyper::Request::builder()
                .method(req.method)
                .uri(req.path)
                .header("host", host);
            for (name, value) in &req.headers {
                builder = builder.header(*name, value.as_str());
            }
            let request = builder
                .body(Full::new(Bytes::from(req.body)))
                .map_err(|e| e.to_string())?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("request {i}: {}", chain(&e)))?;
            statuses.push(response.status().as_u16());
            response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("request {i}: body: {e}"))?;
        }
        Ok(statuses)
    }
}

/// Why the connection task ended, when a request on it failed (the TLS alert is found there).
async fn connection_error(conn: tokio::task::JoinHandle<Result<(), hyper::Error>>) -> String {
    match conn.await {
        Ok(Err(e)) => format!("; connection: {}", chain(&e)),
        _ => String::new(),
    }
}

/// An error with its sources, `a: b: c`.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The AppGW listener's address in a one-listener topology.
pub fn appgw_addr(rt: &RunningRuntime) -> SocketAddr {
    rt.site_addr("application_gateway.main.listener.public")
        .expect("listener")
}

pub fn apim_addr(rt: &RunningRuntime) -> SocketAddr {
    rt.site_addr(&format!("api_management.main.hostname.{APIM_HOST}"))
        .expect("hostname")
}
