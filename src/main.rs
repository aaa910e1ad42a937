//! The `talmint` command: parse arguments, run, print one error line, exit.
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
