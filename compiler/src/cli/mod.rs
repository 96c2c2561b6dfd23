//! The `gatehouse` command line: argument parsing, reading the topology from disk, printing,
//! exit codes. This is the only module that touches the file system, the environment, the
//! clock, stdout and the process exit code.
//!
//! Exit codes: 0 clean, 1 findings (errors, or warnings with `--deny-warnings`), 2 gatehouse
//! could not run (bad arguments, unreadable directory, failed write).

#[macro_use]
mod stdout;
mod check;
mod compile;
mod explain;
mod fmt;
mod graph;
mod pki;
mod run;
mod up;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// `--var`, the same on every command that loads a topology.
const VAR_HELP: &str = "Set a root variable: `--var name=value` (repeatable); GATEHOUSE_VAR_<name> in the environment sets one too, `--var` wins";

/// gatehouse checks and compiles Azure Application Gateway + API Management mutual-TLS
/// topologies written in HCL.
///
/// A topology is a directory of `*.hcl` files. `gatehouse check` loads it, resolves every
/// reference and reports mistakes with their source location; `gatehouse explain CODE` tells
/// what a diagnostic means and how to fix it.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Examples:\n  gatehouse check examples/appgw-apim-keyvault\n  gatehouse check --format sarif . > gatehouse.sarif\n  gatehouse compile examples/appgw-apim-keyvault --out out\n  gatehouse up examples/appgw-apim-keyvault\n  gatehouse explain GH101\n  gatehouse fmt --check .\n\nExit codes: 0 clean; 1 findings (errors, warnings with --deny-warnings, unformatted files or\ndrift with --check); 2 could not run.\n`gatehouse help COMMAND` or `gatehouse COMMAND --help` describes each command."
)]
pub struct Cli {
    /// Print only what needs attention: no summary, progress or banner lines, nothing at all
    /// when clean (`compile` then prints errors only, not warnings; `explain`, `graph` and
    /// `run` print the same either way).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// When to colour diagnostics and diffs (`auto` honours NO_COLOR and whether stdout is a
    /// terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a topology, resolve references and run every check; report the findings.
    ///
    /// Exits 0 when there is no error, 1 when there is one (or a warning with
    /// --deny-warnings), 2 when the topology cannot be read.
    Check(check::CheckArgs),
    /// Check a topology, then write what deploys it (OUT/terraform, OUT/bicep) and, with
    /// `--target runtime` or `all`, what runs it locally (OUT/runtime).
    ///
    /// Nothing is written when the topology has errors; each target directory is replaced
    /// whole. With --check nothing is written: it prints a unified diff against OUT and exits 1
    /// when they differ (a drift gate for CI).
    Compile(compile::CompileArgs),
    /// Serve a compiled runtime config (OUT/runtime) with the bundled mutual-TLS runtime,
    /// which answers as Application Gateway and API Management would.
    ///
    /// Runs until SIGINT or SIGTERM; SIGHUP or a changed file reloads (a broken new config is
    /// logged and the old one keeps serving). Exits 2 when it cannot start: a missing or
    /// mismatched certificate or key, an unreadable CRL, a port in use.
    Run(run::RunArgs),
    /// Run a topology locally: make its dev PKI (kept once made), start an echo backend per
    /// backend host, check and compile its runtime target into a temporary directory, serve it,
    /// and print the curl commands that show each behaviour, with the result each gives.
    ///
    /// The dev PKI is written to DIR/.gatehouse/pki/ (as `gatehouse pki init` does) and the
    /// commands use it. Runs until Ctrl-C (SIGINT) or SIGTERM. Exits 1 when the topology has
    /// errors (nothing is served), 2 when it cannot start (a port in use, a missing file).
    Up(up::UpArgs),
    /// The development PKI of a topology under DIR/.gatehouse/pki/ (git-ignored): local
    /// stand-ins for every certificate it uses, so it runs with `gatehouse up`.
    Pki(pki::PkiArgs),
    /// Print the long explanation of a diagnostic code (GH101) or name (unresolved-reference).
    ///
    /// The text says what the code checks, why (the Azure behaviour), an example and the fix;
    /// docs/checks.md holds the same texts. An unknown code exits 2 with the closest one.
    Explain(explain::ExplainArgs),
    /// Rewrite the topology's .hcl files in canonical layout, keeping comments.
    ///
    /// With --check nothing is written: it prints a diff of what would change and exits 1 when
    /// a file is not formatted.
    Fmt(fmt::FmtArgs),
    /// Write the topology graph (listeners, hostnames, APIs, policies, backends, certificates,
    /// Key Vaults, identities and the references between them) as DOT or JSON.
    ///
    /// The graph goes to stdout (`gatehouse graph . | dot -Tsvg > topology.svg`). A topology
    /// that does not load prints its errors instead and exits 1.
    Graph(graph::GraphArgs),
}

/// Output formats of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text with source excerpts.
    Human,
    /// One JSON document (schema in docs/diagnostics.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// JUnit XML, for Azure Pipelines' PublishTestResults (one test case per check).
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// A failure to run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Usage(String),
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cli.color.enabled();
    let result = match &cli.command {
        Command::Check(args) => check::run(args, cli.quiet, color),
        Command::Compile(args) => compile::run(args, cli.quiet, color),
        Command::Run(args) => run::run(args),
        Command::Up(args) => up::run(args, cli.quiet, color),
        Command::Pki(args) => pki::run(args, cli.quiet),
        Command::Explain(args) => explain::run(args),
        Command::Fmt(args) => fmt::run(args, cli.quiet, color),
        Command::Graph(args) => graph::run(args, color),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every command says what it is for and every argument what it does: `--help` is the
    /// manual a new user reads first.
    #[test]
    fn every_command_and_argument_is_described() {
        let mut cli = Cli::command();
        cli.build();
        let mut missing = Vec::new();
        let mut checked = 0;
        let mut pending = vec![(String::from("gatehouse"), cli)];
        while let Some((path, command)) = pending.pop() {
            if command.get_about().is_none() && path != "gatehouse" {
                missing.push(format!("`{path}` has no description"));
            }
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                checked += 1;
                if !builtin && !arg.is_hide_set() && arg.get_help().is_none() {
                    missing.push(format!("`{path} {}` has no help", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                pending.push((format!("{path} {}", sub.get_name()), sub.clone()));
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
        assert!(checked > 50, "only {checked} arguments seen");
    }

    /// `--var` says the same on every command that takes it, environment variables included.
    #[test]
    fn var_help_names_the_environment_everywhere() {
        let cli = Cli::command();
        let mut seen = 0;
        for sub in cli
            .get_subcommands()
            .flat_map(|s| std::iter::once(s).chain(s.get_subcommands()))
        {
            for arg in sub.get_arguments().filter(|a| a.get_long() == Some("var")) {
                seen += 1;
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                assert!(
                    help.contains("GATEHOUSE_VAR_"),
                    "{}: {help}",
                    sub.get_name()
                );
            }
        }
        assert_eq!(seen, 5, "check, compile, graph, up and pki init take --var");
    }
}
