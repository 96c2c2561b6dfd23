//! The `gatehouse` binary: a thin wrapper over [`gatehouse::cli`].
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    gatehouse::cli::main()
}
