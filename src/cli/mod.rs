//! The command line: clap definitions, exit codes, and the headless
//! subcommands. `main.rs` only calls [`main`].

pub mod attest;
pub mod attest_flags;
pub mod bridge;
mod completions;
pub mod config;
pub mod demo;
pub mod explain;
pub mod format;
pub mod graph;
mod in_order;
pub mod open;
pub mod progress;
pub mod record;
pub mod report;
pub mod sigstore_client;
pub mod tuf;
pub mod tuf_client;
pub mod verify;
pub mod workshop;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes shared by every subcommand (DESIGN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Verified / success.
    Ok = 0,
    /// Not verified: anything the evidence says (a failed check, malformed
    /// or oversized links and repository metadata, a check not performed).
    Failed = 1,
    /// Usage error.
    Usage = 2,
    /// What the command line names as trust anchor or input (the layout, a
    /// layout key, the trusted root, a directory) cannot be read or parsed.
    Input = 3,
    /// Internal error.
    Internal = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "trailscope",
    version,
    about = "Explore and verify software supply chains secured with TUF and in-toto",
    long_about = "Explore and verify software supply chains secured with TUF and in-toto.\n\n\
Exit codes: 0 verified; 1 not verified (anything the evidence says: a failed check, a malformed, \
truncated or oversized link or repository metadata, an inspection not run); 2 usage error; 3 what the \
command line names as trust anchor or input (the layout, a layout key, the trusted root, a directory) \
cannot be read or parsed; 4 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a command: the embedded demo in the terminal UI.
    #[command(flatten)]
    pub tui: crate::tui::args::TuiArgs,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE", global = true)]
    pub output: Option<std::path::PathBuf>,
    /// Colour the text report: auto (a terminal, unless NO_COLOR; CLICOLOR_FORCE forces it), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto", global = true)]
    pub color: format::ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify an in-toto supply chain (a drop-in for in-toto-verify).
    Verify(verify::VerifyArgs),
    /// Print a shell completion script.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    Man,
    /// TUF: verify a repository with the client workflow, or inspect its roles.
    Tuf(tuf::TufArgs),
    /// Export the supply-chain graph (steps, links, artifacts, keys, roles, targets) as DOT, Mermaid or JSON.
    Graph(graph::GraphArgs),
    /// The client command line of the tuf-conformance suite (init, refresh, download).
    #[command(hide = true)]
    TufClient(tuf_client::TufClientArgs),
    /// TUF distributes in-toto: verify a package end to end (ITE-2 / ITE-3).
    Bridge(bridge::BridgeArgs),
    /// The demo embedded in the binary: list or verify its scenarios.
    Demo(demo::DemoArgs),
    /// Re-render a document saved with --format json as Markdown, text or SARIF.
    Report(report::ReportArgs),
    /// What a category of a verdict or finding means (--list: every category).
    Explain(explain::ExplainArgs),
    /// Explore a directory in the terminal UI: an in-toto layout with keys and
    /// links, a TUF repository, or both (text report when stdout is not a terminal).
    Open(Box<open::OpenArgs>),
    /// A guided TUF and in-toto workshop: lessons with tasks, and "break it"
    /// actions that play the attacker on a scratch copy (--list: the plan).
    Workshop(workshop::WorkshopArgs),
    /// in-toto attestations in Sigstore bundles: verify against an identity and an artifact, or inspect.
    Attest(attest::AttestArgs),
    /// The client command line of the sigstore-conformance suite (verify-bundle; sign-bundle is not supported).
    #[command(hide = true)]
    SigstoreClient(sigstore_client::SigstoreClientArgs),
    /// The configuration file: where it is read from (--path), a template (--print-template).
    Config(config::ConfigArgs),
}

/// Parses arguments, runs the chosen face, maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // The conformance client protocol knows exit codes 0 and 1 only.
            let conformance =
                std::env::args_os().nth(1).is_some_and(|a| a == "tuf-client" || a == "sigstore-client");
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Ok.into()
                }
                _ if conformance => Exit::Failed.into(),
                _ => Exit::Usage.into(),
            };
        }
    };
    run(cli).into()
}

fn run(mut cli: Cli) -> Exit {
    format::configure(format::Output { file: cli.output.clone(), color: cli.color });
    // The config file's defaults; `config` itself must work with a broken file.
    if !matches!(cli.command, Some(Command::Config(_))) {
        match crate::config::Config::load() {
            Ok(cfg) => {
                if let Some(c) = cli.command.as_mut() {
                    config::apply(c, &cfg);
                }
                let problems = crate::tui::keymap::Keymap::new().rebind(&cfg.keys);
                if let Some(p) = problems.first() {
                    eprintln!("trailscope: config file: {p}");
                    return Exit::Usage;
                }
                if cli.tui.theme.is_none() {
                    cli.tui.theme = cfg.theme.clone();
                }
                cli.tui.keys = cfg.keys.clone();
            }
            Err(e) => {
                eprintln!("trailscope: {e}");
                return Exit::Usage;
            }
        }
    }
    let exit = dispatch(cli);
    if format::write_failed() { Exit::Input } else { exit }
}

fn dispatch(cli: Cli) -> Exit {
    match cli.command {
        None => open::demo(&cli.tui),
        Some(Command::Completions(args)) => completions::print_completions(&args),
        Some(Command::Man) => completions::print_man(),
        Some(Command::Verify(args)) => verify::run(&args),
        Some(Command::Tuf(args)) => tuf::run(&args),
        Some(Command::Graph(args)) => graph::run(&args),
        Some(Command::TufClient(args)) => tuf_client::run(&args),
        Some(Command::Bridge(args)) => bridge::run(&args),
        Some(Command::Demo(args)) => demo::run(&args),
        Some(Command::Open(args)) => open::run(&args),
        Some(Command::Report(args)) => report::run(&args),
        Some(Command::Explain(args)) => explain::run(&args),
        Some(Command::Workshop(args)) => workshop::run(&args),
        Some(Command::Attest(args)) => attest::run(&args),
        Some(Command::SigstoreClient(args)) => sigstore_client::run(&args),
        Some(Command::Config(args)) => config::run(&args),
    }
}
