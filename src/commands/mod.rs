//! One module per subcommand.

mod build;
mod check;
mod eval;
mod explain;

use crate::args::{Cli, Command};
use crate::output::Exit;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check { paths, format, deny } => check::run(&paths, format, deny.is_some(), cli.color),
        Command::Eval(args) => eval::run(&args, cli.color),
        Command::Build { path, output } => build::run(path.as_deref(), &output, cli.color),
        Command::Explain { code } => explain::run(&code),
    }
}
