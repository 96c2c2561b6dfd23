//! Lexical paths relative to the topology root, always with `/` separators.
//!
//! Paths shown to users and written into output are relative to the topology root, so that
//! output never holds an absolute path. `..` is resolved lexically, as Terraform does for module
//! sources.

/// Joins `rel` to directory `dir`; an absolute `rel` is kept as written.
pub fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || dir.is_empty() || dir == "." {
        return normalize(rel);
    }
    normalize(&format!("{dir}/{rel}"))
}

/// Removes `.` segments, resolves `a/..`, and drops a trailing `/`. The root is `""`.
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The directory part of a file path (`""` for a file at the root).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize("a/./b/../c/"), "a/c");
        assert_eq!(normalize("../../modules/x"), "../../modules/x");
        assert_eq!(normalize("a/../../b"), "../b");
        assert_eq!(normalize("."), "");
    }

    #[test]
    fn joins_relative_to_dir() {
        assert_eq!(join("examples/edge", "../../modules/m"), "modules/m");
        assert_eq!(join("", "certs/a.pem"), "certs/a.pem");
        assert_eq!(parent("examples/edge/main.hcl"), "examples/edge");
        assert_eq!(parent("main.hcl"), "");
    }
}
