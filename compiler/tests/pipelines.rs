//! The ready-to-copy pipelines in `examples/pipelines/` stay valid: every `gatehouse` command
//! they run is run here, on an example topology laid out as docs/pipelines.md describes
//! (`topology/`, `compiled/`, and the deployed version in `../deployed/topology`), and must
//! succeed. Each command gets `--now` appended, so the result does not depend on today's date.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `gatehouse ...` commands of a pipeline file, without shell redirections.
fn gatehouse_commands(yaml: &str) -> Vec<Vec<String>> {
    yaml.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            ["- run:", "run:", "- script:", "script:"]
                .iter()
                .find_map(|p| l.strip_prefix(p))
                .unwrap_or(l)
                .trim()
        })
        .filter(|l| l.starts_with("gatehouse "))
        .map(|l| {
            let command = l.split('>').next().unwrap_or(l);
            command
                .split_whitespace()
                .skip(1)
                .map(String::from)
                .collect()
        })
        .collect()
}

fn gatehouse(args: &[String], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run gatehouse")
}

fn run_pipeline(file: &str) {
    let yaml = std::fs::read_to_string(workspace().join("examples/pipelines").join(file)).unwrap();
    let commands = gatehouse_commands(&yaml);
    assert!(
        commands.len() >= 3,
        "{file}: expected the check, baseline and drift commands, found {commands:?}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let example = workspace().join("examples/apim-negotiate-client-cert");
    support::copy_dir(&example, &repo.join("topology"));
    support::copy_dir(&example, &tmp.path().join("deployed/topology"));
    // The example calls `../../modules/...`: from `repo/topology` and `deployed/topology`
    // alike, that is `modules/` beside them.
    support::copy_dir(&workspace().join("modules"), &tmp.path().join("modules"));
    let now = ["--now".to_string(), "2026-06-01".to_string()];
    let compile: Vec<String> = ["compile", "topology", "--out", "compiled"]
        .iter()
        .map(|s| s.to_string())
        .chain(now.clone())
        .collect();
    let out = gatehouse(&compile, &repo);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for command in commands {
        let mut args = command.clone();
        args.extend(now.clone());
        let out = gatehouse(&args, &repo);
        assert!(
            out.status.success(),
            "{file}: `gatehouse {}` failed ({:?}):\n{}{}",
            command.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn github_actions_commands_run_on_a_clean_topology() {
    run_pipeline("github-actions.yml");
}

#[test]
fn azure_pipelines_commands_run_on_a_clean_topology() {
    run_pipeline("azure-pipelines.yml");
}
