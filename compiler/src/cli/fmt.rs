//! `gatehouse fmt`: canonical layout for .hcl files, written atomically, or a diff with --check.

use super::RunError;
use crate::diagnostics::render;
use crate::source::Sources;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Directory (or single .hcl file) to format.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Do not write: print a diff of what would change and exit 1 if anything would.
    #[arg(long)]
    pub check: bool,

    /// Also format .hcl files in sub-directories (hidden directories and `target` are skipped).
    #[arg(long, short)]
    pub recursive: bool,
}

pub fn run(args: &FmtArgs, quiet: bool, color: bool) -> Result<ExitCode, RunError> {
    let files = hcl_files(&args.path, args.recursive)?;
    if files.is_empty() {
        return Err(RunError::Usage(format!(
            "no .hcl files in `{}`",
            args.path.display()
        )));
    }
    let mut unformatted = 0;
    let mut invalid = false;
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|source| RunError::Read {
            path: file.clone(),
            source,
        })?;
        let formatted = match crate::fmt::format_source(&text) {
            Ok(formatted) => formatted,
            Err(_) => {
                let mut sources = Sources::new();
                let id = sources.add(file.display().to_string(), text);
                let mut diagnostics = Vec::new();
                crate::syntax::parse(&sources, id, &mut diagnostics);
                out!(
                    "{}",
                    render::human::render_without_summary(&diagnostics, &sources, color)
                );
                invalid = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.check {
            let name = file.display().to_string();
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            out!(
                "{}",
                diff.unified_diff().context_radius(2).header(&name, &name)
            );
        } else {
            write_atomically(file, &formatted)?;
            if !quiet {
                outln!("formatted {}", file.display());
            }
        }
    }
    if !quiet && args.check && unformatted > 0 {
        eprintln!("{unformatted} file(s) would be reformatted; run `gatehouse fmt` to fix");
    }
    Ok(if invalid || (args.check && unformatted > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn hcl_files(path: &Path, recursive: bool) -> Result<Vec<PathBuf>, RunError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|source| RunError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            if recursive && !name.starts_with('.') && name != "target" {
                out.extend(hcl_files(&entry, true)?);
            }
        } else if name.ends_with(".hcl") {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Writes through a temporary file in the same directory and renames it over the original, so
/// that a file is never left half-written.
fn write_atomically(path: &Path, contents: &str) -> Result<(), RunError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let err = |source| RunError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(contents.as_bytes()).map_err(err)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
