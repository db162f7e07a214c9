//! `trailscope graph` — the supply-chain graph as DOT, Mermaid or JSON
//! (DESIGN §2 `graph/`), from the same inputs as `verify` (in-toto) or
//! `tuf verify`: the graph of the verification result, whether or not it
//! verified (the TUI's chain reads the same graph); exit 0 when it was
//! written, 3 when what the command line names (the layout, a key, the
//! trusted root, a directory) cannot be read or parsed, 1 when the trusted
//! root parses but does not verify (nothing to draw).

use clap::{Args, Subcommand, ValueEnum};

use super::Exit;
use super::tuf::RepoArgs;
use super::verify::VerifyInputs;
use crate::graph::export::{self, ExportOptions};
use crate::graph::{self, SupplyGraph};

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    pub command: GraphCommand,
}

#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// The graph of an in-toto layout and its links (the inputs of `verify`).
    Intoto(IntotoGraphArgs),
    /// The graph of a TUF repository's roles, keys and targets (the inputs of `tuf verify`).
    Tuf(TufGraphArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Args)]
pub struct GraphOutput {
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Include one node per artifact (per path per step side) and the
    /// produces/consumes edges; large for big links.
    #[arg(long)]
    pub artifacts: bool,
}

#[derive(Debug, Args)]
pub struct IntotoGraphArgs {
    #[command(flatten)]
    pub inputs: VerifyInputs,
    #[command(flatten)]
    pub output: GraphOutput,
}

#[derive(Debug, Args)]
pub struct TufGraphArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub output: GraphOutput,
}

pub fn run(args: &GraphArgs) -> Exit {
    let (g, output) = match &args.command {
        GraphCommand::Intoto(a) => (intoto_graph(&a.inputs), &a.output),
        GraphCommand::Tuf(a) => (tuf_graph(&a.repo), &a.output),
    };
    let g = match g {
        Ok(g) => g,
        Err(exit) => return exit,
    };
    let o = ExportOptions { artifacts: output.artifacts };
    let text = match output.format {
        GraphFormat::Dot => export::to_dot(&g, o),
        GraphFormat::Mermaid => export::to_mermaid(&g, o),
        GraphFormat::Json => {
            format!("{}\n", serde_json::to_string_pretty(&export::to_json(&g, o)).unwrap_or_default())
        }
    };
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    Exit::Ok
}

fn intoto_graph(inputs: &VerifyInputs) -> Result<SupplyGraph, Exit> {
    let opts = super::verify::options(inputs, "graph")?;
    graph::intoto::from_options(&opts).map_err(|e| {
        eprintln!("trailscope graph: {e}");
        Exit::Input
    })
}

/// TUF trust is sequential, so the graph is what a full audit trusted
/// (every reachable role), plus the delegated roles it could not trust.
fn tuf_graph(repo: &RepoArgs) -> Result<SupplyGraph, Exit> {
    let opts = super::tuf::options(repo, true)?;
    let root = std::fs::read(&opts.root).map_err(|e| {
        eprintln!("trailscope graph: cannot read trusted root {}: {e}", opts.root.display());
        Exit::Input
    })?;
    let outcome = crate::engine::plans::tuf::run_session(&opts, root, opts.at);
    if let Some(e) = outcome.unparsed_trusted_root() {
        eprintln!("trailscope graph: the trusted root {} does not parse: {}", opts.root.display(), e.message);
        return Err(Exit::Input);
    }
    // A trusted root that parses but does not verify (its own signatures):
    // evidence, nothing trusted to draw (DESIGN §4: exit 1).
    graph::tuf::from_outcome(&outcome).ok_or_else(|| {
        let why = outcome.refresh.err().map(|e| e.message).unwrap_or_default();
        eprintln!("trailscope graph: the trusted root {} does not verify: {why}", opts.root.display());
        Exit::Failed
    })
}
