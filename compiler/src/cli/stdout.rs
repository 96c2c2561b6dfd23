//! Writing to standard output without panicking when the reader has gone away
//! (`gatehouse explain --list | head`): a closed pipe ends the command quietly, as it would a
//! C tool killed by SIGPIPE, instead of the panic `print!` gives.

use std::io::Write;

/// Writes `args` to stdout. On a closed pipe the process exits 0: nothing reads what is left.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// `print!` that survives a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::stdout::write(format_args!($($arg)*)) };
}

/// `println!` that survives a closed pipe.
macro_rules! outln {
    () => { $crate::cli::stdout::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::stdout::write(format_args!("{}\n", format_args!($($arg)*))) };
}
