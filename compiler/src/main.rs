//! The `gatehouse` binary: a thin wrapper over [`gatehouse::cli`].
#![forbid(unsafe_code)]

// mimalloc: the front end allocates many small strings and vectors; glibc malloc spent about a
// third of load time in allocation (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gatehouse::cli::main()
}
