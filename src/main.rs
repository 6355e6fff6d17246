//! `okite`: check, test and evaluate information-security policies written in Okite.

mod args;
mod commands;
mod inputs;
mod output;
mod policy;
mod sources;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let code = commands::run(cli);
    ExitCode::from(code as u8)
}
