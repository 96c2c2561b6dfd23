//! The user guide (`docs/getting-started.md`, `docs/troubleshooting.md`) stays linked to what
//! exists: every relative link names a file or directory of the repository, every `#anchor`
//! is a heading of the page it points to (GitHub's heading ids), every HCL snippet parses,
//! and the README's docs row links both pages.

mod support;

use std::path::Path;

const GUIDE: [&str; 2] = ["docs/getting-started.md", "docs/troubleshooting.md"];

/// GitHub's id for a heading: lower case, spaces to `-`, other punctuation but `-` and `_`
/// dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut in_code = false;
    markdown
        .lines()
        .filter(|l| {
            if l.starts_with("```") {
                in_code = !in_code;
            }
            !in_code && l.starts_with('#')
        })
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

/// The targets of the `[text](target)` links of `markdown`, outside code blocks.
fn links(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_link_of_the_guide_resolves() {
    let root = support::workspace();
    for page in GUIDE {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        let dir = root.join(page).parent().unwrap().to_path_buf();
        let links = links(&text);
        assert!(!links.is_empty(), "{page} links nothing");
        for link in links {
            if link.starts_with("http://") || link.starts_with("https://") {
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (link.as_str(), None),
            };
            let target = if path.is_empty() {
                root.join(page)
            } else {
                dir.join(path)
            };
            assert!(
                target.exists(),
                "{page}: `{link}` names no file ({})",
                target.display()
            );
            let Some(anchor) = anchor else { continue };
            let markdown = std::fs::read_to_string(&target).unwrap();
            assert!(
                anchors(&markdown).iter().any(|a| a == anchor),
                "{page}: `{link}`: no heading with id `{anchor}` in {}",
                target.display()
            );
        }
    }
}

#[test]
fn the_troubleshooting_guide_links_a_check_for_every_symptom() {
    let text =
        std::fs::read_to_string(support::workspace().join("docs/troubleshooting.md")).unwrap();
    let sections: Vec<&str> = text.split("\n## ").skip(1).collect();
    assert!(sections.len() >= 7, "{} symptoms", sections.len());
    for section in sections {
        let title = section.lines().next().unwrap();
        for part in [
            "**What you see.**",
            "**Why.**",
            "**Caught by.**",
            "**Fix.**",
        ] {
            assert!(section.contains(part), "`{title}` has no {part}");
        }
        assert!(
            section.contains("](checks.md#gh") || section.contains("](language.md#"),
            "`{title}` links no check"
        );
        assert!(section.contains("```hcl\n"), "`{title}` shows no HCL fix");
    }
}

#[test]
fn every_hcl_snippet_of_the_guide_parses() {
    for page in GUIDE {
        let text = std::fs::read_to_string(support::workspace().join(page)).unwrap();
        for block in text.split("```hcl\n").skip(1) {
            let code = &block[..block.find("```").unwrap()];
            if let Err(e) = hcl_edit::parser::parse_body(code) {
                panic!("{page}: snippet does not parse: {e}\n{code}");
            }
        }
    }
}

#[test]
fn the_readme_docs_row_links_the_guide() {
    let readme =
        std::fs::read_to_string(Path::new(&support::workspace()).join("README.md")).unwrap();
    let row = readme
        .lines()
        .find(|l| l.starts_with("| `docs/` |"))
        .expect("docs row");
    for link in ["(docs/getting-started.md)", "(docs/troubleshooting.md)"] {
        assert!(row.contains(link), "{row}");
    }
}

fn gatehouse(args: &[&str], cwd: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run gatehouse");
    assert_eq!(out.status.code(), Some(0), "gatehouse {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The outputs getting-started.md shows for its first `check` and `compile` are what those
/// commands print.
#[test]
fn getting_started_shows_what_check_and_compile_print() {
    let root = support::workspace();
    let page = std::fs::read_to_string(root.join("docs/getting-started.md")).unwrap();
    let checked = gatehouse(
        &["check", "--color", "never", "examples/appgw-apim-keyvault"],
        &root,
    );
    assert!(
        page.contains(&format!("```text\n{checked}```")),
        "getting-started.md should show:\n{checked}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let example = root.join("examples/appgw-apim-keyvault");
    let compiled = gatehouse(
        &["compile", example.to_str().unwrap(), "--out", "out"],
        tmp.path(),
    );
    assert!(
        page.contains(&format!("```text\n{compiled}```")),
        "getting-started.md should show:\n{compiled}"
    );
}

/// The broken example getting-started.md shows is abridged (`...`), but every line it keeps
/// (message, labels, help) is one `gatehouse check` prints (trailing spaces aside).
#[test]
fn getting_started_quotes_the_broken_example_as_printed() {
    let root = support::workspace();
    let page = std::fs::read_to_string(root.join("docs/getting-started.md")).unwrap();
    let command = "gatehouse check examples/broken/negotiate-off-cert-read";
    let after = &page[page.find(command).expect("the command")..];
    let start = after.find("```text\n").expect("its output") + "```text\n".len();
    let shown = &after[start..start + after[start..].find("```").unwrap()];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "check",
            "--color",
            "never",
            "examples/broken/negotiate-off-cert-read",
        ])
        .current_dir(&root)
        .output()
        .expect("run gatehouse");
    assert_eq!(out.status.code(), Some(1), "a broken example has errors");
    let printed = String::from_utf8_lossy(&out.stdout);
    for line in shown
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("..."))
    {
        assert!(
            printed.lines().any(|p| p.trim_end() == line.trim_end()),
            "getting-started.md shows a line check does not print: {line:?}\n{printed}"
        );
    }
}
