//! `gatehouse check`: load a topology, run the checks, print the diagnostics.

use super::{Format, RunError};
use crate::baseline::Baseline;
use crate::diagnostics::{codes, render, Summary};
use crate::eval::Options;
use crate::load::{check_change, load};
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

    #[arg(long = "var", value_name = "NAME=VALUE", help = super::VAR_HELP)]
    pub vars: Vec<String>,

    /// Treat warnings as errors for the exit code.
    #[arg(long)]
    pub deny_warnings: bool,

    /// The date and time certificates are checked against (RFC 3339, or `YYYY-MM-DD` for
    /// midnight UTC); default: now.
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,

    /// The previously deployed version of the topology (a directory of .hcl files, e.g. a
    /// checkout of the main branch): the change is also judged against it (GH107).
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
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
    let now = match &args.now {
        Some(text) => parse_now(text)?,
        None => now_seconds(),
    };
    let baseline = match &args.baseline {
        Some(dir) => Some(load_baseline(dir, &options)?),
        None => None,
    };
    let all = check_change(&loaded, &world, now, baseline.as_ref());
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
    out!("{output}");
    let failed = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads the previous version of the topology for `--baseline`; it must load without errors,
/// or a comparison with it would mislead.
fn load_baseline(dir: &std::path::Path, options: &Options) -> Result<Baseline, RunError> {
    if !dir.is_dir() {
        return Err(RunError::Usage(format!(
            "`--baseline {}` is not a directory; give the directory of the previous version's .hcl files",
            dir.display()
        )));
    }
    let world = FsWorld::new(dir);
    let loaded = load(&world, "", options);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        return Err(RunError::Usage(format!(
            "the baseline `{}` has {errors} error(s); run `gatehouse check {}` on it first",
            dir.display(),
            dir.display()
        )));
    }
    Ok(crate::load::baseline(&loaded))
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

/// Parses `--now`: RFC 3339 (`2026-12-02T10:00:00Z`) or a date (`2026-12-02`, midnight UTC).
pub(super) fn parse_now(text: &str) -> Result<i64, RunError> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            RunError::Usage(format!(
                "`--now {text}` is not a date: write `2026-12-02` or `2026-12-02T10:00:00Z`"
            ))
        })
}

/// The clock, read here only: checks get it through [`CheckContext`].
#[allow(clippy::disallowed_methods)]
pub(super) fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
