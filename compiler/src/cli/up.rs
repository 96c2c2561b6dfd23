//! `gatehouse up [DIR]`: check and compile the topology's runtime target into a temporary
//! directory, serve it, and print each local URL with a curl command that works as printed.
//!
//! Host names stay the topology's (SNI and `Host` pick the site, as in Azure); curl reaches
//! them on loopback with `--resolve`. The commands trust the dev PKI's CA and present its
//! client certificate when `gatehouse pki init` has made them; otherwise they say what is
//! missing.

use super::compile::{self, CompileArgs};
use super::run::ServeArgs;
use super::RunError;
use crate::emit::runtime::PKI_DIR;
use clap::Args;
use gatehouse_runtime::config::{RouteTarget, RuntimeConfig, CONFIG_FILE_NAME};
use gatehouse_runtime::{ClientCertificate, SiteInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The dev PKI's CA that issues local server certificates, relative to the topology root.
pub const SERVER_CA: &str = "server-ca.pem";

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Directory holding the topology's .hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    #[arg(long = "var", value_name = "NAME=VALUE", help = super::VAR_HELP)]
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
    // 1. The dev PKI: made on the first run, kept afterwards.
    let pki = super::pki::run(
        &super::pki::PkiArgs {
            command: super::pki::PkiCommand::Init(super::pki::InitArgs {
                dir: args.dir.clone(),
                force: false,
                vars: args.vars.clone(),
                now: args.now.clone(),
            }),
        },
        true,
    )?;
    if pki != ExitCode::SUCCESS {
        return Ok(pki);
    }
    let out = tempfile::tempdir().map_err(|source| RunError::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let pki_dir = args.dir.join(PKI_DIR);
    let runtime = super::run::tokio_runtime()?;
    runtime.block_on(async {
        // 2. An echo backend for every backend host name, each with its dev certificate.
        let mut echoes = Vec::new();
        let mut resolve = BTreeMap::new();
        for host in backend_hosts(&args.dir, &args.vars) {
            let cert = pki_dir.join("backends").join(format!("{host}.pem"));
            let key = pki_dir.join("backends").join(format!("{host}.key"));
            let client_ca = pki_dir.join("client-ca-chain.pem");
            let echo = gatehouse_runtime::echo::start(gatehouse_runtime::echo::EchoConfig {
                bind: "127.0.0.1:0",
                cert_file: &cert,
                key_file: &key,
                client_ca_file: client_ca.is_file().then_some(client_ca.as_path()),
            })
            .await;
            match echo {
                Ok(echo) => {
                    resolve.insert(host.clone(), echo.local_addr.to_string());
                    echoes.push((host, echo));
                }
                Err(e) => {
                    eprintln!("error: echo backend for `{host}`: {e}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        // 3. Check and compile the runtime target, pointing backends at the echoes.
        let compiled = compile::run(
            &CompileArgs {
                dir: args.dir.clone(),
                out: out.path().to_path_buf(),
                target: vec!["runtime".to_string()],
                check: false,
                vars: args.vars.clone(),
                now: args.now.clone(),
                runtime_port_base: args.port_base,
                runtime_resolve_pairs: Vec::new(),
                runtime_resolve: resolve,
            },
            true,
            color,
        )?;
        if compiled != ExitCode::SUCCESS {
            return Ok(compiled);
        }
        // 4. Serve, and say how to try it.
        let path = out.path().join("runtime").join(CONFIG_FILE_NAME);
        let config = std::fs::read(&path)
            .ok()
            .and_then(|bytes| RuntimeConfig::from_json(&bytes).ok());
        let dir = args.dir.clone();
        let echo_lines: Vec<String> = echoes
            .iter()
            .map(|(host, e)| format!("  echo backend for {host} on {}", e.local_addr))
            .collect();
        super::run::serve_and_wait(&path, args.serve.options(), |running| {
            if quiet {
                return;
            }
            outln!(
                "gatehouse up: serving {} (Ctrl-C stops; the compiled config is in {})",
                dir.display(),
                out.path().display()
            );
            for line in &echo_lines {
                outln!("{line}");
            }
            if let Some(config) = &config {
                for line in describe(running.sites(), config, &dir) {
                    outln!("{line}");
                }
            }
        })
        .await
    })
}

/// The backend host names of the topology (the echo backends answer as them).
fn backend_hosts(dir: &Path, vars: &[String]) -> Vec<String> {
    let Ok(options) = super::check::parse_vars(vars) else {
        return Vec::new();
    };
    let loaded = crate::load::load(&crate::syntax::FsWorld::new(dir), "", &options);
    crate::pki::backend_hosts(&loaded.model)
}

/// What `up` prints: per site its address, URL and what it asks of clients, then the curl
/// commands that show its behaviour, each under the result it gives. The commands work as
/// printed (an integration test runs them).
pub fn describe(sites: &[SiteInfo], config: &RuntimeConfig, dir: &Path) -> Vec<String> {
    let pki = dir.join(PKI_DIR);
    let ca = pki.join(SERVER_CA);
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
        let url = format!("https://{host}:{port}{path}");
        let asks = match site.client_certificate {
            ClientCertificate::Required => "client certificate required",
            ClientCertificate::Requested => "client certificate requested",
            ClientCertificate::NotRequested => "no client certificate",
        };
        out.push(String::new());
        out.push(format!("  {}  {url}  ({asks})", site.address));
        let mut base = format!(
            "curl -sS -i --resolve {host}:{port}:{} ",
            site.local_addr.ip()
        );
        if ca.is_file() {
            base.push_str(&format!("--cacert {} ", ca.display()));
        } else {
            base.push_str("--insecure ");
        }
        if let Some((header, key)) = &subscription {
            base.push_str(&format!("-H '{header}: {key}' "));
        }
        let with = |name: &str| {
            let (cert, key) = (
                pki.join(format!("{name}.pem")),
                pki.join(format!("{name}.key")),
            );
            (cert.is_file() && key.is_file()).then(|| {
                format!(
                    "{base}--cert {} --key {} {url}",
                    cert.display(),
                    key.display()
                )
            })
        };
        let is_appgw = site.address.starts_with("application_gateway.");
        let revocation = is_appgw && appgw_checks_revocation(site, config);
        for (what, command) in scenarios(site.client_certificate, is_appgw, revocation) {
            let command = match command {
                Scenario::Partner => with("client"),
                Scenario::Revoked => with("revoked"),
                Scenario::NoCertificate => Some(format!("{base}{url}")),
            };
            if let Some(command) = command {
                out.push(format!("    # {what}"));
                out.push(format!("    {command}"));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Partner,
    Revoked,
    NoCertificate,
}

/// The behaviours worth showing at a site, with what they give.
fn scenarios(
    asks: ClientCertificate,
    is_appgw: bool,
    revocation: bool,
) -> Vec<(&'static str, Scenario)> {
    match (asks, is_appgw) {
        (ClientCertificate::Required, true) => {
            let mut v = vec![
                (
                    "accepted: the partner certificate; the backend sees it forwarded in the rewrite header",
                    Scenario::Partner,
                ),
                (
                    "rejected: no certificate (400 No required SSL certificate was sent)",
                    Scenario::NoCertificate,
                ),
            ];
            if revocation {
                v.push((
                    "rejected: a revoked certificate (400 The SSL certificate error)",
                    Scenario::Revoked,
                ));
            }
            v
        }
        (ClientCertificate::Requested, _) | (ClientCertificate::Required, false) => vec![
            (
                "with the partner certificate: policies see context.Request.Certificate",
                Scenario::Partner,
            ),
            (
                "without one: the certificate is null for policies",
                Scenario::NoCertificate,
            ),
        ],
        (ClientCertificate::NotRequested, _) => vec![(
            "no certificate is asked for here: context.Request.Certificate is null",
            Scenario::NoCertificate,
        )],
    }
}

/// Whether the SSL profile of an Application Gateway listener checks revocation (a CRL).
fn appgw_checks_revocation(site: &SiteInfo, config: &RuntimeConfig) -> bool {
    config.application_gateways.values().any(|gw| {
        gw.listeners.values().any(|l| {
            l.bind == site.bind
                && l.host_names == site.host_names
                && l.ssl_profile
                    .as_ref()
                    .and_then(|p| gw.ssl_profiles.get(p))
                    .is_some_and(|p| !p.crl_files.is_empty())
        })
    })
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
