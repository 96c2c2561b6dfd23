//! `gatehouse compile`: check a topology, then write what deploys it (`OUT/terraform/`,
//! `OUT/bicep/`) and, on request, what runs it locally (`OUT/runtime/`), whole or not at all;
//! with `--check`, compare instead of writing (a drift gate for CI).
//!
//! Each target directory is written into a temporary directory inside OUT and renamed into
//! place, replacing the old one, so a target directory is never half-written; a topology with
//! errors writes nothing.

use super::check::{now_seconds, parse_now, parse_vars};
use super::RunError;
use crate::diagnostics::{render, Summary};
use crate::emit::{self, Files, Target};
use crate::load::{check_on_graph, load};
use crate::syntax::FsWorld;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Directory holding the topology's .hcl files.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Output directory; each target writes its own sub-directory (`OUT/terraform/`,
    /// `OUT/bicep/`, `OUT/runtime/`). Must not be inside DIR.
    #[arg(long, short)]
    pub out: PathBuf,

    /// Targets, comma-separated: terraform, bicep, runtime, or all (the three). The default
    /// is what deploys to Azure: terraform and bicep.
    #[arg(long, value_delimiter = ',', default_value = "terraform,bicep")]
    pub target: Vec<String>,

    /// Write nothing: compare with OUT, print a unified diff and exit 1 when they differ.
    #[arg(long)]
    pub check: bool,

    #[arg(long = "var", value_name = "NAME=VALUE", help = super::VAR_HELP)]
    pub vars: Vec<String>,

    /// The date certificates are checked against (see `gatehouse check --now`).
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,

    /// Runtime target: the base of its loopback ports (frontend port 443 → base + 443, API
    /// Management hostnames on base + 1443).
    #[arg(long, value_name = "PORT", default_value_t = emit::runtime::PORT_BASE)]
    pub runtime_port_base: u16,

    /// Runtime target: where a backend host name is reached locally (`HOST=IP:PORT`,
    /// repeatable), as curl's `--resolve`; SNI, `Host` and name checks keep the host name.
    #[arg(long = "runtime-resolve", value_name = "HOST=IP:PORT", value_parser = parse_resolve)]
    pub runtime_resolve_pairs: Vec<(String, String)>,

    /// Filled from `runtime_resolve_pairs`.
    #[arg(skip)]
    pub runtime_resolve: std::collections::BTreeMap<String, String>,
}

fn parse_resolve(text: &str) -> Result<(String, String), String> {
    let (host, addr) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not HOST=IP:PORT"))?;
    addr.parse::<std::net::SocketAddr>()
        .map_err(|_| format!("`{addr}` is not IP:PORT"))?;
    Ok((host.to_ascii_lowercase(), addr.to_string()))
}

pub fn run(args: &CompileArgs, quiet: bool, color: bool) -> Result<ExitCode, RunError> {
    if !args.dir.is_dir() {
        return Err(RunError::Usage(format!(
            "`{}` is not a directory; give the directory that holds the topology's .hcl files",
            args.dir.display()
        )));
    }
    let targets = parse_targets(&args.target)?;
    validate_out(&args.dir, &args.out)?;
    let options = parse_vars(&args.vars)?;
    let now = match &args.now {
        Some(text) => parse_now(text)?,
        None => now_seconds(),
    };
    let world = FsWorld::new(&args.dir);
    let loaded = load(&world, "", &options);
    let graph = crate::graph::Graph::new(&loaded.model);
    let mut all = check_on_graph(&loaded, &graph, &world, now, None);
    if Summary::of(&all).errors > 0 {
        out!("{}", render::human::render(&all, &loaded.sources, color));
        eprintln!("error: nothing was written: fix the errors above first");
        return Ok(ExitCode::from(1));
    }
    let mut resolve = args.runtime_resolve.clone();
    resolve.extend(args.runtime_resolve_pairs.iter().cloned());
    let runtime = emit::runtime::RuntimeOptions {
        root: root_from_runtime_dir(&args.dir, &args.out)?,
        port_base: args.runtime_port_base,
        resolve,
    };
    let emitted = emit::emit_with(&loaded.model, &graph, &world, &targets, &runtime);
    all.extend(emitted.diagnostics);
    crate::diagnostics::sort(&mut all, &loaded.sources);
    if !all.is_empty() && !quiet {
        out!("{}", render::human::render(&all, &loaded.sources, color));
    }
    if Summary::of(&all).errors > 0 {
        eprintln!("error: nothing was written: fix the errors above first");
        return Ok(ExitCode::from(1));
    }
    if args.check {
        return drift(&args.out, &targets, &emitted.files, color);
    }
    write(&args.out, &targets, &emitted.files)?;
    if !quiet {
        outln!(
            "wrote {} file(s) to {} ({})",
            emitted.files.len(),
            args.out.display(),
            targets
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_targets(names: &[String]) -> Result<Vec<Target>, RunError> {
    let mut targets = Vec::new();
    for name in names {
        let name = name.trim();
        if name == "all" {
            targets.extend(Target::ALL);
            continue;
        }
        match Target::parse(name) {
            Some(t) => targets.push(t),
            None => {
                return Err(RunError::Usage(format!(
                    "unknown target `{name}`; the targets are {}, or all",
                    Target::ALL.map(|t| t.name()).join(", ")
                )))
            }
        }
    }
    targets.sort();
    targets.dedup();
    Ok(targets)
}

/// The topology root as seen from `OUT/runtime/`, where the runtime config lives: the key
/// files it references are the topology's. Relative, so the output names no absolute path
/// and moves with the checkout.
pub fn root_from_runtime_dir(dir: &Path, out: &Path) -> Result<String, RunError> {
    let absolute = |p: &Path| -> Result<PathBuf, RunError> {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|source| RunError::Read {
                    path: PathBuf::from("."),
                    source,
                })?
                .join(p)
        };
        Ok(normalize(&p))
    };
    let dir = match dir.canonicalize() {
        Ok(d) => d,
        Err(_) => absolute(dir)?,
    };
    // OUT may not exist yet: resolve the part that does.
    let out = absolute(out)?;
    let out = match out.canonicalize() {
        Ok(o) => o,
        Err(_) => out,
    };
    let runtime = out.join("runtime");
    let common = dir
        .components()
        .zip(runtime.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = runtime.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        dir.components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// OUT must be a directory (or not exist yet) and not inside DIR: the next load would read the
/// emitted files back as part of the topology, and `--check` would compare moving targets.
fn validate_out(dir: &Path, out: &Path) -> Result<(), RunError> {
    if out.exists() && !out.is_dir() {
        return Err(RunError::Usage(format!(
            "`--out {}` is a file; give a directory",
            out.display()
        )));
    }
    let dir = dir.canonicalize().map_err(|source| RunError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    if let Some(out) = absolute_out(out) {
        if out.starts_with(&dir) {
            return Err(RunError::Usage(format!(
                "`--out {}` is inside the topology directory; write the output elsewhere (e.g. `--out ../out`)",
                out.display()
            )));
        }
    }
    Ok(())
}

/// OUT made absolute through its nearest existing ancestor.
fn absolute_out(out: &Path) -> Option<PathBuf> {
    let mut missing = Vec::new();
    let mut at = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(out)
    };
    loop {
        if let Ok(real) = at.canonicalize() {
            let mut full = real;
            for part in missing.iter().rev() {
                full.push(part);
            }
            return Some(full);
        }
        missing.push(at.file_name()?.to_os_string());
        at = at.parent()?.to_path_buf();
    }
}

/// Writes each target directory into a temporary directory inside OUT, then swaps it in.
fn write(out: &Path, targets: &[Target], files: &Files) -> Result<(), RunError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RunError::Write { path, source }
    };
    std::fs::create_dir_all(out).map_err(fail(out))?;
    let staging = tempfile::Builder::new()
        .prefix(".gatehouse-")
        .tempdir_in(out)
        .map_err(fail(out))?;
    for (path, bytes) in files {
        let target = staging.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(fail(parent))?;
        }
        std::fs::write(&target, bytes).map_err(fail(&target))?;
    }
    for target in targets {
        let fresh = staging.path().join(target.name());
        std::fs::create_dir_all(&fresh).map_err(fail(&fresh))?;
        let live = out.join(target.name());
        if live.exists() {
            let old = staging.path().join(format!("old-{}", target.name()));
            std::fs::rename(&live, &old).map_err(fail(&live))?;
        }
        std::fs::rename(&fresh, &live).map_err(fail(&live))?;
    }
    Ok(())
}

/// Compares what would be written with OUT; prints a unified diff of every difference.
fn drift(out: &Path, targets: &[Target], files: &Files, color: bool) -> Result<ExitCode, RunError> {
    let mut on_disk = Files::new();
    for target in targets {
        read_tree(&out.join(target.name()), target.name(), &mut on_disk)?;
    }
    let mut differences = 0;
    let paths: std::collections::BTreeSet<&String> = files.keys().chain(on_disk.keys()).collect();
    for path in paths {
        let (old, new) = (on_disk.get(path), files.get(path));
        if old == new {
            continue;
        }
        differences += 1;
        out!("{}", file_diff(path, old, new, color));
    }
    if differences == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "error: {differences} file(s) in {} differ from what the topology compiles to; run `gatehouse compile` without --check and commit the result",
        out.display()
    );
    Ok(ExitCode::from(1))
}

fn file_diff(path: &str, old: Option<&Vec<u8>>, new: Option<&Vec<u8>>, color: bool) -> String {
    let text = |b: Option<&Vec<u8>>| b.map(|b| String::from_utf8(b.clone()));
    let (a, b) = match (text(old), text(new)) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => {
            return format!("Binary file {path} differs\n");
        }
        (a, b) => (
            a.and_then(Result::ok).unwrap_or_default(),
            b.and_then(Result::ok).unwrap_or_default(),
        ),
    };
    let old_name = if old.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".into()
    };
    let new_name = if new.is_some() {
        format!("b/{path}")
    } else {
        "/dev/null".into()
    };
    let diff = similar::TextDiff::from_lines(&a, &b);
    let body = diff
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string();
    if !color {
        return body;
    }
    body.lines()
        .map(|line| {
            let paint = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => "\x1b[32m",
                Some(b'-') if !line.starts_with("---") => "\x1b[31m",
                Some(b'@') => "\x1b[36m",
                _ => "",
            };
            if paint.is_empty() {
                format!("{line}\n")
            } else {
                format!("{paint}{line}\x1b[0m\n")
            }
        })
        .collect()
}

/// Every file under `dir`, keyed `prefix/relative/path` with `/` separators.
fn read_tree(dir: &Path, prefix: &str, into: &mut Files) -> Result<(), RunError> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| RunError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| RunError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            read_tree(&path, &name, into)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|source| RunError::Read {
                path: path.clone(),
                source,
            })?;
            into.insert(name, bytes);
        }
    }
    Ok(())
}
