//! Errors the runtime returns: loading a config (at start and on reload) and starting.
//!
//! Each variant carries the file, address or port that failed, so the message alone tells the user
//! what to fix. Request-time failures are not here: they become HTTP responses (see `respond.rs`).

use std::path::PathBuf;

/// A config (or a file it references) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Config {
        path: PathBuf,
        source: gatehouse_runtime_config::ConfigError,
    },
    #[error("{}: {message}", path.display())]
    Pem { path: PathBuf, message: String },
    #[error("private key {} does not match certificate {}: {message}", key.display(), cert.display())]
    KeyMismatch {
        cert: PathBuf,
        key: PathBuf,
        message: String,
    },
    #[error("unreadable CRL {}: {message}", path.display())]
    Crl { path: PathBuf, message: String },
    #[error("trusted client CA file {}: {message}", path.display())]
    TrustedCa { path: PathBuf, message: String },
    #[error("{address}: {message}")]
    Invalid { address: String, message: String },
    #[error("{address}: TLS setup failed: {source}")]
    Tls {
        address: String,
        source: rustls::Error,
    },
}

/// Why [`crate::serve`] could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot listen on {bind} (for {address}): {source}")]
    Bind {
        bind: String,
        address: String,
        source: std::io::Error,
    },
    #[error("cannot listen on admin address {bind}: {source}")]
    AdminBind {
        bind: String,
        source: std::io::Error,
    },
}

/// Why a reload was refused; the previous config keeps serving.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("bind addresses changed ({0}); restart the runtime to apply")]
    BindsChanged(String),
}
