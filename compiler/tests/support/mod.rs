//! Helpers shared by the integration tests: a file-system world with a fixed environment, and
//! loading a fixture directory.
#![allow(dead_code)]

pub mod pki;

use gatehouse::eval::Options;
use gatehouse::load::{load, Loaded};
use gatehouse::syntax::{FsWorld, World};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The file system under a fixture directory, with the environment read from its `env` file
/// (`NAME=value` lines) instead of the process environment, so tests never depend on it.
pub struct FixtureWorld {
    fs: FsWorld,
    env: BTreeMap<String, String>,
}

impl FixtureWorld {
    pub fn new(dir: &Path) -> FixtureWorld {
        let env = std::fs::read_to_string(dir.join("env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        FixtureWorld {
            fs: FsWorld::new(dir),
            env,
        }
    }
}

impl World for FixtureWorld {
    fn hcl_files(&self, dir: &str) -> io::Result<Vec<String>> {
        self.fs.hcl_files(dir)
    }
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.fs.read(path)
    }
    fn is_file(&self, path: &str) -> bool {
        self.fs.is_file(path)
    }
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Loads the topology in `dir` with the fixture's environment.
pub fn load_dir(dir: &Path) -> Loaded {
    load(&FixtureWorld::new(dir), "", &Options::default())
}

/// Rendered human diagnostics, without colour.
pub fn render(loaded: &Loaded) -> String {
    gatehouse::diagnostics::render::human::render(&loaded.diagnostics, &loaded.sources, false)
}

/// Copies a fixture directory tree (tests compile copies, so that written PKI files and
/// outputs never land in the repository).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A shared tool: `shared/tools/NAME`, found beside the workspace (`../shared`) or above it.
pub fn tool(name: &str) -> PathBuf {
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/tools").join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "shared/tools/{name} not found beside or above {}: the emitter tests need the project's validators",
                start.display()
            )
        })
}

/// Runs a validator on `dir`; panics with its output unless it ran and found no error.
pub fn validate(tool_name: &str, args: &[&str], dir: &Path) -> String {
    run_validator(tool_name, args, dir).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a validator on `dir`: its output when it found no error, else what it reported.
/// Panics when it cannot run at all.
pub fn run_validator(tool_name: &str, args: &[&str], dir: &Path) -> Result<String, String> {
    let out = Command::new(tool(tool_name))
        .args(args)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool_name}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) if text.contains(": 0 errors") => Ok(text),
        Some(0) | Some(1) => Err(format!(
            "{tool_name} found errors in {}:\n{text}",
            dir.display()
        )),
        _ => panic!(
            "{tool_name} could not run on {} (exit {:?}):\n{text}",
            dir.display(),
            out.status.code()
        ),
    }
}
