//! `gatehouse-runtime PATH [--log-format text|json] [--access-log on|off] [--threads N] [--admin ADDR]`: a thin binary over
//! [`gatehouse_runtime::run`] for running a compiled `OUT/runtime` without the compiler CLI.
//! PATH is `runtime.json` or the directory holding it. Exit code 2 when it cannot start.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use gatehouse_runtime::{config::CONFIG_FILE_NAME, LogFormat, RuntimeOptions};

const USAGE: &str =
    "usage: gatehouse-runtime PATH [--log-format text|json] [--access-log on|off] [--threads N] [--admin ADDR]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut options = RuntimeOptions::default();
    let mut threads = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--log-format" => match args.next().as_deref() {
                Some("text") => options.log_format = LogFormat::Text,
                Some("json") => options.log_format = LogFormat::Json,
                _ => return usage(),
            },
            "--access-log" => match args.next().as_deref() {
                Some("on") => options.access_log = true,
                Some("off") => options.access_log = false,
                _ => return usage(),
            },
            "--threads" => match args
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n > 0)
            {
                Some(n) => threads = Some(n),
                None => return usage(),
            },
            "--admin" => match args.next() {
                Some(addr) => options.admin = Some(addr),
                None => return usage(),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if path.is_none() && !arg.starts_with('-') => path = Some(PathBuf::from(arg)),
            _ => return usage(),
        }
    }
    let Some(mut path) = path else { return usage() };
    if path.is_dir() {
        path.push(CONFIG_FILE_NAME);
    }
    // One single-threaded runtime per core, each accepting on the same sockets: a connection
    // and its backend connections stay on one thread (see RuntimeOptions::extra_threads).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    options.extra_threads = threads.unwrap_or(cores).saturating_sub(1);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("gatehouse-runtime: cannot start tokio: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(gatehouse_runtime::run(&path, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse-runtime: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}
