//! `gatehouse up` as a new user runs it on the flagship example: it makes the dev PKI,
//! compiles, starts the runtime and echo backends, and prints curl commands under the result
//! each gives. This test runs exactly the printed commands (with the `curl` binary) and checks
//! they give the printed results: the partner certificate is accepted and the backend sees it
//! forwarded; no certificate and a revoked one are rejected with Application Gateway's 400s.
//!
//! Everything is on loopback; the example is copied (with the modules it calls) so the PKI is
//! written to a temporary directory, and `up` is stopped with SIGTERM at the end.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A port base away from the defaults, offset by the process id so that two runs on one
/// machine do not collide.
fn port_base() -> u16 {
    20_000 + (std::process::id() % 200) as u16 * 100
}

#[test]
fn the_printed_curl_commands_give_the_printed_results() {
    let root = support::workspace();
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&root.join("modules"), &tmp.path().join("modules"));
    let example = tmp.path().join("examples/appgw-apim-keyvault");
    support::copy_dir(&root.join("examples/appgw-apim-keyvault"), &example);

    let mut up = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["up", ".", "--port-base", &port_base().to_string()])
        .args(["--no-watch", "--no-access-log"])
        .current_dir(&example)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gatehouse up");
    let stdout = up.stdout.take().unwrap();
    // `up` prints its commands once it serves; read until the last site's block is complete
    // (bounded: a stuck `up` fails the test instead of hanging it).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(line) => lines.push(line),
            // Quiet for half a second after printing commands: everything is out.
            Err(_) if lines.iter().any(|l| l.trim_start().starts_with("curl ")) => break,
            Err(_) => {}
        }
    }
    let printed = lines.join("\n");
    let commands = commands_under(&lines);
    let results: Vec<(String, String, String)> = commands
        .iter()
        .map(|(what, command)| {
            // In the directory `up` ran in, as a user would: the paths are relative to it.
            let out = Command::new("sh")
                .args(["-c", command])
                .current_dir(&example)
                .output()
                .expect("run curl");
            (
                what.clone(),
                command.clone(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
        .collect();
    stop(&mut up);

    let find = |prefix: &str| {
        results
            .iter()
            .find(|(what, _, _)| what.starts_with(prefix))
            .unwrap_or_else(|| panic!("no command for `{prefix}` in:\n{printed}"))
    };
    let (_, _, accepted) = find("accepted: the partner certificate");
    assert!(accepted.starts_with("HTTP/1.1 200"), "{accepted}");
    assert!(
        accepted.contains("\"echo\": \"gatehouse\""),
        "the echo backend answered: {accepted}"
    );
    assert!(
        accepted.contains("\"x-arr-clientcert\": \"-----BEGIN%20CERTIFICATE-----%0A"),
        "the backend sees the forwarded certificate, URL-encoded PEM: {accepted}"
    );
    let (_, _, none) = find("rejected: no certificate");
    assert!(none.starts_with("HTTP/1.1 400"), "{none}");
    assert!(
        none.contains("No required SSL certificate was sent"),
        "{none}"
    );
    let (_, _, revoked) = find("rejected: a revoked certificate");
    assert!(revoked.starts_with("HTTP/1.1 400"), "{revoked}");
    assert!(revoked.contains("The SSL certificate error"), "{revoked}");
    // Every printed status is the one given.
    for (what, command, output) in &results {
        if let Some(status) = printed_status(what) {
            assert!(
                output.starts_with(&format!("HTTP/1.1 {status}")),
                "`{command}` printed as {status}, gave:\n{output}"
            );
        }
    }
    assert!(
        example.join(".gatehouse/pki/.gitignore").is_file(),
        "the PKI is git-ignored"
    );
    drop(tmp);
}

/// `(description, command)` for every `# description` line followed by a `curl` line.
fn commands_under(lines: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for pair in lines.windows(2) {
        let (what, command) = (pair[0].trim(), pair[1].trim());
        if let (Some(what), true) = (what.strip_prefix("# "), command.starts_with("curl ")) {
            out.push((what.to_string(), command.to_string()));
        }
    }
    out
}

/// The status a description names, `(400 ...)`.
fn printed_status(what: &str) -> Option<&str> {
    let at = what.find('(')?;
    let status = what[at + 1..].split_whitespace().next()?;
    (status.len() == 3 && status.chars().all(|c| c.is_ascii_digit())).then_some(status)
}

/// SIGTERM, then wait (bounded) for a graceful exit.
fn stop(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn printed_status_reads_the_parenthesised_code() {
    assert_eq!(
        printed_status("rejected: no certificate (400 No required SSL certificate was sent)"),
        Some("400")
    );
    assert_eq!(printed_status("accepted: the partner certificate"), None);
}
