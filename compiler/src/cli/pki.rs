//! `gatehouse pki init [DIR]` and `gatehouse pki client NAME`: the development PKI under
//! `DIR/.gatehouse/pki/` (see `crate::pki`). Re-running keeps what exists; `--force` makes a
//! new PKI. Files are written whole (each to a temporary name, then renamed).

use super::check::{now_seconds, parse_now, parse_vars};
use super::RunError;
use crate::load::load;
use crate::pki;
use crate::syntax::FsWorld;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct PkiArgs {
    #[command(subcommand)]
    pub command: PkiCommand,
}

#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Create the dev PKI of a topology: CAs, a stand-in for every certificate the topology
    /// uses (by what uses it), backend server certificates, a partner client certificate, a
    /// revoked one with its CRL, PFX copies with generated passwords in passwords.env.
    ///
    /// Files go to DIR/.gatehouse/pki/. Running it again keeps every file that exists and
    /// adds what is missing; --force makes a new PKI. A topology with errors gets no PKI
    /// (exit 1).
    Init(InitArgs),
    /// Issue another partner client certificate (`clients/NAME.pem` and `.key`) from the
    /// dev client CA.
    ///
    /// Needs the PKI `gatehouse pki init` made in DIR; an existing NAME is kept.
    Client(ClientArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory holding the topology's .hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Make a new PKI, replacing every file (new CAs: clients must get new certificates).
    #[arg(long)]
    pub force: bool,

    #[arg(long = "var", value_name = "NAME=VALUE", help = super::VAR_HELP)]
    pub vars: Vec<String>,

    /// Issue as of this date instead of today (certificates are valid from a day before).
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Name of the client (letters, digits, `-`, `_`); also its common name.
    pub name: String,

    /// Directory holding the topology (and its `.gatehouse/pki/`).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,

    /// Issue as of this date instead of today.
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

pub fn run(args: &PkiArgs, quiet: bool) -> Result<ExitCode, RunError> {
    match &args.command {
        PkiCommand::Init(a) => init(a, quiet),
        PkiCommand::Client(a) => client(a, quiet),
    }
}

fn init(args: &InitArgs, quiet: bool) -> Result<ExitCode, RunError> {
    if !args.dir.is_dir() {
        return Err(RunError::Usage(format!(
            "`{}` is not a directory; give the directory that holds the topology's .hcl files",
            args.dir.display()
        )));
    }
    let options = parse_vars(&args.vars)?;
    let now = match &args.now {
        Some(text) => parse_now(text)?,
        None => now_seconds(),
    };
    let world = FsWorld::new(&args.dir);
    let loaded = load(&world, "", &options);
    if loaded.has_errors() {
        let rendered =
            crate::diagnostics::render::human::render(&loaded.diagnostics, &loaded.sources, false);
        out!("{rendered}");
        eprintln!("error: no PKI was made: fix the errors above first");
        return Ok(ExitCode::from(1));
    }
    let dir = args.dir.join(pki::DIR);
    let read = |path: &str| std::fs::read(dir.join(path)).ok();
    let files = pki::init(&loaded.model, &read, now, args.force)
        .map_err(|e| RunError::Usage(e.to_string()))?;
    write(&dir, &files)?;
    if !quiet {
        let roles = pki::roles(&loaded.model);
        outln!(
            "{} {} file(s) in {} ({} certificate stand-in(s); the directory is git-ignored)",
            if files.is_empty() { "kept" } else { "wrote" },
            if files.is_empty() {
                count_files(&dir)
            } else {
                files.len()
            },
            dir.display(),
            roles.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn client(args: &ClientArgs, quiet: bool) -> Result<ExitCode, RunError> {
    let now = match &args.now {
        Some(text) => parse_now(text)?,
        None => now_seconds(),
    };
    let dir = args.dir.join(pki::DIR);
    let read = |path: &str| std::fs::read(dir.join(path)).ok();
    let files =
        pki::issue_client(&args.name, &read, now).map_err(|e| RunError::Usage(e.to_string()))?;
    write(&dir, &files)?;
    if !quiet {
        let base = dir.join("clients").join(&args.name);
        if files.is_empty() {
            outln!("{}.pem exists; kept it", base.display());
        } else {
            outln!("wrote {}.pem and {}.key", base.display(), base.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

/// Writes each file to a temporary name beside it, then renames it into place.
fn write(dir: &Path, files: &std::collections::BTreeMap<String, Vec<u8>>) -> Result<(), RunError> {
    for (path, bytes) in files {
        let target = dir.join(path);
        let parent = target.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|source| RunError::Write {
            path: parent.to_path_buf(),
            source,
        })?;
        let temp = target.with_extension("gatehouse-tmp");
        std::fs::write(&temp, bytes).map_err(|source| RunError::Write {
            path: temp.clone(),
            source,
        })?;
        // Keys are for this user only.
        #[cfg(unix)]
        if path.ends_with(".key") {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600));
        }
        std::fs::rename(&temp, &target).map_err(|source| RunError::Write {
            path: target.clone(),
            source,
        })?;
    }
    Ok(())
}
