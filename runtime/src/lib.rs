//! gatehouse-runtime: runs a compiled topology (`OUT/runtime/runtime.json`) on loopback ports and
//! answers the way Application Gateway and API Management would, with real TLS and mutual TLS.
//!
//! Entry points: [`serve`] starts and returns a [`RunningRuntime`] handle (tests bind port 0 and
//! read the ports back); [`run`] serves until SIGINT/SIGTERM and reloads on SIGHUP. The runtime
//! reads only the runtime config (crate `gatehouse-runtime-config`); it never sees HCL and must
//! not depend on the compiler.
//!
//! Life of a request: `server` (accept, SNI → site, handshake) → `appgw` (SSL profile verdict,
//! rule, rewrite) or `apim` (API, operation, policy) → `outbound` (pooled TLS client) → back.
#![forbid(unsafe_code)]

mod apim;
mod appgw;
mod clientauth;
mod drain;
pub mod echo;
mod error;
mod eval;
mod log;
mod outbound;
mod pki;
mod respond;
mod server;
mod snapshot;
mod time;
mod tls;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

pub use error::{LoadError, ReloadError, StartError};
pub use gatehouse_runtime_config as config;
pub use log::{LogFormat, LogSink};

use server::Shared;

/// The time certificate checks use. Tests fix it so PKI never depends on today's date.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(SystemTime),
}

impl Clock {
    pub fn now(&self) -> SystemTime {
        match self {
            Clock::System => SystemTime::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// How to run; the config file says what to run.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    pub log_format: LogFormat,
    pub log_sink: LogSink,
    /// One line per request; events (start, reload, rejected reload) are always logged.
    pub access_log: bool,
    pub clock: Clock,
    /// Reload when the config or a file it references changes.
    pub watch: bool,
    /// Admin address overriding `runtime.admin` in the config.
    pub admin: Option<String>,
    /// How long shutdown waits for open connections to finish.
    pub shutdown_grace: Duration,
    /// Extra OS threads, each with its own single-threaded tokio runtime, that accept and serve
    /// connections beside the caller's runtime. 0 serves everything on the caller's runtime.
    /// With a current-thread caller and one extra thread per remaining core, a connection never
    /// changes threads, which is what keeps per-request cost near nginx's.
    pub extra_threads: usize,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            log_format: LogFormat::Text,
            log_sink: LogSink::Stderr,
            access_log: true,
            clock: Clock::System,
            watch: true,
            admin: None,
            shutdown_grace: Duration::from_secs(10),
            extra_threads: 0,
        }
    }
}

/// A site as bound: an AppGW listener or an APIM gateway hostname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteInfo {
    /// `application_gateway.main.listener.public`, `api_management.main.hostname.api.contoso.com`.
    pub address: String,
    /// Host names it answers (SNI); empty for a basic AppGW listener.
    pub host_names: Vec<String>,
    /// The bind string from the config.
    pub bind: String,
    pub local_addr: SocketAddr,
    /// What a client must present here, e.g. for printing a curl command that works.
    pub client_certificate: ClientCertificate,
}

/// Whether a site asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCertificate {
    /// Not requested in the handshake.
    NotRequested,
    /// Requested, never required by the site itself (APIM negotiation, AppGW Passthrough);
    /// policies or the backend may still insist.
    Requested,
    /// AppGW Strict: without a valid one the answer is 400.
    Required,
}

/// A started runtime.
pub struct RunningRuntime {
    shared: Arc<Shared>,
    sites: Vec<SiteInfo>,
    admin: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    /// Set once shutdown has waited for connections, so extra threads may drop their runtimes.
    stopped: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    grace: Duration,
}

impl RunningRuntime {
    pub fn sites(&self) -> &[SiteInfo] {
        &self.sites
    }

    /// The local address of the site with this HCL-style address.
    pub fn site_addr(&self, address: &str) -> Option<SocketAddr> {
        self.sites
            .iter()
            .find(|s| s.address == address)
            .map(|s| s.local_addr)
    }

    /// The local address of the bind string from the config (`127.0.0.1:0` → the real port).
    pub fn bind_addr(&self, bind: &str) -> Option<SocketAddr> {
        self.shared.bound.get(bind).copied()
    }

    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin
    }

    /// The generation of the config serving now: 1 at start, +1 per accepted reload.
    pub fn generation(&self) -> u64 {
        *self.shared.generation.borrow()
    }

    /// Reloads now (as SIGHUP does). On error the old config keeps serving.
    pub async fn reload(&self) -> Result<u64, ReloadError> {
        reload(&self.shared).await
    }

    /// Waits until the config generation reaches `at_least` (a watched file changed).
    pub async fn wait_for_generation(&self, at_least: u64) {
        let mut rx = self.shared.generation.subscribe();
        let _ = rx.wait_for(|g| *g >= at_least).await;
    }

    /// Stops accepting, lets open requests finish (up to the grace period), and returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let wait_idle = async {
            loop {
                let notified = self.shared.idle.notified();
                if self.shared.active.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(self.grace, wait_idle).await;
        let _ = self.stopped.send(true);
        for task in self.tasks {
            task.abort();
        }
        self.shared.logger.event("shutdown", "stopped");
    }
}

/// Loads the config, binds every listener, and starts serving.
pub async fn serve(
    config_path: impl AsRef<Path>,
    options: RuntimeOptions,
) -> Result<RunningRuntime, StartError> {
    let given = config_path.as_ref();
    let config_path = std::fs::canonicalize(given).map_err(|source| LoadError::Read {
        path: given.to_path_buf(),
        source,
    })?;
    let config = snapshot::read_config(&config_path)?;
    outbound::expect_serving_threads(options.extra_threads + 1);
    let logger = log::Logger {
        format: options.log_format,
        sink: options.log_sink.clone(),
        access: options.access_log,
    };

    let mut listeners = Vec::new();
    let mut bound = BTreeMap::new();
    for (bind, address) in snapshot::binds(&config) {
        let bind_error = |source| StartError::Bind {
            bind: bind.clone(),
            address: address.clone(),
            source,
        };
        // A std listener first: serving threads get clones of the same socket.
        let listener = std::net::TcpListener::bind(&bind).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        bound.insert(bind.clone(), local);
        listeners.push((bind, listener));
    }
    let snapshot = snapshot::build(&config, &config_path, &bound, &options.clock, 1)?;
    let sites = site_infos(&snapshot, &bound);
    let files = snapshot.files.clone();

    let admin_bind = options.admin.clone().or(config.runtime.admin.clone());
    let admin_listener = match &admin_bind {
        Some(bind) => {
            Some(
                TcpListener::bind(bind)
                    .await
                    .map_err(|source| StartError::AdminBind {
                        bind: bind.clone(),
                        source,
                    })?,
            )
        }
        None => None,
    };
    let admin = admin_listener.as_ref().and_then(|l| l.local_addr().ok());

    let (generation, _) = watch::channel(1);
    let shared = Arc::new(Shared {
        snapshot: ArcSwap::from_pointee(snapshot),
        logger,
        rates: apim::RateLimits::default(),
        config_path,
        bound,
        clock: options.clock.clone(),
        generation,
        reload_lock: tokio::sync::Mutex::new(()),
        active: AtomicUsize::new(0),
        idle: Notify::new(),
    });
    let (shutdown, shutdown_rx) = watch::channel(false);
    let (stopped, stopped_rx) = watch::channel(false);
    for index in 1..=options.extra_threads {
        let mut clones = Vec::new();
        for (bind, listener) in &listeners {
            let clone = listener.try_clone().map_err(|source| StartError::Bind {
                bind: bind.clone(),
                address: "serving thread".into(),
                source,
            })?;
            clones.push((bind.clone(), clone));
        }
        spawn_serving_thread(
            index,
            shared.clone(),
            clones,
            shutdown_rx.clone(),
            stopped_rx.clone(),
        )?;
    }
    let mut tasks = Vec::new();
    for (bind, listener) in listeners {
        let listener = TcpListener::from_std(listener).map_err(|source| StartError::Bind {
            bind: bind.clone(),
            address: "listener".into(),
            source,
        })?;
        tasks.push(tokio::spawn(server::accept_loop(
            shared.clone(),
            bind,
            listener,
            shutdown_rx.clone(),
        )));
    }
    if let Some(listener) = admin_listener {
        tasks.push(tokio::spawn(server::admin_loop(
            shared.clone(),
            listener,
            shutdown_rx.clone(),
        )));
    }
    if options.watch {
        if let Some(task) = watch_files(shared.clone(), files, shutdown_rx.clone()) {
            tasks.push(task);
        }
    }
    for site in &sites {
        shared.logger.event(
            "listen",
            &format!(
                "{} on https://{} {:?}",
                site.address, site.local_addr, site.host_names
            ),
        );
    }
    Ok(RunningRuntime {
        shared,
        sites,
        admin,
        shutdown,
        stopped,
        tasks,
        grace: options.shutdown_grace,
    })
}

/// A thread with its own current-thread runtime accepting on clones of every listener. It
/// keeps its runtime (and so its connections) alive until shutdown has finished waiting.
fn spawn_serving_thread(
    index: usize,
    shared: Arc<Shared>,
    listeners: Vec<(String, std::net::TcpListener)>,
    shutdown: watch::Receiver<bool>,
    mut stopped: watch::Receiver<bool>,
) -> Result<(), StartError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| StartError::Bind {
            bind: "(serving thread)".into(),
            address: "tokio runtime".into(),
            source,
        })?;
    std::thread::Builder::new()
        .name("gatehouse-serve".into())
        .spawn(move || {
            outbound::enter_serving_thread(index);
            runtime.block_on(async move {
                for (bind, listener) in listeners {
                    let Ok(listener) = TcpListener::from_std(listener) else {
                        continue;
                    };
                    tokio::spawn(server::accept_loop(
                        shared.clone(),
                        bind,
                        listener,
                        shutdown.clone(),
                    ));
                }
                let _ = stopped.wait_for(|s| *s).await;
            });
        })
        .map_err(|source| StartError::Bind {
            bind: "(serving thread)".into(),
            address: "thread".into(),
            source,
        })?;
    Ok(())
}

/// Serves until SIGINT or SIGTERM; SIGHUP reloads.
pub async fn run(config_path: impl AsRef<Path>, options: RuntimeOptions) -> Result<(), StartError> {
    let runtime = serve(config_path, options).await?;
    wait_for_signals(&runtime).await;
    runtime.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signals(runtime: &RunningRuntime) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return,
            _ = term.recv() => return,
            _ = hup.recv() => { let _ = runtime.reload().await; }
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signals(_runtime: &RunningRuntime) {
    let _ = tokio::signal::ctrl_c().await;
}

fn site_infos(
    snapshot: &snapshot::Snapshot,
    bound: &BTreeMap<String, SocketAddr>,
) -> Vec<SiteInfo> {
    let mut sites = Vec::new();
    for (bind, port_sites) in &snapshot.ports {
        let Some(local_addr) = bound.get(bind) else {
            continue;
        };
        for site in port_sites {
            let client_certificate = match &site.kind {
                snapshot::SiteKind::AppGw(appgw) => match appgw.trust.as_ref().map(|t| t.mode) {
                    None => ClientCertificate::NotRequested,
                    Some(config::VerifyClientAuthMode::Strict) => ClientCertificate::Required,
                    Some(config::VerifyClientAuthMode::Passthrough) => ClientCertificate::Requested,
                },
                snapshot::SiteKind::Apim(apim) if apim.requests_cert => {
                    ClientCertificate::Requested
                }
                snapshot::SiteKind::Apim(_) => ClientCertificate::NotRequested,
            };
            sites.push(SiteInfo {
                address: site.address.clone(),
                host_names: site.host_names.clone(),
                bind: bind.clone(),
                local_addr: *local_addr,
                client_certificate,
            });
        }
    }
    sites.sort_by(|a, b| a.address.cmp(&b.address));
    sites
}

async fn reload(shared: &Shared) -> Result<u64, ReloadError> {
    let _guard = shared.reload_lock.lock().await;
    let result = try_reload(shared);
    match &result {
        Ok(generation) => shared
            .logger
            .event("reload", &format!("config generation {generation} serving")),
        Err(e) => shared.logger.event(
            "reload_rejected",
            &format!("{e}; the previous config keeps serving"),
        ),
    }
    result
}

fn try_reload(shared: &Shared) -> Result<u64, ReloadError> {
    let config = snapshot::read_config(&shared.config_path)?;
    let binds = snapshot::binds(&config);
    if !binds.keys().eq(shared.bound.keys()) {
        let now: Vec<_> = binds.keys().cloned().collect();
        return Err(ReloadError::BindsChanged(now.join(", ")));
    }
    let generation = shared.snapshot.load().generation + 1;
    let snapshot = snapshot::build(
        &config,
        &shared.config_path,
        &shared.bound,
        &shared.clock,
        generation,
    )?;
    shared.snapshot.store(Arc::new(snapshot));
    shared.generation.send_replace(generation);
    Ok(generation)
}

/// Watches the directories of every file the config uses; a change to one of those files
/// reloads after the burst of events settles (editors and `cp` write in several steps).
fn watch_files(
    shared: Arc<Shared>,
    files: BTreeSet<PathBuf>,
    mut shutdown: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    use notify::Watcher;
    let (tx, mut rx) = mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if !is_change(&event.kind) {
            return;
        }
        for path in event.paths {
            let _ = tx.send(path);
        }
    })
    .map_err(|e| shared.logger.event("watch_unavailable", &e.to_string()))
    .ok()?;
    let mut watched = BTreeSet::new();
    let mut watch_dirs = move |watcher: &mut notify::RecommendedWatcher,
                               files: &BTreeSet<PathBuf>| {
        for dir in files.iter().filter_map(|f| f.parent()) {
            if watched.insert(dir.to_path_buf()) {
                let _ = watcher.watch(dir, notify::RecursiveMode::NonRecursive);
            }
        }
    };
    watch_dirs(&mut watcher, &files);
    Some(tokio::spawn(async move {
        let mut files = files;
        loop {
            let first = tokio::select! {
                path = rx.recv() => path,
                _ = shutdown.changed() => return,
            };
            let Some(first) = first else { return };
            let mut changed = files.contains(&first);
            // Settle: take every event arriving within 100 ms of the previous one.
            while let Ok(Some(path)) =
                tokio::time::timeout(Duration::from_millis(100), rx.recv()).await
            {
                changed |= files.contains(&path);
            }
            if !changed {
                continue;
            }
            if reload(&shared).await.is_ok() {
                files = shared.snapshot.load().files.clone();
                watch_dirs(&mut watcher, &files);
            }
        }
    }))
}

/// Whether a file event can mean new contents. Opening and reading (which a reload itself does)
/// must not count, or every reload would trigger the next.
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
    use notify::EventKind;
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};
    use notify::EventKind;

    #[test]
    fn reading_a_file_is_not_a_change() {
        assert!(!super::is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!super::is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(super::is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(super::is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(super::is_change(&EventKind::Create(CreateKind::File)));
    }
}
