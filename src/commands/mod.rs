//! One module per subcommand.

mod build;
mod check;
mod clauses;
mod eval;
mod explain;
mod fmt;
mod schema;
mod synth;
mod test;

use crate::args::{Cli, Command};
use crate::output::Exit;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check { paths, format, deny } => check::run(&paths, format, deny.is_some(), cli.color),
        Command::Eval(args) => eval::run(&args, cli.color),
        Command::Build { path, output } => build::run(path.as_deref(), &output, cli.color),
        Command::Explain { code } => explain::run(&code),
        Command::Lsp => match okite_lsp::run_stdio() {
            Ok(()) => Exit::Ok,
            Err(e) => crate::output::usage_error(e),
        },
        Command::Fmt { paths, check } => fmt::run(&paths, check, cli.color),
        Command::Synth { base, scales, policy } => synth::run(&base, &scales, policy.as_deref(), cli.color),
        Command::Schema { policy } => schema::run(policy.as_deref(), cli.color),
        Command::Clauses { policy, format } => clauses::run(policy.as_deref(), format, cli.color),
        Command::Test { paths, coverage, threshold, filter, engine } => {
            test::run(&paths, coverage, threshold, filter.as_deref(), &engine, cli.color)
        }
    }
}
