//! `gatehouse up [DIR]`: check and compile the topology's runtime target into a temporary
//! directory, serve it, and print each local URL with a curl command that works as printed.
//!
//! Host names stay the topology's (SNI and `Host` pick the site, as in Azure); curl reaches
//! them on loopback with `--resolve`. The commands trust the dev PKI's CA and present its
//! client certificate when `gatehouse pki init` has made them; otherwise they say what is
//! missing.

use super::compile::{self, CompileArgs};
use super::run::{serve_until_signal, ServeArgs};
use super::RunError;
use crate::emit::runtime::PKI_DIR;
use clap::Args;
use gatehouse_runtime::config::{RouteTarget, RuntimeConfig, CONFIG_FILE_NAME};
use gatehouse_runtime::{ClientCertificate, SiteInfo};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The dev PKI's CA that issues local server certificates, relative to the topology root.
pub const SERVER_CA: &str = "server-ca.pem";
/// The dev PKI's client certificate curl presents.
pub const CLIENT_CERT: &str = "client.pem";
pub const CLIENT_KEY: &str = "client.key";

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Directory holding the topology's .hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Set a root variable: `--var name=value` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// The date certificates are checked against (see `gatehouse check --now`).
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,

    /// The base of the loopback ports: frontend port 443 is served on base + 443, API
    /// Management hostnames on base + 1443.
    #[arg(long, value_name = "PORT", default_value_t = crate::emit::runtime::PORT_BASE)]
    pub port_base: u16,

    #[command(flatten)]
    pub serve: ServeArgs,
}

pub fn run(args: &UpArgs, quiet: bool, color: bool) -> Result<ExitCode, RunError> {
    let out = tempfile::tempdir().map_err(|source| RunError::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let compiled = compile::run(
        &CompileArgs {
            dir: args.dir.clone(),
            out: out.path().to_path_buf(),
            target: vec!["runtime".to_string()],
            check: false,
            vars: args.vars.clone(),
            now: args.now.clone(),
            runtime_port_base: args.port_base,
        },
        true,
        color,
    )?;
    if compiled != ExitCode::SUCCESS {
        return Ok(compiled);
    }
    let path = out.path().join("runtime").join(CONFIG_FILE_NAME);
    let config = std::fs::read(&path)
        .ok()
        .and_then(|bytes| RuntimeConfig::from_json(&bytes).ok());
    let dir = args.dir.clone();
    serve_until_signal(&path, args.serve.options(), |running| {
        if quiet {
            return;
        }
        println!(
            "gatehouse up: serving {} (Ctrl-C stops; the config is in {})",
            dir.display(),
            out.path().display()
        );
        if let Some(config) = &config {
            for line in describe(running.sites(), config, &dir) {
                println!("{line}");
            }
        }
    })
}

/// What `up` prints: per site its address, URL, what it asks of clients, and a curl command.
pub fn describe(sites: &[SiteInfo], config: &RuntimeConfig, dir: &Path) -> Vec<String> {
    let pki = dir.join(PKI_DIR);
    let ca = pki.join(SERVER_CA);
    let (cert, key) = (pki.join(CLIENT_CERT), pki.join(CLIENT_KEY));
    let mut sites: Vec<&SiteInfo> = sites.iter().collect();
    sites.sort_by(|a, b| a.address.cmp(&b.address));
    let mut out = Vec::new();
    for site in sites {
        let host = site
            .host_names
            .iter()
            .find(|h| !h.contains('*') && !h.contains('?'))
            .cloned()
            .unwrap_or_else(|| "localhost".to_string());
        let port = site.local_addr.port();
        let (path, subscription) = example_path(site, config, &host);
        let asks = match site.client_certificate {
            ClientCertificate::Required => "client certificate required",
            ClientCertificate::Requested => "client certificate requested",
            ClientCertificate::NotRequested => "no client certificate",
        };
        out.push(format!(
            "\n  {}\n    https://{host}:{port}{path}  ({asks})",
            site.address
        ));
        let mut curl = format!("    curl --resolve {host}:{port}:{} ", site.local_addr.ip());
        if ca.is_file() {
            curl.push_str(&format!("--cacert {} ", ca.display()));
        } else {
            curl.push_str("--insecure ");
        }
        if site.client_certificate != ClientCertificate::NotRequested {
            if cert.is_file() && key.is_file() {
                curl.push_str(&format!(
                    "--cert {} --key {} ",
                    cert.display(),
                    key.display()
                ));
            } else if site.client_certificate == ClientCertificate::Required {
                out.push(format!(
                    "    (no {} yet: `gatehouse pki init {}` makes one this site trusts)",
                    cert.display(),
                    dir.display()
                ));
            }
        }
        if let Some((header, key)) = subscription {
            curl.push_str(&format!("-H '{header}: {key}' "));
        }
        curl.push_str(&format!("https://{host}:{port}{path}"));
        out.push(curl);
    }
    out
}

/// A path that reaches an API through the site (its first operation, parameters filled in),
/// and the subscription key header the API wants, if any.
fn example_path(
    site: &SiteInfo,
    config: &RuntimeConfig,
    host: &str,
) -> (String, Option<(String, String)>) {
    // An Application Gateway listener: the API Management hostname its rule routes to.
    let mut apim_host = host.to_string();
    for gw in config.application_gateways.values() {
        for rule in gw.routing_rules.values() {
            let Some(listener) = gw.listeners.get(&rule.listener) else {
                continue;
            };
            if listener.bind == site.bind && listener.host_names.iter().any(|h| h == host) {
                match &rule.default_target {
                    RouteTarget::Apim(t) => apim_host = t.hostname.clone(),
                    RouteTarget::Backend(_) => return ("/".to_string(), None),
                }
            }
        }
    }
    for apim in config.api_managements.values() {
        if !apim.hostnames.contains_key(&apim_host) {
            continue;
        }
        for api in apim.apis.values() {
            if !api.hostnames.is_empty() && !api.hostnames.contains(&apim_host) {
                continue;
            }
            let mut operations: Vec<_> = api.operations.values().collect();
            operations.sort_by_key(|o| o.method != "GET");
            let template = operations
                .first()
                .map(|o| o.url_template.as_str())
                .unwrap_or("/");
            let filled: Vec<String> = template
                .trim_end_matches("/*")
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "1".to_string()
                    } else {
                        segment.to_string()
                    }
                })
                .collect();
            let path = filled.join("/");
            let prefix = if api.path.is_empty() {
                String::new()
            } else {
                format!("/{}", api.path)
            };
            let subscription = api.subscription.as_ref().and_then(|s| {
                let key = s.keys.values().next()?;
                Some((s.header_name.clone(), key.clone()))
            });
            return (
                format!("{prefix}{}", if path.is_empty() { "/" } else { &path }),
                subscription,
            );
        }
    }
    ("/".to_string(), None)
}
