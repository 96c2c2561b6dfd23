//! `gatehouse run OUT/runtime`: serve a compiled runtime config with the bundled runtime until
//! SIGINT or SIGTERM (SIGHUP reloads); `gatehouse up` shares the runtime options and the
//! serving loop.

use super::RunError;
use clap::{Args, ValueEnum};
use gatehouse_runtime::config::CONFIG_FILE_NAME;
use gatehouse_runtime::{LogFormat, RuntimeOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The runtime config: `OUT/runtime` (the directory `gatehouse compile --target runtime`
    /// wrote) or the `runtime.json` in it.
    pub config: PathBuf,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// How the runtime runs (both `run` and `up`).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Access and event log lines as text or JSON lines (on stderr).
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,

    /// Serve `/.gatehouse/health` on this address (overrides the config's `runtime.admin`).
    #[arg(long, value_name = "ADDR")]
    pub admin: Option<String>,

    /// Do not reload when the config or a certificate changes (SIGHUP still reloads).
    #[arg(long)]
    pub no_watch: bool,

    /// No line per request (start, reload and shutdown events are still logged).
    #[arg(long)]
    pub no_access_log: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

impl ServeArgs {
    pub fn options(&self) -> RuntimeOptions {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        RuntimeOptions {
            log_format: match self.log_format {
                LogFormatArg::Text => LogFormat::Text,
                LogFormatArg::Json => LogFormat::Json,
            },
            admin: self.admin.clone(),
            watch: !self.no_watch,
            access_log: !self.no_access_log,
            // One single-threaded runtime per core, each accepting on the same sockets (see
            // `RuntimeOptions::extra_threads`).
            extra_threads: cores.saturating_sub(1),
            ..RuntimeOptions::default()
        }
    }
}

pub fn run(args: &RunArgs) -> Result<ExitCode, RunError> {
    let path = config_file(&args.config);
    serve_until_signal(&path, args.serve.options(), |_| {})
}

/// `runtime.json` in `path` when it is a directory.
pub fn config_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(CONFIG_FILE_NAME)
    } else {
        path.to_path_buf()
    }
}

/// Starts the runtime, hands the started runtime to `started` (to print what it serves), and
/// serves until SIGINT or SIGTERM. A config that cannot start is exit code 2 with the
/// runtime's message, which names the file or port.
pub fn serve_until_signal(
    path: &Path,
    options: RuntimeOptions,
    started: impl FnOnce(&gatehouse_runtime::RunningRuntime),
) -> Result<ExitCode, RunError> {
    tokio_runtime()?.block_on(serve_and_wait(path, options, started))
}

/// The single-threaded tokio runtime the CLI serves on (extra serving threads come from
/// `RuntimeOptions::extra_threads`).
pub fn tokio_runtime() -> Result<tokio::runtime::Runtime, RunError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| RunError::Read {
            path: PathBuf::from("(tokio runtime)"),
            source,
        })
}

/// [`serve_until_signal`] inside a tokio runtime the caller runs.
pub async fn serve_and_wait(
    path: &Path,
    options: RuntimeOptions,
    started: impl FnOnce(&gatehouse_runtime::RunningRuntime),
) -> Result<ExitCode, RunError> {
    let running = match gatehouse_runtime::serve(path, options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    started(&running);
    wait_for_signal(&running).await;
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
async fn wait_for_signal(running: &gatehouse_runtime::RunningRuntime) {
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
            _ = hup.recv() => {
                // A broken config is logged by the runtime; the old one keeps serving.
                let _ = running.reload().await;
            }
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal(_running: &gatehouse_runtime::RunningRuntime) {
    let _ = tokio::signal::ctrl_c().await;
}
