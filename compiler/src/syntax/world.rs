//! The [`World`]: how the pipeline reads files and environment variables.
//!
//! Every stage is a pure function of what the world gives it, so tests run on a
//! [`MemoryWorld`] and the CLI on an [`FsWorld`] rooted at the topology's parent directory.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// File system and environment access for loading a topology. Paths are relative to the
/// world's root with `/` separators.
pub trait World: Sync {
    /// Names (not paths) of the `*.hcl` files directly in `dir`, sorted.
    fn hcl_files(&self, dir: &str) -> io::Result<Vec<String>>;
    /// The bytes of a file.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// Whether `path` is an existing regular file.
    fn is_file(&self, path: &str) -> bool;
    /// An environment variable (for `secret()` and `GATEHOUSE_VAR_*`).
    fn env(&self, name: &str) -> Option<String>;
}

/// The real file system under a root directory, and the process environment.
#[derive(Debug, Clone)]
pub struct FsWorld {
    root: PathBuf,
}

impl FsWorld {
    pub fn new(root: impl Into<PathBuf>) -> FsWorld {
        FsWorld { root: root.into() }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        if path.is_empty() {
            self.root.clone()
        } else if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            self.root.join(path)
        }
    }
}

impl World for FsWorld {
    fn hcl_files(&self, dir: &str) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(self.resolve(dir))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".hcl") && entry.file_type()?.is_file() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        let full = self.resolve(path);
        let meta = std::fs::metadata(&full)?;
        if meta.is_dir() {
            return Err(io::Error::other("it is a directory"));
        }
        // Reading at most one byte more than the limit is enough to report the size.
        let limit = super::MAX_FILE_SIZE as u64 + 1;
        if meta.len() > limit {
            return Ok(vec![b' '; limit as usize]);
        }
        std::fs::read(full)
    }

    fn is_file(&self, path: &str) -> bool {
        self.resolve(path).is_file()
    }

    // The one place that reads the process environment (for `secret()` and GATEHOUSE_VAR_*).
    #[allow(clippy::disallowed_methods)]
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// An in-memory world for tests and fuzzing.
#[derive(Debug, Clone, Default)]
pub struct MemoryWorld {
    pub files: BTreeMap<String, Vec<u8>>,
    pub env: BTreeMap<String, String>,
}

impl MemoryWorld {
    pub fn new() -> MemoryWorld {
        MemoryWorld::default()
    }

    pub fn with_file(mut self, path: &str, contents: impl Into<Vec<u8>>) -> MemoryWorld {
        self.files.insert(path.to_string(), contents.into());
        self
    }

    pub fn with_env(mut self, name: &str, value: &str) -> MemoryWorld {
        self.env.insert(name.to_string(), value.to_string());
        self
    }
}

impl World for MemoryWorld {
    fn hcl_files(&self, dir: &str) -> io::Result<Vec<String>> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let names: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/') && rest.ends_with(".hcl"))
            .map(str::to_string)
            .collect();
        let dir_exists = dir.is_empty() || self.files.keys().any(|p| p.starts_with(&prefix));
        if !dir_exists {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "No such file or directory",
            ));
        }
        Ok(names)
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "No such file or directory"))
    }

    fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
}
