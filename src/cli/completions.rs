//! `trailscope completions SHELL` and `trailscope man`.

use std::io::Write as _;

use clap::CommandFactory as _;

use super::{Cli, Exit};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn print_completions(args: &CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "trailscope", &mut std::io::stdout());
    Exit::Ok
}

pub fn print_man() -> Exit {
    let man = clap_mangen::Man::new(Cli::command());
    let mut out = Vec::new();
    if man.render(&mut out).is_err() {
        return Exit::Internal;
    }
    match std::io::stdout().write_all(&out) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Internal,
    }
}
