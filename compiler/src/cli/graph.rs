//! `gatehouse graph`: the topology graph as DOT or JSON.

use super::RunError;
use crate::graph::{render, Graph};
use crate::load::load;
use crate::syntax::FsWorld;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT, with a cluster per Application Gateway and API Management instance.
    Dot,
    /// JSON: nodes (address, kind, declaration) and typed edges with their reference position.
    Json,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Directory holding the topology's .hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    #[arg(long = "var", value_name = "NAME=VALUE", help = super::VAR_HELP)]
    pub vars: Vec<String>,
}

pub fn run(args: &GraphArgs, color: bool) -> Result<ExitCode, RunError> {
    if !args.dir.is_dir() {
        return Err(RunError::Usage(format!(
            "`{}` is not a directory",
            args.dir.display()
        )));
    }
    let options = super::check::parse_vars(&args.vars)?;
    let world = FsWorld::new(&args.dir);
    let loaded = load(&world, "", &options);
    if loaded.has_errors() {
        out!(
            "{}",
            crate::diagnostics::render::human::render(&loaded.diagnostics, &loaded.sources, color)
        );
        return Ok(ExitCode::from(1));
    }
    let graph = Graph::new(&loaded.model);
    match args.format {
        GraphFormat::Dot => out!("{}", render::dot(&graph)),
        GraphFormat::Json => out!("{}", render::json(&graph, &loaded.sources)),
    }
    Ok(ExitCode::SUCCESS)
}
