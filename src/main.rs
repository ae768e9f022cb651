//! `ripple`: everything the app computes, scriptable (DESIGN.md, "Command line").

use std::process::ExitCode;

use clap::Parser;

/// Ripple — how one person's work ripples through internal customers to external ones.
#[derive(Parser)]
#[command(name = "ripple", version, about)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::SUCCESS
}
