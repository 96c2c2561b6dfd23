//! `gatehouse check`: load a topology, run the checks, print the diagnostics.

use super::{Format, RunError};
use crate::checks::{self, CheckContext};
use crate::diagnostics::{self, codes, render, Summary};
use crate::eval::Options;
use crate::load::load;
use crate::syntax::FsWorld;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory holding the topology's .hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Set a root variable: `--var name=value` (repeatable). Variables can also come from
    /// GATEHOUSE_VAR_<name> in the environment.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Treat warnings as errors for the exit code.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: &CheckArgs, quiet: bool, color: bool) -> Result<ExitCode, RunError> {
    if !args.dir.is_dir() {
        return Err(RunError::Usage(format!(
            "`{}` is not a directory; give the directory that holds the topology's .hcl files",
            args.dir.display()
        )));
    }
    let options = parse_vars(&args.vars)?;
    let world = FsWorld::new(&args.dir);
    let loaded = load(&world, "", &options);
    let now = now_seconds();
    let cx = CheckContext {
        model: &loaded.model,
        sources: &loaded.sources,
        now,
    };
    let mut all = loaded.diagnostics.clone();
    all.extend(checks::run(&cx));
    diagnostics::sort(&mut all, &loaded.sources);
    let summary = Summary::of(&all);
    let output = match args.format {
        Format::Human => {
            let mut text = render::human::render(&all, &loaded.sources, color);
            if all.is_empty() && !quiet {
                text = format!(
                    "{}: {} file(s), {} block(s), no problems found\n",
                    args.dir.display(),
                    loaded.sources.len(),
                    loaded.model.entity_count()
                );
            } else if quiet {
                text = render::human::render_without_summary(&all, &loaded.sources, color);
            }
            text
        }
        Format::Json => render::json::render(&all, &loaded.sources),
        Format::Sarif => render::sarif::render(&all, &loaded.sources, &codes::all()),
        Format::Junit => render::junit::render(&all, &loaded.sources, &codes::all()),
    };
    print!("{output}");
    let failed = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Parses `--var name=value` arguments.
pub(super) fn parse_vars(vars: &[String]) -> Result<Options, RunError> {
    let mut options = Options::default();
    for var in vars {
        let Some((name, value)) = var.split_once('=') else {
            return Err(RunError::Usage(format!(
                "`--var {var}` must be written `--var name=value`"
            )));
        };
        options
            .vars
            .insert(name.trim().to_string(), value.to_string());
    }
    Ok(options)
}

/// The clock, read here only: checks get it through [`CheckContext`].
#[allow(clippy::disallowed_methods)]
fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
