//! The `ecsim` command: parse the command line and hand it to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    ecsim::cli::main(ecsim::cli::Cli::parse())
}
